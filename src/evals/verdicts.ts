/**
 * The rubric verdict store, `.harness-loop/evals/rubric-verdicts.jsonl`: one judged (rubric,
 * answer, grader) per line. The offline grader replays it; the review app and praise append to it.
 * A verdict keyed by answer hash applies to that exact answer only, so an identical answer is never
 * judged twice and a changed answer waits for a new verdict (`unjudged`, never a failure).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError, UsageError } from '../errors.js';
import { readTraceStore } from '../ingest/store.js';
import { EvalRunSummarySchema, RubricVerdictSchema, type EvalRunSummary, type RubricVerdict } from '../schema/eval-suite.js';
import { appendLines } from '../util/atomic.js';
import { readdirIfExists } from '../util/files.js';
import { readJsonFile } from '../ledger/json-file.js';

/**
 * The answer as the grader sees it: Promptfoo parses JSON output before handing it to an
 * llm-rubric grader (`tryParse`), so a JSON answer is hashed in its re-serialized form.
 * replay-grader.mjs computes the same.
 */
export function canonicalAnswer(answer: string): string {
  try {
    const parsed: unknown = JSON.parse(answer);
    return typeof parsed === 'string' ? parsed : JSON.stringify(parsed);
  } catch {
    return answer;
  }
}

/** `ah-` + 16 hex digits of sha256 over the canonical answer. */
export function answerHash(answer: string): string {
  return `ah-${createHash('sha256').update(canonicalAnswer(answer)).digest('hex').slice(0, 16)}`;
}

/** Reads every verdict; a bad line is an error naming file and line. */
export async function readVerdicts(file: string): Promise<RubricVerdict[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const out: RubricVerdict[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      throw new InputError(`${file}:${i + 1}: malformed JSON`, file, i + 1, 'verdicts.invalid');
    }
    const parsed = RubricVerdictSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new InputError(`${file}:${i + 1}: ${issue.path.join('.') || '(line)'}: ${issue.message}`, file, i + 1, 'verdicts.invalid');
    }
    out.push(parsed.data);
  });
  return out;
}

/** What identifies a judged rubric. */
export interface VerdictKey {
  testId?: string;
  rubricHash: string;
  traceId?: string;
  answerHash?: string;
}

/**
 * The verdict that applies, as the replay grader picks it: same rubric (or, for an old test-wide
 * line, same test), and same answer hash (or, for a line without one, same trace). Last wins.
 */
export function findVerdict(verdicts: readonly RubricVerdict[], key: VerdictKey): RubricVerdict | undefined {
  return verdicts
    .filter((v) =>
      v.rubricHash !== undefined ? v.rubricHash === key.rubricHash && (v.testId === undefined || v.testId === key.testId) : v.testId === key.testId,
    )
    .filter((v) => (v.answerHash !== undefined ? v.answerHash === key.answerHash : v.traceId === undefined || v.traceId === key.traceId))
    .at(-1);
}

/** Appends a verdict; refuses a second verdict for the same rubric, answer and grader, which would judge one answer twice. */
export async function recordVerdict(file: string, verdict: RubricVerdict): Promise<RubricVerdict> {
  const checked = RubricVerdictSchema.parse(verdict);
  if (checked.answerHash !== undefined && checked.rubricHash !== undefined) {
    const existing = (await readVerdicts(file)).find(
      (v) => v.rubricHash === checked.rubricHash && v.answerHash === checked.answerHash && (v.grader ?? 'human') === (checked.grader ?? 'human'),
    );
    if (existing) {
      throw new UsageError(
        `this answer already has a verdict for rubric ${checked.rubricHash} (${existing.pass ? 'pass' : 'fail'}: ${existing.reason}); an identical answer is never judged twice`,
        'verdicts.duplicate',
      );
    }
  }
  await appendLines(file, [JSON.stringify(checked)]);
  return checked;
}

/** A rubric waiting for a verdict on one answer, with what a reviewer needs to judge it. */
export interface PendingVerdict {
  testId: string;
  description?: string;
  category?: string;
  rubricHash: string;
  rubric: string;
  traceId?: string;
  answerHash: string;
  /** The answer judged (from the trace store), when the trace is there. */
  answer: string | null;
  /** The run that found it waiting. */
  runId: string;
}

/**
 * What waits for a verdict: the unjudged rubrics of the newest run, minus those judged since.
 * Answers come from the trace store, and only when their hash is the one the grader saw.
 */
export async function listPendingVerdicts(paths: { results: string; verdicts: string; traceStore: string }): Promise<PendingVerdict[]> {
  const latest = await readLatestRun(paths.results);
  if (!latest) return [];
  const verdicts = await readVerdicts(paths.verdicts);
  const open = latest.missingVerdicts.filter(
    (m) => m.answerHash !== undefined && findVerdict(verdicts, { ...m, ...(m.testId !== undefined ? { testId: m.testId } : {}) }) === undefined,
  );
  if (open.length === 0) return [];
  const wanted = new Set(open.map((m) => m.traceId).filter((t): t is string => t !== undefined));
  const answers = new Map<string, string | null>();
  try {
    for await (const trace of readTraceStore(paths.traceStore)) if (wanted.has(trace.id)) answers.set(trace.id, trace.finalAnswer);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const tests = new Map(latest.tests.map((t) => [t.id, t]));
  return open.map((m) => {
    const test = m.testId !== undefined ? tests.get(m.testId) : undefined;
    const answer = m.traceId !== undefined ? (answers.get(m.traceId) ?? null) : null;
    return {
      testId: m.testId ?? '',
      ...(test?.description !== undefined ? { description: test.description } : {}),
      ...(test?.category !== undefined ? { category: test.category } : {}),
      rubricHash: m.rubricHash,
      rubric: m.rubric ?? '(rubric text not recorded by this run)',
      ...(m.traceId !== undefined ? { traceId: m.traceId } : {}),
      answerHash: m.answerHash!,
      answer: answer !== null && answerHash(answer) === m.answerHash ? answer : null,
      runId: latest.runId,
    };
  });
}

/** The newest results file by createdAt, or null. */
async function readLatestRun(dir: string): Promise<EvalRunSummary | null> {
  let names = (await readdirIfExists(dir)).filter((n) => n.endsWith('.json') && !n.startsWith('.')).sort();
  // Run ids start with their UTC start second (run-YYYYMMDDTHHMMSSZ-…), so the newest runs sort last;
  // only the runs of that last second are read (results files hold Promptfoo's whole output).
  const second = (n: string) => /^run-(\d{8}T\d{6}Z)-/.exec(n)?.[1];
  const newest = names.at(-1);
  if (newest !== undefined && second(newest) !== undefined) names = names.filter((n) => second(n) === second(newest) || second(n) === undefined);
  let latest: EvalRunSummary | null = null;
  for (const name of names) {
    const run = await readJsonFile(join(dir, name), EvalRunSummarySchema, 'eval results file');
    if (run && (!latest || run.createdAt >= latest.createdAt)) latest = run;
  }
  return latest;
}
