// Checks the critic's observations against the stored traces before they count: an LLM may cite
// a trace it never saw or "quote" words nobody wrote. Pure: traces in, feedback records out.
import type { Critique, CritiqueObservation } from '../schema/critique.js';
import type { Feedback } from '../schema/feedback.js';
import type { Trace } from '../schema/trace.js';
import type { Redactor } from '../redact/redact.js';
import { finishFeedback } from '../feedback/record.js';

/** What of a trace the check needs: its span ids and its texts, whitespace-normalized. */
export interface TraceEvidence {
  id: string;
  spanIds: ReadonlySet<string>;
  texts: readonly string[];
}

/** Collapses every run of whitespace to one space and trims, so line breaks and indentation do not matter. */
export function normalizeWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * Every text a quote may come from. Objects count as their JSON and as each string inside them;
 * a string holding JSON (tool-call arguments) counts as itself and as the strings inside it,
 * because the critic reads `{"cmd":"grep -rn \"Pro\" docs"}` and quotes `grep -rn "Pro" docs`.
 */
function collectTexts(value: unknown, out: string[], depth = 0): void {
  if (value === undefined || value === null || depth > 20) return;
  if (typeof value === 'string') {
    out.push(value);
    const head = value.trimStart()[0];
    if (depth === 0 && (head === '{' || head === '[')) {
      try {
        collectLeaves(JSON.parse(value) as unknown, out, depth + 1);
      } catch {
        // Not JSON after all: the string itself is enough.
      }
    }
    return;
  }
  if (typeof value === 'number' || typeof value === 'boolean') {
    out.push(String(value));
    return;
  }
  out.push(JSON.stringify(value));
  collectLeaves(value, out, depth + 1);
}

function collectLeaves(value: unknown, out: string[], depth: number): void {
  if (depth > 20 || value === null || value === undefined) return;
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) collectLeaves(v, out, depth + 1);
  else if (typeof value === 'object') for (const v of Object.values(value)) collectLeaves(v, out, depth + 1);
}

/** Indexes one stored trace for the evidence check. */
export function indexTraceEvidence(trace: Trace): TraceEvidence {
  const raw: string[] = [];
  collectTexts(trace.task, raw);
  collectTexts(trace.finalAnswer, raw);
  for (const span of trace.spans) {
    raw.push(span.name);
    collectTexts(span.error, raw);
    collectTexts(span.input, raw);
    collectTexts(span.output, raw);
  }
  return { id: trace.id, spanIds: new Set(trace.spans.map((s) => s.id)), texts: [...new Set(raw.map(normalizeWhitespace).filter((t) => t !== ''))] };
}

// A model copying from the JSON lines of the prompt sometimes keeps the escapes (`\n`, `\"`).
function unescapeJsonText(quote: string): string {
  return quote.replace(/\\(["\\/nrt])/g, (_, c: string) => ({ n: '\n', r: '\r', t: '\t' })[c] ?? c);
}

/** Whether a quote occurs in one of the trace's texts (whitespace-normalized, case-sensitive). */
export function quoteOccurs(quote: string, evidence: TraceEvidence): boolean {
  const candidates = new Set([normalizeWhitespace(quote), normalizeWhitespace(unescapeJsonText(quote))]);
  return [...candidates].some((q) => q !== '' && evidence.texts.some((t) => t.includes(q)));
}

function shorten(text: string, max = 80): string {
  const flat = normalizeWhitespace(text);
  return flat.length <= max ? flat : `${flat.slice(0, max)}…`;
}

/**
 * Why an observation cannot be trusted, or undefined when it checks out: its trace must be one
 * of `traces` (the batch's traces), its span (when named) must be in that trace, it must quote
 * something, and every quote must occur in that trace.
 */
export function checkObservation(observation: CritiqueObservation, traces: ReadonlyMap<string, TraceEvidence>): string | undefined {
  const trace = traces.get(observation.traceId);
  if (!trace) return `unknown trace "${observation.traceId}": not among the stored traces of this batch`;
  if (observation.spanId !== null && !trace.spanIds.has(observation.spanId)) return `unknown span "${observation.spanId}" in trace "${observation.traceId}"`;
  if (observation.evidence.length === 0) return 'no evidence quoted';
  const missing = observation.evidence.filter((quote) => !quoteOccurs(quote, trace));
  if (missing.length === 0) return undefined;
  const more = missing.length > 1 ? ` (and ${missing.length - 1} more quote(s))` : '';
  return `evidence not found in trace "${observation.traceId}": "${shorten(missing[0]!)}"${more}`;
}

/** Where a critic answer came from, stamped on each record. */
export interface CritiqueContext {
  batchId: string;
  /** Critic model; becomes the records' author. */
  model: string;
  /** ISO-8601 UTC creation time of the records. */
  now: string;
  /** The batch's traces as stored, by id. */
  traces: ReadonlyMap<string, TraceEvidence>;
  redactor: Redactor;
}

/**
 * Turns a validated critic answer into LLM feedback records: `active` when the observation
 * checks out against the traces, `unverified` (with `attributes.unverifiedReason`) when not.
 * Unverified records are kept for people to review; they never become tests.
 */
export function critiqueToFeedback(critique: Critique, context: CritiqueContext): Feedback[] {
  return critique.observations.map((o) => {
    const reason = checkObservation(o, context.traces);
    return finishFeedback(
      {
        traceId: o.traceId,
        ...(o.spanId !== null ? { spanId: o.spanId } : {}),
        source: 'llm',
        author: context.model,
        category: o.category,
        severity: o.severity,
        observation: o.observation,
        evidence: o.evidence,
        requiredObservations: o.requiredObservations,
        prohibitedClaims: o.prohibitedClaims,
        status: reason === undefined ? 'active' : 'unverified',
        createdAt: context.now,
        attributes: { batchId: context.batchId, ...(reason !== undefined ? { unverifiedReason: reason } : {}) },
      },
      context.redactor,
    );
  });
}
