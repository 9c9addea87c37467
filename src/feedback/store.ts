import { appendFile, readFile, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { FeedbackSchema, type Feedback } from '../schema/feedback.js';
import { InputError } from '../errors.js';
import { appendLines } from '../util/atomic.js';
import { markContradictions } from './contradictions.js';
import { applyReviews } from './reviews.js';
import { serializeFeedback } from './record.js';
import { readdirIfExists } from '../util/files.js';

export { effectiveWeight } from './weights.js';
export { markContradictions } from './contradictions.js';

/** A problem with one record, reported as `file:line: field: message`. */
export interface FeedbackProblem {
  file: string;
  line: number;
  field: string;
  message: string;
}

/** The compiler-style line for a problem. */
export function formatProblem(p: FeedbackProblem): string {
  return `${p.file}:${p.line}: ${p.field}: ${p.message}`;
}

/** Throws one InputError listing every problem (exit 2), saying that nothing was written. */
export function throwProblems(problems: readonly FeedbackProblem[], what: string, code = 'feedback.invalid'): never {
  const shown = problems.slice(0, 50).map(formatProblem);
  if (problems.length > 50) shown.push(`… and ${problems.length - 50} more`);
  throw new InputError(`${problems.length} problem(s) in ${what}:\n${shown.join('\n')}`, undefined, undefined, code);
}

/** Reads the store, collecting a problem per bad line; a missing store is empty. Ids seen twice keep the first. */
export async function readFeedbackFile(file: string): Promise<{ records: Feedback[]; problems: FeedbackProblem[] }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], problems: [] };
    throw new InputError(`cannot read feedback store: ${(error as Error).message}`, file, undefined, 'feedback.unreadable', { cause: error });
  }
  const records: Feedback[] = [];
  const problems: FeedbackProblem[] = [];
  const seen = new Set<string>();
  const rows = text.split('\n');
  rows.forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      // An unterminated last line is what a killed writer leaves: its append never returned, so it
      // is skipped (the next append cuts it off), as the ledger does; a bad line elsewhere is damage.
      if (i === rows.length - 1) {
        process.stderr.write(`${file}:${line}: incomplete last line, left by an interrupted write; skipped\n`);
        return;
      }
      problems.push({ file, line, field: '(line)', message: 'malformed JSON (a torn or hand-edited line?)' });
      return;
    }
    const result = FeedbackSchema.safeParse(value);
    if (!result.success) {
      for (const issue of result.error.issues)
        problems.push({ file, line, field: issue.path.length > 0 ? issue.path.join('.') : '(record)', message: issue.message });
      return;
    }
    // Two writers racing can append the same record twice; the first copy wins.
    if (seen.has(result.data.id)) return;
    seen.add(result.data.id);
    records.push(result.data);
  });
  return { records, problems };
}

/** Reads and validates the whole store; any bad line is an InputError naming file:line and field. */
export async function readFeedbackStore(file: string): Promise<Feedback[]> {
  const { records, problems } = await readFeedbackFile(file);
  if (problems.length > 0) throwProblems(problems, `the feedback store (fix or delete the lines named)`, 'feedback.store-invalid');
  return records;
}

/** The store as downstream stages see it: validated, with contradicted LLM records marked. */
export async function loadFeedback(file: string): Promise<Feedback[]> {
  return markContradictions(applyReviews(await readFeedbackStore(file)));
}

/**
 * Appends records not already stored (by id) in one O_APPEND write, so a batch lands whole
 * and a concurrent reader never sees half a line.
 */
export async function appendFeedback(file: string, records: readonly Feedback[]): Promise<{ added: Feedback[]; duplicates: number }> {
  const existing = new Set((await readFeedbackStore(file)).map((r) => r.id));
  const added: Feedback[] = [];
  for (const record of records) {
    if (existing.has(record.id)) continue;
    existing.add(record.id);
    added.push(FeedbackSchema.parse(record));
  }
  await cutTornTail(file);
  await appendLines(file, added.map(serializeFeedback));
  return { added, duplicates: records.length - added.length };
}

/**
 * Every feedback file in the folder (the store, and what hooks appended to hooks.jsonl), as
 * downstream stages see it: validated, deduplicated by id, reviewed LLM records replaced by their
 * review (`applyReviews`), with contradicted LLM records marked.
 */
export async function loadAllFeedback(dir: string): Promise<Feedback[]> {
  const names = await readdirIfExists(dir);
  const records: Feedback[] = [];
  const seen = new Set<string>();
  for (const name of names.filter((n) => n.endsWith('.jsonl')).sort()) {
    for (const r of await readFeedbackStore(join(dir, name))) {
      if (seen.has(r.id)) continue;
      seen.add(r.id);
      records.push(r);
    }
  }
  // Reviews first: a rejected or accepted critique must not also count as the original.
  return markContradictions(applyReviews(records));
}

/** Removes an unterminated last line a killed writer left, so the next append does not glue onto it. */
async function cutTornTail(file: string): Promise<void> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if (text === '' || text.endsWith('\n')) return;
  const start = text.lastIndexOf('\n') + 1;
  try {
    JSON.parse(text.slice(start));
    await appendFile(file, '\n'); // a whole record that only lacks its newline
  } catch {
    await truncate(file, Buffer.byteLength(text.slice(0, start)));
  }
}
