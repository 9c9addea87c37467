/**
 * What `verify` replays: each test's newest answer to its task (the agent's latest run of it),
 * not the trace the suite names, written as a derived suite so the replay provider and the
 * replay grader see the same trace id. The gate then counts each answer only if its trace ran
 * under the changed harness (src/ledger/measure.ts); the suite itself is never rewritten during
 * a cycle.
 */
import { join } from 'node:path';
import { traceIdOfLine } from '../ingest/store.js';
import { writeFileAtomic } from '../util/atomic.js';
import { readLines } from '../util/lines.js';
import type { EvalPaths } from './paths.js';
import { parseSuite, renderSuite } from './suite-yaml.js';
import { protectText, unprotectText } from './template-safe.js';

/** The derived config's name, beside the suite so its relative paths still resolve. */
export const LATEST_SUITE_FILE = 'promptfooconfig.latest.yaml';

/** As `evals build` keys tasks: whitespace folded, case ignored. */
function taskKey(task: string): string {
  return task.replace(/\s+/g, ' ').trim().toLowerCase();
}

/** Trace id → id of the newest trace with an answer to the same task (itself when none is newer). */
export async function newestAnswerByTrace(storeFile: string): Promise<Map<string, string>> {
  const taskOf = new Map<string, string>();
  const newest = new Map<string, { id: string; time: string }>();
  try {
    for await (const line of readLines(storeFile)) {
      if (line.tooLong || traceIdOfLine(line.text) === null) continue;
      let t: { id?: unknown; task?: unknown; finalAnswer?: unknown; endTime?: unknown; startTime?: unknown };
      try {
        t = JSON.parse(line.text) as typeof t;
      } catch {
        continue; // the ingest stage reports torn lines
      }
      if (typeof t.id !== 'string' || typeof t.task !== 'string' || t.task.trim() === '') continue;
      const key = taskKey(t.task);
      taskOf.set(t.id, key);
      if (typeof t.finalAnswer !== 'string') continue;
      const time = String(t.endTime ?? t.startTime ?? '');
      const current = newest.get(key);
      if (!current || time > current.time || (time === current.time && t.id > current.id)) newest.set(key, { id: t.id, time });
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  return new Map([...taskOf].map(([id, key]) => [id, newest.get(key)?.id ?? id]));
}

/** Writes the suite with every `vars.trace_id` moved to the newest answer of its task; returns the file and how many moved. */
export async function writeLatestSuite(paths: EvalPaths, suiteText: string): Promise<{ file: string; moved: number }> {
  const newest = await newestAnswerByTrace(paths.traceStore);
  const doc = parseSuite(suiteText, paths.suite);
  const tests = (doc.toJS() as { tests?: { vars?: { trace_id?: unknown } }[] } | null)?.tests ?? [];
  let moved = 0;
  tests.forEach((t, i) => {
    const raw = t?.vars?.trace_id;
    if (typeof raw !== 'string') return;
    const id = unprotectText(raw);
    const latest = newest.get(id);
    if (!latest || latest === id) return;
    doc.setIn(['tests', i, 'vars', 'trace_id'], protectText(latest));
    moved++;
  });
  doc.commentBefore =
    ' Written by `harness-loop verify` from promptfooconfig.yaml: each test replays the newest answer to its task. Edit that file, not this one.';
  const file = join(paths.evals, LATEST_SUITE_FILE);
  await writeFileAtomic(file, renderSuite(doc));
  return { file, moved };
}
