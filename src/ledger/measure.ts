/**
 * What a verify may conclude, pure: which tests were re-run under the changed harness (coverage),
 * and the verdict over those alone. Statistics live in stats.ts; docs/harness-fingerprint.md and
 * README "The gate" describe the rules in prose, keep them in step.
 */
import { filesOf, sameFiles } from '../ingest/harness-fingerprint.js';
import type { HarnessFingerprint } from '../schema/trace.js';
import { ALPHA, repeatsNeeded, signTest, wilsonInterval, type SignTest } from './stats.js';

/** What the cycle recorded about the harness its baseline answers ran under. */
export interface BaselineHarness {
  /** Fingerprints of the baseline's traces. */
  fingerprints: readonly string[];
  /** Start time of the newest baseline trace, or null when none had one. */
  newestTraceAt: string | null;
}

/** What verify needs of a trace. */
export interface TraceFacts {
  id: string;
  startTime: string | null;
  harness?: HarnessFingerprint | null;
  /** Tokens the run used. */
  totalTokens?: number;
  models?: readonly string[];
}

/** One test's answer in a run under the changed harness. */
export interface AfterAnswer {
  status: string;
  traceId?: string;
}

/** Whether one answer counts as a run under the changed harness, and why not when it does not. */
export type Coverage = { rerun: true; fingerprint: string } | { rerun: false; reason: string };

/**
 * An answer counts only when the trace it came from ran under a harness none of the baseline's
 * traces ran under, after all of them; a run harness-loop started must also have started from
 * exactly the current harness files (a run from some other edit is not evidence about this one).
 */
export function judgeAnswer(
  answer: AfterAnswer,
  trace: TraceFacts | undefined,
  baseline: BaselineHarness,
  currentHarness: Readonly<Record<string, string>>,
): Coverage {
  if (answer.status === 'unjudged') return { rerun: false, reason: 'unjudged: its answer has no grader verdict yet' };
  if (!answer.traceId) return { rerun: false, reason: 'no trace behind its answer' };
  if (!trace) return { rerun: false, reason: `its trace ${answer.traceId} is not in the trace store` };
  const h = trace.harness;
  if (!h) return { rerun: false, reason: `its trace ${answer.traceId} carries no harness fingerprint (not a Codex rollout or a run harness-loop started)` };
  if (baseline.fingerprints.includes(h.fingerprint)) return { rerun: false, reason: `its answer (trace ${answer.traceId}) ran under the baseline harness` };
  const files = filesOf(h);
  if (files) {
    if (!sameFiles(files, currentHarness))
      return { rerun: false, reason: `its run (trace ${answer.traceId}) started from other harness files than the current ones` };
  } else if (baseline.newestTraceAt && (!trace.startTime || trace.startTime <= baseline.newestTraceAt)) {
    return { rerun: false, reason: `its trace ${answer.traceId} is not newer than the baseline's answers` };
  }
  return { rerun: true, fingerprint: h.fingerprint };
}

/** One test's runs on each side, in repeat order (true = passed). */
export interface TestRuns {
  id: string;
  before: readonly boolean[];
  /** Runs under the changed harness that counted; empty when none did. */
  after: readonly boolean[];
  /** Why the test was not re-run, when `after` is empty. */
  notRerun?: string;
}

export const GATE_VERDICTS = ['improved', 'regressed', 'unchanged', 'inconclusive', 'not_measured'] as const;
export type GateVerdict = (typeof GATE_VERDICTS)[number];

/** Passes out of runs, with a 95% Wilson interval. */
export interface Rate {
  passes: number;
  runs: number;
  rate: number;
  low: number;
  high: number;
}

export interface Measurement {
  verdict: GateVerdict;
  /** Tests re-run under the changed harness, and all tests. */
  coverage: { rerun: number; total: number };
  /** Pass rates over the re-run tests' runs, each side. */
  before: Rate;
  after: Rate;
  intervalMethod: '95% Wilson score interval';
  test: SignTest;
  /** Tests that passed every baseline run and failed every run under the change. */
  reliableRegressions: string[];
  /** Tests whose pass rate rose / fell. */
  gained: string[];
  lost: string[];
  /** For inconclusive: repeats (of every re-run test, on both sides) that the same effect would need. */
  repeatsNeeded: number | null;
  /** One sentence saying why this verdict. */
  why: string;
}

