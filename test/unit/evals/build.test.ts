import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { assertionKey } from '../../../src/evals/assertions.js';
import { buildEvalSuite, toTraceInfo, type BuildInput } from '../../../src/evals/build.js';
import { ConfigSchema } from '../../../src/schema/config.js';
import type { Feedback } from '../../../src/schema/feedback.js';
import { EvalTestMetadataSchema } from '../../../src/schema/eval-suite.js';
import { stableId } from '../../../src/util/hash.js';
import { cookbookFeedback, cookbookTraces, makeFeedback, makeTrace } from './helpers.js';

const config = ConfigSchema.parse({});

function input(feedback: readonly Feedback[], extra: Partial<BuildInput> = {}): BuildInput {
  return {
    feedback,
    traces: cookbookTraces().map(toTraceInfo),
    existing: null,
    prunedIds: new Set(),
    cycle: 1,
    config,
    rubricThreshold: 0.8,
    file: 'promptfooconfig.yaml',
    ...extra,
  };
}

type Test = { description: string; vars: Record<string, string>; metadata: Record<string, unknown>; assert: { type: string; value?: unknown }[] };
const testsOf = (text: string) => (parse(text, { customTags: ['timestamp'] }) as { tests: Test[] }).tests;

describe('buildEvalSuite', () => {
  it('makes one test per cluster of trace task + category, with its metadata', () => {
    const { text, summary } = buildEvalSuite(input(cookbookFeedback()));
    const tests = testsOf(text);
    expect(tests.map((t) => t.metadata.category)).toEqual(['financial_risk', 'security_readiness', 'output_contract']);
    const first = tests[0]!;
    expect(EvalTestMetadataSchema.parse(first.metadata)).toMatchObject({
      testId: stableId('ev-', 'task:what do runway and burn tell us about near-term financing risk?', 'financial_risk'),
      feedbackIds: ['fb-human-trace-01', 'fb-llm-trace-01'],
      sources: ['human', 'llm'],
      weight: 1,
      severity: 'high',
      addedInCycle: 1,
      traceIds: ['43d9b03619a9d2ed4d2f3e3fd17c8bf4'],
    });
    expect(first.vars).toEqual({
      task: 'What do runway and burn tell us about near-term financing risk?',
      trace_id: '43d9b03619a9d2ed4d2f3e3fd17c8bf4',
      test_id: first.metadata.testId,
    });
    expect(summary.feedback).toEqual({ total: 5, used: 4, inactive: 1, unknownTrace: [] });
    expect(summary.tests).toMatchObject({ total: 3, added: 3, kept: 0 });
  });

  it('puts deterministic assertions before rubric ones', () => {
    for (const t of testsOf(buildEvalSuite(input(cookbookFeedback())).text)) {
      const firstRubric = t.assert.findIndex((a) => a.type === 'llm-rubric');
      if (firstRubric >= 0) expect(t.assert.slice(firstRubric).every((a) => a.type === 'llm-rubric')).toBe(true);
    }
  });

  it('gives the same ids and the same text whatever the order of the feedback', () => {
    const fb = cookbookFeedback();
    const a = buildEvalSuite(input(fb)).text;
    const b = buildEvalSuite(input([...fb].reverse())).text;
    expect(b).toBe(a);
  });

  it('keeps a test id when the wording of the task differs only in case and spacing', () => {
    const traces = [makeTrace('t1', 'How ready  is the company?', 'a'), makeTrace('t2', 'how ready is the company?\n', 'b', '2026-06-01T00:00:00.000Z')];
    const fb = [makeFeedback({ traceId: 't1', category: 'security' }), makeFeedback({ traceId: 't2', category: 'security' })];
    const tests = testsOf(buildEvalSuite(input(fb, { traces: traces.map(toTraceInfo) })).text);
    expect(tests).toHaveLength(1);
    expect(tests[0]!.metadata.traceIds).toEqual(['t1', 't2']);
    // The test replays the newest answer to the task.
    expect(tests[0]!.vars.trace_id).toBe('t2');
  });

  it('separates categories and traces without a task', () => {
    const traces = [makeTrace('t1', null, 'a'), makeTrace('t2', null, 'b')];
    const fb = [makeFeedback({ traceId: 't1', category: 'x' }), makeFeedback({ traceId: 't1', category: 'y' }), makeFeedback({ traceId: 't2', category: 'x' })];
    const tests = testsOf(buildEvalSuite(input(fb, { traces: traces.map(toTraceInfo) })).text);
    expect(tests).toHaveLength(3);
    expect(tests[0]!.vars.task).toBe('(no task recorded for trace t1)');
  });

  it('skips contradicted and rejected records and records about unknown traces', () => {
    const fb = [
      makeFeedback({ traceId: '43d9b03619a9d2ed4d2f3e3fd17c8bf4', status: 'contradicted', source: 'llm' }),
      makeFeedback({ id: 'fb-nowhere', traceId: 'not-ingested' }),
    ];
    const { text, summary } = buildEvalSuite(input(fb));
    expect(testsOf(text)).toEqual([]);
    expect(summary.feedback).toEqual({ total: 2, used: 0, inactive: 1, unknownTrace: ['fb-nowhere'] });
  });

  it('flags tests that only have rubric assertions', () => {
    const fb = [makeFeedback({ traceId: '43d9b03619a9d2ed4d2f3e3fd17c8bf4', source: 'human', category: 'tone', observation: 'Too chatty.' })];
    const { summary } = buildEvalSuite(input(fb));
    expect(summary.rubricOnly).toEqual([{ id: expect.stringMatching(/^ev-/) as unknown as string, description: 'tone: Too chatty.' }]);
  });

  it('orders new tests heaviest and most severe first', () => {
    const fb = [
      makeFeedback({ traceId: 'c0ffee00c0ffee00c0ffee00c0ffee00', source: 'llm', status: 'active', category: 'a', severity: 'critical' }),
      makeFeedback({ traceId: 'b7e1f0c2a9d84e5f8a1b2c3d4e5f6a7b', source: 'human', category: 'b', severity: 'low' }),
      makeFeedback({ traceId: '43d9b03619a9d2ed4d2f3e3fd17c8bf4', source: 'human', category: 'c', severity: 'high' }),
    ];
    expect(testsOf(buildEvalSuite(input(fb)).text).map((t) => t.metadata.category)).toEqual(['c', 'b', 'a']);
  });

  it('never turns an LLM observation that failed the evidence check into a test', () => {
    const fb = [makeFeedback({ traceId: 'c0ffee00c0ffee00c0ffee00c0ffee00', source: 'llm', status: 'unverified', category: 'a', severity: 'critical' })];
    const { text, summary } = buildEvalSuite(input(fb));
    expect(testsOf(text)).toEqual([]);
    expect(summary.feedback.inactive).toBe(1);
  });

  it('does not regenerate a pruned test', () => {
    const first = testsOf(buildEvalSuite(input(cookbookFeedback())).text);
    const pruned = String(first[1]!.metadata.testId);
    const { text, summary } = buildEvalSuite(input(cookbookFeedback(), { prunedIds: new Set([pruned]) }));
    expect(testsOf(text).map((t) => t.metadata.testId)).not.toContain(pruned);
    expect(summary.skippedPruned).toEqual([pruned]);
  });
});

