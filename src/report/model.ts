import type { Diagnosis } from '../schema/diagnosis.js';
import { SEVERITIES, type Feedback, type FeedbackSource } from '../schema/feedback.js';
import type { LedgerEntry } from '../schema/ledger.js';
import type { Span, Trace } from '../schema/trace.js';
import { clipText, clipValue, traceAnchor, type Clip } from './html.js';

/**
 * How much of each text the page keeps; the trace store keeps the rest. Span inputs and outputs
 * share a budget per trace, so a trace with hundreds of tool calls cannot make the page huge.
 */
export const CLIP_LIMITS = { spanIo: 4096, spanIoMin: 512, spanIoPerTrace: 131_072, answer: 8192, task: 2048, spans: 400 } as const;

/** A span as the page shows it: inputs and outputs already cut to size. */
export interface ReportSpan {
  /** Span id. */
  id: string;
  /** Id of the enclosing span, null at the root. */
  parentId: string | null;
  /** What the span stands for. */
  kind: Span['kind'];
  /** Tool, model or event name. */
  name: string;
  /** One line saying what happened (the command, the patched file, the message). */
  label: string;
  /** ISO start time, null when the source has none. */
  startTime: string | null;
  /** Duration in ms, null when unknown. */
  durationMs: number | null;
  /** Outcome. */
  status: Span['status'];
  /** Error message, when the span failed. */
  error: string | null;
  /** Shell exit code, where known. */
  exitCode: number | null;
  /** Tool arguments, prompt or message, cut to size. */
  input: Clip | null;
  /** Tool output or reply, cut to size. */
  output: Clip | null;
}

/** A trace as the page shows it. */
export interface ReportTrace {
  /** Trace id as stored. */
  id: string;
  /** Anchor id of its section (`trace-…`, sanitised). */
  anchor: string;
  /** Which reader produced it. */
  sourceKind: Trace['source']['kind'];
  /** ISO start time, null when unknown. */
  startTime: string | null;
  /** ISO end time, null when unknown. */
  endTime: string | null;
  /** Working directory of the agent. */
  cwd: string | null;
  /** Models used. */
  models: string[];
  /** First user prompt, cut to size. */
  task: Clip | null;
  /** Last answer, cut to size. */
  finalAnswer: Clip | null;
  /** Total tokens. */
  totalTokens: number;
  /** Spans in start order, the first `CLIP_LIMITS.spans` of them. */
  spans: ReportSpan[];
  /** How many spans the trace has, drawn or not. */
  spanCount: number;
}

/** One test of the latest eval run. */
export interface ReportTest {
  /** Test id. */
  id: string;
  /** Test description, where the run gives one. */
  description: string | null;
  /** Whether every assertion passed. */
  pass: boolean;
  /** A rubric waits for a verdict: neither pass nor fail, not in the pass rate, not a failure. */
  unjudged?: boolean;
  /** Why it failed, one sentence per failed assertion. */
  reasons: string[];
  /** Category from the test metadata, else from feedback on its trace; null when neither says. */
  category: string | null;
  /** Trace whose answer was scored, where known. */
  traceId: string | null;
}

/** The latest eval run. */
export interface ReportResults {
  /** Run id. */
  runId: string;
  /** ISO time the run finished. */
  createdAt: string;
  /** Per-test outcomes. */
  tests: ReportTest[];
}

/** An input the page reads; each comes from one stage. */
export type ReportInput = 'traces' | 'feedback' | 'recommendations' | 'ledger' | 'results';

/** An input that could not be read in full. */
export interface ReportProblem {
  /** Which input. */
  input: ReportInput;
  /** What went wrong, naming the file (and line, where known). */
  message: string;
}

/** Everything the page is rendered from; a null input was not found ("not run yet"). */
export interface ReportData {
  /** Workspace root, for the header. */
  workspace: string;
  /** ISO time of rendering. */
  generatedAt: string;
  /** Counts over the whole trace store (the page may show fewer traces). */
  traceTotals: { traces: number; spans: number; withErrors: number };
  /** Traces shown, referenced ones first. */
  traces: ReportTrace[];
  /** Every feedback record, or null when there is no feedback folder. */
  feedback: Feedback[] | null;
  /** The latest diagnosis, or null. */
  diagnosis: Diagnosis | null;
  /** Ledger entries in file order, or null when there is no ledger. */
  ledger: LedgerEntry[] | null;
  /** The latest eval run, or null. */
  results: ReportResults | null;
  /** Inputs that could not be read in full. */
  problems: ReportProblem[];
}

/** Converts a stored trace to what the page shows, cutting long texts so memory stays small. */
export function toReportTrace(trace: Trace): ReportTrace {
  return {
    id: trace.id,
    anchor: traceAnchor(trace.id),
    sourceKind: trace.source.kind,
    startTime: trace.startTime,
    endTime: trace.endTime,
    cwd: trace.cwd,
    models: trace.models,
    task: trace.task === null ? null : clipText(trace.task, CLIP_LIMITS.task),
    finalAnswer: trace.finalAnswer === null ? null : clipText(trace.finalAnswer, CLIP_LIMITS.answer),
    totalTokens: trace.usage.totalTokens,
    spans: trace.spans.slice(0, CLIP_LIMITS.spans).map((span) => toReportSpan(span, ioLimit(Math.min(trace.spans.length, CLIP_LIMITS.spans)))),
    spanCount: trace.spans.length,
  };
}

/** Characters kept per span input or output for a trace with `spans` spans. */
export function ioLimit(spans: number): number {
  const share = Math.floor(CLIP_LIMITS.spanIoPerTrace / (2 * Math.max(1, spans)));
  return Math.max(CLIP_LIMITS.spanIoMin, Math.min(CLIP_LIMITS.spanIo, share));
}

