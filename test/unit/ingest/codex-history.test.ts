// Sessions written by many Codex versions and front ends, each read right (test/fixtures/codex-history/README.md).
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLegacyExecFile, codexExecLegacyReader } from '../../../src/ingest/codex-exec-legacy.js';
import { readExecFile } from '../../../src/ingest/codex-exec.js';
import { codexRolloutReader, readRolloutFile } from '../../../src/ingest/codex-rollout.js';
import { ingest } from '../../../src/ingest/ingest.js';
import { detectReader, readSniffInput } from '../../../src/ingest/readers.js';
import type { ReadContext, Skip } from '../../../src/ingest/source.js';
import { ConfigSchema } from '../../../src/schema/config.js';
import { TraceSchema, type Trace } from '../../../src/schema/trace.js';

const H = 'test/fixtures/codex-history';
const config = ConfigSchema.parse({});

function ctx(skipped: Skip[] = []): ReadContext {
  return { skip: (s) => skipped.push(s), maxLineBytes: 1 << 24 };
}

async function rollout(name: string): Promise<Trace> {
  const skipped: Skip[] = [];
  const trace = await readRolloutFile(join(H, name), ctx(skipped));
  expect(skipped).toEqual([]);
  if (!trace) throw new Error(`no trace in ${name}`);
  return TraceSchema.parse(trace);
}

const spansNamed = (t: Trace, name: string) => t.spans.filter((s) => s.name === name);

describe('1. exit codes of the 0.4x era (shell output as a JSON string)', () => {
  it('reads metadata.exit_code, so the failed test run is an error with code 1', async () => {
    const t = await rollout('vscode-0.40.jsonl');
    const shells = spansNamed(t, 'shell');
    expect(shells.map((s) => [s.exitCode, s.status])).toEqual([
      [1, 'error'],
      [0, 'ok'],
    ]);
    expect(shells[0]!.output).toContain('FAIL  src/cart/total.test.ts');
    expect(shells[0]!.output).not.toContain('"metadata"');
    expect(shells[0]!.durationMs).toBe(2400);
    expect(spansNamed(t, 'apply_patch')[0]).toMatchObject({ exitCode: 0, status: 'ok' });
  });

  it('reads them in rollouts from before session_meta too', async () => {
    const t = await rollout('legacy-2025-05.jsonl');
    expect(spansNamed(t, 'shell')[0]).toMatchObject({ exitCode: 101, status: 'error' });
  });
});

describe('2. the task, not the context injected around it', () => {
  it('takes what was typed under the IDE extension\'s "## My request for Codex:"', async () => {
    expect((await rollout('vscode-0.40.jsonl')).task).toBe('The cart total test fails, fix it');
  });

  it('skips <recommended_plugins> (not marked user.text), the desktop envelope and the image wrapper', async () => {
    const t = await rollout('desktop-0.153.jsonl');
    expect(t.task).toBe('The checkout button overlaps the footer on mobile, fix the layout');
    const prompt = t.spans.find((s) => s.id === 'msg_prompt_1')!;
    expect(prompt.attributes.images).toEqual(['inline image/png']);
    expect(JSON.stringify(t)).not.toContain('base64,iVBOR');
  });

  it('takes the user.text part of a real 0.169 session', async () => {
    expect((await rollout('codemode-0.169.jsonl')).task).toBe('Run the checks and note the result');
  });
});

