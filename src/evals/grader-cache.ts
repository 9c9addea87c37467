/**
 * Verdicts from a real grader, cached in the verdict store by (rubric, answer, grader): a rubric
 * whose exact answer already has a verdict is graded from the store, never sent to the grader again
 * (so an identical answer is never judged differently), and every new verdict the grader gives is
 * appended. Human verdicts count as cached too: a person's judgement is not overruled by a model.
 */
import { join } from 'node:path';
import { readTraceStore } from '../ingest/store.js';
import type { RubricVerdict } from '../schema/eval-suite.js';
import { writeFileAtomic } from '../util/atomic.js';
import { rubricHash } from './assertions.js';
import type { EvalPaths } from './paths.js';
import { createNode, parseSuite, renderSuite } from './suite-yaml.js';
import { unprotectText } from './template-safe.js';
import { answerHash, findVerdict, readVerdicts, recordVerdict } from './verdicts.js';

/** The suite file a graded replay run uses. */
export const GRADED_SUITE_FILE = 'promptfooconfig.graded.yaml';

/** The offline grader, pinned on a rubric whose answer already has a verdict. */
const CACHED = { id: 'file://providers/replay-grader.mjs', label: 'cached-verdict', config: { verdicts: 'rubric-verdicts.jsonl' } };

/** Verdicts that may stand in for `grader`: its own, people's, and older lines that name no grader. */
function usable(verdicts: readonly RubricVerdict[], grader: string): RubricVerdict[] {
  return verdicts.filter((v) => v.grader === undefined || v.grader === grader || v.grader === 'human');
}

/**
 * Writes the suite with the offline grader pinned on every llm-rubric whose replayed answer has a
 * verdict already; returns the file and how many rubrics come from the store.
 */
export async function writeGradedSuite(paths: EvalPaths, suiteText: string, grader: string): Promise<{ file: string; cached: number }> {
  const doc = parseSuite(suiteText, paths.suite);
  const tests = (doc.toJS() as { tests?: unknown }).tests;
  const list = Array.isArray(tests) ? (tests as Record<string, unknown>[]) : [];
  const wanted = new Set(
    list
      .map((t) => (t?.vars as Record<string, unknown> | undefined)?.trace_id)
      .filter((x): x is string => typeof x === 'string')
      .map(unprotectText),
  );
  const answers = new Map<string, string>();
  try {
    for await (const trace of readTraceStore(paths.traceStore))
      if (wanted.has(trace.id) && trace.finalAnswer !== null) answers.set(trace.id, trace.finalAnswer);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const verdicts = usable(await readVerdicts(paths.verdicts), grader);
  let cached = 0;
  list.forEach((test, i) => {
    const vars = (test?.vars ?? {}) as Record<string, unknown>;
    const traceId = typeof vars.trace_id === 'string' ? unprotectText(vars.trace_id) : undefined;
    const answer = traceId !== undefined ? answers.get(traceId) : undefined;
    if (answer === undefined) return;
    const testId =
      typeof (test.metadata as Record<string, unknown> | undefined)?.testId === 'string'
        ? unprotectText((test.metadata as { testId: string }).testId)
        : undefined;
    const asserts = Array.isArray(test.assert) ? (test.assert as Record<string, unknown>[]) : [];
    asserts.forEach((a, j) => {
      if (a?.type !== 'llm-rubric' || typeof a.value !== 'string' || a.provider !== undefined) return;
      const hit = findVerdict(verdicts, {
        rubricHash: rubricHash(unprotectText(a.value)),
        answerHash: answerHash(answer),
        ...(testId ? { testId } : {}),
        traceId: traceId!,
      });
      if (!hit) return;
      doc.setIn(['tests', i, 'assert', j, 'provider'], createNode(doc, CACHED));
      cached++;
    });
  });
  doc.commentBefore =
    ' Written by `harness-loop evals run` with a grader from promptfooconfig.yaml on every run: rubrics already judged on the same answer are graded from rubric-verdicts.jsonl. Edit promptfooconfig.yaml, not this file.';
  const file = join(paths.evals, GRADED_SUITE_FILE);
  await writeFileAtomic(file, renderSuite(doc));
  return { file, cached };
}

interface Row {
  vars?: Record<string, unknown>;
  testCase?: { metadata?: Record<string, unknown> };
  response?: { output?: unknown; metadata?: Record<string, unknown> } | null;
  gradingResult?: { componentResults?: Component[] } | null;
}
interface Component {
  pass?: boolean;
  score?: number;
  reason?: string;
  assertion?: { type?: string; value?: unknown } | null;
  metadata?: Record<string, unknown>;
}

/** Appends every llm-rubric verdict `grader` gave in this run that the store does not hold yet; returns how many. */
export async function storeGraderVerdicts(file: string, raw: unknown, grader: string, now: string): Promise<number> {
  const rows = ((raw ?? {}) as { results?: { results?: Row[] } }).results?.results ?? [];
  const known = await readVerdicts(file);
  let added = 0;
  for (const row of rows) {
    const output = row.response?.output;
    if (output === undefined || output === null) continue;
    const answer = typeof output === 'string' ? output : JSON.stringify(output);
    const testId = typeof row.testCase?.metadata?.testId === 'string' ? unprotectText(row.testCase.metadata.testId) : undefined;
    const recorded = row.response?.metadata?.traceId;
    const traceId = typeof recorded === 'string' ? recorded : typeof row.vars?.trace_id === 'string' ? unprotectText(row.vars.trace_id) : undefined;
    for (const c of row.gradingResult?.componentResults ?? []) {
      // Verdicts replayed from the store carry our metadata; only fresh grader verdicts are new.
      if (c.assertion?.type !== 'llm-rubric' || typeof c.assertion.value !== 'string' || c.metadata?.harnessLoopVerdict !== undefined) continue;
      if (typeof c.pass !== 'boolean' || typeof c.score !== 'number' || c.score < 0 || c.score > 1) continue;
      const verdict: RubricVerdict = {
        ...(testId ? { testId } : {}),
        rubricHash: rubricHash(unprotectText(c.assertion.value)),
        answerHash: answerHash(answer),
        ...(traceId ? { traceId } : {}),
        grader,
        pass: c.pass,
        score: c.score,
        reason: (c.reason ?? '').trim() || (c.pass ? 'passed' : 'failed'),
        recordedAt: now,
      };
      if (known.some((k) => k.rubricHash === verdict.rubricHash && k.answerHash === verdict.answerHash && k.grader === grader)) continue;
      await recordVerdict(file, verdict);
      known.push(verdict);
      added++;
    }
  }
  return added;
}
