/**
 * Promptfoo's `-o results.json` → our per-test summary: pass/fail/error, score, and which
 * assertions failed and why. Rows live at `results.results` (older docs say `results.outputs`).
 */
import type { EvalTestResult, FailedAssertion } from '../schema/eval-suite.js';
import { unprotectDeep, unprotectText } from './template-safe.js';

/** A test the suite declares, so a test Promptfoo produced no row for is reported, not lost. */
export interface ExpectedTest {
  id: string;
  description?: string;
  traceId?: string;
}

/** Tests that count in the pass rate: judged ones (an unjudged test is neither pass nor fail). */
export function judgedTests<T extends { status?: string }>(tests: readonly T[]): T[] {
  return tests.filter((t) => t.status !== 'unjudged');
}

/** Share of judged tests that passed, 0 when none is judged. */
export function judgedPassRate(tests: readonly { status?: string; pass: boolean }[]): number {
  const judged = judgedTests(tests);
  return judged.length === 0 ? 0 : judged.filter((t) => t.pass).length / judged.length;
}

/** A rubric the offline grader had no verdict for. */
export interface MissingVerdict {
  testId?: string;
  rubricHash: string;
  traceId?: string;
  answerHash?: string;
  rubric?: string;
}

/** What `summarizeResults` returns. */
export interface ResultsDigest {
  tests: EvalTestResult[];
  missingVerdicts: MissingVerdict[];
  promptfooVersion?: string;
}

interface Component {
  pass?: boolean;
  reason?: string;
  assertion?: { type?: string; value?: unknown } | null;
  metadata?: Record<string, unknown>;
  componentResults?: Component[];
}

interface Row {
  success?: boolean;
  score?: number;
  failureReason?: number;
  error?: string | null;
  testIdx?: number;
  vars?: Record<string, unknown>;
  testCase?: { description?: string; vars?: Record<string, unknown>; metadata?: Record<string, unknown> };
  gradingResult?: { componentResults?: Component[] } | null;
  response?: { metadata?: Record<string, unknown> } | null;
}

const VALUE_LIMIT = 300;