describe('3. compressed rollouts', () => {
  it('are found by the default scan of $CODEX_HOME/sessions and read like the plain file', async () => {
    const home = mkdtempSync(join(tmpdir(), 'hl-zst-'));
    cpSync(join(H, 'sessions'), join(home, 'sessions'), { recursive: true });
    const workspace = mkdtempSync(join(tmpdir(), 'hl-ws-'));
    const result = await ingest({ workspace, paths: [], from: 'auto', allRepos: true, config, env: { CODEX_HOME: home } });
    expect(result.files).toBe(1);
    expect(result.traces).toBe(1);
    const stored = JSON.parse(readFileSync(join(workspace, '.harness-loop/traces/traces.jsonl'), 'utf8').trim()) as Trace;
    const plain = await readRolloutFile('test/fixtures/codex-exec/rollout.base.jsonl', ctx());
    expect(stored.id).toBe(plain!.id);
    expect(stored.spans.length).toBe(plain!.spans.length);
    expect(stored.finalAnswer).toBe(plain!.finalAnswer);
  });

  it('is detected by its content when given as a path', async () => {
    const file = join(H, 'sessions/2026/11/24/rollout-2026-11-24T20-58-02-01a20f59-f305-7e31-9c64-0113b2a3c47d.jsonl.zst');
    expect(detectReader(await readSniffInput(file))).toBe(codexRolloutReader);
  });

  it('reads the plain copy only while both exist, and reports a corrupt file by line instead of failing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hl-zst2-'));
    const zst = join(H, 'sessions/2026/11/24/rollout-2026-11-24T20-58-02-01a20f59-f305-7e31-9c64-0113b2a3c47d.jsonl.zst');
    cpSync(zst, join(dir, 'rollout-a.jsonl.zst'));
    cpSync('test/fixtures/codex-exec/rollout.base.jsonl', join(dir, 'rollout-a.jsonl'));
    const bytes = readFileSync(zst);
    writeFileSync(join(dir, 'rollout-b.jsonl.zst'), Buffer.concat([bytes.subarray(0, 200), Buffer.alloc(300, 0x41)]));
    const skipped: Skip[] = [];
    const workspace = mkdtempSync(join(tmpdir(), 'hl-ws-'));
    const result = await ingest({ workspace, paths: [dir], from: 'rollout', allRepos: true, config, dryRun: true, onSkip: (s) => skipped.push(s) });
    expect(result.files).toBe(2);
    expect(skipped.some((s) => s.file.endsWith('rollout-b.jsonl.zst') && /zstd|unreadable/.test(s.reason))).toBe(true);
  });
});

describe('4. forked and subagent sessions (real 0.169 capture)', () => {
  it("link the child to its parent and keep only the child's own task, work, answer and tokens", async () => {
    const child = await rollout('subagent-child-0.169.jsonl');
    const parent = await rollout('subagent-parent-0.169.jsonl');
    expect(child.id).not.toBe(parent.id);
    expect(child.attributes.parentTraceId).toBe(parent.id);
    expect(child.task).toBe('CHILD-TASK: list the files of the repository and report them.');
    expect(child.finalAnswer).toBe('CHILD-ANSWER: the repository holds README.md only.');
    // The parent's `cat README.md` and its turn are replayed in the child's file, not its work.
    const tools = child.spans.filter((s) => s.kind === 'tool_call').map((s) => s.id);
    expect(tools).toEqual(['call_child_ls']);
    expect(child.spans.filter((s) => s.kind === 'turn')).toHaveLength(1);
    expect(child.usage.inputTokens).toBe(2900);
    expect(child.attributes.replayedRecords).toBeGreaterThan(0);
    expect(parent.task).toBe('Find out which files the repository holds, with a helper agent');
    expect(parent.attributes.parentTraceId).toBeUndefined();
  });
});

describe("5. the final answer is the last turn's", () => {
  it('comes from the last assistant message when there is no task_complete (0.4x)', async () => {
    expect((await rollout('vscode-0.40.jsonl')).finalAnswer).toMatch(/^Fixed: `total\(\)` applied the tax rate twice/);
    expect((await rollout('legacy-2025-05.jsonl')).finalAnswer).toMatch(/^Added `--verbose`/);
  });

  it("is not the earlier turn's task_complete when the last turn was interrupted, and says so", async () => {
    const t = await rollout('desktop-0.153.jsonl');
    expect(t.finalAnswer).toBe('Looking at the tablet styles now.');
    expect(t.attributes.lastTurn).toEqual({ id: '019e2a11-0f13-7b22-8d33-c4d5e6f70819', outcome: 'interrupted' });
    const turns = t.spans.filter((s) => s.kind === 'turn');
    expect(turns.map((s) => [s.status, s.attributes.outcome])).toEqual([
      ['ok', 'completed'],
      ['error', 'interrupted'],
    ]);
  });
});

describe('6. code mode (real 0.169 capture)', () => {
  it('nests the command under the exec cell that ran it, with its own exit code', async () => {
    const t = await rollout('codemode-0.169.jsonl');
    const cell = t.spans.find((s) => s.name === 'exec')!;
    const command = t.spans.find((s) => s.name === 'exec_command')!;
    expect(cell.attributes.codeMode).toBe(true);
    expect(command.id).toMatch(/^exec-/);
    expect(command.parentId).toBe(cell.id);
    expect(command).toMatchObject({ exitCode: 2, status: 'error' });
    expect(cell).toMatchObject({ status: 'error' });
    expect(cell.error).toContain('patch rejected');
  });
});

