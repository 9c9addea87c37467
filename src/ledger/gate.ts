/** The regression gate: per-test comparison of a run with the cycle's baseline. Pure. */

/** A test outcome as both sides of the comparison carry it. */
export interface ComparedTest {
  /** Stable test id across runs. */
  id: string;
  /** Whether the test passed. */
  pass: boolean;
  /** Why it failed, where the run says. */
  reasons?: string[];
  /** Waiting for a rubric verdict: not in the pass rate, and not compared on either side. */
  unjudged?: boolean;
}

/** What changed between the baseline and the new run. */
export interface RunComparison {
  /** Baseline pass rate, 0 to 1. */
  passRateBefore: number;
  /** New pass rate, 0 to 1. */
  passRateAfter: number;
  /** Failed at baseline, pass now. */
  testsFixed: string[];
  /** Passed at baseline, fail now or gone from the suite. */
  testsRegressed: string[];
  /** Not in the baseline. */
  newTests: string[];
  /** In the baseline, not in the new run. */
  removedTests: string[];
  /** regressed if any test regressed, improved if any was fixed, else unchanged. */
  verdict: 'improved' | 'unchanged' | 'regressed';
  /** One sentence per regressed test saying how it fails now. */
  regressionDetails: string[];
}

/** Share of judged tests that passed, 0 when none is judged (unjudged tests are left out). */
export function computePassRate(tests: readonly { pass: boolean; unjudged?: boolean }[]): number {
  const judged = tests.filter((t) => !t.unjudged);
  return judged.length === 0 ? 0 : judged.filter((t) => t.pass).length / judged.length;
}

/**
 * Compares per test, not by pass rate: adding failing tests lowers the rate without breaking
 * anything, and dropping failing ones raises it without fixing anything. A baseline pass that
 * vanished from the suite counts as a regression, since deleting a test must not beat the ratchet.
 */
export function compareRuns(before: readonly ComparedTest[], after: readonly ComparedTest[]): RunComparison {
  const afterById = new Map(after.map((t) => [t.id, t]));
  const beforeIds = new Set(before.map((t) => t.id));
  const testsFixed: string[] = [];
  const testsRegressed: string[] = [];
  const removedTests: string[] = [];
  const regressionDetails: string[] = [];
  for (const b of before) {
    const a = afterById.get(b.id);
    if (!a) removedTests.push(b.id);
    // A test unjudged on either side was not measured there: it neither fixes nor regresses.
    if (a && (a.unjudged || b.unjudged)) continue;
    if (b.pass && !a?.pass) {
      testsRegressed.push(b.id);
      regressionDetails.push(a ? `${b.id}: ${a.reasons?.length ? a.reasons.join('; ') : 'fails now'}` : `${b.id}: no longer in the suite`);
    }
    if (!b.pass && a?.pass) testsFixed.push(b.id);
  }
  const newTests = after.filter((t) => !beforeIds.has(t.id)).map((t) => t.id);
  const verdict = testsRegressed.length > 0 ? 'regressed' : testsFixed.length > 0 ? 'improved' : 'unchanged';
  return {
    passRateBefore: computePassRate(before),
    passRateAfter: computePassRate(after),
    testsFixed: testsFixed.sort(),
    testsRegressed,
    newTests: newTests.sort(),
    removedTests: removedTests.sort(),
    verdict,
    regressionDetails,
  };
}

/** What the gate is asked to judge. */
export interface GateInput {
  /** The per-test comparison. */
  comparison: RunComparison;
  /** One-change rule breaches, as sentences (empty when none). */
  breaches: string[];
  /** Reason given with `--accept-regression`, if any. */
  acceptRegression?: string;
  /** Reason given with `--accept-breach`, if any. */
  acceptBreach?: string;
}

/** The gate's answer: passed, or the reasons it did not, each ending with the command that fixes it. */
export interface GateDecision {
  /** True when nothing regressed and the one-change rule held, or each was accepted. */
  passed: boolean;
  /** Why it failed, one paragraph per cause. */
  failures: string[];
}

/** Applies the ratchet: a regression or a breach fails unless explicitly accepted with a reason. */
export function checkGate(input: GateInput): GateDecision {
  const failures: string[] = [];
  const { comparison } = input;
  if (comparison.testsRegressed.length > 0 && !input.acceptRegression) {
    failures.push(
      `${comparison.testsRegressed.length} test(s) passed at the baseline and fail now:\n` +
        comparison.regressionDetails.map((d) => `  - ${d}`).join('\n') +
        '\nFix them and run `harness-loop verify` again, or accept the new baseline with ' +
        '`harness-loop verify --accept-regression "reason"`.',
    );
  }
  if (input.breaches.length > 0 && !input.acceptBreach) {
    failures.push(
      'the change breaks the one-change rule:\n' +
        input.breaches.map((b) => `  - ${b}`).join('\n') +
        '\nRevert the extra edits and run `harness-loop verify` again, or accept them with ' +
        '`harness-loop verify --accept-breach "reason"`.',
    );
  }
  return { passed: failures.length === 0, failures };
}
