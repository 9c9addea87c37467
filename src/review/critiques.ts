// Accepting or rejecting an LLM critique. The store is append-only, so a review is a new record
// naming the original in `attributes.reviewOf`; `applyReviews` (src/feedback/reviews.ts) makes
// every stage see the review instead of the original.
import type { Feedback } from '../schema/feedback.js';
import { normalizeFeedback, type FieldIssue } from '../feedback/normalize.js';
import type { Redactor } from '../redact/redact.js';
import { stableId } from '../util/hash.js';

/** What a reviewer may change before accepting. */
export interface CritiqueEdits {
  category?: string;
  severity?: string;
  observation?: string;
  evidence?: string[];
  requiredObservations?: string[];
  prohibitedClaims?: string[];
}

/** A review record, or the fields that stop it (keys named as the form names them). */
export type ReviewOutcome = { record: Feedback; errors: null } | { record: null; errors: Record<string, string> };

const FORM_FIELD: Record<string, string> = {
  category: 'category',
  severity: 'severity',
  observation: 'observation',
  evidence: 'evidence',
  required_observations: 'requiredObservations',
  prohibited_claims: 'prohibitedClaims',
  verified_by: 'reviewer',
  author: 'reviewer',
};

function toErrors(issues: readonly FieldIssue[]): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of issues) {
    const field = FORM_FIELD[issue.key.replace(/\[\d+\]$/, '')] ?? issue.key;
    errors[field] ??= issue.message;
  }
  return errors;
}

/**
 * An accepted critique: the LLM record (with the reviewer's edits) as `active`, `verifiedBy` the
 * reviewer, so it weighs as human and becomes a test. Edited text goes through the same
 * normalization and redaction as `feedback add`.
 */
export function acceptCritique(original: Feedback, reviewer: string, edits: CritiqueEdits, now: string, redactor: Redactor): ReviewOutcome {
  if (reviewer.trim() === '') return { record: null, errors: { reviewer: 'who is reviewing must not be empty' } };
  const edited = Object.values(edits).some((v) => v !== undefined);
  const result = normalizeFeedback(
    {
      trace_id: original.traceId,
      ...(original.spanId !== undefined ? { span_id: original.spanId } : {}),
      source: 'llm',
      author: original.author,
      category: edits.category ?? original.category,
      severity: edits.severity ?? original.severity,
      observation: edits.observation ?? original.observation,
      evidence: edits.evidence ?? original.evidence,
      required_observations: edits.requiredObservations ?? original.requiredObservations,
      prohibited_claims: edits.prohibitedClaims ?? original.prohibitedClaims,
      status: 'active',
      verified_by: reviewer,
      created_at: now,
    },
    { defaultSource: 'llm', defaultAuthor: original.author, now, redactor },
  );
  if (!result.record) return { record: null, errors: toErrors(result.issues) };
  const attributes: Record<string, unknown> = { ...original.attributes, reviewOf: original.id, reviewedAt: now, ...(edited ? { editedBy: reviewer } : {}) };
  delete attributes.unverifiedReason;
  return { record: withReviewId({ ...result.record, attributes }, 'accept'), errors: null };
}

/** A rejected critique: the same content, status `rejected`, with who rejected it and why. */
export function rejectCritique(original: Feedback, reviewer: string, reason: string, now: string, redactor: Redactor): ReviewOutcome {
  const errors: Record<string, string> = {};
  if (reason.trim() === '') errors.reason = 'say why the critique is wrong';
  if (reviewer.trim() === '') errors.reviewer = 'who is reviewing must not be empty';
  if (Object.keys(errors).length > 0) return { record: null, errors };
  const { id: _id, contradictedBy: _c, verifiedBy: _v, ...rest } = original;
  const attributes = {
    ...original.attributes,
    reviewOf: original.id,
    reviewedAt: now,
    reviewedBy: redactor.redact(reviewer),
    rejectReason: redactor.redact(reason),
  };
  return { record: withReviewId({ ...rest, id: '', status: 'rejected', createdAt: now, attributes }, 'reject'), errors: null };
}

/**
 * A review's id: content ids would equal the original's (same text), so the id hashes the
 * reviewed id, the verdict, the content and the time: each decision is its own record.
 */
function withReviewId(record: Feedback, verdict: 'accept' | 'reject'): Feedback {
  const id = stableId(
    'fb_',
    'review',
    String(record.attributes.reviewOf),
    verdict,
    record.createdAt,
    JSON.stringify([record.category, record.severity, record.observation, record.evidence, record.requiredObservations, record.prohibitedClaims]),
  );
  return { ...record, id };
}
