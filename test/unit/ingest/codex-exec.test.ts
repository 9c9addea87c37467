import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { codexExecReader, readExecFile } from '../../../src/ingest/codex-exec.js';
import { ingest } from '../../../src/ingest/ingest.js';
import { ConfigSchema } from '../../../src/schema/config.js';
import { detectReader, readSniffInput } from '../../../src/ingest/readers.js';
import type { Skip } from '../../../src/ingest/source.js';
import { TraceSchema, type Trace } from '../../../src/schema/trace.js';

const DIR = 'test/fixtures/codex-exec';

async function read(name: string): Promise<{ traces: Trace[]; skipped: Skip[] }> {
  const skipped: Skip[] = [];
  const traces: Trace[] = [];
  for await (const t of readExecFile(`${DIR}/${name}`, { skip: (s) => skipped.push(s), maxLineBytes: 1 << 20 })) traces.push(TraceSchema.parse(t));
  return { traces, skipped };
}

async function readOne(name: string): Promise<Trace> {
  const { traces, skipped } = await read(name);
  expect(skipped).toEqual([]);
  expect(traces).toHaveLength(1);
  return traces[0]!;
}

describe('codex exec --json reader', () => {
  it.each(['exec.base.jsonl', 'exec.mcp.jsonl', 'exec.error.jsonl', 'exec.stop_block.jsonl'])('is picked by auto-detection for %s', async (name) => {
    expect(detectReader(await readSniffInput(`${DIR}/${name}`))).toBe(codexExecReader);
  });

  it('reads the base run: thread id, one turn, shell and patch spans, final answer, usage', async () => {
    const t = await readOne('exec.base.jsonl');
    expect(t).toMatchObject({
      id: '01a20f59-f305-7e31-9c64-0113b2a3c47d',
      sessionId: '01a20f59-f305-7e31-9c64-0113b2a3c47d',
      source: { kind: 'codex-exec-json', line: 1 },
      task: null,
      // From the UUIDv7 thread id; the rollout of the same session says 20:58:02.891Z.
      startTime: '2026-11-24T20:58:02.885Z',
      finalAnswer: 'All done: ran the shell command and created hello.txt.',
    });
    expect(t.usage).toEqual({ inputTokens: 3600, cachedInputTokens: 900, outputTokens: 66, reasoningOutputTokens: 9, totalTokens: 3666 });
    expect(t.spans.map((s) => [s.id, s.kind, s.name, s.status])).toEqual([
      ['turn_1', 'turn', 'turn', 'ok'],
      ['turn_1/item_1', 'tool_call', 'exec_command', 'ok'],
      ['turn_1/item_3', 'tool_call', 'apply_patch', 'ok'],
      ['turn_1/item_4', 'message', 'assistant', 'ok'],
    ]);
    const shell = t.spans[1]!;
    expect(shell).toMatchObject({ parentId: 'turn_1', exitCode: 0, input: "/bin/bash -lc 'echo hello-from-mock && ls -a'" });
    expect(shell.output).toContain('hello-from-mock');
    expect(t.spans[2]!.input).toEqual([{ path: '/home/user/repo/hello.txt', kind: 'add' }]);
  });

  it('reads an MCP tool call with its server, tool, arguments and result', async () => {
    const t = await readOne('exec.mcp.jsonl');
    const mcp = t.spans.find((s) => s.kind === 'tool_call')!;
    expect(mcp).toMatchObject({
      id: 'turn_1/item_1',
      name: 'mcp__probe__echo',
      status: 'ok',
      error: null,
      input: { text: 'hi from mock' },
      output: { content: [{ type: 'text', text: 'echo: hi from mock' }], structured_content: null },
      attributes: { server: 'probe', tool: 'echo' },
    });
    expect(t.usage.totalTokens).toBe(2343);
  });

  it('turns turn.failed into a failed turn and an error span', async () => {
    const t = await readOne('exec.error.jsonl');
    const message = 'stream disconnected before completion: mock response.failed event';
    expect(t.id).toBe('01a20f5a-93ac-7e22-b1d1-7e5470b1fbab');
    expect(t.spans.find((s) => s.id === 'turn_1')).toMatchObject({ kind: 'turn', status: 'error', error: message });
    const failed = t.spans.find((s) => s.id === 'turn_1:failed');
    expect(failed).toMatchObject({ kind: 'error', name: 'turn.failed', parentId: 'turn_1', status: 'error', error: message });
    expect(t.finalAnswer).toBeNull();
    expect(t.usage.totalTokens).toBe(0);
  });

  it('keeps both agent messages of a Stop-hook continuation and takes the last as the final answer', async () => {
    const t = await readOne('exec.stop_block.jsonl');
    const messages = t.spans.filter((s) => s.kind === 'message');
    expect(messages.map((s) => s.id)).toEqual(['turn_1/item_4', 'turn_1/item_7']);
    expect(t.finalAnswer).toBe(messages[1]!.output);
    expect(t.spans.filter((s) => s.name === 'exec_command')).toHaveLength(2);
    expect(t.usage).toMatchObject({ inputTokens: 6500, outputTokens: 115, totalTokens: 6615 });
  });

  it('marks every completed tool item of the samples ok', async () => {
    for (const name of ['exec.base.jsonl', 'exec.mcp.jsonl', 'exec.stop_block.jsonl']) {
      const t = await readOne(name);
      for (const s of t.spans.filter((x) => x.kind === 'tool_call')) expect(s.status).toBe('ok');
    }
  });
});

