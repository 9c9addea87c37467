import { describe, expect, it } from 'vitest';
import { listTests, type RunDigest } from '../../../src/evals/list.js';

const tests = [
  { description: 'a', metadata: { testId: 'ev-a', addedInCycle: 1 }, assert: [{ type: 'contains', value: 'x' }] },
  { description: 'b', metadata: { testId: 'ev-b', addedInCycle: 2 }, assert: [] },
  { description: 'never ran', metadata: { testId: 'ev-c', addedInCycle: 4 } },
];

function run(cycle: number, at: string, statuses: Record<string, 'pass' | 'fail' | 'error'>): RunDigest {
  return {
    runId: `run-${at}`,
    createdAt: `2026-05-0${at}T00:00:00.000Z`,
    cycle,
    tests: Object.entries(statuses).map(([id, status]) => ({ id, status, score: status === 'pass' ? 1 : 0 })),
  };
}

describe('listTests', () => {
  const runs = [
    run(1, '1', { 'ev-a': 'fail' }),
    run(2, '2', { 'ev-a': 'pass', 'ev-b': 'fail' }),
    run(3, '3', { 'ev-a': 'pass', 'ev-b': 'pass' }),
    run(3, '4', { 'ev-a': 'pass', 'ev-b': 'error' }),
    run(4, '5', { 'ev-a': 'pass', 'ev-b': 'pass' }),
  ];

  it('shows the last result of each test', () => {
    const listed = listTests(tests, runs, 3);
    expect(listed.map((t) => t.last)).toEqual([
      { runId: 'run-5', cycle: 4, status: 'pass', score: 1 },
      { runId: 'run-5', cycle: 4, status: 'pass', score: 1 },
      null,
    ]);
  });

  it('flags a test as a prune candidate only after N cycles without a failure', () => {
    const listed = listTests(tests, runs, 3);
    // ev-a: passed in cycles 4, 3, 2 and failed in 1; ev-b errored in cycle 3.
    expect(listed.map((t) => [t.id, t.cyclesSinceFailure, t.pruneCandidate])).toEqual([
      ['ev-a', 3, true],
      ['ev-b', 1, false],
      ['ev-c', 0, false],
    ]);
    expect(listTests(tests, runs, 4)[0]!.pruneCandidate).toBe(false);
  });
});
