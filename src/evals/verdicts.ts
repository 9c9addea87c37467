/**
 * The rubric verdict store, `.harness-loop/evals/rubric-verdicts.jsonl`: one judged (rubric,
 * answer, grader) per line. The offline grader replays it; the review app and praise append to it.
 * A verdict keyed by answer hash applies to that exact answer only, so an identical answer is never
 * judged twice and a changed answer waits for a new verdict (`unjudged`, never a failure).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { InputError, UsageError } from '../errors.js';
import { RubricVerdictSchema, type RubricVerdict } from '../schema/eval-suite.js';
import { appendLines } from '../util/atomic.js';

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
    .filter((v) => (v.rubricHash !== undefined ? v.rubricHash === key.rubricHash && (v.testId === undefined || v.testId === key.testId) : v.testId === key.testId))
    .filter((v) => (v.answerHash !== undefined ? v.answerHash === key.answerHash : v.traceId === undefined || v.traceId === key.traceId))
    .at(-1);
}

/** Appends a verdict; refuses a second verdict for the same rubric, answer and grader, which would judge one answer twice. */
export async function recordVerdict(file: string, verdict: RubricVerdict): Promise<RubricVerdict> {
  const checked = RubricVerdictSchema.parse(verdict);
  if (checked.answerHash !== undefined && checked.rubricHash !== undefined) {
    const existing = (await readVerdicts(file)).find((v) => v.rubricHash === checked.rubricHash && v.answerHash === checked.answerHash && (v.grader ?? 'human') === (checked.grader ?? 'human'));
    if (existing) {
      throw new UsageError(`this answer already has a verdict for rubric ${checked.rubricHash} (${existing.pass ? 'pass' : 'fail'}: ${existing.reason}); an identical answer is never judged twice`, 'verdicts.duplicate');
    }
  }
  await appendLines(file, [JSON.stringify(checked)]);
  return checked;
}