export function rate(passes: number, runs: number): Rate {
  const ci = wilsonInterval(passes, runs);
  return { passes, runs, rate: runs === 0 ? 0 : passes / runs, low: round(ci.low), high: round(ci.high) };
}

/**
 * The verdict over the re-run tests:
 * - not_measured: no test was re-run under the changed harness;
 * - regressed: a test passed every baseline run and failed every run under the change, or the
 *   sign test finds significantly more losses than gains;
 * - improved: the sign test finds significantly more gains (one-sided, alpha 0.05);
 * - unchanged: no run pair differs, or gains do not exceed losses;
 * - inconclusive: more gains than losses, too few to be significant (`repeatsNeeded` says how many).
 */
export function measure(tests: readonly TestRuns[]): Measurement {
  const rerun = tests.filter((t) => t.after.length > 0 && t.before.length > 0);
  let gains = 0;
  let losses = 0;
  let bPass = 0;
  let bRuns = 0;
  let aPass = 0;
  let aRuns = 0;
  const reliableRegressions: string[] = [];
  const gained: string[] = [];
  const lost: string[] = [];
  let pairsPerRepeat = 0;
  for (const t of rerun) {
    const pairs = Math.min(t.before.length, t.after.length);
    pairsPerRepeat = Math.max(pairsPerRepeat, pairs);
    for (let k = 0; k < pairs; k++) {
      if (t.after[k] && !t.before[k]) gains++;
      else if (!t.after[k] && t.before[k]) losses++;
    }
    const bp = t.before.filter(Boolean).length;
    const ap = t.after.filter(Boolean).length;
    bPass += bp;
    bRuns += t.before.length;
    aPass += ap;
    aRuns += t.after.length;
    if (bp === t.before.length && ap === 0) reliableRegressions.push(t.id);
    const delta = ap / t.after.length - bp / t.before.length;
    if (delta > 0) gained.push(t.id);
    else if (delta < 0) lost.push(t.id);
  }
  const test = signTest(gains, losses);
  const base = {
    coverage: { rerun: rerun.length, total: tests.length },
    before: rate(bPass, bRuns),
    after: rate(aPass, aRuns),
    intervalMethod: '95% Wilson score interval' as const,
    test,
    reliableRegressions,
    gained,
    lost,
    repeatsNeeded: null as number | null,
  };
  const p = (x: number) => x.toFixed(4);
  if (rerun.length === 0) return { ...base, verdict: 'not_measured', why: 'no test was re-run under the changed harness' };
  if (reliableRegressions.length > 0) {
    return {
      ...base,
      verdict: 'regressed',
      why: `${reliableRegressions.length} test(s) passed every baseline run and failed every run under the change: ${reliableRegressions.join(', ')}`,
    };
  }
  if (test.pLoss < ALPHA)
    return { ...base, verdict: 'regressed', why: `${losses} run pair(s) lost against ${gains} gained (sign test p = ${p(test.pLoss)} < ${ALPHA})` };
  if (test.pGain < ALPHA)
    return { ...base, verdict: 'improved', why: `${gains} run pair(s) gained against ${losses} lost (sign test p = ${p(test.pGain)} < ${ALPHA})` };
  if (gains + losses === 0) return { ...base, verdict: 'unchanged', why: `no re-run test changed its outcome in ${bRuns + aRuns} run(s)` };
  if (gains <= losses)
    return { ...base, verdict: 'unchanged', why: `${gains} run pair(s) gained and ${losses} lost: no significant difference (sign test p = ${p(test.pGain)})` };
  // Same effect per repeat: every re-run test's pairs again, on both sides.
  const repeats = pairsPerRepeat === 0 ? null : repeatsNeeded(gains, losses);
  const needed = repeats === null ? null : repeats * Math.max(1, pairsPerRepeat);
  return {
    ...base,
    repeatsNeeded: needed,
    verdict: 'inconclusive',
    why:
      `${gains} run pair(s) gained against ${losses} lost: not significant (sign test p = ${p(test.pGain)} ≥ ${ALPHA})` +
      (needed !== null ? `; the same effect would need --repeat ${needed} with live runs (--provider codex)` : '; more tests or repeats would be needed'),
  };
}

function round(n: number): number {
  return Math.round(n * 10000) / 10000;
}
