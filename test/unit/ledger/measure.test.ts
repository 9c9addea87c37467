import { describe, expect, it } from 'vitest';
import { runFingerprint, sessionFingerprint } from '../../../src/ingest/harness-fingerprint.js';
import { judgeAnswer, measure, type TestRuns } from '../../../src/ledger/measure.js';

const runs = (id: string, before: boolean[], after: boolean[]): TestRuns => ({ id, before, after });

describe('measure', () => {
  it('is not_measured when no test was re-run', () => {
    const m = measure([{ id: 'a', before: [false], after: [], notRerun: 'old' }]);
    expect(m.verdict).toBe('not_measured');
    expect(m.coverage).toEqual({ rerun: 0, total: 1 });
  });

  it('is improved only when the sign test says so', () => {
    const five = ['a', 'b', 'c', 'd', 'e'].map((id) => runs(id, [false], [true]));
    const m = measure(five);
    expect(m.verdict).toBe('improved');
    expect(m.test.pGain).toBeCloseTo(1 / 32, 6);
    expect(m.before).toMatchObject({ passes: 0, runs: 5 });
    expect(m.after).toMatchObject({ passes: 5, runs: 5, high: 1 });
    expect(m.after.low).toBeCloseTo(0.5655, 3);
  });

  it('is inconclusive for two fixed tests and says how many repeats would do', () => {
    const m = measure([runs('a', [false], [true]), runs('b', [false], [true]), runs('c', [true], [true])]);
    expect(m.verdict).toBe('inconclusive');
    expect(m.repeatsNeeded).toBe(3);
    expect(m.why).toContain('--repeat 3');
  });

  it('is regressed when a test passed every baseline run and fails every run now', () => {
    const m = measure([...['a', 'b', 'c', 'd', 'e'].map((id) => runs(id, [false], [true])), runs('x', [true, true], [false, false])]);
    expect(m.verdict).toBe('regressed');
    expect(m.reliableRegressions).toEqual(['x']);
  });

  it('is unchanged when nothing moved, and a flaky test is not a reliable regression', () => {
    expect(measure([runs('a', [true], [true]), runs('b', [false], [false])]).verdict).toBe('unchanged');
    const flaky = measure([runs('a', [true, false, true], [false, true, false])]);
    expect(flaky.reliableRegressions).toEqual([]);
    expect(flaky.verdict).toBe('unchanged');
  });
});

describe('judgeAnswer', () => {
  const baseFp = sessionFingerprint('rollout', { agentsMd: 'old', model: 'm' })!;
  const newFp = sessionFingerprint('rollout', { agentsMd: 'new', model: 'm' })!;
  const baseline = { fingerprints: [baseFp.fingerprint], newestTraceAt: '2026-01-02T00:00:00.000Z' };
  const harness = { 'AGENTS.md': 'h1' };

  it('counts a newer trace under another harness', () => {
    expect(judgeAnswer({ status: 'pass', traceId: 't' }, { id: 't', startTime: '2026-01-03T00:00:00.000Z', harness: newFp }, baseline, harness)).toEqual({
      rerun: true,
      fingerprint: newFp.fingerprint,
    });
  });

  it('does not count the baseline harness, an older trace, a trace without fingerprint, unjudged answers', () => {
    const later = '2026-01-03T00:00:00.000Z';
    expect(judgeAnswer({ status: 'pass', traceId: 't' }, { id: 't', startTime: later, harness: baseFp }, baseline, harness)).toMatchObject({
      rerun: false,
      reason: expect.stringContaining('baseline harness'),
    });
    expect(judgeAnswer({ status: 'pass', traceId: 't' }, { id: 't', startTime: '2026-01-01T00:00:00.000Z', harness: newFp }, baseline, harness)).toMatchObject({
      rerun: false,
      reason: expect.stringContaining('not newer'),
    });
    expect(judgeAnswer({ status: 'pass', traceId: 't' }, { id: 't', startTime: later, harness: null }, baseline, harness)).toMatchObject({
      rerun: false,
      reason: expect.stringContaining('no harness fingerprint'),
    });
    expect(judgeAnswer({ status: 'pass', traceId: 't' }, undefined, baseline, harness)).toMatchObject({ rerun: false });
    expect(judgeAnswer({ status: 'unjudged', traceId: 't' }, { id: 't', startTime: later, harness: newFp }, baseline, harness)).toMatchObject({
      rerun: false,
      reason: expect.stringContaining('unjudged'),
    });
  });

  it('counts a run harness-loop started only from the current harness files, whatever its time', () => {
    const run = runFingerprint(null, harness)!;
    expect(judgeAnswer({ status: 'fail', traceId: 'r' }, { id: 'r', startTime: null, harness: run }, baseline, harness).rerun).toBe(true);
    expect(judgeAnswer({ status: 'fail', traceId: 'r' }, { id: 'r', startTime: null, harness: run }, baseline, { 'AGENTS.md': 'h2' })).toMatchObject({
      rerun: false,
      reason: expect.stringContaining('other harness files'),
    });
  });
});
