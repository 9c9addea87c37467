import { describe, expect, it } from 'vitest';
import { FeedbackSchema, type Feedback } from '../../../src/schema/feedback.js';
import { defaultConfig } from './helpers.js';

const good: Feedback = {
  schemaVersion: 1,
  id: 'fb_0123456789abcdef',
  traceId: 't1',
  source: 'human',
  author: 'ana',
  category: 'citation_error',
  severity: 'high',
  observation: 'Cites a file that does not exist.',
  evidence: ['docs/missing.md'],
  requiredObservations: [],
  prohibitedClaims: [],
  status: 'active',
  createdAt: '2026-12-01T10:00:00.000Z',
  attributes: {},
};

describe('FeedbackSchema', () => {
  it('accepts a complete record, free-text categories included', () => {
    expect(FeedbackSchema.parse(good)).toEqual(good);
    expect(FeedbackSchema.safeParse({ ...good, category: 'my own category' }).success).toBe(true);
  });

  it('rejects unknown severities, sources and statuses, naming the field', () => {
    const result = FeedbackSchema.safeParse({ ...good, severity: 'urgent', source: 'robot', status: 'maybe' });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.path.join('.')).sort()).toEqual(['severity', 'source', 'status']);
  });

  it('rejects a stored weight: weights are derived from config, never stored', () => {
    const result = FeedbackSchema.safeParse({ ...good, weight: 1 });
    expect(result.success).toBe(false);
  });

  it('rejects empty observations and non-UTC times', () => {
    const result = FeedbackSchema.safeParse({ ...good, observation: '  ', createdAt: '2026-12-01 10:00' });
    expect(result.error!.issues.map((i) => i.path.join('.')).sort()).toEqual(['createdAt', 'observation']);
  });
});

describe('feedback config', () => {
  it('defaults to human 1.0, detector 0.8, hook 0.8, llm 0.4, no required sections', () => {
    const config = defaultConfig();
    expect(config.feedback.weights).toEqual({ human: 1, detector: 0.8, hook: 0.8, llm: 0.4 });
    expect(config.feedback.requiredSections).toEqual([]);
    expect(config.feedback.tokenBudget).toBeGreaterThan(0);
  });

  it('fills unspecified weights with their defaults', () => {
    expect(defaultConfig({ feedback: { weights: { llm: 0.1 } } }).feedback.weights).toEqual({ human: 1, detector: 0.8, hook: 0.8, llm: 0.1 });
  });
});
