import { describe, expect, it } from 'vitest';
import { rankRecommendations, diagnosisWeight, type RankInput } from '../../../src/diagnose/rank.js';
import { DEFAULT_FEEDBACK_WEIGHTS, type Feedback } from '../../../src/schema/feedback.js';
import { RecommendationSchema } from '../../../src/schema/diagnosis.js';

let n = 0;
function fb(partial: Partial<Feedback> & Pick<Feedback, 'traceId' | 'category' | 'source'>): Feedback {
  n++;
  return {
    schemaVersion: 1,
    id: `fb_${n}`,
    author: 'someone',
    severity: 'medium',
    observation: `observation ${n}`,
    evidence: [`evidence ${n}`],
    requiredObservations: [],
    prohibitedClaims: [],
    status: 'active',
    createdAt: '2026-11-25T00:00:00.000Z',
    attributes: {},
    ...partial,
  };
}

function input(partial: Partial<RankInput>): RankInput {
  return {
    traceIds: new Set(['t1', 't2', 't3', 't4']),
    feedback: [],
    tests: [],
    harness: [],
    weights: DEFAULT_FEEDBACK_WEIGHTS,
    context: { outputGlobs: ['answers/**/*.md'], sourceRoots: ['docs'], skillFile: null },
    ...partial,
  };
}

describe('rankRecommendations', () => {
  it('ranks a human-reported problem above the same amount of LLM-reported trouble', () => {
    const recs = rankRecommendations(
      input({
        feedback: [
          fb({ traceId: 't1', category: 'conflict_not_surfaced', source: 'human' }),
          fb({ traceId: 't2', category: 'failed_command', source: 'llm', verifiedBy: undefined }),
        ],
      }),
    );
    expect(recs.map((r) => r.category)).toEqual(['conflict_not_surfaced', 'failed_command']);
  });

  it('gives unverified, contradicted and rejected LLM feedback no weight at all', () => {
    for (const status of ['unverified', 'contradicted', 'rejected'] as const) {
      expect(diagnosisWeight(fb({ traceId: 't1', category: 'x', source: 'llm', status }), DEFAULT_FEEDBACK_WEIGHTS)).toBe(0);
    }
    const recs = rankRecommendations(input({ feedback: [fb({ traceId: 't1', category: 'failed_command', source: 'llm', status: 'unverified' })] }));
    expect(recs).toEqual([]);
  });

  it('counts a human-verified LLM record like a human one', () => {
    const verified = fb({ traceId: 't1', category: 'x', source: 'llm', verifiedBy: 'dana', severity: 'high' });
    const human = fb({ traceId: 't1', category: 'x', source: 'human', severity: 'high' });
    expect(diagnosisWeight(verified, DEFAULT_FEEDBACK_WEIGHTS)).toBe(diagnosisWeight(human, DEFAULT_FEEDBACK_WEIGHTS));
  });

  it('ranks by impact: the cluster that fixes more failing tests comes first', () => {
    const a = fb({ traceId: 't1', category: 'conflict_not_surfaced', source: 'human' });
    const b = fb({ traceId: 't2', category: 'failed_command', source: 'human' });
    const recs = rankRecommendations(
      input({
        feedback: [a, b],
        tests: [
          { id: 'test-a1', pass: false, feedbackIds: [a.id] },
          { id: 'test-b1', pass: false, feedbackIds: [b.id] },
          { id: 'test-b2', pass: false, feedbackIds: [b.id] },
          { id: 'test-b3', pass: false, feedbackIds: [b.id] },
          { id: 'test-ok', pass: true, feedbackIds: [a.id] },
        ],
      }),
    );
    expect(recs[0]!.category).toBe('failed_command');
    expect(recs[0]!.impact.summary).toBe('fixes 3 of 4 failing tests');
    expect(recs[1]!.impact.failingTestsFixed).toBe(1);
  });

  it('weighs severity: one critical report outranks one low report', () => {
    const recs = rankRecommendations(
      input({
        feedback: [
          fb({ traceId: 't1', category: 'failed_command', source: 'human', severity: 'low' }),
          fb({ traceId: 't2', category: 'conflict_not_surfaced', source: 'human', severity: 'critical' }),
        ],
      }),
    );
    expect(recs[0]!.category).toBe('conflict_not_surfaced');
  });

  it('prefers cheaper changes: effort divides the score', () => {
    const recs = rankRecommendations(
      input({
        feedback: [
          fb({ traceId: 't1', category: 'missing_section', source: 'detector' }), // output schema, effort M, hook layer
          fb({ traceId: 't2', category: 'errored_turn', source: 'detector' }), // config, effort S, ci layer
        ],
      }),
    );
    const schema = recs.find((r) => r.target === 'output-schema')!;
    const config = recs.find((r) => r.target === 'config-toml')!;
    expect(schema.effort.size).toBe('M');
    expect(config.score).toBeGreaterThan(schema.score);
  });

  it('prefers a hook over another AGENTS.md sentence for a mechanically checkable problem', () => {
    const recs = rankRecommendations(input({ feedback: [fb({ traceId: 't1', category: 'citation_error', source: 'human', severity: 'high' })] }));
    expect(recs.map((r) => [r.target, r.layer])).toEqual([
      ['post-tool-use-hook', 'hook'],
      ['agents-md-rule', 'review'],
    ]);
    expect(recs[0]!.motivatingLayer).toBe('review');
  });

  it('names only ids that exist, and drops feedback about traces that are not in the store', () => {
    const known = fb({ traceId: 't1', category: 'citation_error', source: 'human' });
    const stranger = fb({ traceId: 'not-in-store', category: 'citation_error', source: 'human' });
    const recs = rankRecommendations(input({ feedback: [known, stranger], tests: [{ id: 'test-1', pass: false, feedbackIds: [known.id], traceId: 'ghost' }] }));
    for (const r of recs) {
      expect(RecommendationSchema.parse(r)).toEqual(r);
      for (const id of r.evidence.traceIds) expect(['t1']).toContain(id);
      for (const id of r.evidence.feedbackIds) expect([known.id]).toContain(id);
      for (const id of r.evidence.failingTestIds) expect(['test-1']).toContain(id);
    }
  });

  it('says when a harness rule contradicts the remedy, quoting file and line', () => {
    const recs = rankRecommendations(
      input({
        feedback: [fb({ traceId: 't1', category: 'conflict_not_surfaced', source: 'human' })],
        harness: [{ path: '.agents/skills/docs/SKILL.md', text: '# Docs\n1. Search.\n2. If two files disagree, use the one that looks most recent and move on.\n' }],
        context: { outputGlobs: [], sourceRoots: [], skillFile: '.agents/skills/docs/SKILL.md' },
      }),
    );
    expect(recs[0]!.ruleStatus).toBe('contradicted');
    expect(recs[0]!.harnessQuotes[0]).toEqual({ source: '.agents/skills/docs/SKILL.md', line: 3, text: '2. If two files disagree, use the one that looks most recent and move on.' });
    expect(recs[0]!.change).toContain('replace line 3');
    expect(recs[0]!.files).toEqual(['.agents/skills/docs/SKILL.md']);
  });

  it('gives stable ids across runs', () => {
    const feedback = [fb({ traceId: 't1', category: 'citation_error', source: 'human' })];
    expect(rankRecommendations(input({ feedback })).map((r) => r.id)).toEqual(rankRecommendations(input({ feedback })).map((r) => r.id));
  });
});
