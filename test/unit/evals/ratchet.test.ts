import { parse, parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { buildEvalSuite, toTraceInfo, type BuildInput } from '../../../src/evals/build.js';
import { removeTest } from '../../../src/evals/ratchet.js';
import { ConfigSchema } from '../../../src/schema/config.js';
import type { Feedback } from '../../../src/schema/feedback.js';
import type { Trace } from '../../../src/schema/trace.js';
import { cookbookFeedback, cookbookTraces, makeFeedback, makeTrace } from './helpers.js';

const config = ConfigSchema.parse({});
type Test = { description: string; vars: Record<string, string>; metadata: Record<string, unknown>; assert: { type: string; value?: unknown }[] };
const testsOf = (text: string) => (parse(text, { customTags: ['timestamp'] }) as { tests: Test[] }).tests;
const idsOf = (text: string) => testsOf(text).map((t) => t.metadata.testId);

function build(feedback: readonly Feedback[], existing: string | null, extra: { traces?: Trace[]; cycle?: number } = {}): ReturnType<typeof buildEvalSuite> {
  const input: BuildInput = {
    feedback,
    traces: (extra.traces ?? cookbookTraces()).map(toTraceInfo),
    existing,
    prunedIds: new Set(),
    cycle: extra.cycle ?? 1,
    config,
    rubricThreshold: 0.8,
    file: 'promptfooconfig.yaml',
  };
  return buildEvalSuite(input);
}

/** Hand edits a user might make, applied with the yaml Document API like an editor would. */
function handEdit(text: string): string {
  const doc = parseDocument(text, { customTags: ['timestamp'] });
  doc.setIn(['tests', 0, 'assert', 0, 'value'], '(?<![\\d.])11[\\s-]?months?');
  doc.setIn(['tests', 0, 'metadata', 'owner'], 'alice');
  doc.setIn(['tests', 1, 'description'], 'SOC 2: my own title');
  (doc.getIn(['tests', 1], true) as { commentBefore?: string }).commentBefore = ' reviewed by alice';
  doc.deleteIn(['tests', 2, 'assert', 0]); // drop the generated is-json check
  doc.addIn(
    ['tests'],
    doc.createNode({
      description: 'hand-written',
      vars: { task: 'x', trace_id: 'c0ffee00c0ffee00c0ffee00c0ffee00' },
      assert: [{ type: 'contains', value: 'R-001' }],
    }),
  );
  return doc.toString({ lineWidth: 0 });
}

describe('the ratchet', () => {
  it('never drops or reorders existing tests and keeps hand edits when rebuilding with more feedback', () => {
    const first = build(cookbookFeedback(), null).text;
    const edited = handEdit(first);
    const more = [
      ...cookbookFeedback(),
      makeFeedback({
        id: 'fb-new-req',
        traceId: '43d9b03619a9d2ed4d2f3e3fd17c8bf4',
        category: 'financial_risk',
        prohibitedClaims: ['"Series B"'],
        createdAt: '2026-05-02T00:00:00.000Z',
      }),
      makeFeedback({
        id: 'fb-new-cluster',
        traceId: 'b7e1f0c2a9d84e5f8a1b2c3d4e5f6a7b',
        category: 'citations',
        requiredObservations: ['Cite `security/security_overview.md`'],
      }),
    ];
    const { text, summary } = build(more, edited, { cycle: 2 });
    const before = testsOf(edited);
    const after = testsOf(text);
    expect(after.slice(0, before.length).map((t) => t.description)).toEqual(before.map((t) => t.description));
    expect(after.slice(0, 3).map((t) => t.metadata.testId)).toEqual(before.slice(0, 3).map((t) => t.metadata.testId));
    expect(after).toHaveLength(before.length + 1);
    expect(after.at(-1)!.metadata).toMatchObject({ category: 'citations', addedInCycle: 2 });
    // Hand edits survive.
    expect(after[0]!.assert[0]!.value).toBe('(?<![\\d.])11[\\s-]?months?');
    expect(after[0]!.metadata.owner).toBe('alice');
    expect(after[1]!.description).toBe('SOC 2: my own title');
    expect(text).toContain('# reviewed by alice');
    // A generated check the user deleted is not added back.
    expect(after[2]!.assert.map((a) => a.type)).toEqual(['llm-rubric']);
    // New feedback in an existing cluster appends its check and its id.
    expect(after[0]!.assert.at(-1)).toEqual({ type: 'not-icontains', value: 'Series B', metric: 'prohibited' });
    expect(after[0]!.metadata.feedbackIds).toEqual(['fb-human-trace-01', 'fb-llm-trace-01', 'fb-new-req']);
    expect(after[0]!.metadata.addedInCycle).toBe(1);
    // The hand-written test was kept and given an id.
    expect(after[3]!.description).toBe('hand-written');
    expect(after[3]!.metadata.testId).toMatch(/^hand-[0-9a-f]{16}$/);
    expect(summary.tests).toMatchObject({ kept: 4, added: 1, adopted: 1, total: 5 });
  });

  it('is idempotent: rebuilding from the same inputs changes nothing', () => {
    const first = build(cookbookFeedback(), null).text;
    const second = build(cookbookFeedback(), first);
    expect(second.text).toBe(first);
    expect(second.summary.tests).toMatchObject({ added: 0, updated: 0, kept: 3 });
  });

  it('keeps every test when the feedback behind it is gone', () => {
    const first = build(cookbookFeedback(), null).text;
    const { text } = build([], first);
    expect(idsOf(text)).toEqual(idsOf(first));
  });

  it('moves an unedited test to the newest answer of the same task, but not a hand-pinned one', () => {
    const traces = cookbookTraces();
    const first = build(cookbookFeedback(), null, { traces }).text;
    const pinned = parseDocument(first, { customTags: ['timestamp'] });
    pinned.setIn(['tests', 1, 'vars', 'trace_id'], 'pinned-by-hand');
    const newer = [
      ...traces,
      makeTrace('newer-runway', traces[0]!.task, 'Runway is 11 months.', '2026-06-01T00:00:00.000Z'),
      makeTrace('newer-soc2', traces[1]!.task, 'Type I done.', '2026-06-01T00:00:00.000Z'),
    ];
    const { text, summary } = build(cookbookFeedback(), pinned.toString({ lineWidth: 0 }), { traces: newer });
    const tests = testsOf(text);
    expect(tests[0]!.vars.trace_id).toBe('newer-runway');
    expect(tests[1]!.vars.trace_id).toBe('pinned-by-hand');
    expect(summary.tests.refreshedTraces).toBe(1);
  });

  it('removeTest takes out exactly one test and returns it whole', () => {
    const first = build(cookbookFeedback(), null).text;
    const id = String(testsOf(first)[1]!.metadata.testId);
    const { text, test, index } = removeTest(first, id, 'promptfooconfig.yaml');
    expect(index).toBe(1);
    expect((test.metadata as { testId: string }).testId).toBe(id);
    expect(idsOf(text)).toEqual(idsOf(first).filter((x) => x !== id));
    expect(() => removeTest(text, id, 'promptfooconfig.yaml')).toThrow(/no test with id/);
  });

  it('refuses to rebuild over a suite with an assertion type promptfoo cannot run', () => {
    const doc = parseDocument(build(cookbookFeedback(), null).text);
    doc.setIn(['tests', 0, 'assert', 0, 'type'], 'contanis');
    expect(() => build(cookbookFeedback(), doc.toString())).toThrow(/unknown assertion type "contanis" \(did you mean "contains"\?\)/);
  });

  it('reports broken YAML with its line', () => {
    expect(() => build(cookbookFeedback(), 'tests:\n  - a: [\n')).toThrow(/promptfooconfig\.yaml:\d+: invalid YAML/);
  });
});