function toReportSpan(span: Span, limit: number): ReportSpan {
  return {
    id: span.id,
    parentId: span.parentId,
    kind: span.kind,
    name: span.name,
    label: describeSpan(span),
    startTime: span.startTime,
    durationMs: span.durationMs,
    status: span.status,
    error: span.error,
    exitCode: span.exitCode ?? null,
    input: clipValue(span.input, limit),
    output: clipValue(span.output, limit),
  };
}

/** One line for a span's row: the shell command, the patched file, the message's first words. */
export function describeSpan(span: Span): string {
  const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim().slice(0, 120);
  const input = span.input;
  if (span.kind === 'tool_call') {
    const args = typeof input === 'string' ? parseObject(input) : isRecord(input) ? input : null;
    const cmd = args?.cmd ?? args?.command;
    if (typeof cmd === 'string') return oneLine(cmd);
    if (Array.isArray(cmd)) return oneLine(cmd.map(String).join(' '));
    if (typeof input === 'string') {
      const file = /\*\*\* (?:Add|Update|Delete) File: (.+)/.exec(input);
      if (file) return oneLine(`${span.name} ${file[1]}`);
      return oneLine(`${span.name} ${input}`);
    }
    return span.name;
  }
  if (span.kind === 'message') {
    const text = typeof input === 'string' ? input : typeof span.output === 'string' ? span.output : '';
    return oneLine(`${span.name}: ${text}`);
  }
  if (span.kind === 'error' && span.error) return oneLine(span.error);
  return span.name;
}

function parseObject(text: string): Record<string, unknown> | null {
  if (!text.trimStart().startsWith('{')) return null;
  try {
    const value: unknown = JSON.parse(text);
    return isRecord(value) ? value : null;
  } catch {
    return null;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** One point of the pass-rate chart: a ledger cycle. */
export interface CyclePoint {
  /** Cycle number. */
  cycle: number;
  /** Pass rate after the cycle's last verify; the rate before it for a cycle that was abandoned. */
  passRate: number;
  /** Verdict of the cycle's last entry. */
  verdict: LedgerEntry['verdict'];
  /** Title of the recommendation the cycle implemented. */
  title: string;
  /** Whether the cycle is closed. */
  closed: boolean;
}

/** One point per ledger cycle, in cycle order; the entry that decides is the cycle's last verify. */
export function toCyclePoints(entries: readonly LedgerEntry[]): CyclePoint[] {
  const byCycle = new Map<number, LedgerEntry[]>();
  for (const e of entries) byCycle.set(e.cycle, [...(byCycle.get(e.cycle) ?? []), e]);
  return [...byCycle.keys()]
    .sort((a, b) => a - b)
    .map((cycle) => {
      const list = byCycle.get(cycle)!;
      const last = list.at(-1)!;
      const verify = list.filter((e) => e.kind === 'verify' && e.passRateAfter !== null).at(-1);
      return {
        cycle,
        passRate: verify ? verify.passRateAfter! : last.passRateBefore,
        verdict: last.verdict,
        title: last.recommendation.title,
        closed: last.kind === 'abandon' || last.closed,
      };
    });
}

/** Failing tests of one category. */
export interface FailureGroup {
  /** Category, or "uncategorized". */
  category: string;
  /** The failing tests in it. */
  tests: ReportTest[];
}

/** Failing tests grouped by category, the largest group first. */
export function groupFailures(tests: readonly ReportTest[]): FailureGroup[] {
  const groups = new Map<string, ReportTest[]>();
  for (const t of tests) {
    if (t.pass || t.unjudged) continue;
    const key = t.category ?? 'uncategorized';
    groups.set(key, [...(groups.get(key) ?? []), t]);
  }
  return [...groups.entries()]
    .map(([category, list]) => ({ category, tests: list }))
    .sort((a, b) => b.tests.length - a.tests.length || a.category.localeCompare(b.category));
}

/**
 * The category feedback gives a trace: the most severe active record's, then the most common;
 * used for tests whose metadata names none.
 */
export function categoryFromFeedback(traceId: string, feedback: readonly Feedback[]): string | null {
  const records = feedback.filter((f) => f.traceId === traceId && (f.status === 'active' || f.status === 'unverified'));
  if (records.length === 0) return null;
  const score = (f: Feedback) => SEVERITIES.indexOf(f.severity) * 1000 + records.filter((r) => r.category === f.category).length;
  return [...records].sort((a, b) => score(b) - score(a) || a.category.localeCompare(b.category))[0]!.category;
}

/** Feedback counts for one source. */
export interface SourceSummary {
  /** Who gave the feedback. */
  source: FeedbackSource;
  /** Every record from the source. */
  total: number;
  /** Records per status. */
  byStatus: Record<Feedback['status'], number>;
  /** Records per category, the most common first. */
  categories: { category: string; count: number }[];
}

/** Feedback counted by source, in the order human, detector, hook, llm; sources without records are left out. */
export function summarizeFeedbackBySource(feedback: readonly Feedback[]): SourceSummary[] {
  const order: FeedbackSource[] = ['human', 'detector', 'hook', 'llm'];
  return order
    .map((source) => {
      const records = feedback.filter((f) => f.source === source);
      const byStatus = { active: 0, unverified: 0, contradicted: 0, rejected: 0 };
      const categories = new Map<string, number>();
      for (const r of records) {
        byStatus[r.status]++;
        categories.set(r.category, (categories.get(r.category) ?? 0) + 1);
      }
      return {
        source,
        total: records.length,
        byStatus,
        categories: [...categories.entries()]
          .map(([category, count]) => ({ category, count }))
          .sort((a, b) => b.count - a.count || a.category.localeCompare(b.category)),
      };
    })
    .filter((s) => s.total > 0);
}
