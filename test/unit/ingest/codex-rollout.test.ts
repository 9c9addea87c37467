import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { codexRolloutReader, readRolloutFile } from '../../../src/ingest/codex-rollout.js';
import { ingest } from '../../../src/ingest/ingest.js';
import { readSniffInput, detectReader } from '../../../src/ingest/readers.js';
import type { Skip } from '../../../src/ingest/source.js';
import { ConfigSchema } from '../../../src/schema/config.js';
import { TraceSchema, type Trace } from '../../../src/schema/trace.js';

const BASE = 'test/fixtures/codex-exec/rollout.base.jsonl';
const FIX = 'test/fixtures/rollout';
const TURN = '01a20f59-f31c-7251-8f5c-7941e0e13ab1';

async function read(file: string): Promise<{ trace: Trace; skipped: Skip[] }> {
  const skipped: Skip[] = [];
  const trace = await readRolloutFile(file, { skip: (s) => skipped.push(s), maxLineBytes: 1 << 20 });
  if (!trace) throw new Error(`no trace in ${file}`);
  // Every trace a reader produces must satisfy the stored schema.
  TraceSchema.parse(trace);
  return { trace, skipped };
}

const span = (t: Trace, id: string) => {
  const found = t.spans.find((s) => s.id === id);
  if (!found) throw new Error(`no span ${id}`);
  return found;
};

describe('codex rollout reader on the real sample', () => {
  it('is picked by auto-detection', async () => {
    expect(detectReader(await readSniffInput(BASE))).toBe(codexRolloutReader);
  });

  it('reads the session: ids, cwd, model, task, final answer and usage totals', async () => {
    const { trace, skipped } = await read(BASE);
    expect(skipped).toEqual([]);
    expect(trace).toMatchObject({
      id: '01a20f59-f305-7e31-9c64-0113b2a3c47d',
      sessionId: '01a20f59-f305-7e31-9c64-0113b2a3c47d',
      source: { kind: 'codex-rollout', file: BASE, line: 1 },
      cwd: '/home/user/repo',
      models: ['gpt-5.5'],
      task: 'Please use $repo-agents-skill and run a command, then create a file',
      finalAnswer: 'All done: ran the shell command and created hello.txt.',
      startTime: '2026-11-24T20:58:02.891Z',
      endTime: '2026-11-24T20:58:03.902Z',
    });
    expect(trace.usage).toEqual({ inputTokens: 3600, cachedInputTokens: 900, outputTokens: 66, reasoningOutputTokens: 9, totalTokens: 3666 });
    expect(trace.attributes).toMatchObject({ originator: 'codex_exec', cli_version: '0.169.0' });
  });

  it('turns the shell call into one tool span with exit code 0 and its output', async () => {
    const { trace } = await read(BASE);
    const shell = span(trace, 'call_shell_1');
    expect(shell).toMatchObject({ kind: 'tool_call', name: 'exec_command', parentId: TURN, status: 'ok', error: null, exitCode: 0 });
    expect(JSON.parse(shell.input as string)).toEqual({ cmd: 'echo hello-from-mock && ls -a', yield_time_ms: 2000 });
    expect(shell.output).toContain('Process exited with code 0');
    expect(shell.output).toContain('hello-from-mock\n.\n..\n.agents');
    expect(shell.attributes.command).toEqual(['/bin/bash', '-lc', 'echo hello-from-mock && ls -a']);
    expect(trace.spans.filter((s) => s.id === 'call_shell_1')).toHaveLength(1);
  });

  it('turns apply_patch into a tool span with the patch and the changed file', async () => {
    const { trace } = await read(BASE);
    const patch = span(trace, 'call_patch_2');
    expect(patch).toMatchObject({ kind: 'tool_call', name: 'apply_patch', status: 'ok', parentId: TURN });
    expect(patch.input).toContain('*** Add File: hello.txt');
    expect(patch.output).toContain('Success. Updated the following files');
    expect(patch.attributes.changes).toEqual({ '/home/user/repo/hello.txt': { type: 'add' } });
  });

  it('has one model_call span per model response, with its usage', async () => {
    const { trace } = await read(BASE);
    const calls = trace.spans.filter((s) => s.kind === 'model_call');
    expect(calls.map((s) => s.id)).toEqual(['resp_mock_1', 'resp_mock_2', 'resp_mock_3']);
    expect(calls.every((s) => s.name === 'gpt-5.5' && s.parentId === TURN)).toBe(true);
    expect(calls[0]!.output).toMatchObject({ inputTokens: 1100, outputTokens: 21 });
  });

  it('has one turn span of 990 ms that starts inside the session', async () => {
    const { trace } = await read(BASE);
    const turns = trace.spans.filter((s) => s.kind === 'turn');
    expect(turns).toHaveLength(1);
    expect(turns[0]).toMatchObject({ id: TURN, durationMs: 990, status: 'ok', output: 'All done: ran the shell command and created hello.txt.' });
    expect(turns[0]!.startTime! >= trace.startTime!).toBe(true);
  });

  it('leaves out injected context (AGENTS.md, skills) from messages and task', async () => {
    const { trace } = await read(BASE);
    const users = trace.spans.filter((s) => s.kind === 'message' && s.name === 'user');
    expect(users.map((s) => s.input)).toEqual(['Please use $repo-agents-skill and run a command, then create a file']);
    expect(JSON.stringify(trace.spans)).not.toContain('AGENTS-MD-MARKER');
  });
});

