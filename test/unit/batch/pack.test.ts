import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { describe, expect, it } from 'vitest';
import { measureTrace, packBatches, shrinkTrace } from '../../../src/batch/pack.js';
import { BatchLineSchema, type RenderedSpan } from '../../../src/schema/batch.js';
import type { Trace } from '../../../src/schema/trace.js';
import { makeTrace, seededRandom, span, toolOutput, traceWithCalls } from './helpers.js';

const exact = (value: unknown) => countTokens(JSON.stringify(value), { disallowedSpecial: new Set() });

describe('packBatches', () => {
  it('keeps every batch within the budget, keeps order, and puts every item in exactly one batch', () => {
    const rand = seededRandom(9);
    const items = Array.from({ length: 500 }, (_, i) => ({ id: `t${i}`, tokens: 1 + Math.floor(rand() * 120) }));
    const batches = packBatches(items, 100);
    for (const b of batches) {
      expect(b.tokens).toBe(b.items.reduce((n, i) => n + i.tokens, 0));
      if (b.tokens > 100) expect(b.items).toHaveLength(1);
    }
    expect(batches.flatMap((b) => b.items.map((i) => i.id))).toEqual(items.map((i) => i.id));
  });

  it('fills a batch up to exactly the budget before starting the next (greedy)', () => {
    const batches = packBatches(
      [40, 40, 20, 30, 50, 50, 1].map((tokens) => ({ tokens })),
      100,
    );
    expect(batches.map((b) => b.items.map((i) => i.tokens))).toEqual([
      [40, 40, 20],
      [30, 50],
      [50, 1],
    ]);
  });

  it('gives an item over the budget a batch of its own', () => {
    const batches = packBatches(
      [10, 500, 10].map((tokens) => ({ tokens })),
      100,
    );
    expect(batches.map((b) => b.items.map((i) => i.tokens))).toEqual([[10], [500], [10]]);
  });

  it('returns no batch for no items', () => {
    expect(packBatches([], 100)).toEqual([]);
  });
});

describe('measureTrace', () => {
  it('counts what the critic reads with the real tokenizer', () => {
    const trace = traceWithCalls('m1', 5, 3_000);
    const line = measureTrace(trace, 100_000);
    expect(BatchLineSchema.parse(line)).toEqual(line);
    expect(line.tokens).toBe(exact(line.trace));
    expect(line).toMatchObject({ traceId: 'm1', shrunk: false, overBudget: false, elidedChars: 0 });
  });

  it('never lets a batch of measured traces exceed the budget unless it holds one oversized trace', () => {
    const rand = seededRandom(4);
    const traces: Trace[] = Array.from({ length: 40 }, (_, i) => traceWithCalls(`p${i}`, 1 + Math.floor(rand() * 6), Math.floor(rand() * 9_000), i));
    const budget = 3_000;
    const lines = traces.map((t) => measureTrace(t, budget));
    const batches = packBatches(lines, budget);
    expect(lines.some((l) => l.shrunk)).toBe(true);
    for (const b of batches) {
      expect(b.tokens).toBe(b.items.reduce((n, l) => n + exact(l.trace), 0));
      if (b.tokens > budget) expect(b.items).toEqual([expect.objectContaining({ overBudget: true })]);
    }
    expect(batches.flatMap((b) => b.items.map((l) => l.traceId))).toEqual(traces.map((t) => t.id));
  });
});

describe('shrinkTrace', () => {
  const longTask = `Investigate why the nightly build fails. ${'Context line. '.repeat(40)}`;
  const big = makeTrace(
    's1',
    [
      span('call-0', { input: toolOutput(20_000, 1), output: toolOutput(200_000, 2) }),
      span('call-1', { output: toolOutput(50_000, 3), status: 'error', error: 'command exited with code 2', exitCode: 2 }),
      span('err-1', { kind: 'error', name: 'error', status: 'error', error: 'stream disconnected before completion' }),
      span('call-2', { output: toolOutput(80_000, 4) }),
    ],
    { task: longTask, finalAnswer: 'The build fails because the cache key ignores the lockfile.' },
  );

  it('fits an oversized trace by cutting long tool texts, keeping task, answer and error spans', () => {
    const line = shrinkTrace(big, 2_000);
    expect(line.tokens).toBeLessThanOrEqual(2_000);
    expect(line.tokens).toBe(exact(line.trace));
    expect(line).toMatchObject({ shrunk: true, overBudget: false });
    expect(line.trace.task).toBe(longTask);
    expect(line.trace.finalAnswer).toBe(big.finalAnswer);
    const spans = line.trace.spans as RenderedSpan[];
    expect(spans.map((s) => s.id)).toEqual(['call-0', 'call-1', 'err-1', 'call-2']);
    expect(spans[1]).toMatchObject({ status: 'error', error: 'command exited with code 2', exitCode: 2 });
    expect(spans[2]).toMatchObject({ error: 'stream disconnected before completion' });
    expect(spans[0]!.output).toMatch(/^[\s\S]*\n\[… [\d,]+ characters \(~?[\d,]+ tokens\) elided …\]\n[\s\S]*$/);
    expect(line.elidedChars).toBeGreaterThan(300_000);
  });

  it('is what measureTrace does for a trace over the budget', () => {
    expect(measureTrace(big, 2_000)).toEqual(shrinkTrace(big, 2_000));
  });

  it('leaves out spans without error from the middle when cutting texts is not enough, keeping every error span', () => {
    const spans = Array.from({ length: 120 }, (_, i) =>
      i === 60 ? span(`c${i}`, { status: 'error', error: 'patch rejected', output: toolOutput(500, i) }) : span(`c${i}`, { output: toolOutput(300, i) }),
    );
    const trace = makeTrace('s2', spans);
    const line = shrinkTrace(trace, 1_500);
    expect(line.tokens).toBeLessThanOrEqual(1_500);
    const rendered = line.trace.spans;
    const markers = rendered.filter((s) => 'elided' in s);
    expect(markers.length).toBeGreaterThan(0);
    for (const m of markers) expect((m as { elided: string }).elided).toMatch(/^\[… [\d,]+ spans \([\d,]+ characters, ~?[\d,]+ tokens\) elided …\]$/);
    const ids = rendered.filter((s): s is RenderedSpan => 'id' in s).map((s) => s.id);
    expect(ids).toContain('c0');
    expect(ids).toContain('c119');
    expect(ids).toContain('c60');
    const kept = rendered.reduce((n, s) => n + ('spans' in s ? s.spans : 1), 0);
    expect(kept).toBe(120);
  });

  it('marks a trace over the budget when its task alone is too large, and never cuts the task', () => {
    const task = toolOutput(40_000, 5);
    const trace = makeTrace('s3', [span('c', { output: toolOutput(10_000) })], { task });
    const line = shrinkTrace(trace, 1_000);
    expect(line.overBudget).toBe(true);
    expect(line.trace.task).toBe(task);
    expect(line.tokens).toBe(exact(line.trace));
  });
});
