import { describe, expect, it } from 'vitest';
import { buildQueue, filterQueue, queueFacets, type QueueTest, type QueueTrace } from '../../../src/review/queue.js';
import type { Feedback } from '../../../src/schema/feedback.js';

const trace = (id: string, startTime = '2026-11-25T10:00:00.000Z'): QueueTrace => ({ id, task: `task ${id}`, startTime, sourceKind: 'codex-rollout' });
let n = 0;
function record(traceId: string, over: Partial<Feedback> = {}): Feedback {
  return {
    schemaVersion: 1,
    id: `fb_${n++}`,
    traceId,
    source: 'human',
    author: 'sam',
    category: 'citation_error',
    severity: 'medium',
    observation: 'o',
    evidence: [],
    requiredObservations: [],
    prohibitedClaims: [],
    status: 'active',
    createdAt: '2026-11-25T10:00:00.000Z',
    attributes: {},
    ...over,
  };
}
const test = (traceId: string, pass: boolean, cycle = 1): QueueTest => ({
  id: `ev-${traceId}`,
  traceId,
  pass,
  category: 'conflict_not_surfaced',
  cycle,
  reasons: [],
});

describe('buildQueue', () => {
  it('puts a failing eval test above detector findings, and those above an unreviewed critique, and clean traces last', () => {
    const q = buildQueue(
      [trace('clean'), trace('critique'), trace('finding'), trace('failing')],
      [record('finding', { source: 'detector', severity: 'high' }), record('critique', { source: 'llm', status: 'unverified', severity: 'low' })],
      [test('failing', false)],
    );
    expect(q.map((i) => i.traceId)).toEqual(['failing', 'finding', 'critique', 'clean']);
    expect(q.map((i) => i.status)).toEqual(['pending', 'pending', 'pending', 'clean']);
  });

  it('marks a trace reviewed once a human has written about it and no critique waits', () => {
    const [item] = buildQueue([trace('a')], [record('a', { source: 'detector' }), record('a')], []);
    expect(item).toMatchObject({ status: 'reviewed', findings: 1, humanRecords: 1, pendingCritiques: 0 });
  });

  it('counts rejected and accepted critiques as reviewed, not pending, and rejected ones add nothing to the score', () => {
    const [rejected] = buildQueue([trace('a')], [record('a', { source: 'llm', status: 'rejected', attributes: { reviewOf: 'fb_x' } })], []);
    expect(rejected).toMatchObject({ pendingCritiques: 0, score: 0, status: 'reviewed' });
    const [accepted] = buildQueue([trace('a')], [record('a', { source: 'llm', verifiedBy: 'sam' })], []);
    expect(accepted).toMatchObject({ pendingCritiques: 0, status: 'reviewed' });
  });

  it('breaks ties by the newer trace, then the id, so the order is stable', () => {
    const q = buildQueue([trace('b', '2026-11-25T10:00:00.000Z'), trace('a', '2026-11-25T10:00:00.000Z'), trace('c', '2026-11-26T10:00:00.000Z')], [], []);
    expect(q.map((i) => i.traceId)).toEqual(['c', 'a', 'b']);
  });
});

describe('filterQueue and queueFacets', () => {
  const q = buildQueue(
    [trace('a'), trace('b'), trace('c')],
    [record('a', { source: 'llm', category: 'tool_error' }), record('b', { source: 'hook' })],
    [test('c', false, 2)],
  );

  it('filters by category, source, cycle and status, failing tests counting as source "eval"', () => {
    expect(filterQueue(q, { category: 'tool_error' }).map((i) => i.traceId)).toEqual(['a']);
    expect(filterQueue(q, { source: 'hook' }).map((i) => i.traceId)).toEqual(['b']);
    expect(filterQueue(q, { source: 'eval', cycle: 2 }).map((i) => i.traceId)).toEqual(['c']);
    expect(filterQueue(q, { cycle: 1 })).toEqual([]);
    expect(filterQueue(q, { status: 'pending' })).toHaveLength(3);
  });

  it('lists the values each filter can take', () => {
    expect(queueFacets(q)).toEqual({ categories: ['citation_error', 'conflict_not_surfaced', 'tool_error'], sources: ['eval', 'hook', 'llm'], cycles: [2] });
  });
});
