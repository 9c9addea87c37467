import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diagnosisWeight } from '../../../src/diagnose/rank.js';
import { applyReviews } from '../../../src/feedback/reviews.js';
import { loadAllFeedback } from '../../../src/feedback/store.js';
import { effectiveWeight } from '../../../src/feedback/weights.js';
import { Redactor } from '../../../src/redact/redact.js';
import { acceptCritique, rejectCritique } from '../../../src/review/critiques.js';
import { DEFAULT_FEEDBACK_WEIGHTS, FeedbackSchema, type Feedback } from '../../../src/schema/feedback.js';

const critique: Feedback = {
  schemaVersion: 1,
  id: 'fb_llm1',
  traceId: 't1',
  source: 'llm',
  author: 'gpt-5.4-mini',
  category: 'citation_error',
  severity: 'medium',
  observation: 'Cites a file that does not say this',
  evidence: ['quote'],
  requiredObservations: [],
  prohibitedClaims: [],
  status: 'unverified',
  createdAt: '2026-11-25T10:00:00.000Z',
  attributes: { batchId: 'b1', unverifiedReason: 'quote not found' },
};
const redactor = new Redactor();

describe('acceptCritique and rejectCritique', () => {
  it('accepting makes an active, human-verified copy that names the original and weighs as human', () => {
    const out = acceptCritique(critique, 'sam', {}, '2026-11-26T10:00:00.000Z', redactor);
    const record = FeedbackSchema.parse(out.record);
    expect(record).toMatchObject({
      source: 'llm',
      status: 'active',
      verifiedBy: 'sam',
      observation: critique.observation,
      attributes: { reviewOf: 'fb_llm1', batchId: 'b1' },
    });
    expect(record.attributes.unverifiedReason).toBeUndefined();
    expect(record.id).not.toBe(critique.id);
    expect(effectiveWeight(record)).toBe(DEFAULT_FEEDBACK_WEIGHTS.human);
    expect(diagnosisWeight(record, DEFAULT_FEEDBACK_WEIGHTS)).toBeGreaterThan(diagnosisWeight({ ...critique, status: 'active' }, DEFAULT_FEEDBACK_WEIGHTS));
  });

  it('accepting with edits validates them as feedback add does, and records who edited', () => {
    expect(acceptCritique(critique, 'sam', { severity: 'huge', observation: ' ' }, '2026-11-26T10:00:00.000Z', redactor).errors).toMatchObject({
      severity: expect.stringMatching(/one of/),
    });
    const out = acceptCritique(critique, 'sam', { severity: 'high', prohibitedClaims: ['stops working immediately'] }, '2026-11-26T10:00:00.000Z', redactor);
    expect(out.record).toMatchObject({ severity: 'high', prohibitedClaims: ['stops working immediately'], attributes: { editedBy: 'sam' } });
  });

  it('rejecting needs a reason and keeps the content with status rejected', () => {
    expect(rejectCritique(critique, 'sam', '  ', '2026-11-26T10:00:00.000Z', redactor).errors).toEqual({ reason: expect.any(String) });
    const out = rejectCritique(critique, 'sam', 'the docs do say this', '2026-11-26T10:00:00.000Z', redactor);
    expect(FeedbackSchema.parse(out.record)).toMatchObject({
      status: 'rejected',
      observation: critique.observation,
      attributes: { reviewOf: 'fb_llm1', rejectReason: 'the docs do say this', reviewedBy: 'sam' },
    });
    expect(effectiveWeight(out.record!)).toBe(0);
  });
});

describe('applyReviews', () => {
  const accept = acceptCritique(critique, 'sam', {}, '2026-11-26T10:00:00.000Z', redactor).record!;
  const reject = rejectCritique(critique, 'kim', 'wrong', '2026-11-27T10:00:00.000Z', redactor).record!;
  const other: Feedback = { ...critique, id: 'fb_other', traceId: 't2' };

  it('replaces a reviewed record by its review and leaves the rest alone', () => {
    expect(applyReviews([critique, other, accept]).map((r) => r.id)).toEqual(['fb_other', accept.id]);
    expect(applyReviews([critique, other])).toEqual([critique, other]);
  });

  it('keeps only the last review of a record, in store order', () => {
    expect(applyReviews([critique, accept, reject]).map((r) => r.id)).toEqual([reject.id]);
    expect(applyReviews([critique, reject, accept]).map((r) => r.id)).toEqual([accept.id]);
  });

  it('ignores reviewOf on records that are neither accepted nor rejected', () => {
    const note = { ...other, id: 'fb_note', attributes: { reviewOf: 'fb_llm1' } };
    expect(applyReviews([critique, note]).map((r) => r.id)).toEqual(['fb_llm1', 'fb_note']);
  });

  it('is what loadAllFeedback returns, so every stage sees the review', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'hl-reviews-')), 'feedback');
    mkdirSync(dir);
    writeFileSync(join(dir, 'feedback.jsonl'), [critique, other, reject].map((r) => JSON.stringify(r)).join('\n') + '\n');
    expect((await loadAllFeedback(dir)).map((r) => [r.id, r.status])).toEqual([
      ['fb_other', 'unverified'],
      [reject.id, 'rejected'],
    ]);
  });
});
