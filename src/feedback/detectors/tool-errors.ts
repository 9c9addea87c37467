import type { Feedback } from '../../schema/feedback.js';
import type { Trace } from '../../schema/trace.js';
import { quoteText } from '../record.js';
import { HOOK_BLOCK_PATTERN, detectorRecord, spanOutputText } from './common.js';

/**
 * One record per tool call that failed for a reason other than a non-zero exit code
 * (those belong to failed-commands) or a hook block (hook-blocks): bad arguments, a failed
 * patch, an MCP error, a declined command.
 */
export function detectToolErrors(trace: Trace): Feedback[] {
  const out: Feedback[] = [];
  for (const span of trace.spans) {
    if (span.kind !== 'tool_call' || span.status !== 'error') continue;
    if (typeof span.exitCode === 'number' && span.exitCode !== 0) continue;
    const output = spanOutputText(span);
    if (HOOK_BLOCK_PATTERN.test(output.slice(0, 65_536))) continue;
    const error = span.error ?? 'failed';
    out.push(
      detectorRecord(trace, 'tool-errors', {
        spanId: span.id,
        category: 'tool_error',
        severity: 'medium',
        observation: `Tool ${span.name} failed: ${quoteText(error, 200)}`,
        evidence: [`error: ${quoteText(error, 300)}`, ...(output ? [`output: ${quoteText(output)}`] : [])],
        attributes: { tool: span.name },
      }),
    );
  }
  return out;
}