describe('suites built before trace assertions', () => {
  const NEW = 'The answer gets right what a reviewer found wrong in an earlier answer to the same task; it passes only if it is free of this problem: ';
  const OLD = 'The answer avoids this problem, which a reviewer found in an earlier answer to the same task: ';

  /** The suite an older build wrote: the observation rubric in its old wording, known under its old key. */
  function olderSuite(fb: Feedback[]): string {
    let text = buildEvalSuite(input(fb)).text;
    for (const f of fb) {
      const newKey = assertionKey('llm-rubric', `${NEW}${f.observation}`);
      const oldKey = assertionKey('llm-rubric', `${OLD}${f.observation}`);
      text = text.replaceAll(NEW, OLD).replaceAll(newKey, oldKey);
    }
    return text;
  }

  it('does not add the same rubric again in its new wording', () => {
    const fb = [makeFeedback({ traceId: '43d9b03619a9d2ed4d2f3e3fd17c8bf4', source: 'human', category: 'tone', observation: 'Too chatty.' })];
    const rebuilt = buildEvalSuite(input(fb, { existing: olderSuite(fb) }));
    expect(testsOf(rebuilt.text)[0]!.assert.map((a) => a.value)).toEqual([`${OLD}Too chatty.`]);
    expect(rebuilt.summary.tests).toMatchObject({ added: 0, kept: 1 });
  });

  it('adds the trace assertion beside an old process rubric and names the test', () => {
    const detector = makeFeedback({
      traceId: '43d9b03619a9d2ed4d2f3e3fd17c8bf4',
      source: 'detector',
      category: 'failed_command',
      observation: 'Command exited with code 3: bash scripts/flaky.sh',
      attributes: { detector: 'failed-commands', command: 'bash scripts/flaky.sh' },
    });
    const older = olderSuite([{ ...detector, source: 'human' }]).replace('- human', '- detector');
    const rebuilt = buildEvalSuite(input([detector], { existing: older }));
    const test = testsOf(rebuilt.text)[0]!;
    expect(test.assert.map((a) => a.type)).toEqual(['llm-rubric', 'javascript']);
    expect(rebuilt.summary.processRubrics).toEqual([{ id: test.metadata.testId, description: test.description }]);
  });
});
