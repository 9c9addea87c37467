import { describe, expect, it } from 'vitest';
import { indexTraceEvidence } from '../../../src/critique/verify.js';
import { checkLlmRecommendation, mergeRecommendations, scoreLlmRecommendation, type LlmEvidenceContext } from '../../../src/diagnose/llm-check.js';
import { renderDiagnosisPrompt } from '../../../src/diagnose/llm-prompt.js';
import { renderTrace } from '../../../src/batch/render.js';
import type { Recommendation } from '../../../src/schema/diagnosis.js';
import { DEFAULT_FEEDBACK_WEIGHTS, FEEDBACK_SCHEMA_VERSION, type Feedback } from '../../../src/schema/feedback.js';
import type { LlmRecommendation } from '../../../src/schema/llm-diagnosis.js';
import { span, trace } from '../feedback/helpers.js';

const T1 = trace({ id: 't1', finalAnswer: 'The Pro plan costs $49 per month [docs/pricing.md].', spans: [span({ id: 's1', kind: 'tool_call', output: 'Pro costs $39 per month' })] });
const T2 = trace({ id: 't2' });

function feedback(fields: Partial<Feedback>): Feedback {
  return {
    schemaVersion: FEEDBACK_SCHEMA_VERSION,
    id: 'fb_1',
    traceId: 't1',
    source: 'human',
    author: 'ana',
    category: 'conflict_not_surfaced',
    severity: 'high',
    observation: 'The answer hides that the FAQ says $39.',
    evidence: [],
    requiredObservations: [],
    prohibitedClaims: [],
    status: 'active',
    createdAt: '2026-12-01T10:00:00.000Z',
    attributes: {},
    ...fields,
  };
}

const CONTEXT: LlmEvidenceContext = {
  traces: new Map([T1, T2].map((t) => [t.id, indexTraceEvidence(t)])),
  feedback: new Map([feedback({}), feedback({ id: 'fb_llm', source: 'llm', status: 'unverified' })].map((f) => [f.id, f])),
  failing: new Map([['test-1', { id: 'test-1', pass: false, traceId: 't1' }], ['test-2', { id: 'test-2', pass: false }]]),
  harness: [{ path: 'AGENTS.md', text: '# Rules\n\n- Cite the file you used.\n' }],
  weights: DEFAULT_FEEDBACK_WEIGHTS,
};

function proposal(fields: Partial<LlmRecommendation> = {}, evidence: Partial<LlmRecommendation['evidence']> = {}): LlmRecommendation {
  return {
    title: 'Surface conflicting sources',
    category: 'conflict_not_surfaced',
    target: 'agents-md-rule',
    ruleStatus: 'missing',
    change: 'Add to AGENTS.md: "When two docs disagree, say so and cite both."',
    files: ['AGENTS.md'],
    evidence: { traceIds: ['t1'], feedbackIds: ['fb_1'], failingTestIds: ['test-1'], quotes: [], ...evidence },
    effort: { size: 'S', reason: 'one line' },
    layer: 'review',
    ...fields,
  };
}

describe('checkLlmRecommendation', () => {
  it('accepts a proposal whose every cited id exists', () => {
    expect(checkLlmRecommendation(proposal(), CONTEXT)).toBeUndefined();
  });

  it('drops a proposal citing an unknown trace, feedback or failing test, naming them', () => {
    expect(checkLlmRecommendation(proposal({}, { traceIds: ['t1', 't9'], feedbackIds: ['fb_x'], failingTestIds: ['test-9'] }), CONTEXT)).toBe(
      'unknown trace "t9", feedback "fb_x", failing test "test-9"',
    );
  });

  it('drops a proposal citing no evidence, and one touching files outside the workspace', () => {
    expect(checkLlmRecommendation(proposal({}, { traceIds: [], feedbackIds: [], failingTestIds: [] }), CONTEXT)).toBe('cites no evidence (no trace, feedback or failing test id)');
    expect(checkLlmRecommendation(proposal({ files: ['../other/AGENTS.md'] }), CONTEXT)).toBe('file "../other/AGENTS.md" is outside the workspace');
  });
});

describe('scoreLlmRecommendation', () => {
  it('scores from the cited evidence like the ranker, at the loop layer, keeping only quotes that occur', () => {
    const rec = scoreLlmRecommendation(
      proposal({}, { quotes: [{ source: 't1', text: 'Pro costs $39 per month' }, { source: 't1', text: 'invented' }, { source: 'AGENTS.md', text: 'Cite the file you used.' }] }),
      CONTEXT,
    );
    expect(rec).toMatchObject({
      id: expect.stringMatching(/^rec_llm_[0-9a-f]{16}$/),
      motivatingLayer: 'loop',
      evidence: { traceIds: ['t1'], feedbackIds: ['fb_1'], failingTestIds: ['test-1'], quotes: [{ source: 't1', text: 'Pro costs $39 per month' }, { source: 'AGENTS.md', text: 'Cite the file you used.' }] },
      impact: { failingTestsFixed: 1, failingTestsTotal: 2, feedbackCount: 1, summary: 'fixes 1 of 2 failing tests' },
      // human high = 1 × 3, plus 0.5 per failing test fixed; impact 1/2; review layer ×1; effort S ÷1.
      weight: 3.5,
      score: 1.75,
    });
  });

  it('gives a proposal backed only by unverified LLM feedback no weight', () => {
    expect(scoreLlmRecommendation(proposal({}, { feedbackIds: ['fb_llm'], failingTestIds: [] }), CONTEXT)).toMatchObject({ weight: 0, score: 0 });
  });
});

describe('mergeRecommendations', () => {
  it('ranks deterministic and LLM recommendations together by score', () => {
    const base = scoreLlmRecommendation(proposal(), CONTEXT);
    const det: Recommendation = { ...base, id: 'rec_det', score: 1, motivatingLayer: 'ci', rank: 1 };
    const merged = mergeRecommendations([det], [base, { ...base }]);
    expect(merged.map((r) => [r.id, r.rank])).toEqual([
      [base.id, 1],
      ['rec_det', 2],
    ]);
  });
});

describe('renderDiagnosisPrompt', () => {
  it('lists the harness, feedback ids, failing test ids and traces of the batch', () => {
    const prompt = renderDiagnosisPrompt({
      batch: { id: 'batch_0123456789abcdef', file: 'batch-001.jsonl', lines: [{ traceId: 't1', tokens: 1, elidedChars: 0, shrunk: false, overBudget: false, trace: renderTrace(T1).trace }] },
      harness: CONTEXT.harness,
      feedback: [feedback({})],
      failing: [{ id: 'test-1', pass: false, traceId: 't1', reasons: ['expected the conflict to be mentioned'] }],
    });
    expect(prompt).toContain('--- AGENTS.md\n# Rules');
    expect(prompt).toContain('<feedback>\n{"id":"fb_1","traceId":"t1"');
    expect(prompt).toContain('{"id":"test-1","traceId":"t1","category":null,"reasons":["expected the conflict to be mentioned"]}');
    expect(prompt).toContain(`<traces>\n${JSON.stringify(renderTrace(T1).trace)}\n</traces>`);
    expect(prompt).toContain('Batch batch_0123456789abcdef (batch-001.jsonl): 1 trace(s), 1 feedback record(s), 1 failing test(s).');
  });
});
