import type { Config } from '../schema/config.js';
import { DEFAULT_FEEDBACK_WEIGHTS, type Feedback } from '../schema/feedback.js';

/**
 * How much a record counts downstream. Contradicted and rejected records count 0; an LLM record
 * a human accepted (`verifiedBy`) counts as human; everything else counts its source's weight.
 */
export function effectiveWeight(record: Feedback, config?: Pick<Config, 'feedback'>): number {
  const weights = config?.feedback?.weights ?? DEFAULT_FEEDBACK_WEIGHTS;
  if (record.status === 'contradicted' || record.status === 'rejected') return 0;
  if (record.source === 'llm' && record.verifiedBy !== undefined) return weights.human;
  return weights[record.source];
}
