/**
 * A real grader's verdicts are cached by (rubric, answer, grader): the second run of an unchanged
 * answer never calls the grader, a changed answer is graded again. The real Promptfoo runs; the
 * grader is a stand-in at the model boundary (test/fixtures/evals/counting-grader.mjs).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli.js';
import { EvalRunSummarySchema } from '../../../src/schema/eval-suite.js';
import { captureOutput, cookbookTraces, makeFeedback, makeWorkspace, writeStore } from './helpers.js';

const RISKS = 'c0ffee00c0ffee00c0ffee00c0ffee00';
const GRADER = `file://${resolve('test/fixtures/evals/counting-grader.mjs')}`;
const feedback = [makeFeedback({ id: 'fb-risks', traceId: RISKS, category: 'clarity', requiredObservations: ['Explain each risk in plain words'] })];

let ws: string;
let calls: string;
const cli = (...argv: string[]) => captureOutput(() => main([...argv, '-C', ws]));
const callCount = () =>
  existsSync(calls)
    ? readFileSync(calls, 'utf8')
        .trim()
        .split('\n')
        .filter((l) => l !== '').length
    : 0;
const run = async () => {
  const { result, stdout } = await cli('evals', 'run', '--grader', GRADER, '--json');
  return { result, summary: EvalRunSummarySchema.omit({ raw: true }).parse(JSON.parse(stdout)) };
};

beforeAll(() => {
  ws = makeWorkspace(cookbookTraces(), feedback);
  calls = join(ws, 'grader-calls.txt');
  process.env.HL_GRADER_CALLS = calls;
});
afterAll(() => {
  delete process.env.HL_GRADER_CALLS;
});

describe('verdicts from a grader are cached by rubric, answer and grader', () => {
  it('grades once, then replays the verdict for the same answer, and grades a changed answer again', async () => {
    expect((await cli('evals', 'build')).result).toBe(0);
    const first = await run();
    expect(first.result).toBe(0);
    expect(callCount()).toBe(1);
    expect(first.summary.tests[0]).toMatchObject({ status: 'pass', score: 0.9 });
    const stored = readFileSync(join(ws, '.harness-loop/evals/rubric-verdicts.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(stored).toEqual([
      expect.objectContaining({
        grader: GRADER,
        pass: true,
        score: 0.9,
        traceId: RISKS,
        answerHash: expect.stringMatching(/^ah-/),
        reason: 'the fake grader found every point',
      }),
    ]);

    const second = await run();
    expect(second.summary.tests[0]).toMatchObject({ status: 'pass', score: 0.9 });
    expect(callCount()).toBe(1);

    // A changed answer is a new question for the grader.
    writeStore(
      ws,
      cookbookTraces().map((t) => (t.id === RISKS ? { ...t, finalAnswer: `${t.finalAnswer} (revised)` } : t)),
      feedback,
    );
    await run();
    expect(callCount()).toBe(2);
    expect(readFileSync(join(ws, '.harness-loop/evals/rubric-verdicts.jsonl'), 'utf8').trim().split('\n')).toHaveLength(2);
  });
});
