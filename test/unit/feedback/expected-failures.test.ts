import { writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { detectFeedback } from '../../../src/feedback/detect.js';
import { askedByTask, probeKind, unwrapShell } from '../../../src/feedback/detectors/expected-failures.js';
import { detectFailedCommands, type SkippedFinding } from '../../../src/feedback/detectors/index.js';
import { readTraceStore } from '../../../src/ingest/store.js';
import type { Trace } from '../../../src/schema/trace.js';
import { workspacePaths } from '../../../src/util/workspace.js';
import { runCli } from '../../support/cli.js';
import { NOW, defaultConfig, span, trace, workspaceWith } from './helpers.js';

const FIX = 'test/fixtures/expected-failures';
const FILES = [`${FIX}/asked.jsonl`, `${FIX}/probes.jsonl`, `${FIX}/retry.jsonl`];

async function storedTraces(ws: string): Promise<Trace[]> {
  const out: Trace[] = [];
  for await (const t of readTraceStore(workspacePaths(ws).traceStore)) out.push(t);
  return out;
}

describe('expected failures in real rollouts', () => {
  it('skips the script the task asked to run, probes and retried commands, and keeps the real failure', async () => {
    const ws = await workspaceWith(FILES);
    const result = await detectFeedback({ workspace: ws, config: defaultConfig(), now: NOW, fileExists: () => true });
    const failed = result.added.filter((r) => r.category === 'failed_command');
    expect(failed.map((r) => r.observation)).toEqual(['Command exited with code 2: npm run lint']);
    const skips = result.expected.map((s) => [s.command, s.exitCode, s.reason]);
    expect(skips).toEqual(
      expect.arrayContaining([
        ['bash scripts/flaky.sh', 3, 'asked-by-task'],
        ['test -f dist/util.js', 1, 'probe'],
        ['ls dist/util.js', 2, 'probe'],
        ['command -v esbuild', 1, 'probe'],
        ["grep -q 'export' src/util.ts", 1, 'probe'],
        ['git diff --quiet', 1, 'probe'],
        ['npm test', 1, 'later-succeeded'],
      ]),
    );
    expect(skips).toHaveLength(7);
    expect(result.expected.every((s) => s.detail.length > 10 && s.detector === 'failed-commands')).toBe(true);
  });

  it('reports every failure again when the rules are switched off in the config', async () => {
    const ws = await workspaceWith(FILES);
    const config = defaultConfig({ detect: { ignore: { askedByTask: false, probes: false, laterSucceeded: false } } });
    const result = await detectFeedback({ workspace: ws, config, now: NOW, fileExists: () => true });
    expect(result.added.filter((r) => r.category === 'failed_command')).toHaveLength(8);
    expect(result.expected).toEqual([]);
  });

  it('skips commands matching a configured pattern', async () => {
    const ws = await workspaceWith([`${FIX}/retry.jsonl`]);
    const [t] = await storedTraces(ws);
    const skipped: SkippedFinding[] = [];
    const records = detectFailedCommands(t!, { askedByTask: true, probes: true, laterSucceeded: true, commands: ['^npm run lint$'] }, (s) => skipped.push(s));
    expect(records).toEqual([]);
    expect(skipped.map((s) => s.reason)).toEqual(['later-succeeded', 'ignored-pattern']);
  });

  it('lists each skip with its reason in `feedback detect --json`', async () => {
    const ws = await workspaceWith([`${FIX}/asked.jsonl`]);
    const r = await runCli(['feedback', 'detect', '-C', ws, '--json']);
    expect(r.exitCode).toBe(0);
    const out = JSON.parse(r.stdout) as { expected: SkippedFinding[]; records: unknown[] };
    expect(out.expected).toEqual([
      {
        traceId: '01a20f5c-0001-7e31-9c64-0113b2a3c401',
        spanId: 'call_shell_1',
        detector: 'failed-commands',
        command: 'bash scripts/flaky.sh',
        exitCode: 3,
        reason: 'asked-by-task',
        detail: 'the task asked for this command (or to reproduce its failure)',
      },
    ]);
  });

  it('rejects an invalid ignore pattern in the config, naming the field', async () => {
    const ws = await workspaceWith([`${FIX}/asked.jsonl`]);
    await writeFile(workspacePaths(ws).config, 'detect:\n  ignore:\n    commands: ["(unclosed"]\n');
    const r = await runCli(['feedback', 'detect', '-C', ws]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/detect\.ignore\.commands\.0|detect → ignore → commands/);
  });
});

describe('the task asked for it (real rollout)', () => {
  it('skips the test script a task asked to run', async () => {
    const ws = await workspaceWith(['test/fixtures/rollout/shell-fail.jsonl']);
    const result = await detectFeedback({ workspace: ws, config: defaultConfig(), now: NOW, fileExists: () => true });
    expect(result.added.filter((r) => r.category === 'failed_command')).toEqual([]);
    expect(result.expected.map((s) => [s.command, s.exitCode, s.reason])).toEqual([['./run-tests.sh', 3, 'asked-by-task']]);
  });
});

describe('the rules', () => {
  it('unwraps shell wrappers', () => {
    expect(unwrapShell("/bin/bash -lc 'npm test'")).toBe('npm test');
    expect(unwrapShell(`bash -lc "echo \\"hi\\""`)).toBe('echo "hi"');
    expect(unwrapShell('make')).toBe('make');
  });

  it('counts a command as asked for only when the task names it, its script, or asks to reproduce its failure', () => {
    expect(askedByTask('Run scripts/flaky.sh and tell me why it fails', 'bash scripts/flaky.sh')).toBe(true);
    expect(askedByTask('Why does flaky.sh fail?', './scripts/flaky.sh --fast')).toBe(true);
    expect(askedByTask('Please run `npm test` and report', "/bin/bash -lc 'npm test'")).toBe(true);
    expect(askedByTask('Reproduce the failing pytest run', 'pytest -x tests/')).toBe(true);
    expect(askedByTask('Run the test script', './run-tests.sh')).toBe(true);
    expect(askedByTask('Run the smoke checks', './scripts/smoke-check.sh')).toBe(true);
    expect(askedByTask('Write a new test script', './run-tests.sh')).toBe(false);
    expect(askedByTask('Run the linter', './run-tests.sh')).toBe(false);
    expect(askedByTask('Fix the build', 'npm run build')).toBe(false);
    expect(askedByTask('Add a flaky retry helper', 'bash scripts/flaky.sh')).toBe(false);
    expect(askedByTask(null, 'npm test')).toBe(false);
  });

  it('treats exit 1 of a probe as an answer, but not an error exit', () => {
    expect(probeKind('test -d build', 1, [])).toMatch(/condition/);
    expect(probeKind('[ -f x ]', 1, [])).not.toBeNull();
    expect(probeKind('grep -q foo a.txt', 1, [])).not.toBeNull();
    expect(probeKind('grep -q foo a.txt', 2, [])).toBeNull();
    expect(probeKind('grep foo a.txt', 1, [])).toBeNull();
    expect(probeKind('which jq', 1, [])).not.toBeNull();
    expect(probeKind('git diff --exit-code', 1, [])).not.toBeNull();
    expect(probeKind('ls out/report.md', 2, [])).toBeNull();
    const write = span({ id: 'w', kind: 'tool_call', name: 'apply_patch', input: '*** Begin Patch\n*** Add File: out/report.md\n+x\n*** End Patch' });
    expect(probeKind('ls out/report.md', 2, [write])).toMatch(/created/);
  });

  it('keeps a failure whose retry also failed', () => {
    const t = trace({
      spans: [
        span({ id: 'a', kind: 'tool_call', name: 'exec_command', exitCode: 1, input: '{"cmd":"make"}' }),
        span({ id: 'b', kind: 'tool_call', name: 'exec_command', exitCode: 1, input: '{"cmd":"make"}' }),
      ],
    });
    expect(detectFailedCommands(t).map((r) => r.spanId)).toEqual(['a', 'b']);
  });
});
