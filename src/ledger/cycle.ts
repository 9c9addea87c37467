import { copyFile, cp, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { GateFailedError, InputError, UsageError } from '../errors.js';
import { runFingerprint } from '../ingest/harness-fingerprint.js';
import { traceIdOfLine } from '../ingest/store.js';
import { TraceSchema } from '../schema/trace.js';
import { readLines } from '../util/lines.js';
import { formatZodIssues } from '../util/zod-format.js';
import { CYCLE_SCHEMA_VERSION, CycleSchema, type Cycle } from '../schema/cycle.js';
import { LEDGER_SCHEMA_VERSION, type FileChange, type LedgerEntry, type Measurement as MeasurementRecord } from '../schema/ledger.js';
import { workspacePaths } from '../util/workspace.js';
import { examChanges, hashExam } from './exam.js';
import { judgeAnswer, measure, type Measurement, type TestRuns, type TraceFacts } from './measure.js';
import { writeJsonAtomic } from '../util/atomic.js';
import { readConfig } from '../util/config.js';
import { describeChanges, findBreaches, writeSnapshot } from './changes.js';
import { checkGate, compareRuns, computePassRate, type GateDecision, type RunComparison } from './gate.js';
import { hashWorkspace, readHarnessGlobs } from './harness-files.js';
import { readJsonFile } from './json-file.js';
import { appendLedgerEntry, assertLedgerReadable, readLedger, type LedgerRead } from './ledger.js';
import { loopPaths, type LoopPaths } from './paths.js';
import { chooseRecommendation, readRecommendations, type RecommendationForCycle } from './recommendation.js';
import { findLatestResults, readResults, resultsFileFor, type GateResults } from './results.js';

/**
 * Runs the eval suite once (each test `repeat` times, default 1) and returns the run (the runner
 * writes its own results file). `regradeBaseline` asks for the baseline's own recorded answers
 * (the suite's trace ids, not the newest answers) under the current grader.
 * `baselineDir`, when given, is a copy of the workspace with the cycle-start harness files: the
 * A/B baseline side runs its tasks there.
 */
export type RunSuite = (ctx: { workspace: string; baselineDir?: string; repeat?: number; regradeBaseline?: boolean }) => Promise<GateResults>;

/** Options shared by every cycle operation. */
export interface CycleOptions {
  /** Workspace root. */
  workspace: string;
  /** Clock, injectable for tests. */
  now?: () => Date;
}

/** What `startCycle` did. */
export interface StartOutcome {
  /** The cycle now open. */
  cycle: Cycle;
  /** The entry for a cycle ended first by `--abandon`. */
  abandoned?: AbandonOutcome;
  /** Things the user should know, one sentence each (the ratchet check, repairs). */
  warnings: string[];
}

/** What `abandonCycle` did. */
export interface AbandonOutcome {
  /** The ledger entry written. */
  entry: LedgerEntry;
  /** A repair the append made to the ledger's last line, if any. */
  repaired?: string;
}

/** What `verify` did. */
export interface VerifyOutcome {
  /** The ledger entry written. */
  entry: LedgerEntry;
  /** The per-test comparison behind the verdict. */
  comparison: RunComparison;
  /** The gate's decision; when it failed, the cycle stays open. */
  decision: GateDecision;
  /** Coverage, statistics and the verdict. */
  measurement: Measurement;
  /** A repair the append made to the ledger's last line, if any. */
  repaired?: string;
}

/** Reads the open cycle, or null when none is open; a corrupt file is an InputError at file:line. */
export async function readCycle(paths: LoopPaths): Promise<Cycle | null> {
  return readJsonFile(paths.cycle, CycleSchema, 'cycle file');
}

/**
 * The open cycle, after recovering from a crash between a closing append and the removal of
 * cycle.json: if the ledger already closed this cycle, the leftover file is removed.
 */
async function readOpenCycle(paths: LoopPaths, ledger: LedgerRead): Promise<Cycle | null> {
  const cycle = await readCycle(paths);
  if (cycle && ledger.entries.some((e) => e.cycle === cycle.cycle && e.closed)) {
    await closeCycleFiles(paths);
    return null;
  }
  return cycle;
}

async function readSoundLedger(paths: LoopPaths): Promise<LedgerRead> {
  const ledger = await readLedger(paths.ledger);
  assertLedgerReadable(ledger);
  return ledger;
}

/** Removes cycle.json first (that turns the guard off), then the snapshot. */
async function closeCycleFiles(paths: LoopPaths): Promise<void> {
  await rm(paths.cycle, { force: true });
  await rm(paths.snapshot, { recursive: true, force: true });
}

function requireCycle(cycle: Cycle | null): Cycle {
  if (!cycle) throw new InputError('no cycle is open (no .harness-loop/cycle.json); run `harness-loop cycle start` first', undefined, undefined, 'cycle.none');
  return cycle;
}

/**
 * Starts a cycle: records the latest eval run as the baseline, the chosen recommendation, and
 * hashes of the harness and the rest of the workspace, then writes cycle.json (phase implement).
 * Refuses while a cycle is open unless `abandonOpen` ends it first.
 */
export async function startCycle(options: CycleOptions & { recommendationId?: string; abandonOpen?: boolean }): Promise<StartOutcome> {
  const paths = loopPaths(options.workspace);
  const now = options.now ?? (() => new Date());
  const config = await readConfig(paths.config);
  const recommendations = await readRecommendations(paths.recommendations);
  const recommendation = chooseRecommendation(recommendations, options.recommendationId);
  const latest = await findLatestResults(paths.results);
  if (!latest) throw new InputError('no eval results in .harness-loop/results/; run `harness-loop evals run` first', undefined, undefined, 'stage.missing');
  let ledger = await readSoundLedger(paths);
  const open = await readOpenCycle(paths, ledger);
  let abandoned: AbandonOutcome | undefined;
  if (open) {
    if (!options.abandonOpen) {
      throw new UsageError(
        `cycle ${open.cycle} (recommendation ${open.recommendation.id}) is still open since ${open.startedAt}; ` +
          'verify it with `harness-loop verify`, or end it with `harness-loop cycle abandon` (or `harness-loop cycle start --abandon`)',
        'cycle.open',
      );
    }
    abandoned = await closeAbandoned(paths, open, now);
    ledger = await readSoundLedger(paths);
  }
  const warnings = [...(abandoned?.repaired ? [abandoned.repaired] : []), ...(await checkRecordedBest(paths, ledger, latest.results))];
  const harnessGlobs = readHarnessGlobs(config);
  const hashes = await hashWorkspace(paths.root, harnessGlobs);
  await writeSnapshot(paths.root, paths.snapshot, Object.keys(hashes.harness));
  const before = latest.results.tests;
  const facts = await readTraceFacts(workspacePaths(paths.root).traceStore, new Set(before.flatMap((t) => (t.traceId ? [t.traceId] : []))));
  const baselineTraces = [...facts.values()];
  const harness = runFingerprint(null, hashes.harness);
  const exam = await hashExam(paths.root);
  const cycle = CycleSchema.parse({
    schemaVersion: CYCLE_SCHEMA_VERSION,
    cycle: Math.max(0, ...ledger.entries.map((e) => e.cycle)) + 1,
    phase: 'implement',
    startedAt: now().toISOString(),
    recommendation: { id: recommendation.id, title: recommendation.title, files: recommendation.files },
    baseline: {
      runId: latest.results.runId,
      file: relative(paths.root, latest.file),
      createdAt: latest.results.createdAt,
      passRate: computePassRate(before),
      tests: before.map((t) => ({
        id: t.id,
        pass: t.pass,
        ...(t.score !== undefined ? { score: t.score } : {}),
        ...(t.traceId ? { traceId: t.traceId } : {}),
        ...(t.unjudged ? { unjudged: true } : {}),
      })),
      ...(latest.results.provider ? { provider: latest.results.provider } : {}),
      ...(latest.results.grader ? { grader: latest.results.grader } : {}),
      // The harness files as they are now count as baseline too: a live run from them is no evidence of a change.
      fingerprints: [
        ...new Set([...baselineTraces.flatMap((t) => (t.harness ? [t.harness.fingerprint] : [])), ...(harness ? [harness.fingerprint] : [])]),
      ].sort(),
      newestTraceAt: baselineTraces.reduce<string | null>((max, t) => (t.startTime && (!max || t.startTime > max) ? t.startTime : max), null),
    },
    harnessGlobs,
    listing: hashes.listing,
    harnessHashes: hashes.harness,
    workspaceHashes: hashes.workspace,
    ...(harness ? { harness } : {}),
    exam,
  } satisfies Cycle);
  // Written last: its appearance is what switches the edit guard to the implement phase.
  await writeJsonAtomic(paths.cycle, cycle);
  return { cycle, ...(abandoned ? { abandoned } : {}), warnings };
}

/**
 * The ratchet's memory: the last closed verify's run is the recorded best. A latest run that
 * lost tests since then did so outside any cycle, so say so before it becomes the baseline.
 */
async function checkRecordedBest(paths: LoopPaths, ledger: LedgerRead, latest: GateResults): Promise<string[]> {
  const best = ledger.entries.filter((e) => e.kind === 'verify' && e.closed).at(-1);
  if (!best?.afterRunId || best.afterRunId === latest.runId) return [];
  const file = resultsFileFor(paths.results, best.afterRunId);
  const recorded = file ? await readResults(file).catch(() => null) : null;
  if (!recorded) return [];
  const lost = compareRuns(recorded.tests, latest.tests).testsRegressed;
  if (lost.length === 0) return [];
  return [
    `the latest run ${latest.runId} fails ${lost.length} test(s) that passed after cycle ${best.cycle} (run ${best.afterRunId}): ` +
      `${lost.join(', ')}; this cycle is judged against the latest run, so fix them first if the loss is real`,
  ];
}

/** The open cycle with the changes made so far, any one-change breach and exam changes, or null when none is open. */
export async function readCycleStatus(
  options: CycleOptions,
): Promise<{ cycle: Cycle; filesChanged: FileChange[]; breaches: string[]; examChanged: string[] } | null> {
  const paths = loopPaths(options.workspace);
  const cycle = await readOpenCycle(paths, await readSoundLedger(paths));
  if (!cycle) return null;
  const filesChanged = await measureChanges(paths, cycle);
  const others = await readRecommendations(paths.recommendations).catch((): RecommendationForCycle[] => []);
  const examChanged = cycle.exam ? await examChanges(paths.root, cycle.exam) : [];
  return { cycle, filesChanged, breaches: findBreaches(filesChanged, cycle.recommendation, others), examChanged };
}

/** Ends the open cycle without a verdict; writes an `abandon` entry and turns the guard off. */
export async function abandonCycle(options: CycleOptions): Promise<AbandonOutcome> {
  const paths = loopPaths(options.workspace);
  const ledger = await readSoundLedger(paths);
  const cycle = requireCycle(await readOpenCycle(paths, ledger));
  return closeAbandoned(paths, cycle, options.now ?? (() => new Date()));
}

async function closeAbandoned(paths: LoopPaths, cycle: Cycle, now: () => Date): Promise<AbandonOutcome> {
  const filesChanged = await measureChanges(paths, cycle);
  const entry: LedgerEntry = {
    ...entryBase(cycle, now),
    kind: 'abandon',
    afterRunId: null,
    filesChanged,
    passRateAfter: null,
    testsFixed: [],
    testsRegressed: [],
    newTests: [],
    removedTests: [],
    verdict: 'abandoned',
    closed: true,
  };
  const { repaired } = await appendLedgerEntry(paths.ledger, entry);
  await closeCycleFiles(paths);
  return { entry, ...(repaired ? { repaired } : {}) };
}

/** Options of `verify`. */
export interface VerifyOptions extends CycleOptions {
  /** Runs the suite once (the changed side, or the baseline side when given `baselineDir`). */
  runSuite?: RunSuite;
  /** A results file instead of running the suite. */
  resultsFile?: string;
  /** Runs per test and side (default 1). */
  repeat?: number;
  /**
   * A/B: re-run the baseline side too, from a copy with the cycle-start harness files, interleaved
   * with the changed side, so drift between cycle start and now cannot pass for the change.
   */
  ab?: boolean;
  acceptRegression?: string;
  acceptBreach?: string;
}

/** How to measure when nothing was: the message `not_measured` ends with. */
export const HOW_TO_MEASURE =
  'To measure the change, run the tasks under the changed harness, then verify again:\n' +
  "  - live: `harness-loop verify --provider codex` (runs every test's task with Codex in a scratch copy of the workspace), or\n" +
  '  - run the tasks in Codex yourself, `harness-loop ingest` the sessions, then `harness-loop verify`.\n' +
  'Answers recorded before the change (what replay scores) are no evidence about it.';

/**
 * Verifies the open cycle: refuses when the exam or a non-harness file changed, runs the suite
 * (`repeat` times; with `ab` the baseline side too, interleaved), counts only answers from runs
 * under the changed harness, judges them (src/ledger/measure.ts) and appends the outcome to the
 * ledger. improved and unchanged close the cycle; every other verdict leaves it open.
 */
export async function verify(options: VerifyOptions): Promise<VerifyOutcome> {
  const paths = loopPaths(options.workspace);
  const now = options.now ?? (() => new Date());
  const started = Date.now();
  const ledger = await readSoundLedger(paths);
  const cycle = requireCycle(await readOpenCycle(paths, ledger));
  await refuseTamperedExam(paths, cycle);
  const filesChanged = await measureChanges(paths, cycle);
  const outside = filesChanged.filter((c) => !c.harness);
  if (outside.length > 0) {
    throw new GateFailedError(
      `verify refuses: ${outside.length} file(s) outside the harness changed during cycle ${cycle.cycle}:\n` +
        outside.map((c) => `  - ${c.path} (${c.change})`).join('\n') +
        '\nA cycle changes harness files only. Revert them (or `harness-loop cycle abandon`), then verify again.',
      'gate.outside-harness',
    );
  }
  const repeat = options.repeat ?? 1;
  if (!Number.isInteger(repeat) || repeat < 1) throw new UsageError(`--repeat must be a whole number from 1 (got ${String(options.repeat)})`);
  const { afterRuns, baselineRuns } = await obtainRuns(options, paths, cycle, repeat);
  const after = afterRuns.at(-1)!;
  // A grader that differs from the baseline's could flip identical answers: grade both sides alike.
  const graderChanged = !options.ab && cycle.baseline.grader !== undefined && after.grader !== undefined && cycle.baseline.grader !== after.grader;
  let regraded: GateResults | undefined;
  if (graderChanged) {
    if (!options.runSuite) {
      throw new UsageError(
        `the baseline was graded by ${cycle.baseline.grader} and ${after.runId} by ${after.grader}; verify without --results re-grades both sides with one grader`,
        'verify.grader-changed',
      );
    }
    process.stderr.write(
      `verify: the grader differs from the baseline's (${cycle.baseline.grader} → ${after.grader}); re-grading the baseline's answers with ${after.grader}\n`,
    );
    regraded = await options.runSuite({ workspace: options.workspace, regradeBaseline: true });
  }
  const traceIds = new Set(
    [...afterRuns, ...baselineRuns].flatMap((r) => r.tests.flatMap((t) => (t.rows ?? [t]).flatMap((a) => (a.traceId ? [a.traceId] : [])))),
  );
  const facts = await readTraceFacts(workspacePaths(paths.root).traceStore, traceIds);
  const current = (await hashWorkspace(paths.root, cycle.harnessGlobs)).harness;
  const baseline = { fingerprints: cycle.baseline.fingerprints, newestTraceAt: cycle.baseline.newestTraceAt ?? null };

  const afterFingerprints = new Set<string>();
  const counted: TraceFacts[] = [];
  const perTest: TestRuns[] = cycle.baseline.tests.map((b) => {
    const before = options.ab ? baselineRuns.flatMap((r) => outcomeOf(r, b.id)) : regraded ? outcomeOf(regraded, b.id) : [b.pass];
    const afterOutcomes: boolean[] = [];
    let notRerun: string | undefined;
    for (const run of afterRuns) {
      const result = run.tests.find((t) => t.id === b.id);
      if (!result) {
        notRerun ??= 'not in the run (removed from the suite?)';
        continue;
      }
      const status = result.status ?? (result.pass ? 'pass' : 'fail');
      for (const answer of result.rows ?? [result]) {
        const judged = judgeAnswer(
          { status: status === 'unjudged' ? status : answer.pass ? 'pass' : 'fail', ...(answer.traceId ? { traceId: answer.traceId } : {}) },
          answer.traceId ? facts.get(answer.traceId) : undefined,
          baseline,
          current,
        );
        if (judged.rerun) {
          afterOutcomes.push(answer.pass);
          afterFingerprints.add(judged.fingerprint);
          const f = answer.traceId ? facts.get(answer.traceId) : undefined;
          if (f) counted.push(f);
        } else notRerun ??= judged.reason;
      }
    }
    return { id: b.id, before, after: afterOutcomes, ...(afterOutcomes.length === 0 ? { notRerun: notRerun ?? 'not re-run' } : {}) };
  });
  const m = measure(perTest);
  const comparison = compareRuns(cycle.baseline.tests, after.tests);
  // Only measured outcomes name fixed and regressed tests; a deleted baseline pass stays a regression.
  const gone = comparison.removedTests.filter((id) => cycle.baseline.tests.find((t) => t.id === id)?.pass);
  const testsRegressed = [
    ...new Set([...(m.verdict === 'regressed' ? (m.reliableRegressions.length > 0 ? m.reliableRegressions : m.lost) : []), ...gone]),
  ].sort();
  const verdict = gone.length > 0 && m.verdict !== 'not_measured' ? 'regressed' : m.verdict;
  const others = await readRecommendations(paths.recommendations).catch((): RecommendationForCycle[] => []);
  const breaches = findBreaches(filesChanged, cycle.recommendation, others);
  const decision = decide({
    verdict,
    measurement: m,
    testsRegressed,
    perTest,
    after,
    breaches,
    acceptRegression: options.acceptRegression,
    acceptBreach: options.acceptBreach,
  });
  const graderBaseline = cycle.baseline.grader ?? null;
  const graderAfter = after.grader ?? 'unknown';
  const record: MeasurementRecord = {
    provider: after.provider ?? 'unknown',
    repeat,
    abBaseline: options.ab === true,
    grader: { baseline: graderBaseline, after: graderAfter, regraded: regraded !== undefined },
    agentModels: [...new Set(counted.flatMap((f) => f.models ?? []))].sort(),
    coverage: m.coverage,
    tests: perTest.map((t) => ({
      id: t.id,
      before: { passes: t.before.filter(Boolean).length, runs: t.before.length },
      after: t.after.length > 0 ? { passes: t.after.filter(Boolean).length, runs: t.after.length } : null,
      ...(t.notRerun ? { notRerun: t.notRerun } : {}),
    })),
    passRateBefore: m.before,
    passRateAfter: m.after,
    intervalMethod: m.intervalMethod,
    signTest: { ...m.test },
    repeatsNeeded: m.repeatsNeeded,
    why: m.why,
    fingerprints: { baseline: [...cycle.baseline.fingerprints], after: [...afterFingerprints].sort() },
    // Both sides' runs: the A/B baseline runs cost as much as the changed ones.
    cost: { tokens: [...counted, ...baselineTraceFacts(baselineRuns, facts)].reduce((s, f) => s + (f.totalTokens ?? 0), 0), wallMs: Date.now() - started },
  };
  const entry: LedgerEntry = {
    ...entryBase(cycle, now),
    kind: 'verify',
    afterRunId: after.runId,
    filesChanged,
    passRateAfter: comparison.passRateAfter,
    testsFixed: m.gained,
    testsRegressed,
    newTests: comparison.newTests,
    removedTests: comparison.removedTests,
    verdict,
    measurement: record,
    ...(testsRegressed.length > 0 && options.acceptRegression ? { acceptedRegression: { reason: options.acceptRegression } } : {}),
    ...(breaches.length > 0 ? { oneChangeBreach: { reasons: breaches, ...(options.acceptBreach ? { accepted: { reason: options.acceptBreach } } : {}) } } : {}),
    closed: decision.passed,
  };
  const { repaired } = await appendLedgerEntry(paths.ledger, entry);
  if (decision.passed) await closeCycleFiles(paths);
  return {
    entry,
    comparison: { ...comparison, testsRegressed, testsFixed: m.gained, verdict: verdict === 'regressed' ? 'regressed' : comparison.verdict },
    decision,
    measurement: m,
    ...(repaired ? { repaired } : {}),
  };
}

/** The gate: which verdicts close the cycle, and what to do about the others. */
function decide(input: {
  verdict: LedgerEntry['verdict'];
  measurement: Measurement;
  testsRegressed: string[];
  perTest: TestRuns[];
  after: GateResults;
  breaches: string[];
  acceptRegression?: string;
  acceptBreach?: string;
}): GateDecision {
  const failures: string[] = [];
  const { measurement: m } = input;
  const notRerun = input.perTest.filter((t) => t.notRerun);
  const coverage =
    notRerun.length > 0
      ? `\nNot re-run under the changed harness:\n${notRerun
          .slice(0, 20)
          .map((t) => `  - ${t.id}: ${t.notRerun}`)
          .join('\n')}${notRerun.length > 20 ? `\n  … and ${notRerun.length - 20} more` : ''}`
      : '';
  if (input.verdict === 'not_measured')
    failures.push(`not_measured: no test was re-run under the changed harness, so nothing shows what the change did.${coverage}\n${HOW_TO_MEASURE}`);
  else if (input.verdict === 'inconclusive') failures.push(`inconclusive: ${m.why}.${coverage}`);
  else if (input.verdict === 'regressed') {
    const gate = checkGate({
      comparison: {
        passRateBefore: 0,
        passRateAfter: 0,
        testsFixed: [],
        newTests: [],
        removedTests: [],
        verdict: 'regressed',
        testsRegressed: input.testsRegressed,
        regressionDetails:
          input.testsRegressed.length > 0
            ? input.testsRegressed.map(
                (id) =>
                  `${id}: ${describeRuns(
                    input.perTest.find((t) => t.id === id),
                    input.after.tests.find((t) => t.id === id)?.reasons,
                  )}`,
              )
            : [m.why],
      },
      breaches: [],
      ...(input.acceptRegression ? { acceptRegression: input.acceptRegression } : {}),
    });
    failures.push(...gate.failures.map((f) => `regressed: ${m.why}.\n${f}`));
  }
  failures.push(
    ...checkGate({
      comparison: {
        passRateBefore: 0,
        passRateAfter: 0,
        testsFixed: [],
        testsRegressed: [],
        newTests: [],
        removedTests: [],
        verdict: 'unchanged',
        regressionDetails: [],
      },
      breaches: input.breaches,
      ...(input.acceptBreach ? { acceptBreach: input.acceptBreach } : {}),
    }).failures,
  );
  return { passed: failures.length === 0, failures };
}

function describeRuns(t: TestRuns | undefined, reasons?: string[]): string {
  if (!t) return 'no longer in the suite';
  return `${reasons?.length ? `${reasons.join('; ')}; ` : ''}passed ${t.before.filter(Boolean).length}/${t.before.length} baseline run(s), ${t.after.filter(Boolean).length}/${t.after.length} under the change`;
}

/** The traces behind the A/B baseline side's answers. */
function baselineTraceFacts(runs: readonly GateResults[], facts: ReadonlyMap<string, TraceFacts>): TraceFacts[] {
  return runs.flatMap((r) => r.tests.flatMap((t) => (t.rows ?? [t]).flatMap((a) => (a.traceId && facts.has(a.traceId) ? [facts.get(a.traceId)!] : []))));
}

/** Pass/fail of one test in a run, or nothing when it has no judged answer there. */
function outcomeOf(run: GateResults, id: string): boolean[] {
  const t = run.tests.find((x) => x.id === id);
  return t && t.status !== 'unjudged' ? (t.rows ?? [t]).map((r) => r.pass) : [];
}

/** Refuses (exit 1) naming every exam file that changed since cycle start. */
async function refuseTamperedExam(paths: LoopPaths, cycle: Cycle): Promise<void> {
  if (!cycle.exam) return;
  const changed = await examChanges(paths.root, cycle.exam);
  if (changed.length === 0) return;
  throw new GateFailedError(
    `verify refuses: what the verdict depends on changed during cycle ${cycle.cycle}:\n${changed.map((c) => `  - ${c}`).join('\n')}\n` +
      'The suite, its providers, recorded verdicts, results, traces, feedback and the guard are fixed for the cycle. ' +
      'Restore them, or end the cycle with `harness-loop cycle abandon` and start a new one.',
    'gate.exam',
  );
}

async function obtainRuns(
  options: VerifyOptions,
  paths: LoopPaths,
  cycle: Cycle,
  repeat: number,
): Promise<{ afterRuns: GateResults[]; baselineRuns: GateResults[] }> {
  if (options.resultsFile) {
    if (options.ab || repeat > 1) throw new UsageError('--results reads one finished run; --repeat and A/B need verify to run the suite');
    return { afterRuns: [checkFresh(await readResults(options.resultsFile), cycle)], baselineRuns: [] };
  }
  if (!options.runSuite) throw new UsageError('verify needs a suite runner or --results FILE');
  const afterRuns: GateResults[] = [];
  const baselineRuns: GateResults[] = [];
  const baselineDir = options.ab ? await rebuildBaseline(paths, cycle) : undefined;
  try {
    // Interleaved in two blocks per side (baseline, change, baseline, change), each block one
    // invocation with --repeat, so drift over the runs hits both sides alike.
    const blocks = repeat === 1 ? [1] : [Math.ceil(repeat / 2), Math.floor(repeat / 2)];
    for (const n of blocks) {
      if (baselineDir) baselineRuns.push(await options.runSuite({ workspace: options.workspace, baselineDir, repeat: n }));
      afterRuns.push(checkFresh(await options.runSuite({ workspace: options.workspace, repeat: n }), cycle));
    }
  } finally {
    if (baselineDir) await rm(baselineDir, { recursive: true, force: true });
  }
  return { afterRuns, baselineRuns };
}

function checkFresh(after: GateResults, cycle: Cycle): GateResults {
  if (after.runId === cycle.baseline.runId) {
    throw new UsageError(`run ${after.runId} is the cycle's baseline; run the suite again after the change (\`harness-loop evals run\`)`, 'verify.same-run');
  }
  if (after.createdAt < cycle.startedAt) {
    throw new UsageError(
      `run ${after.runId} was produced at ${after.createdAt}, before cycle ${cycle.cycle} started at ${cycle.startedAt}, ` +
        'so it cannot show the change; run the suite again (`harness-loop evals run`)',
      'verify.stale-run',
    );
  }
  return after;
}

/**
 * A copy of the workspace with the harness files as they were at cycle start (from the snapshot;
 * files added since are left out), for the A/B baseline side. Loop state is not copied.
 */
async function rebuildBaseline(paths: LoopPaths, cycle: Cycle): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'harness-loop-baseline-'));
  const skip = new Set(['.git', 'node_modules']);
  await cp(paths.root, dir, {
    recursive: true,
    filter: (src) => {
      const rel = relative(paths.root, src).split(sep).join('/');
      if (rel === '') return true;
      if (skip.has(rel.split('/')[0]!) || rel.split('/').includes('node_modules')) return false;
      // Loop state stays behind; the config (the hooks read it) goes along.
      return !rel.startsWith('.harness-loop/') || rel === '.harness-loop/config.yaml';
    },
  });
  const now = (await hashWorkspace(paths.root, cycle.harnessGlobs)).harness;
  for (const path of Object.keys(now)) if (!(path in cycle.harnessHashes)) await rm(join(dir, path), { force: true });
  for (const [path, hash] of Object.entries(cycle.harnessHashes)) {
    if (now[path] === hash) continue;
    const snap = join(paths.snapshot, path);
    if (!(await stat(snap).catch(() => null))) {
      await rm(dir, { recursive: true, force: true });
      throw new InputError(
        `cannot rebuild the baseline harness: ${path} changed and has no cycle-start copy (larger than the snapshot limit)`,
        snap,
        undefined,
        'verify.no-snapshot',
      );
    }
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await copyFile(snap, join(dir, path));
  }
  return dir;
}

