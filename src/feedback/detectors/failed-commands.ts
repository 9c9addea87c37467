import type { Feedback } from '../../schema/feedback.js';
import type { Trace } from '../../schema/trace.js';
import { quoteText } from '../record.js';
import { detectorRecord, spanCommandText, spanOutputText } from './common.js';

// Exit 1 from a search or test means "nothing found" / "false", which is often the answer the agent wanted.
const QUERY_COMMAND = /^(?:\/bin\/(?:ba)?sh -lc ['"]?)?\s*(?:rg|grep|egrep|fgrep|ag|git grep|test|\[)\b/;

/** One record per shell command that exited with a code other than 0. */
export function detectFailedCommands(trace: Trace): Feedback[] {
  const out: Feedback[] = [];
  for (const span of trace.spans) {
    if (span.kind !== 'tool_call' || typeof span.exitCode !== 'number' || span.exitCode === 0) continue;
    const command = spanCommandText(span) ?? span.name;
    const output = spanOutputText(span);
    out.push(
      detectorRecord(trace, 'failed-commands', {
        spanId: span.id,
        category: 'failed_command',
        severity: span.exitCode === 1 && QUERY_COMMAND.test(command) ? 'low' : 'medium',
        observation: `Command exited with code ${span.exitCode}: ${quoteText(command, 200)}`,
        evidence: [`command: ${quoteText(command, 300)}`, ...(output ? [`output: ${quoteText(output)}`] : [])],
        attributes: { exitCode: span.exitCode, tool: span.name },
      }),
    );
  }
  return out;
}
