import type { Feedback, Severity } from '../../schema/feedback.js';
import type { Trace } from '../../schema/trace.js';
import { detectorRecord } from './common.js';

/** One record when the whole trace used more tokens than `budget` (cached input included). */
export function detectRunawayTokens(trace: Trace, budget: number): Feedback[] {
  const used = trace.usage.totalTokens;
  if (!(budget > 0) || used <= budget) return [];
  const ratio = used / budget;
  const severity: Severity = ratio >= 4 ? 'critical' : ratio >= 2 ? 'high' : 'medium';
  const u = trace.usage;
  return [
    detectorRecord(trace, 'runaway-tokens', {
      category: 'runaway_tokens',
      severity,
      observation: `The trace used ${formatCount(used)} tokens, ${ratio.toFixed(1)}x the budget of ${formatCount(budget)}`,
      evidence: [
        `usage: ${formatCount(u.inputTokens)} input (${formatCount(u.cachedInputTokens)} cached), ` +
          `${formatCount(u.outputTokens)} output (${formatCount(u.reasoningOutputTokens)} reasoning)`,
        `model calls: ${trace.spans.filter((s) => s.kind === 'model_call').length}, tool calls: ${trace.spans.filter((s) => s.kind === 'tool_call').length}`,
      ],
      attributes: { totalTokens: used, budget },
    }),
  ];
}

function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}
