import type { Feedback } from '../../schema/feedback.js';
import type { Trace } from '../../schema/trace.js';
import { quoteText } from '../record.js';
import { detectorRecord } from './common.js';

/** One record per turn that ended in an error (model failure, abort), and per turn failure outside any turn. */
export function detectErroredTurns(trace: Trace): Feedback[] {
  const out: Feedback[] = [];
  const turnIds = new Set(trace.spans.filter((s) => s.kind === 'turn').map((s) => s.id));
  for (const span of trace.spans) {
    const isTurn = span.kind === 'turn' && span.status === 'error';
    // exec --json can report turn.failed before any turn.started; the error span is all there is.
    const orphanFailure = span.kind === 'error' && span.name === 'turn.failed' && (span.parentId === null || !turnIds.has(span.parentId));
    if (!isTurn && !orphanFailure) continue;
    const error = span.error ?? 'unknown error';
    const aborted = /^turn aborted\b/.test(error);
    out.push(
      detectorRecord(trace, 'errored-turns', {
        spanId: span.id,
        category: 'errored_turn',
        severity: aborted ? 'medium' : 'high',
        observation: `${aborted ? 'Turn was aborted' : 'Turn ended in an error'}: ${quoteText(error, 200)}`,
        evidence: [`error: ${quoteText(error, 400)}`],
      }),
    );
  }
  return out;
}