describe('codex rollout reader on derived fixtures', () => {
  it('marks a shell command that exited with code 3 as an error with exitCode 3', async () => {
    const { trace, skipped } = await read(`${FIX}/shell-fail.jsonl`);
    expect(skipped).toEqual([]);
    const shell = span(trace, 'call_shell_1');
    expect(shell).toMatchObject({ kind: 'tool_call', status: 'error', exitCode: 3, error: 'command exited with code 3' });
    expect(shell.output).toContain('Process exited with code 3');
    expect(trace.finalAnswer).toBe('The test script failed with exit code 3.');
    expect(trace.task).toBe('Run the test script');
  });

  it('marks a turn whose task_complete carries an error, and adds an error span', async () => {
    const { trace } = await read(`${FIX}/task-error.jsonl`);
    const message = 'stream disconnected before completion: mock response.failed event';
    expect(span(trace, TURN)).toMatchObject({ kind: 'turn', status: 'error', error: message });
    const errors = trace.spans.filter((s) => s.kind === 'error');
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(errors.every((s) => s.status === 'error' && s.error === message && s.parentId === TURN)).toBe(true);
    expect(trace.finalAnswer).toBeNull();
  });

  it('turns hook-added messages into hook spans, never into the task', async () => {
    const { trace } = await read(`${FIX}/hook-context.jsonl`);
    const hooks = trace.spans.filter((s) => s.kind === 'hook');
    expect(hooks.map((s) => s.id)).toEqual(['msg_hook_ctx_1', 'msg_hook_stop_1']);
    expect(hooks[0]).toMatchObject({
      name: 'hook_context',
      output: 'Evidence hook: cite a file for every claim.',
      parentId: TURN,
      attributes: { role: 'developer' },
    });
    expect(hooks[1]!.output).toContain('<hook_prompt>');
    expect(trace.task).toBe('Please use $repo-agents-skill and run a command, then create a file');
  });

  describe('a resumed session in two files', () => {
    let dir: string | undefined;
    afterEach(async () => {
      if (dir) await rm(dir, { recursive: true, force: true });
      dir = undefined;
    });

    it('reads each file as the same thread id', async () => {
      const first = (await read(`${FIX}/resume-1.jsonl`)).trace;
      const second = (await read(`${FIX}/resume-2.jsonl`)).trace;
      expect(second.id).toBe(first.id);
      expect(second.task).toBe('Now append a third line to hello.txt');
    });

    it('stores one trace holding the spans of both files', async () => {
      dir = await mkdtemp(join(tmpdir(), 'harness-resume-'));
      const config = ConfigSchema.parse({});
      const first = (await read(`${FIX}/resume-1.jsonl`)).trace;
      const second = (await read(`${FIX}/resume-2.jsonl`)).trace;
      const result = await ingest({ workspace: dir, paths: [`${FIX}/resume-1.jsonl`, `${FIX}/resume-2.jsonl`], from: 'auto', allRepos: true, config });
      expect(result.traces).toBe(2);
      const lines = (await readFile(result.storeFile, 'utf8')).trim().split('\n');
      expect(lines).toHaveLength(1);
      const stored = TraceSchema.parse(JSON.parse(lines[0]!));
      expect(stored.id).toBe('01a20f5b-0004-7e31-9c64-0113b2a3c404');
      const ids = new Set(stored.spans.map((s) => s.id));
      for (const s of [...first.spans, ...second.spans]) expect(ids).toContain(s.id);
      expect(stored.spans.filter((s) => s.kind === 'turn').map((s) => s.id)).toEqual([TURN, '01a20f5c-a000-7251-8f5c-7941e0e13ab2']);
      expect(stored.task).toBe('Please use $repo-agents-skill and run a command, then create a file');
      expect(stored.finalAnswer).toBe('Appended a third line to hello.txt.');
      expect(stored.startTime).toBe(first.startTime);
      expect(stored.endTime).toBe(second.endTime);
      expect(stored.usage.totalTokens).toBe(4987);
    });

    it('gives the same store whichever file is ingested first', async () => {
      dir = await mkdtemp(join(tmpdir(), 'harness-resume-'));
      const config = ConfigSchema.parse({});
      const a = join(dir, 'a');
      const b = join(dir, 'b');
      await ingest({ workspace: a, paths: [`${FIX}/resume-1.jsonl`], from: 'auto', allRepos: true, config });
      await ingest({ workspace: a, paths: [`${FIX}/resume-2.jsonl`], from: 'auto', allRepos: true, config });
      await ingest({ workspace: b, paths: [`${FIX}/resume-2.jsonl`], from: 'auto', allRepos: true, config });
      const last = await ingest({ workspace: b, paths: [`${FIX}/resume-1.jsonl`], from: 'auto', allRepos: true, config });
      const storedA = TraceSchema.parse(JSON.parse(await readFile(join(a, '.harness-loop/traces/traces.jsonl'), 'utf8')));
      const storedB = TraceSchema.parse(JSON.parse(await readFile(last.storeFile, 'utf8')));
      expect(storedB.spans.map((s) => s.id).sort()).toEqual(storedA.spans.map((s) => s.id).sort());
      expect(storedB.task).toBe(storedA.task);
      expect(storedB.finalAnswer).toBe(storedA.finalAnswer);
    });
  });
});
