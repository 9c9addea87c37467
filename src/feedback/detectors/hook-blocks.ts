import type { Feedback } from '../../schema/feedback.js';
import type { Span, Trace } from '../../schema/trace.js';
import { quoteText } from '../record.js';
import { HOOK_BLOCK_PATTERN, detectorRecord, spanOutputText, type Finding } from './common.js';

// A Stop hook's block reaches the model as a user message `<hook_prompt hook_run_id="stop:…">R</hook_prompt>`.
const HOOK_PROMPT = /<hook_prompt\b[^>]*?hook_run_id="([^"]*)"[^>]*>([\s\S]*?)<\/hook_prompt>/;

/**
 * One record per hook block: tool outputs saying "Command blocked by PreToolUse hook: R",
 * Stop-hook continuation prompts, and hook spans that report a block or an error.
 */
export function detectHookBlocks(trace: Trace): Feedback[] {
  const out: Feedback[] = [];
  for (const span of trace.spans) {
    const finding = span.kind === 'tool_call' ? toolBlock(span) : span.kind === 'hook' ? hookSpanBlock(span) : null;
    if (finding) out.push(detectorRecord(trace, 'hook-blocks', finding));
  }
  return out;
}

function toolBlock(span: Span): Finding | null {
  const output = spanOutputText(span).slice(0, 65_536);
  const m = HOOK_BLOCK_PATTERN.exec(output);
  if (!m) return null;
  const event = m[1]!;
  const reason = m[2]!.trim() || '(no reason given)';
  return {
    spanId: span.id,
    category: 'hook_block',
    severity: 'medium',
    observation: `${event} hook blocked ${span.name}: ${quoteText(reason, 200)}`,
    evidence: [`output: ${quoteText(output)}`],
    attributes: { hookEvent: event, tool: span.name },
  };
}

function hookSpanBlock(span: Span): Finding | null {
  const output = spanOutputText(span);
  const prompt = HOOK_PROMPT.exec(output);
  if (prompt) {
    const runId = prompt[1]!;
    const event = /^stop:/i.test(runId) ? 'Stop' : (runId.split(':')[0] ?? 'hook');
    return {
      spanId: span.id,
      category: 'hook_block',
      severity: 'medium',
      observation: `${event} hook blocked the end of the turn: ${quoteText(prompt[2]!.trim() || '(no reason given)', 200)}`,
      evidence: [`hook prompt: ${quoteText(output)}`],
      attributes: { hookEvent: event, hookRunId: runId },
    };
  }
  const decision = span.attributes.decision ?? span.attributes.permissionDecision;
  if (span.status !== 'error' && decision !== 'block' && decision !== 'deny') return null;
  const reason = span.error ?? (typeof span.attributes.reason === 'string' ? span.attributes.reason : null) ?? output;
  return {
    spanId: span.id,
    category: 'hook_block',
    severity: 'medium',
    observation: `Hook ${span.name} ${span.status === 'error' && decision === undefined ? 'failed' : 'blocked'}: ${quoteText(reason || '(no reason given)', 200)}`,
    evidence: output ? [`output: ${quoteText(output)}`] : [],
    attributes: { hook: span.name },
  };
}
