import { SEVERITIES, type Feedback } from '../schema/feedback.js';

/** Claims compare case-, space- and end-punctuation-insensitively. */
function normalizeClaim(text: string): string {
  return text
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/[.!;:,]+$/, '');
}

function overlaps(a: readonly string[], b: readonly string[]): boolean {
  const set = new Set(a.map(normalizeClaim));
  return b.some((x) => set.has(normalizeClaim(x)));
}

/**
 * Whether an LLM record contradicts a human record on the same trace. Two simple rules:
 * 1. claims clash: something the human prohibits is something the LLM requires (its
 *    required observations or its observation), or the LLM prohibits what the human requires;
 * 2. severity clash: same category (and same span when both name one), severities two or more
 *    steps apart (the human rated "low" what the LLM rated "high", or the reverse).
 */
export function contradicts(llm: Feedback, human: Feedback): boolean {
  if (llm.traceId !== human.traceId) return false;
  if (overlaps(human.prohibitedClaims, [...llm.requiredObservations, llm.observation])) return true;
  if (overlaps(human.requiredObservations, llm.prohibitedClaims)) return true;
  const sameSpan = llm.spanId === undefined || human.spanId === undefined || llm.spanId === human.spanId;
  if (!sameSpan || llm.category.trim().toLowerCase() !== human.category.trim().toLowerCase()) return false;
  return Math.abs(SEVERITIES.indexOf(llm.severity) - SEVERITIES.indexOf(human.severity)) >= 2;
}

/**
 * Marks LLM records that a human record contradicts as `contradicted` (naming the human record).
 * Records stay in the list: human feedback outweighs LLM feedback, it does not erase it. LLM
 * records a human accepted (`verifiedBy`) and rejected records are left as they are.
 */
export function markContradictions(records: readonly Feedback[]): Feedback[] {
  const humansByTrace = new Map<string, Feedback[]>();
  for (const r of records) {
    if (r.source !== 'human' || r.status === 'rejected') continue;
    const list = humansByTrace.get(r.traceId) ?? [];
    list.push(r);
    humansByTrace.set(r.traceId, list);
  }
  return records.map((r) => {
    if (r.source !== 'llm' || r.verifiedBy !== undefined || r.status === 'rejected') return r;
    const human = humansByTrace.get(r.traceId)?.find((h) => contradicts(r, h));
    return human ? { ...r, status: 'contradicted', contradictedBy: human.id } : r;
  });
}