describe('codex exec --json reader on streams derived from the samples', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  async function writeDerived(name: string, text: string): Promise<string> {
    dir ??= await mkdtemp(join(tmpdir(), 'harness-exec-'));
    const file = join(dir, name);
    await writeFile(file, text);
    return file;
  }

  it('leaves a command that started but never completed (killed run) unset, not ok', async () => {
    const lines = (await readFile(`${DIR}/exec.base.jsonl`, 'utf8')).split('\n').slice(0, 4);
    const file = await writeDerived('killed.jsonl', `${lines.join('\n')}\n`);
    const traces = [];
    for await (const t of readExecFile(file, { skip: () => {}, maxLineBytes: 1 << 20 })) traces.push(t);
    expect(traces[0]!.spans.find((s) => s.id === 'turn_1/item_1')).toMatchObject({ status: 'unset', exitCode: null, error: null });
    expect(traces[0]!.spans.find((s) => s.id === 'turn_1')!.status).toBe('unset');
  });

  it('stores a run and its `exec resume` in the same stream as one trace with both turns', async () => {
    // `codex exec --json` then `codex exec --json resume <id>` appended to one file: the second
    // run starts the same thread again and its item ids restart at item_0.
    const base = await readFile(`${DIR}/exec.base.jsonl`, 'utf8');
    const stop = (await readFile(`${DIR}/exec.stop_block.jsonl`, 'utf8')).replaceAll(
      '01a20f5a-5071-7622-aa00-2bebee180744',
      '01a20f59-f305-7e31-9c64-0113b2a3c47d',
    );
    const file = await writeDerived('resumed.jsonl', base + stop);
    const result = await ingest({ workspace: dir!, paths: [file], from: 'auto', allRepos: true, config: ConfigSchema.parse({}) });
    expect(result.traces).toBe(2);
    const stored = (await readFile(result.storeFile, 'utf8')).trim().split('\n');
    expect(stored).toHaveLength(1);
    const trace = TraceSchema.parse(JSON.parse(stored[0]!));
    expect(trace.spans.filter((s) => s.kind === 'turn').map((s) => s.id)).toEqual(['turn_1', 'turn_2']);
    expect(trace.spans.filter((s) => s.name === 'exec_command')).toHaveLength(3);
    expect(trace.spans.filter((s) => s.kind === 'message').map((s) => s.id)).toEqual(['turn_1/item_4', 'turn_2/item_4', 'turn_2/item_7']);
  });
});
