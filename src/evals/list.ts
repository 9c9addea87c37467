/** `evals list` and `evals prune` support: last results per test, prune candidates, the prune log. */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../errors.js';
import { EvalRunSummarySchema, PruneLogEntrySchema, type PruneLogEntry } from '../schema/eval-suite.js';
import { readLines } from '../util/lines.js';
import { formatZodIssues } from '../util/zod-format.js';
import { unprotectText } from './template-safe.js';

/** The part of a results file `evals list` needs. */
export const RunDigestSchema = EvalRunSummarySchema.pick({ runId: true, createdAt: true, cycle: true, tests: true });
/** A run as `evals list` sees it. */
export interface RunDigest {
  runId: string;
  createdAt: string;
  cycle: number;
  tests: { id: string; status: 'pass' | 'fail' | 'error' | 'unjudged'; score?: number | undefined }[];
}

/** One row of `evals list`. */
export interface ListedTest {
  id: string;
  description: string;
  addedInCycle: number | null;
  category: string | null;
  assertions: number;
  last: { runId: string; cycle: number; status: 'pass' | 'fail' | 'error' | 'unjudged'; score?: number | undefined } | null;
  /** Cycles (most recent first) the test ran in without failing, counted until its last failure. */
  cyclesSinceFailure: number;
  pruneCandidate: boolean;
}

/** Lists the suite's tests with their last result; flags those that have not failed for `staleAfter` cycles. */
export function listTests(tests: readonly Record<string, unknown>[], runs: readonly RunDigest[], staleAfter: number): ListedTest[] {
  const ordered = [...runs].sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.runId < b.runId ? -1 : 1));
  return tests.map((test, i) => {
    const meta = (test.metadata ?? {}) as Record<string, unknown>;
    const id = typeof meta.testId === 'string' ? unprotectText(meta.testId) : `test-${i}`;
    const history = ordered.flatMap((run) => run.tests.filter((t) => t.id === id).map((t) => ({ run, t })));
    const lastEntry = history.at(-1);
    // Walk cycles newest first; stop at the first cycle in which the test failed or errored.
    const byCycle = new Map<number, boolean>();
    for (const { run, t } of history) byCycle.set(run.cycle, (byCycle.get(run.cycle) ?? false) || t.status === 'fail' || t.status === 'error');
    const cycles = [...byCycle.entries()].sort((a, b) => b[0] - a[0]);
    let clean = 0;
    for (const [, failed] of cycles) {
      if (failed) break;
      clean++;
    }
    return {
      id,
      description: typeof test.description === 'string' ? unprotectText(test.description) : '',
      addedInCycle: typeof meta.addedInCycle === 'number' ? meta.addedInCycle : null,
      category: typeof meta.category === 'string' ? unprotectText(meta.category) : null,
      assertions: Array.isArray(test.assert) ? test.assert.length : 0,
      last: lastEntry
        ? {
            runId: lastEntry.run.runId,
            cycle: lastEntry.run.cycle,
            status: lastEntry.t.status,
            ...(lastEntry.t.score !== undefined ? { score: lastEntry.t.score } : {}),
          }
        : null,
      cyclesSinceFailure: clean,
      pruneCandidate: clean >= staleAfter,
    };
  });
}

/** Every readable results file in `dir`; unreadable ones are returned as warnings, not fatal. */
export async function readRunDigests(dir: string): Promise<{ runs: RunDigest[]; warnings: string[] }> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.json') && !n.startsWith('.')).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { runs: [], warnings: [] };
    throw error;
  }
  const runs: RunDigest[] = [];
  const warnings: string[] = [];
  for (const name of names) {
    const file = join(dir, name);
    try {
      const parsed = RunDigestSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
      if (parsed.success) runs.push(parsed.data);
      else warnings.push(`${file}: not an evals run summary, skipped:\n${formatZodIssues(parsed.error, 2)}`);
    } catch (error) {
      warnings.push(`${file}: unreadable, skipped (${(error as Error).message})`);
    }
  }
  return { runs, warnings };
}

/** Reads the prune log; a bad line is an InputError, since losing one would let a pruned test back in. */
export async function readPruneLog(file: string): Promise<PruneLogEntry[]> {
  const entries: PruneLogEntry[] = [];
  try {
    for await (const line of readLines(file)) {
      if (!line.tooLong && line.text.trim() === '') continue;
      if (line.tooLong) throw new InputError('line too long', file, line.n, 'evals.prune-log');
      let raw: unknown;
      try {
        raw = JSON.parse(line.text);
      } catch {
        throw new InputError('malformed JSON (fix or remove the line)', file, line.n, 'evals.prune-log');
      }
      const result = PruneLogEntrySchema.safeParse(raw);
      if (!result.success) throw new InputError(`not a prune log entry:\n${formatZodIssues(result.error)}`, file, line.n, 'evals.prune-log');
      entries.push(result.data);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return entries;
}
