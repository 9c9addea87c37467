import type { Feedback } from '../../schema/feedback.js';
import type { Trace } from '../../schema/trace.js';
import { quoteText } from '../record.js';
import { detectorRecord, spanCommandText, spanOutputText } from './common.js';
import { DEFAULT_IGNORE_RULES, expectedFailure, unwrapShell, type IgnoreRules, type SkippedFinding } from './expected-failures.js';

// Exit 1 from a search or test means "nothing found" / "false", which is often the answer the agent wanted.
const QUERY_COMMAND = /^(?:\/bin\/(?:ba)?sh -lc ['"]?)?\s*(?:rg|grep|egrep|fgrep|ag|git grep|test|\[)\b/;

/**
 * One record per shell command that exited with a code other than 0, except expected failures
 * (asked for by the task, probes, commands that later succeeded), which go to `skip` with the reason.
 */
export function detectFailedCommands(trace: Trace, rules: IgnoreRules = DEFAULT_IGNORE_RULES, skip: (s: SkippedFinding) => void = () => {}): Feedback[] {
  const out: Feedback[] = [];
  for (const [index, span] of trace.spans.entries()) {
    if (span.kind !== 'tool_call' || typeof span.exitCode !== 'number' || span.exitCode === 0) continue;
    const command = spanCommandText(span) ?? span.name;
    const expected = expectedFailure(trace, index, rules);
    if (expected) {
      skip({ traceId: trace.id, spanId: span.id, detector: 'failed-commands', command: quoteText(command, 200), exitCode: span.exitCode, ...expected });
      continue;
    }
    const output = spanOutputText(span);
    out.push(
      detectorRecord(trace, 'failed-commands', {
        spanId: span.id,
        category: 'failed_command',
        severity: span.exitCode === 1 && QUERY_COMMAND.test(command) ? 'low' : 'medium',
        observation: `Command exited with code ${span.exitCode}: ${quoteText(command, 200)}`,
        evidence: [`command: ${quoteText(command, 300)}`, ...(output ? [`output: ${quoteText(output)}`] : [])],
        attributes: { exitCode: span.exitCode, tool: span.name, command: unwrapShell(command).slice(0, 1000) },
      }),
    );
  }
  return out;
}
