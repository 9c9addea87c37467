import { describe, expect, it } from 'vitest';
import { indexTraceEvidence } from '../../../src/critique/verify.js';
import { checkLlmRecommendation, mergeRecommendations, scoreLlmRecommendation, type LlmEvidenceContext } from '../../../src/diagnose/llm-check.js';
import { renderDiagnosisPrompt } from '../../../src/diagnose/llm-prompt.js';
import { renderTrace } from '../../../src/batch/render.js';
import type { Recommendation } from '../../../src/schema/diagnosis.js';
import { DEFAULT_FEEDBACK_WEIGHTS, FEEDBACK_SCHEMA_VERSION, type Feedback } from '../../../src/schema/feedback.js';
import type { LlmRecommendation } from '../../../src/schema/llm-diagnosis.js';
import { span, trace } from '../feedback/helpers.js';
import { runFixture, tid } from '../../support/diagnosis-fixture.js';

const T1 = trace({
  id: 't1',
  finalAnswer: 'The Pro plan costs $49 per month [docs/pricing.md].',
  spans: [span({ id: 's1', kind: 'tool_call', output: 'Pro costs $39 per month' })],
});
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
  failing: new Map([
    ['test-1', { id: 'test-1', pass: false, traceId: 't1' }],
    ['test-2', { id: 'test-2', pass: false }],
  ]),
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
    expect(checkLlmRecommendation(proposal({}, { traceIds: [], feedbackIds: [], failingTestIds: [] }), CONTEXT)).toBe(
      'cites no evidence (no trace, feedback or failing test id)',
    );
    expect(checkLlmRecommendation(proposal({ files: ['../other/AGENTS.md'] }), CONTEXT)).toBe('file "../other/AGENTS.md" is outside the workspace');
  });

  it("drops a proposal that targets harness-loop's own files or files the edit guard does not allow", () => {
    const ctx = { ...CONTEXT, allow: ['**/AGENTS.md', '.codex/**', '.agents/skills/**'] };
    expect(checkLlmRecommendation(proposal({ files: ['.agents/skills/harness-improvement/SKILL.md'] }), ctx)).toBe(
      'file ".agents/skills/harness-improvement/SKILL.md" is not a harness file the edit guard lets a change touch',
    );
    expect(checkLlmRecommendation(proposal({ files: ['.codex/harness-loop/hooks/guard.cjs'] }), ctx)).toBe(
      'file ".codex/harness-loop/hooks/guard.cjs" is harness-loop\'s own, never a remedy target',
    );
    expect(checkLlmRecommendation(proposal({ files: ['src/app.ts'] }), ctx)).toBe('file "src/app.ts" is not a harness file the edit guard lets a change touch');
    expect(checkLlmRecommendation(proposal({ files: ['.codex/config.toml'] }), ctx)).toBeUndefined();
  });
});

describe('scoreLlmRecommendation', () => {
  it('scores from the cited evidence like the ranker, at the loop layer, keeping only quotes that occur', () => {
    const rec = scoreLlmRecommendation(
      proposal(
        {},
        {
          quotes: [
            { source: 't1', text: 'Pro costs $39 per month' },
            { source: 't1', text: 'invented' },
            { source: 'AGENTS.md', text: 'Cite the file you used.' },
          ],
        },
      ),
      CONTEXT,
    );
    expect(rec).toMatchObject({
      id: expect.stringMatching(/^rec_llm_[0-9a-f]{16}$/),
      motivatingLayer: 'review',
      origin: 'llm',
      evidence: {
        traceIds: ['t1'],
        feedbackIds: ['fb_1'],
        failingTestIds: ['test-1'],
        quotes: [
          { source: 't1', text: 'Pro costs $39 per month' },
          { source: 'AGENTS.md', text: 'Cite the file you used.' },
        ],
      },
      impact: { failingTestsFixed: 1, failingTestsTotal: 2, feedbackCount: 1, summary: '1 failing test rests on this evidence' },
      // human high = 9, plus a tenth of the unreported failing test (0.8); breadth 1 trace + 1 test = 2; review ×1; effort S ÷1.
      weight: 9.08,
      score: 18.16,
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

describe('merging with the deterministic cluster', () => {
  it('scores a model proposal with the evidence of the cluster it shares, and ranks a better layer above the template', async () => {
    const f = await runFixture({
      files: { 'AGENTS.md': '# Rules\n\n- Keep it short.\n', '.codex/config.toml': 'model = "gpt-5.5"\n' },
      sessions: [1, 2].map((n) => ({
        id: tid(30, n),
        task: 'Fetch the changelog and summarise it',
        steps: [{ shell: 'curl -sS https://example.org/changelog', exitCode: 6, output: 'curl: (6) Could not resolve host: example.org' }],
        answer: 'Could not fetch it.',
      })),
      feedback: [{ traceId: tid(30, 1), source: 'human', category: 'tooling', severity: 'high', observation: 'The fetch failed on every run.' }],
    });
    const det = f.result.recommendations[0]!;
    const human = f.feedback[0]!;
    const ctx: LlmEvidenceContext = {
      traces: new Map(f.traces.map((t) => [t.id, indexTraceEvidence(t)])),
      feedback: new Map(f.feedback.map((x) => [x.id, x])),
      failing: new Map(),
      harness: [],
      weights: DEFAULT_FEEDBACK_WEIGHTS,
      clusters: f.result.clusters,
    };
    const llm = scoreLlmRecommendation(
      proposal(
        { title: 'Give the sandbox network access', target: 'sandbox', layer: 'runtime', files: ['.codex/config.toml'], ruleStatus: 'not-applicable' },
        { traceIds: [tid(30, 1)], feedbackIds: [human.id], failingTestIds: [] },
      ),
      ctx,
    );
    // The same evidence: both traces of the cluster, the same weight as the deterministic change.
    expect(llm.evidence.traceIds).toEqual([tid(30, 1), tid(30, 2)]);
    expect(llm.weight).toBe(det.weight);
    const merged = mergeRecommendations(f.result.recommendations, [llm]);
    expect(merged[0]!.target).toBe('sandbox');
    if (det.target === 'sandbox') expect(merged[0]!.origin).toBe('merged');
  });
});

describe('renderDiagnosisPrompt', () => {
  it('lists the harness, feedback ids, failing test ids and traces of the batch', () => {
    const prompt = renderDiagnosisPrompt({
      batch: {
        id: 'batch_0123456789abcdef',
        file: 'batch-001.jsonl',
        lines: [{ traceId: 't1', tokens: 1, elidedChars: 0, shrunk: false, overBudget: false, trace: renderTrace(T1).trace }],
      },
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