describe('7. older formats', () => {
  it('reads a rollout from before session_meta (bare header, record_type state, bare items)', async () => {
    const file = join(H, 'legacy-2025-05.jsonl');
    expect(detectReader(await readSniffInput(file))).toBe(codexRolloutReader);
    const t = await rollout('legacy-2025-05.jsonl');
    expect(t).toMatchObject({
      id: '5973b6c0-94b8-487b-a530-2aeb6098ae0e',
      startTime: '2025-05-12T10:11:12.123Z',
      cwd: '/home/dev/cli-tool',
      task: 'Add a --verbose flag to the CLI',
    });
    expect(t.attributes.legacy_format).toBe(true);
  });

  it('reads the old exec --json shape ({"id", "msg"})', async () => {
    const file = join(H, 'exec-0.46.jsonl');
    expect(detectReader(await readSniffInput(file))).toBe(codexExecLegacyReader);
    const skipped: Skip[] = [];
    const t = TraceSchema.parse(await readLegacyExecFile(file, ctx(skipped)));
    expect(skipped).toEqual([]);
    expect(t).toMatchObject({ task: 'Run the linter and fix what it reports', cwd: '/home/dev/api', models: ['gpt-5-codex'] });
    expect(t.finalAnswer).toMatch(/^The linter flagged/);
    expect(t.spans.find((s) => s.name === 'shell')).toMatchObject({ exitCode: 1, status: 'error' });
    expect(t.usage.totalTokens).toBe(12386);
    // The same stream read again is the same trace.
    expect((await readLegacyExecFile(file, ctx()))!.id).toBe(t.id);
  });
});

describe('9. exec --json traces have a start time', () => {
  it('from the UUIDv7 thread id, so --since keeps them', async () => {
    const traces: Trace[] = [];
    for await (const t of readExecFile(join(H, 'exec-codemode-0.169.jsonl'), ctx())) traces.push(t);
    expect(traces[0]!.startTime).toBe('2026-12-03T11:36:09.992Z');
    const workspace = mkdtempSync(join(tmpdir(), 'hl-ws-'));
    const kept = await ingest({
      workspace,
      paths: [join(H, 'exec-codemode-0.169.jsonl')],
      from: 'auto',
      allRepos: true,
      config,
      since: new Date('2026-12-01T00:00:00Z'),
      dryRun: true,
    });
    expect(kept.traces).toBe(1);
  });
});

describe('10. web searches, images and compactions are kept', () => {
  it('as tool spans, a compaction span and image attributes (never the image bytes)', async () => {
    const t = await rollout('desktop-0.153.jsonl');
    expect(spansNamed(t, 'web_search')[0]).toMatchObject({
      kind: 'tool_call',
      status: 'ok',
      input: { type: 'search', query: 'css sticky footer overlaps fixed button mobile safari' },
    });
    expect(spansNamed(t, 'image_generation')[0]).toMatchObject({
      kind: 'tool_call',
      input: 'a tablet mock-up of the checkout page',
      attributes: { savedPath: '/Users/dev/.codex/generated_images/ig_1.png' },
    });
    const compactions = t.spans.filter((s) => s.kind === 'compaction');
    expect(compactions).toHaveLength(1); // the record and its event are one compaction
    expect(compactions[0]!.attributes.keptItems).toBe(1);
    expect(t.attributes.compactions).toBe(1);
  });
});

describe('no fixture is read by a reader it was not written for', () => {
  it('every codex-history file is detected', async () => {
    for (const name of [
      'vscode-0.40.jsonl',
      'desktop-0.153.jsonl',
      'codemode-0.169.jsonl',
      'subagent-child-0.169.jsonl',
      'exec-0.46.jsonl',
      'exec-codemode-0.169.jsonl',
    ]) {
      expect(detectReader(await readSniffInput(join(H, name))), name).not.toBeNull();
    }
  });
});

describe('4. a fork whose replay cannot be told apart', () => {
  it('is read whole, never emptied, and says so', async () => {
    // The captured child without the ordinal marker and the thread ids that end the replay.
    const dir = mkdtempSync(join(tmpdir(), 'hl-fork-'));
    const lines = readFileSync(join(H, 'subagent-child-0.169.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, Record<string, unknown>>)
      .map((r, i) => {
        if (i === 0) delete r.payload!.subagent_history_start_ordinal;
        delete r.ordinal;
        if (r.payload && 'thread_id' in r.payload) delete r.payload.thread_id;
        return JSON.stringify(r);
      });
    writeFileSync(join(dir, 'rollout-fork.jsonl'), `${lines.join('\n')}\n`);
    const t = await readRolloutFile(join(dir, 'rollout-fork.jsonl'), ctx());
    expect(t!.attributes.replayNotSeparated).toBe(true);
    expect(t!.finalAnswer).toBe('CHILD-ANSWER: the repository holds README.md only.');
    expect(t!.spans.some((s) => s.id === 'call_child_ls')).toBe(true);
  });
});
