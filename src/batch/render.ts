// What of a trace goes to the critic: a compact view with ids, task, answer, errors and tool
// traffic, without times and attributes, and with long texts cut in the middle.
import type { ElidedSpans, RenderedSpan, RenderedTrace } from '../schema/batch.js';
import type { Span, Trace } from '../schema/trace.js';
import { TokenCounter, findTokenBoundary, safeCut } from './tokens.js';

/** Longest span input or output kept whole in a normal rendering (about 4,000 tokens). */
export const FIELD_CHARS = 16_000;

/** How much of each span text a rendering keeps. */
export interface RenderLimits {
  /** Characters kept of each input/output of a span without error; 0 leaves only the marker. */
  fieldChars: number;
  /** The same for spans with an error (their error message is never cut). */
  errorFieldChars: number;
  /** Indexes (into `renderableSpans`) of spans to leave out, each run replaced by one marker. */
  dropSpans?: ReadonlySet<number>;
}

export const DEFAULT_LIMITS: RenderLimits = { fieldChars: FIELD_CHARS, errorFieldChars: FIELD_CHARS };

/** A rendering and how many characters of the trace it left out. */
export interface Rendered {
  trace: RenderedTrace;
  elidedChars: number;
}

/**
 * The marker put where text was cut: `[… 12,345 characters (3,210 tokens) elided …]`, with
 * `~3,210` when the token count is an estimate.
 */
export function formatElision(chars: number, tokens: number, approximate = false): string {
  return `[… ${formatCount(chars, 'character')} (${approximate ? '~' : ''}${formatCount(tokens, 'token')}) elided …]`;
}

/** Cut texts up to this long are counted exactly; longer ones are estimated from samples. */
const EXACT_CUT_CHARS = 32_768;
const SAMPLES = 8;
const SAMPLE_CHARS = 2_048;

/**
 * Tokens of a cut middle. Counting a 400 KB tool output exactly costs ~30 ms and shrinking
 * re-cuts it at every step; the marker only has to say roughly how much is gone, so long
 * texts are estimated from evenly spaced samples (deterministic, and marked with "~").
 */
export function countCutTokens(text: string, counter: TokenCounter): { tokens: number; approximate: boolean } {
  if (text.length <= EXACT_CUT_CHARS) return { tokens: counter.count(text), approximate: false };
  let chars = 0;
  let tokens = 0;
  const stride = Math.floor((text.length - SAMPLE_CHARS) / (SAMPLES - 1));
  for (let k = 0; k < SAMPLES; k++) {
    const from = findTokenBoundary(text, k * stride, k * stride + 256) ?? safeCut(text, k * stride);
    const to = findTokenBoundary(text, from + SAMPLE_CHARS, from + SAMPLE_CHARS - 256) ?? safeCut(text, Math.min(text.length, from + SAMPLE_CHARS));
    const sample = text.slice(from, to);
    chars += sample.length;
    tokens += counter.count(sample);
  }
  return { tokens: Math.round((tokens / Math.max(1, chars)) * text.length), approximate: true };
}

function formatCount(n: number, unit: string): string {
  return `${n.toLocaleString('en-US')} ${unit}${n === 1 ? '' : 's'}`;
}

/** Texts shorter than this past the limit are kept whole: the marker would save next to nothing. */
const SLACK_CHARS = 120;

/**
 * Keeps the head and tail of `text` (about `keepChars` together) and puts a marker saying how
 * much was cut in between. Cuts fall on line breaks where one is near, so the marker stands on
 * a line of its own, and on token boundaries, so head, middle and tail tokenize as they did in
 * the whole text.
 */
