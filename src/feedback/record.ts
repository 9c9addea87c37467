import { FEEDBACK_SCHEMA_VERSION, type Feedback } from '../schema/feedback.js';
import type { Redactor } from '../redact/redact.js';
import { stableId } from '../util/hash.js';

/** A record before it has an id: what add, import and the detectors assemble. */
export type FeedbackDraft = Omit<Feedback, 'id' | 'schemaVersion'>;

/**
 * The id of a human/LLM/hook record: a hash of everything that says what the feedback is
 * (not who wrote it or when), so importing the same file twice adds nothing.
 */
export function computeFeedbackId(draft: FeedbackDraft): string {
  return stableId(
    'fb_',
    draft.traceId,
    draft.spanId ?? '',
    draft.source,
    draft.category,
    draft.severity,
    draft.observation,
    JSON.stringify(draft.evidence),
    JSON.stringify(draft.requiredObservations),
    JSON.stringify(draft.prohibitedClaims),
    // Only praise adds a part, so the ids of every earlier (negative) record stay as they were.
    ...(draft.polarity === 'positive' ? ['positive'] : []),
  );
}

/**
 * The id of a detector record: the detector, trace and span (plus a detector-chosen key) define
 * the finding, so re-running after a resumed trace changes counts in the text but not the id.
 */
export function computeDetectorId(detector: string, traceId: string, spanId: string | undefined, ...key: string[]): string {
  return stableId('fb_', 'detector', detector, traceId, spanId ?? '', ...key);
}

/** Redacts every text field, then gives the record its id (so the id never hashes a secret). */
export function finishFeedback(draft: FeedbackDraft, redactor: Redactor): Feedback {
  const clean = redactor.redact(draft);
  return { schemaVersion: FEEDBACK_SCHEMA_VERSION, id: computeFeedbackId(clean), ...clean };
}

/** Serializes a record with schemaVersion and id first, the order the store relies on for quick id scans. */
export function serializeFeedback(record: Feedback): string {
  const { schemaVersion, id, ...rest } = record;
  return JSON.stringify({ schemaVersion, id, ...rest });
}

/** Quotes text for evidence, cut to `max` characters with a marker saying how much was cut. */
export function quoteText(text: string, max = 400): string {
  const trimmed = text.trim();
  if (trimmed.length <= max) return trimmed;
  return `${trimmed.slice(0, max)}… [${trimmed.length - max} more characters]`;
}
