import type { Feedback } from '../schema/feedback.js';

/**
 * The id of the LLM record a review record answers (`attributes.reviewOf`), or null when the
 * record is not a review. A review is an accepted copy (`verifiedBy` set) or a rejection
 * (status `rejected`) appended by `harness-loop review`.
 */
export function reviewedIdOf(record: Feedback): string | null {
  const target = record.attributes.reviewOf;
  if (typeof target !== 'string' || target === '' || target === record.id) return null;
  return record.verifiedBy !== undefined || record.status === 'rejected' ? target : null;
}

/**
 * The store is append-only, so a human review of an LLM critique is a later record naming the
 * original in `attributes.reviewOf`. Every stage should see only the outcome: the reviewed
 * record, and any earlier review of it, leave the list; the last review (store order) stays.
 * Records nobody reviewed, and reviews of ids not in the list, are kept as they are.
 */
export function applyReviews(records: readonly Feedback[]): Feedback[] {
  const lastReview = new Map<string, string>();
  for (const r of records) {
    const target = reviewedIdOf(r);
    if (target !== null) lastReview.set(target, r.id);
  }
  if (lastReview.size === 0) return [...records];
  const ids = new Set(records.map((r) => r.id));
  return records.filter((r) => {
    if (lastReview.has(r.id)) return false;
    const target = reviewedIdOf(r);
    // An older review of the same record is superseded too; a review of an unknown id stands.
    return target === null || !ids.has(target) || lastReview.get(target) === r.id;
  });
}