export function elideMiddle(text: string, keepChars: number, counter: TokenCounter = new TokenCounter()): { text: string; cutChars: number } {
  if (text.length <= keepChars + SLACK_CHARS) return { text, cutChars: 0 };
  const half = Math.floor(keepChars / 2);
  const window = Math.max(16, Math.floor(half / 4));
  const headEnd = half === 0 ? 0 : (findTokenBoundary(text, half, half - window, true) ?? safeCut(text, half));
  const tailFrom = text.length - half;
  const tailStart = half === 0 ? text.length : (findTokenBoundary(text, tailFrom, tailFrom + window, true) ?? safeCut(text, tailFrom));
  const middle = text.slice(headEnd, tailStart);
  const cut = countCutTokens(middle, counter);
  const marker = formatElision(middle.length, cut.tokens, cut.approximate);
  const head = text.slice(0, headEnd);
  const tail = text.slice(tailStart);
  const before = head === '' || head.endsWith('\n') ? '' : '\n';
  const after = tail === '' || tail.startsWith('\n') ? '' : '\n';
  return { text: `${head}${before}${marker}${after}${tail}`, cutChars: middle.length };
}

/** Failed steps and error events: shrinking never drops them, and never cuts their error message. */
export function isErrorSpan(span: Span): boolean {
  return span.status === 'error' || span.kind === 'error' || (span.error !== null && span.error !== '');
}

/**
 * Spans worth showing. Model calls without an error carry only token usage, which the trace
 * total already sums, and would cost ~20 tokens each in a session of hundreds of calls.
 */
export function renderableSpans(trace: Trace): Span[] {
  return trace.spans.filter((s) => s.kind !== 'model_call' || isErrorSpan(s));
}

function asText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/** Renders a trace for an LLM pass under the given limits. */
export function renderTrace(trace: Trace, limits: RenderLimits = DEFAULT_LIMITS, counter: TokenCounter = new TokenCounter()): Rendered {
  let elidedChars = 0;
  const field = (value: unknown, keep: number): string | undefined => {
    const text = asText(value);
    if (text === undefined) return undefined;
    // The task and answer are shown once; spans that repeat them point back instead.
    if (text.length > 64 && text === trace.task) return '[same as task]';
    if (text.length > 64 && text === trace.finalAnswer) return '[same as finalAnswer]';
    const cut = elideMiddle(text, keep, counter);
    elidedChars += cut.cutChars;
    return cut.text;
  };
  const spans: (RenderedSpan | ElidedSpans)[] = [];
  let dropped: { spans: number; tokens: number; chars: number; approximate: boolean } | null = null;
  const closeDropped = () => {
    if (!dropped) return;
    const { spans: n, chars, tokens, approximate } = dropped;
    spans.push({
      elided: `[… ${formatCount(n, 'span')} (${formatCount(chars, 'character')}, ${approximate ? '~' : ''}${formatCount(tokens, 'token')}) elided …]`,
      spans: n,
    });
    elidedChars += chars;
    dropped = null;
  };
  renderableSpans(trace).forEach((span, index) => {
    const keep = isErrorSpan(span) ? limits.errorFieldChars : limits.fieldChars;
    if (limits.dropSpans?.has(index)) {
      const text = JSON.stringify(renderSpan(span, asText));
      const cut = countCutTokens(text, counter);
      dropped ??= { spans: 0, tokens: 0, chars: 0, approximate: false };
      dropped.spans++;
      dropped.chars += text.length;
      dropped.tokens += cut.tokens;
      dropped.approximate ||= cut.approximate;
      return;
    }
    closeDropped();
    spans.push(renderSpan(span, (v) => field(v, keep)));
  });
  closeDropped();
  return {
    trace: {
      id: trace.id,
      source: trace.source.kind,
      startTime: trace.startTime,
      cwd: trace.cwd,
      models: trace.models,
      totalTokens: trace.usage.totalTokens,
      task: trace.task,
      finalAnswer: trace.finalAnswer,
      spans,
    },
    elidedChars,
  };
}

function renderSpan(span: Span, text: (value: unknown) => string | undefined): RenderedSpan {
  const out: RenderedSpan = { id: span.id, kind: span.kind, name: span.name, status: span.status };
  if (span.error) out.error = span.error;
  if (typeof span.exitCode === 'number') out.exitCode = span.exitCode;
  const input = text(span.input);
  if (input !== undefined) out.input = input;
  const output = text(span.output);
  if (output !== undefined) out.output = output;
  return out;
}
