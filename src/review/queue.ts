// The review queue: every trace with what makes it worth a look, worst first. Pure, so the
// ranking is tested without a server.
import { SEVERITIES, type Feedback, type Severity } from '../schema/feedback.js';

/** A trace as the queue needs it (no spans). */
export interface QueueTrace {
  id: string;
  task: string | null;
  startTime: string | null;
  sourceKind: string;
}

/** One eval test's latest outcome for a trace. */
export interface QueueTest {
  id: string;
  traceId: string;
  pass: boolean;
  /** A rubric waits for a verdict: not a failure (judge it under "Rubrics waiting"). */
  unjudged?: boolean;
  category: string | null;
  cycle: number | null;
  reasons: string[];
}

/** Where a trace stands: critiques or findings no human has looked at, looked at, or nothing to see. */
export type QueueStatus = 'pending' | 'reviewed' | 'clean';

/** One row of the queue. */
export interface QueueItem {
  traceId: string;
  task: string;
  startTime: string | null;
  sourceKind: string;
  score: number;
  status: QueueStatus;
  failingTests: number;
  findings: number;
  pendingCritiques: number;
  humanRecords: number;
  categories: string[];
  sources: string[];
  cycles: number[];
}

/** Filters the queue page takes; absent means any. */
export interface QueueFilter {
  category?: string;
  source?: string;
  cycle?: number;
  status?: QueueStatus;
}

const SEVERITY_POINTS: Record<Severity, number> = { low: 1, medium: 2, high: 3, critical: 4 };

/** An LLM critique nobody has accepted or rejected yet (contradicted ones a human already answered). */
export function isPendingCritique(record: Feedback): boolean {
  return record.source === 'llm' && record.verifiedBy === undefined && (record.status === 'active' || record.status === 'unverified');
}

/**
 * How bad a trace looks: a failing eval test weighs most (a human-trusted check said no), then
 * detector and hook findings and unreviewed critiques by severity. Rejected records count nothing.
 */
export function scoreTrace(records: readonly Feedback[], tests: readonly QueueTest[]): number {
  let score = tests.filter((t) => !t.pass && !t.unjudged).length * 10;
  for (const r of records) {
    if (r.status === 'rejected' || r.status === 'contradicted') continue;
    const points = SEVERITY_POINTS[r.severity] ?? 1;
    if (r.source === 'detector' || r.source === 'hook') score += points * 2;
    else if (isPendingCritique(r)) score += points * (r.status === 'active' ? 2 : 1);
    else score += points;
  }
  return score;
}

/** The queue, worst first; ties go to the newer trace, then the id, so the order is stable. */
export function buildQueue(traces: readonly QueueTrace[], feedback: readonly Feedback[], tests: readonly QueueTest[]): QueueItem[] {
  const byTrace = groupBy(feedback, (r) => r.traceId);
  const testsByTrace = groupBy(tests, (t) => t.traceId);
  const items = traces.map((t): QueueItem => {
    const records = byTrace.get(t.id) ?? [];
    const traceTests = testsByTrace.get(t.id) ?? [];
    const failing = traceTests.filter((x) => !x.pass && !x.unjudged);
    const pendingCritiques = records.filter(isPendingCritique).length;
    const findings = records.filter((r) => (r.source === 'detector' || r.source === 'hook') && r.status !== 'rejected').length;
    const humanRecords = records.filter((r) => r.source === 'human' || r.verifiedBy !== undefined || r.attributes.reviewOf !== undefined).length;
    const score = scoreTrace(records, traceTests);
    const needsEyes = pendingCritiques > 0 || (score > 0 && humanRecords === 0);
    return {
      traceId: t.id,
      task: (t.task ?? '(no task recorded)').slice(0, 300),
      startTime: t.startTime,
      sourceKind: t.sourceKind,
      score,
      status: needsEyes ? 'pending' : score > 0 || records.length > 0 ? 'reviewed' : 'clean',
      failingTests: failing.length,
      findings,
      pendingCritiques,
      humanRecords,
      categories: unique([...records.map((r) => r.category), ...failing.flatMap((x) => (x.category ? [x.category] : []))]),
      sources: unique([...records.map((r) => r.source), ...(failing.length > 0 ? ['eval'] : [])]),
      cycles: unique(traceTests.flatMap((x) => (x.cycle === null ? [] : [x.cycle]))).sort((a, b) => a - b),
    };
  });
  return items.sort((a, b) => b.score - a.score || (b.startTime ?? '').localeCompare(a.startTime ?? '') || a.traceId.localeCompare(b.traceId));
}

/** The items matching every given filter, in queue order. */
export function filterQueue(items: readonly QueueItem[], filter: QueueFilter): QueueItem[] {
  return items.filter(
    (i) =>
      (filter.category === undefined || i.categories.includes(filter.category)) &&
      (filter.source === undefined || i.sources.includes(filter.source)) &&
      (filter.cycle === undefined || i.cycles.includes(filter.cycle)) &&
      (filter.status === undefined || i.status === filter.status),
  );
}

/** The values each filter can take, for the filter menus. */
export function queueFacets(items: readonly QueueItem[]): { categories: string[]; sources: string[]; cycles: number[] } {
  return {
    categories: unique(items.flatMap((i) => i.categories)).sort(),
    sources: unique(items.flatMap((i) => i.sources)).sort(),
    cycles: unique(items.flatMap((i) => i.cycles)).sort((a, b) => a - b),
  };
}

/** Severities in order, for the form. */
export const SEVERITY_CHOICES: readonly Severity[] = SEVERITIES;

function groupBy<T>(list: readonly T[], key: (x: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const x of list) {
    const k = key(x);
    const group = map.get(k);
    if (group) group.push(x);
    else map.set(k, [x]);
  }
  return map;
}

function unique<T>(list: readonly T[]): T[] {
  return [...new Set(list)];
}
