import { access, readFile } from 'node:fs/promises';
import { loadAllFeedback } from '../diagnose/diagnose.js';
import { HarnessError } from '../errors.js';
import { readTraceStore } from '../ingest/store.js';
import { readJsonFile } from '../ledger/json-file.js';
import { readLedger } from '../ledger/ledger.js';
import { loopPaths } from '../ledger/paths.js';
import { findLatestResults } from '../ledger/results.js';
import { DiagnosisSchema, type Diagnosis } from '../schema/diagnosis.js';
import type { Feedback } from '../schema/feedback.js';
import type { LedgerEntry } from '../schema/ledger.js';
import { writeFileAtomic } from '../util/atomic.js';
import { workspacePaths } from '../util/workspace.js';
import { categoryFromFeedback, toReportTrace, type ReportData, type ReportInput, type ReportProblem, type ReportResults, type ReportTrace } from './model.js';
import { renderReport } from './render.js';
import { layoutPath } from '../workspace/layout.js';

/** Traces past this many are counted but not drawn; the ones the findings cite always come first. */
export const DEFAULT_MAX_TRACES = 200;

/** Options of the report stage. */
export interface ReportOptions {
  /** Workspace root. */
  workspace: string;
  /** Time stamped on the page (default: now). */
  now?: Date;
  /** Most traces drawn (default 200). */
  maxTraces?: number;
}

/** What the report stage wrote. */
export interface ReportResult {
  /** `.harness-loop/report.html`. */
  file: string;
  /** Traces in the store. */
  traces: number;
  /** Traces drawn on the page. */
  shownTraces: number;
  /** Inputs not found, shown as "not run yet". */
  missing: ReportInput[];
  /** Inputs that could not be read in full. */
  problems: ReportProblem[];
}

/** Where the report is written. */
export function reportFile(workspace: string): string {
  return layoutPath(workspace, 'report');
}

/** Reads every stage's output that exists, renders the page and writes it atomically. */
export async function writeReport(options: ReportOptions): Promise<ReportResult> {
  const { data, missing, traces } = await readReportData(options);
  const file = reportFile(options.workspace);
  await writeFileAtomic(file, renderReport(data));
  return { file, traces, shownTraces: data.traces.length, missing, problems: data.problems };
}

