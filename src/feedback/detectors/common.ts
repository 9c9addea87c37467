import { FEEDBACK_SCHEMA_VERSION, type Feedback, type Severity } from '../../schema/feedback.js';
import type { Span, Trace } from '../../schema/trace.js';
import { computeDetectorId } from '../record.js';

/** What one finding of a detector says; the common fields are filled in by `detectorRecord`. */
export interface Finding {
  spanId?: string;
  category: string;
  severity: Severity;
  observation: string;
  evidence: string[];
  /** Extra id parts when one span can yield several findings (e.g. one per cited path). */
  key?: string[];
  attributes?: Record<string, unknown>;
}

// Pure functions cannot ask the clock; the trace's own time stands in until `detect` stamps the record.
const EPOCH = '1970-01-01T00:00:00.000Z';

/** Builds a detector record with a stable id from the detector, trace, span and key. */
export function detectorRecord(trace: Trace, detector: string, finding: Finding): Feedback {
  return {
    schemaVersion: FEEDBACK_SCHEMA_VERSION,
    id: computeDetectorId(detector, trace.id, finding.spanId, ...(finding.key ?? [])),
    traceId: trace.id,
    ...(finding.spanId !== undefined ? { spanId: finding.spanId } : {}),
    source: 'detector',
    author: `harness-loop/${detector}`,
    category: finding.category,
    severity: finding.severity,
    observation: finding.observation,
    evidence: finding.evidence,
    requiredObservations: [],
    prohibitedClaims: [],
    status: 'active',
    createdAt: trace.endTime ?? trace.startTime ?? EPOCH,
    attributes: { detector, ...finding.attributes },
  };
}

/** The text a tool produced: its output, or (rollout shell items) the aggregated output. */
export function spanOutputText(span: Span): string {
  if (typeof span.output === 'string') return span.output;
  if (typeof span.attributes.aggregatedOutput === 'string') return span.attributes.aggregatedOutput;
  if (span.output === undefined || span.output === null) return '';
  return JSON.stringify(span.output);
}

/** The shell command of a tool span, from whichever place its source put it; null when none. */
export function spanCommandText(span: Span): string | null {
  const fromValue = (value: unknown): string | null => {
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.join(' ');
    return typeof value === 'string' && value !== '' ? value : null;
  };
  if (typeof span.input === 'string') {
    // Rollout function calls carry JSON arguments: {"cmd": "..."} or {"command": [...]}.
    try {
      const args = JSON.parse(span.input) as Record<string, unknown>;
      const cmd = fromValue(args.cmd) ?? fromValue(args.command);
      if (cmd) return cmd;
    } catch {
      return span.input;
    }
  }
  return fromValue(span.input) ?? fromValue(span.attributes.command);
}

/** Id of the span holding the final answer: the last assistant message. */
export function finalAnswerSpanId(trace: Trace): string | undefined {
  for (let i = trace.spans.length - 1; i >= 0; i--) {
    const span = trace.spans[i]!;
    if (span.kind === 'message' && span.name === 'assistant') return span.id;
  }
  return undefined;
}

/** Matches the text Codex gives the model when a hook blocks a call. */
export const HOOK_BLOCK_PATTERN = /blocked by ([A-Za-z]+) hook:\s*([\s\S]*?)(?:\.\s+Command:\s[\s\S]*)?$/;
