import { readdirIfExists } from '../util/files.js';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { EvalRunSummarySchema, type EvalRunSummary } from '../schema/eval-suite.js';
import { unprotectText } from '../evals/template-safe.js';
import { readJsonFile } from './json-file.js';

/** One test's outcome as the gate reads it. */
export interface TestOutcome {
  /** Stable test id across runs. */
  id: string;
  /** Whether every assertion passed (an errored test did not pass). */
  pass: boolean;
  /** Aggregate score, where the run gives one. */
  score?: number;
  /** Why it failed, one sentence per failed assertion. */
  reasons?: string[];
  /** A rubric waited for a verdict: neither pass nor fail, not in the pass rate, not compared. */
  unjudged?: boolean;
  /** pass | fail | error | unjudged, as the run recorded it. */
  status?: string;
  /** Trace whose answer was scored. */
  traceId?: string;
  /** Each Promptfoo row of the test (one per repeat), when the run had several. */
  rows?: { pass: boolean; traceId?: string }[];
}

/** The part of an eval run the gate needs: which run, when, and per-test pass/fail. */
export interface GateResults {
  /** Run id; results live at `.harness-loop/results/<runId>.json`. */
  runId: string;
  /** ISO-8601 UTC time the run finished. */
  createdAt: string;
  /** Per-test outcomes, ids unique. */
  tests: TestOutcome[];
  /** Provider that produced the answers (replay or codex). */
  provider?: string;
  /** Grader of rubric assertions. */
  grader?: string;
}

/** The eval run summary, plus the one rule the gate adds: a test id appears once. */
const RunSummaryForGateSchema = EvalRunSummarySchema.superRefine((value, ctx) => {
  const seen = new Set<string>();
  value.tests.forEach((t, i) => {
    if (seen.has(t.id)) ctx.addIssue({ code: 'custom', path: ['tests', i, 'id'], message: `duplicate test id "${t.id}"` });
    seen.add(t.id);
  });
});

/**
 * Each Promptfoo row per test id, from the raw output: with `--repeat` one test has several rows,
 * each its own run (and, with the codex provider, its own trace).
 */
export function rowsByTest(raw: unknown): Map<string, { pass: boolean; traceId?: string }[]> {
  const root = (raw ?? {}) as { results?: { results?: RawRow[]; outputs?: RawRow[] } };
  const out = new Map<string, { pass: boolean; traceId?: string }[]>();
  for (const row of root.results?.results ?? root.results?.outputs ?? []) {
    const id = row.testCase?.metadata?.testId;
    if (typeof id !== 'string') continue;
    const traceId = row.response?.metadata?.traceId;
    const list = out.get(unprotectText(id)) ?? [];
    list.push({ pass: row.success === true, ...(typeof traceId === 'string' ? { traceId } : {}) });
    out.set(unprotectText(id), list);
  }
  return out;
}

interface RawRow {
  success?: boolean;
  testCase?: { metadata?: Record<string, unknown> };
  response?: { metadata?: Record<string, unknown> } | null;
}

/** Reduces a run summary to what the gate compares. */
export function toGateResults(summary: EvalRunSummary): GateResults {
  const rows = rowsByTest(summary.raw);
  return {
    runId: summary.runId,
    createdAt: summary.createdAt,
    provider: summary.provider,
    grader: summary.grader,
    tests: summary.tests.map((t) => ({
      id: t.id,
      pass: t.pass,
      status: t.status,
      ...(t.traceId !== undefined ? { traceId: t.traceId } : {}),
      ...((rows.get(t.id)?.length ?? 0) > 1 ? { rows: rows.get(t.id)! } : {}),
      ...(t.score !== undefined ? { score: t.score } : {}),
      ...(t.reasons.length > 0 ? { reasons: t.reasons } : {}),
      ...(t.status === 'unjudged' ? { unjudged: true } : {}),
    })),
  };
}

/** Reads one results file; missing, corrupt or empty is an InputError (exit 2) at file:line. */
export async function readResults(file: string): Promise<GateResults> {
  return requireTests(file, await readResultsFile(file));
}

async function readResultsFile(file: string): Promise<GateResults> {
  const raw = await readJsonFile(file, RunSummaryForGateSchema, 'eval results file');
  if (raw === null) throw new InputError('results file not found; run `harness-loop evals run` first', file, undefined, 'stage.missing');
  return toGateResults(raw);
}

function requireTests(file: string, results: GateResults): GateResults {
  if (results.tests.length === 0) {
    throw new InputError('the run has no test results; build the suite and run `harness-loop evals run` first', file, undefined, 'stage.empty');
  }
  return results;
}

/**
 * The newest run in `dir` by `createdAt` (file name breaks ties), or null when there is none.
 * Every file is validated, so a corrupt one is reported rather than silently passed over.
 */
export async function findLatestResults(dir: string): Promise<{ file: string; results: GateResults } | null> {
  const names = (await readdirIfExists(dir)).filter((n) => n.endsWith('.json') && !n.startsWith('.')).sort();
  let latest: { file: string; results: GateResults } | null = null;
  for (const name of names) {
    const file = join(dir, name);
    const results = await readResultsFile(file);
    if (!latest || results.createdAt >= latest.results.createdAt) latest = { file, results };
  }
  return latest && { file: latest.file, results: requireTests(latest.file, latest.results) };
}

/** Where a run's results file is expected, or null when the id cannot be a file name. */
export function resultsFileFor(dir: string, runId: string): string | null {
  return /^[\w.-]+$/.test(runId) && !runId.startsWith('.') ? join(dir, `${runId}.json`) : null;
}
