import { describe, expect, it } from 'vitest';
import { checkGate, compareRuns } from '../../../src/ledger/gate.js';

const before = [
  { id: 'a', pass: true },
  { id: 'b', pass: false },
  { id: 'c', pass: true },
];

describe('compareRuns', () => {
  it('leaves a test unjudged on either side out of the pass rate and out of fixed and regressed', () => {
    const cmp = compareRuns(
      [
        { id: 'a', pass: true },
        { id: 'b', pass: false, unjudged: true },
        { id: 'c', pass: false },
      ],
      [
        { id: 'a', pass: false, unjudged: true },
        { id: 'b', pass: true },
        { id: 'c', pass: true },
      ],
    );
    expect(cmp).toMatchObject({ passRateBefore: 0.5, passRateAfter: 1, testsFixed: ['c'], testsRegressed: [], verdict: 'improved' });
  });

  it('calls a run improved when a failing test passes and nothing regressed', () => {
    const cmp = compareRuns(before, [
      { id: 'a', pass: true },
      { id: 'b', pass: true },
      { id: 'c', pass: true },
    ]);
    expect(cmp).toEqual({
      passRateBefore: 2 / 3,
      passRateAfter: 1,
      testsFixed: ['b'],
      testsRegressed: [],
      newTests: [],
      removedTests: [],
      verdict: 'improved',
      regressionDetails: [],
    });
  });

  it('calls a run regressed when any baseline pass fails, even if others were fixed', () => {
    const cmp = compareRuns(before, [
      { id: 'a', pass: false, reasons: ['no citation', 'too long'] },
      { id: 'b', pass: true },
      { id: 'c', pass: true },
    ]);
    expect(cmp.verdict).toBe('regressed');
    expect(cmp.testsFixed).toEqual(['b']);
    expect(cmp.testsRegressed).toEqual(['a']);
    expect(cmp.regressionDetails).toEqual(['a: no citation; too long']);
  });

  it('counts a baseline pass that left the suite as a regression', () => {
    const cmp = compareRuns(before, [
      { id: 'a', pass: true },
      { id: 'b', pass: false },
    ]);
    expect(cmp.verdict).toBe('regressed');
    expect(cmp.testsRegressed).toEqual(['c']);
    expect(cmp.removedTests).toEqual(['c']);
    expect(cmp.regressionDetails).toEqual(['c: no longer in the suite']);
  });

  it('judges per test, not by pass rate: new failing tests lower the rate but change nothing', () => {
    const cmp = compareRuns(before, [...before, { id: 'd', pass: false }, { id: 'e', pass: false }]);
    expect(cmp.verdict).toBe('unchanged');
    expect(cmp.newTests).toEqual(['d', 'e']);
    expect(cmp.passRateAfter).toBeCloseTo(2 / 5);
  });

  it('does not call dropping a failing test an improvement', () => {
    const cmp = compareRuns(before, [
      { id: 'a', pass: true },
      { id: 'c', pass: true },
    ]);
    expect(cmp.verdict).toBe('unchanged');
    expect(cmp.passRateAfter).toBe(1);
    expect(cmp.removedTests).toEqual(['b']);
  });
});

describe('checkGate', () => {
  const regressed = compareRuns(before, [
    { id: 'a', pass: false },
    { id: 'b', pass: false },
    { id: 'c', pass: true },
  ]);

  it('fails on a regression, naming the test and the command that accepts a new baseline', () => {
    const decision = checkGate({ comparison: regressed, breaches: [] });
    expect(decision.passed).toBe(false);
    expect(decision.failures).toHaveLength(1);
    expect(decision.failures[0]).toContain('  - a: fails now');
    expect(decision.failures[0]).toContain('harness-loop verify --accept-regression "reason"');
  });

  it('passes a regression that was accepted with a reason', () => {
    expect(checkGate({ comparison: regressed, breaches: [], acceptRegression: 'a was wrong' })).toEqual({ passed: true, failures: [] });
  });

  it('fails on a one-change breach unless it was accepted', () => {
    const clean = compareRuns(before, before);
    const breach = checkGate({ comparison: clean, breaches: ['1 file(s) outside the harness changed: src/app.js'] });
    expect(breach.passed).toBe(false);
    expect(breach.failures[0]).toContain('--accept-breach');
    expect(checkGate({ comparison: clean, breaches: ['x'], acceptBreach: 'needed a fixture' }).passed).toBe(true);
  });

  it('accepting a breach does not accept a regression', () => {
    const decision = checkGate({ comparison: regressed, breaches: ['x'], acceptBreach: 'ok' });
    expect(decision.passed).toBe(false);
    expect(decision.failures).toHaveLength(1);
    expect(decision.failures[0]).toContain('passed at the baseline and fail now');
  });
});
