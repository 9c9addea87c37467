import type { Feedback } from '../../schema/feedback.js';
import type { Trace } from '../../schema/trace.js';
import { quoteText } from '../record.js';
import { detectorRecord, finalAnswerSpanId } from './common.js';

/** "## Summary", "summary" and "Summary ##" all name the same section. */
export function normalizeHeading(text: string): string {
  return text
    .replace(/^\s*#+\s*/, '')
    .replace(/\s*#+\s*$/, '')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
}

/** Headings of a Markdown text, outside fenced code blocks. */
export function listHeadings(markdown: string): string[] {
  const headings: string[] = [];
  let fence: string | null = null;
  for (const line of markdown.split('\n')) {
    const f = /^\s{0,3}(`{3,}|~{3,})/.exec(line);
    if (f) {
      if (fence === null) fence = f[1]![0]!;
      else if (f[1]![0] === fence) fence = null;
      continue;
    }
    if (fence !== null) continue;
    const h = /^\s{0,3}#{1,6}\s+(.+)$/.exec(line);
    if (h) headings.push(normalizeHeading(h[1]!));
  }
  return headings;
}

/** One record per trace whose final answer lacks any of the required Markdown sections. */
export function detectMissingSections(trace: Trace, requiredSections: readonly string[]): Feedback[] {
  if (requiredSections.length === 0 || trace.finalAnswer === null) return [];
  const present = new Set(listHeadings(trace.finalAnswer));
  const missing = requiredSections.filter((s) => !present.has(normalizeHeading(s)));
  if (missing.length === 0) return [];
  const spanId = finalAnswerSpanId(trace);
  return [
    detectorRecord(trace, 'missing-sections', {
      ...(spanId !== undefined ? { spanId } : {}),
      category: 'missing_section',
      severity: 'medium',
      observation: `The final answer lacks the required section(s): ${missing.map((s) => `"${s}"`).join(', ')}`,
      evidence: [
        `headings present: ${present.size > 0 ? [...present].map((h) => `"${h}"`).join(', ') : 'none'}`,
        `final answer: ${quoteText(trace.finalAnswer, 300)}`,
      ],
      attributes: { missingSections: missing },
    }),
  ];
}
