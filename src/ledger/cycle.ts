import { rm } from 'node:fs/promises';
import { relative } from 'node:path';
import { InputError, UsageError } from '../errors.js';
import { CYCLE_SCHEMA_VERSION, CycleSchema, type Cycle } from '../schema/cycle.js';
import { LEDGER_SCHEMA_VERSION, type FileChange, type LedgerEntry } from '../schema/ledger.js';
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

/** Re-runs the eval suite and returns the new run (the runner writes its own results file). */
export type RunSuite = (ctx: { workspace: string }) => Promise<GateResults>;

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
      tests: before.map((t) => ({ id: t.id, pass: t.pass, ...(t.score !== undefined ? { score: t.score } : {}), ...(t.unjudged ? { unjudged: true } : {}) })),
    },
    harnessGlobs,
    listing: hashes.listing,
    harnessHashes: hashes.harness,
    workspaceHashes: hashes.workspace,
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

/** The open cycle with the changes made so far and any one-change breach, or null when none is open. */
export async function readCycleStatus(options: CycleOptions): Promise<{ cycle: Cycle; filesChanged: FileChange[]; breaches: string[] } | null> {
  const paths = loopPaths(options.workspace);
  const cycle = await readOpenCycle(paths, await readSoundLedger(paths));
  if (!cycle) return null;
  const filesChanged = await measureChanges(paths, cycle);
  const others = await readRecommendations(paths.recommendations).catch((): RecommendationForCycle[] => []);
  return { cycle, filesChanged, breaches: findBreaches(filesChanged, cycle.recommendation, others) };
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

/**
 * Re-runs the suite (or reads `resultsFile`), compares per test with the baseline, checks the
 * one-change rule and appends the outcome to the ledger. A passing gate closes the cycle; a
 * failing one leaves it open, so the fix can be verified again without losing the baseline.
 */
export async function verify(
  options: CycleOptions & { runSuite?: RunSuite; resultsFile?: string; acceptRegression?: string; acceptBreach?: string },
): Promise<VerifyOutcome> {
  const paths = loopPaths(options.workspace);
  const now = options.now ?? (() => new Date());
  const ledger = await readSoundLedger(paths);
  const cycle = requireCycle(await readOpenCycle(paths, ledger));
  const after = await obtainResults(options, cycle);
  const comparison = compareRuns(cycle.baseline.tests, after.tests);
  const filesChanged = await measureChanges(paths, cycle);
  const others = await readRecommendations(paths.recommendations).catch((): RecommendationForCycle[] => []);
  const breaches = findBreaches(filesChanged, cycle.recommendation, others);
  const decision = checkGate({ comparison, breaches, acceptRegression: options.acceptRegression, acceptBreach: options.acceptBreach });
  const entry: LedgerEntry = {
    ...entryBase(cycle, now),
    kind: 'verify',
    afterRunId: after.runId,
    filesChanged,
    passRateAfter: comparison.passRateAfter,
    testsFixed: comparison.testsFixed,
    testsRegressed: comparison.testsRegressed,
    newTests: comparison.newTests,
    removedTests: comparison.removedTests,
    verdict: comparison.verdict,
    ...(comparison.testsRegressed.length > 0 && options.acceptRegression ? { acceptedRegression: { reason: options.acceptRegression } } : {}),
    ...(breaches.length > 0
      ? { oneChangeBreach: { reasons: breaches, ...(options.acceptBreach ? { accepted: { reason: options.acceptBreach } } : {}) } }
      : {}),
    closed: decision.passed,
  };
  const { repaired } = await appendLedgerEntry(paths.ledger, entry);
  if (decision.passed) await closeCycleFiles(paths);
  return { entry, comparison, decision, ...(repaired ? { repaired } : {}) };
}

async function obtainResults(options: { workspace: string; runSuite?: RunSuite; resultsFile?: string }, cycle: Cycle): Promise<GateResults> {
  if (!options.resultsFile && !options.runSuite) throw new UsageError('verify needs a suite runner or --results FILE');
  const after = options.resultsFile ? await readResults(options.resultsFile) : await options.runSuite!({ workspace: options.workspace });
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