/** The report's data model: every stage's output that exists (what the page is rendered from). */
export async function readReportData(options: ReportOptions): Promise<{ data: ReportData; missing: ReportInput[]; traces: number }> {
  const paths = loopPaths(options.workspace);
  const ws = workspacePaths(options.workspace);
  const problems: ReportProblem[] = [];
  const attempt = async <T>(input: ReportInput, read: () => Promise<T>): Promise<T | null> => {
    try {
      return await read();
    } catch (error) {
      if (!(error instanceof HarnessError)) throw error;
      problems.push({ input, message: error.message });
      return null;
    }
  };

  const feedback = (await exists(ws.feedback)) ? await attempt('feedback', () => loadAllFeedback(ws.feedback)) : null;
  const diagnosis = await attempt('recommendations', () => readJsonFile(paths.recommendations, DiagnosisSchema, 'diagnosis'));
  const ledger = (await exists(paths.ledger)) ? await attempt('ledger', () => readLedgerEntries(paths.ledger, problems)) : null;
  const results = await attempt('results', () => readLatestResults(paths.results, feedback ?? []));

  // A fresh workspace still gets a page: every stage shown as not run yet, with its command.
  const totals = await scanTraces(ws.traceStore, problems);
  const chosen = chooseTraces(totals.starts, diagnosis, results, feedback, options.maxTraces ?? DEFAULT_MAX_TRACES);
  const traces = totals.traces === 0 ? [] : await readChosenTraces(ws.traceStore, chosen);

  const data: ReportData = {
    workspace: paths.root,
    generatedAt: (options.now ?? new Date()).toISOString(),
    traceTotals: { traces: totals.traces, spans: totals.spans, withErrors: totals.withErrors },
    traces,
    feedback,
    diagnosis,
    ledger,
    results,
    problems,
  };
  const missing = (
    [
      ['traces', totals.traces > 0 ? true : null],
      ['feedback', feedback],
      ['recommendations', diagnosis],
      ['ledger', ledger],
      ['results', results],
    ] as const
  )
    .filter(([input, value]) => value === null && !problems.some((p) => p.input === input))
    .map(([input]) => input);
  return { data, missing, traces: totals.traces };
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** Valid entries; damaged lines become problems rather than hiding the history that is readable. */
async function readLedgerEntries(file: string, problems: ReportProblem[]): Promise<LedgerEntry[]> {
  const read = await readLedger(file);
  for (const p of read.problems) problems.push({ input: 'ledger', message: `${p.file}:${p.line}: ${p.reason.split('\n')[0]}` });
  return read.entries;
}

/**
 * The latest run, with what the gate's reader drops: description, trace id and the category
 * from the test's metadata (falling back to the feedback on its trace).
 */
async function readLatestResults(dir: string, feedback: readonly Feedback[]): Promise<ReportResults | null> {
  const latest = await findLatestResults(dir);
  if (!latest) return null;
  const raw = JSON.parse(await readFile(latest.file, 'utf8')) as { tests?: unknown[] };
  const extras = new Map<string, Record<string, unknown>>();
  for (const t of raw.tests ?? []) if (isRecord(t) && typeof t.id === 'string') extras.set(t.id, t);
  return {
    runId: latest.results.runId,
    createdAt: latest.results.createdAt,
    tests: latest.results.tests.map((t) => {
      const extra = extras.get(t.id) ?? {};
      const meta = isRecord(extra.metadata) ? extra.metadata : {};
      const traceIds = Array.isArray(meta.traceIds) ? meta.traceIds.filter((x): x is string => typeof x === 'string') : [];
      const traceId = str(extra.traceId) ?? str(meta.traceId) ?? traceIds[0] ?? null;
      return {
        id: t.id,
        description: str(extra.description) ?? str(meta.description) ?? null,
        pass: t.pass,
        ...(t.unjudged ? { unjudged: true } : {}),
        reasons: t.reasons ?? [],
        category: str(meta.category) ?? str(extra.category) ?? (traceId ? categoryFromFeedback(traceId, feedback) : null),
        traceId,
      };
    }),
  };
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** First pass over the store: counts, and each trace's start time for picking the newest. */
async function scanTraces(
  file: string,
  problems: ReportProblem[],
): Promise<{ traces: number; spans: number; withErrors: number; starts: Map<string, string> }> {
  const starts = new Map<string, string>();
  let spans = 0;
  let withErrors = 0;
  try {
    for await (const t of readTraceStore(file, (s) => problems.push({ input: 'traces', message: `${s.file}:${s.line}: ${s.reason.split('\n')[0]}` }))) {
      starts.set(t.id, t.startTime ?? '');
      spans += t.spans.length;
      if (t.spans.some((s) => s.status === 'error' || s.kind === 'error')) withErrors++;
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  return { traces: starts.size, spans, withErrors, starts };
}

/**
 * The traces to draw, in the order shown: those the recommendations cite (by rank), then those
 * of failing tests, then those with feedback, then the newest. Cited ones are always drawn,
 * so every evidence link on the page has somewhere to land.
 */
export function chooseTraces(
  starts: ReadonlyMap<string, string>,
  diagnosis: Diagnosis | null,
  results: ReportResults | null,
  feedback: readonly Feedback[] | null,
  max: number,
): string[] {
  const chosen = new Set<string>();
  const add = (id: string | null, force: boolean) => {
    if (id !== null && starts.has(id) && (force || chosen.size < max)) chosen.add(id);
  };
  for (const r of diagnosis?.recommendations ?? []) for (const id of r.evidence.traceIds) add(id, true);
  for (const t of results?.tests ?? []) if (!t.pass) add(t.traceId, false);
  for (const f of feedback ?? []) add(f.traceId, false);
  const newest = [...starts.entries()].sort((a, b) => (a[1] < b[1] ? 1 : a[1] > b[1] ? -1 : 0));
  for (const [id] of newest) add(id, false);
  return [...chosen];
}

/** Second pass: only the chosen traces, cut to size, in the chosen order. */
async function readChosenTraces(file: string, chosen: readonly string[]): Promise<ReportTrace[]> {
  const wanted = new Set(chosen);
  const found = new Map<string, ReportTrace>();
  for await (const t of readTraceStore(file, () => undefined)) if (wanted.has(t.id)) found.set(t.id, toReportTrace(t));
  return chosen.map((id) => found.get(id)).filter((t): t is ReportTrace => t !== undefined);
}