/** Normalizes Promptfoo's output; tests in `expected` order first, then any others Promptfoo reported. */
export function summarizeResults(raw: unknown, expected: readonly ExpectedTest[]): ResultsDigest {
  const root = (raw ?? {}) as { results?: { results?: Row[]; outputs?: Row[] }; metadata?: { promptfooVersion?: string } };
  const rows = root.results?.results ?? root.results?.outputs ?? [];
  const byId = new Map<string, EvalTestResult & { scores: number[]; rows: number }>();
  const missingVerdicts: MissingVerdict[] = [];
  const seenMissing = new Set<string>();
  for (const row of rows) {
    const meta = row.testCase?.metadata ?? {};
    const id = typeof meta.testId === 'string' ? unprotectText(meta.testId) : `test-${row.testIdx ?? '?'}`;
    const vars = row.vars ?? row.testCase?.vars ?? {};
    // The codex provider scores a fresh run, recorded as a new trace; replay scores vars.trace_id.
    const recorded = row.response?.metadata?.traceId;
    const traceId = typeof recorded === 'string' ? recorded : typeof vars.trace_id === 'string' ? unprotectText(vars.trace_id) : undefined;
    let entry = byId.get(id);
    if (!entry) {
      entry = {
        id,
        ...(typeof row.testCase?.description === 'string' ? { description: unprotectText(row.testCase.description) } : {}),
        ...(traceId !== undefined ? { traceId } : {}),
        ...(typeof meta.category === 'string' ? { category: unprotectText(meta.category) } : {}),
        status: 'pass',
        pass: true,
        reasons: [],
        failedAssertions: [],
        scores: [],
        rows: 0,
      };
      byId.set(id, entry);
    }
    entry.rows++;
    if (typeof row.score === 'number') entry.scores.push(row.score);
    const components = flatten(row.gradingResult?.componentResults ?? []);
    let unjudged = false;
    for (const c of components) {
      const verdict = c.metadata?.harnessLoopVerdict;
      if (verdict === 'missing' && typeof c.metadata?.rubricHash === 'string') {
        unjudged = true;
        const m = c.metadata;
        const key = `${id}\0${m.rubricHash}\0${String(m.answerHash ?? '')}`;
        if (!seenMissing.has(key)) {
          seenMissing.add(key);
          missingVerdicts.push({
            testId: id,
            rubricHash: m.rubricHash as string,
            ...(typeof m.traceId === 'string' ? { traceId: traceId ?? m.traceId } : traceId !== undefined ? { traceId } : {}),
            ...(typeof m.answerHash === 'string' ? { answerHash: m.answerHash } : {}),
            ...(typeof m.rubric === 'string' ? { rubric: unprotectText(m.rubric) } : {}),
          });
        }
      }
    }
    const errored = row.failureReason === 2 || (row.success !== true && !row.gradingResult);
    if (errored) {
      entry.status = 'error';
      entry.pass = false;
      const reason = firstLine(row.error ?? 'the row errored without a message');
      entry.failedAssertions.push({ type: 'error', reason });
      entry.reasons.push(`error: ${reason}`);
      continue;
    }
    if (row.success === true) {
      // Every other check passed and a rubric waits for a verdict: neither pass nor fail.
      if (unjudged && entry.status === 'pass') {
        entry.status = 'unjudged';
        entry.pass = false;
      }
      continue;
    }
    if (entry.status === 'pass' || entry.status === 'unjudged') entry.status = 'fail';
    entry.pass = false;
    const failed = components.filter((c) => c.pass === false).map(toFailed);
    // A test can fail on its aggregate score (threshold) with no single failed assertion.
    if (failed.length === 0) failed.push({ type: 'threshold', reason: firstLine(row.error ?? 'the test score is below its threshold') });
    for (const f of failed) {
      // Several providers give several rows per test; the same failure is listed once.
      if (entry.failedAssertions.some((g) => g.type === f.type && g.value === f.value && g.reason === f.reason)) continue;
      entry.failedAssertions.push(f);
      entry.reasons.push(`${f.type}${f.value !== undefined ? ` ${JSON.stringify(shorten(f.value, 80))}` : ''}: ${f.reason}`);
    }
  }

  const tests: EvalTestResult[] = [];
  const emit = (e: EvalTestResult & { scores: number[]; rows: number }) => {
    const { scores, rows: _rows, ...rest } = e;
    tests.push({ ...rest, ...(scores.length > 0 ? { score: round(scores.reduce((a, b) => a + b, 0) / scores.length) } : {}) });
  };
  for (const t of expected) {
    const e = byId.get(t.id);
    if (e) {
      emit(e);
      byId.delete(t.id);
      continue;
    }
    const reason = 'Promptfoo produced no result for this test (it errored before grading; see the raw output)';
    tests.push({ ...t, status: 'error', pass: false, reasons: [`error: ${reason}`], failedAssertions: [{ type: 'error', reason }] });
  }
  for (const e of byId.values()) emit(e);
  return { tests, missingVerdicts, ...(root.metadata?.promptfooVersion ? { promptfooVersion: root.metadata.promptfooVersion } : {}) };
}

function flatten(components: Component[]): Component[] {
  return components.flatMap((c) => (Array.isArray(c.componentResults) && c.componentResults.length > 0 ? [c, ...flatten(c.componentResults)] : [c]));
}

function toFailed(c: Component): FailedAssertion {
  const value = c.assertion?.value;
  const text = value === undefined ? undefined : typeof value === 'string' ? unprotectText(value) : JSON.stringify(unprotectDeep(value));
  return {
    type: String(c.assertion?.type ?? 'unknown'),
    ...(text !== undefined ? { value: shorten(text, VALUE_LIMIT) } : {}),
    reason: c.reason ?? 'failed',
  };
}

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function firstLine(text: string): string {
  const line = text.split('\n').find((l) => l.trim() !== '') ?? text;
  return shorten(line.trim(), 500);
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