/**
 * Start time, fingerprint, models and tokens of the wanted traces. Only their lines are parsed
 * (the id is read off the line's start), so a large store costs one read.
 */
async function readTraceFacts(file: string, ids: ReadonlySet<string>): Promise<Map<string, TraceFacts>> {
  const out = new Map<string, TraceFacts>();
  if (ids.size === 0) return out;
  try {
    for await (const line of readLines(file)) {
      const id = line.tooLong ? null : traceIdOfLine(line.text);
      if (id === null || !ids.has(id)) continue;
      const parsed = TraceSchema.safeParse(JSON.parse(line.text));
      if (!parsed.success) throw new InputError(`not a valid trace:\n${formatZodIssues(parsed.error)}`, file, line.n, 'store.invalid');
      const t = parsed.data;
      out.set(t.id, { id: t.id, startTime: t.startTime, harness: t.harness ?? null, totalTokens: t.usage.totalTokens, models: t.models });
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  return out;
}

async function measureChanges(paths: LoopPaths, cycle: Cycle): Promise<FileChange[]> {
  const after = await hashWorkspace(paths.root, cycle.harnessGlobs);
  return describeChanges({
    root: paths.root,
    snapshotDir: paths.snapshot,
    before: { harness: cycle.harnessHashes, workspace: cycle.workspaceHashes, listing: cycle.listing },
    after,
  });
}

function entryBase(cycle: Cycle, now: () => Date) {
  return {
    schemaVersion: LEDGER_SCHEMA_VERSION,
    cycle: cycle.cycle,
    at: now().toISOString(),
    recommendation: { id: cycle.recommendation.id, title: cycle.recommendation.title },
    baselineRunId: cycle.baseline.runId,
    passRateBefore: cycle.baseline.passRate,
  };
}
