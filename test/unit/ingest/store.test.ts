import { appendFileSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readTraceStore, storeIndexFile, TraceStoreWriter } from '../../../src/ingest/store.js';
import type { Trace } from '../../../src/schema/trace.js';

const base = mkdtempSync(join(tmpdir(), 'hl-store-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));
let n = 0;
const storeFile = () => join(base, `s${n++}`, 'traces.jsonl');

function trace(id: string, finalAnswer: string | null = null, spanIds: string[] = []): Trace {
  return {
    schemaVersion: 1,
    id,
    source: { kind: 'codex-rollout', file: `/s/${id}.jsonl`, line: 0 },
    sessionId: id,
    startTime: '2026-11-24T20:58:02.000Z',
    endTime: '2026-11-24T20:58:03.000Z',
    cwd: '/repo',
    models: ['gpt-5.5'],
    task: 'do it',
    finalAnswer,
    usage: { inputTokens: 1, cachedInputTokens: 0, outputTokens: 1, reasoningOutputTokens: 0, totalTokens: 2 },
    spans: spanIds.map((s) => ({
      id: s,
      parentId: null,
      kind: 'turn',
      name: s,
      startTime: '2026-11-24T20:58:02.000Z',
      durationMs: null,
      status: 'ok',
      error: null,
      attributes: {},
    })),
    attributes: {},
  } as unknown as Trace;
}

async function write(file: string, traces: Trace[]) {
  const w = await new TraceStoreWriter(file).open();
  for (const t of traces) await w.add(t);
  return w.commit();
}

const ids = async (file: string) => {
  const out: string[] = [];
  for await (const t of readTraceStore(file)) out.push(t.id);
  return out;
};

describe('TraceStoreWriter', () => {
  it('appends new traces, stores the same trace once, and merges a continued one', async () => {
    const file = storeFile();
    expect(await write(file, [trace('a'), trace('b')])).toEqual({ added: 2, updated: 0, unchanged: 0, kept: 0, total: 2 });
    expect(await write(file, [trace('a'), trace('c')])).toEqual({ added: 1, updated: 0, unchanged: 1, kept: 1, total: 3 });
    expect(await write(file, [trace('b', 'done', ['t2'])])).toEqual({ added: 0, updated: 1, unchanged: 0, kept: 2, total: 3 });
    expect(await ids(file)).toEqual(['a', 'b', 'c']);
    expect(await write(file, [trace('d')])).toMatchObject({ added: 1, total: 4 });
    expect(await ids(file)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('indexes lines a killed writer appended but did not index, and cuts off a torn fragment', async () => {
    const file = storeFile();
    await write(file, [trace('a')]);
    const whole = `${JSON.stringify(trace('x'))}\n`;
    appendFileSync(file, whole + JSON.stringify(trace('y')).slice(0, 40));
    expect(await ids(file)).toEqual(['a', 'x']); // a reader skips the unterminated tail
    expect(await write(file, [trace('x'), trace('z')])).toMatchObject({ added: 1, unchanged: 1, total: 3 });
    const text = readFileSync(file, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    expect(await ids(file)).toEqual(['a', 'x', 'z']);
  });

  it('rebuilds a missing, torn or stale index from the store', async () => {
    const file = storeFile();
    await write(file, [trace('a'), trace('b')]);
    rmSync(storeIndexFile(file));
    expect(await write(file, [trace('a')])).toMatchObject({ unchanged: 1, total: 2 });
    const idx = readFileSync(storeIndexFile(file), 'utf8');
    truncateSync(storeIndexFile(file), idx.length - 3);
    expect(await write(file, [trace('c')])).toMatchObject({ added: 1, total: 3 });
    // The store replaced behind the index's back (a restore from a backup): indexed afresh.
    writeFileSync(file, `${JSON.stringify(trace('q'))}\n`);
    expect(await write(file, [trace('q')])).toMatchObject({ unchanged: 1, total: 1 });
  });

  it('still reports a damaged line that is not the last', async () => {
    const file = storeFile();
    await write(file, [trace('a')]);
    appendFileSync(file, '{oops\n');
    await expect(ids(file)).rejects.toThrow(/traces\.jsonl:2: malformed JSON/);
  });
});
