import { TRACE_SCHEMA_VERSION, emptyUsage, type HarnessFingerprint, type Span, type SourceKind, type TokenUsage, type Trace } from '../schema/trace.js';
import { maxIso, minIso } from '../util/time.js';

/** Collects the pieces of one trace as a reader streams through its source, then builds it. */
export class TraceBuilder {
  sessionId: string | null = null;
  cwd: string | null = null;
  task: string | null = null;
  finalAnswer: string | null = null;
  startTime: string | null = null;
  endTime: string | null = null;
  usage: TokenUsage = emptyUsage();
  /** Set when the source reports running totals, which win over summed model calls. */
  usageTotal: TokenUsage | null = null;
  readonly attributes: Record<string, unknown> = {};
  /** The harness the session ran under, when the reader can tell (src/ingest/harness-fingerprint.ts). */
  harness: HarnessFingerprint | null = null;
  private readonly models: string[] = [];
  private readonly spans = new Map<string, Span>();

  constructor(
    readonly id: string,
    readonly source: { kind: SourceKind; file: string; line: number },
  ) {}

  addModel(model: unknown): void {
    if (typeof model === 'string' && model !== '' && !this.models.includes(model)) this.models.push(model);
  }

  /** Widens the trace's time range to include `iso`. */
  seeTime(iso: string | null): void {
    this.startTime = minIso(this.startTime, iso);
    this.endTime = maxIso(this.endTime, iso);
  }

  addUsage(u: Partial<TokenUsage>): void {
    this.usage.inputTokens += u.inputTokens ?? 0;
    this.usage.cachedInputTokens += u.cachedInputTokens ?? 0;
    this.usage.outputTokens += u.outputTokens ?? 0;
    this.usage.reasoningOutputTokens += u.reasoningOutputTokens ?? 0;
    this.usage.totalTokens += u.totalTokens ?? (u.inputTokens ?? 0) + (u.outputTokens ?? 0);
  }

  getSpan(id: string): Span | undefined {
    return this.spans.get(id);
  }

  /** Adds a span, or merges into the one with the same id (a call and its output arrive apart). */
  upsertSpan(span: Partial<Span> & Pick<Span, 'id' | 'kind'>): Span {
    const existing = this.spans.get(span.id);
    if (existing) {
      for (const [key, value] of Object.entries(span) as [keyof Span, unknown][]) {
        if (key === 'attributes') Object.assign(existing.attributes, value);
        else if (value !== undefined && value !== null) (existing as Record<string, unknown>)[key] = value;
      }
      return existing;
    }
    const { id, kind, ...rest } = span;
    const created: Span = {
      id,
      parentId: null,
      kind,
      name: kind,
      startTime: null,
      durationMs: null,
      status: 'unset',
      error: null,
      ...rest,
      attributes: { ...(span.attributes ?? {}) },
    };
    this.spans.set(span.id, created);
    return created;
  }

  get spanCount(): number {
    return this.spans.size;
  }

  build(): Trace {
    const spans = [...this.spans.values()];
    // Stable sort keeps arrival order for spans without a start time.
    spans.sort((a, b) => (a.startTime && b.startTime ? (a.startTime < b.startTime ? -1 : a.startTime > b.startTime ? 1 : 0) : 0));
    return {
      schemaVersion: TRACE_SCHEMA_VERSION,
      id: this.id,
      source: this.source,
      sessionId: this.sessionId,
      startTime: this.startTime,
      endTime: this.endTime,
      cwd: this.cwd,
      models: this.models,
      task: this.task,
      finalAnswer: this.finalAnswer,
      usage: this.usageTotal ?? this.usage,
      spans,
      ...(this.harness ? { harness: this.harness } : {}),
      attributes: this.attributes,
    };
  }
}

/** "Process exited with code 3" / "Exit code: 0" inside Codex tool output → 3 / 0. */
export function parseExitCode(output: unknown): number | null {
  if (typeof output !== 'string') return null;
  const m = /(?:^|\n)(?:Process exited with code|Exit code:)\s*(-?\d+)/.exec(output.slice(0, 4096));
  return m ? Number(m[1]) : null;
}

/** What a Codex tool output says, whatever era wrote it. */
export interface ToolOutput {
  /** The output as the model saw it, as text (content-item lists joined, inline images named). */
  text: string | null;
  exitCode: number | null;
  durationMs: number | null;
  /** A code-mode cell that ended in a script error: its message. */
  scriptError: string | null;
}

/**
 * Reads a `function_call_output` / `custom_tool_call_output`. Up to about 0.5x Codex stored shell
 * results as a JSON string `{"output": …, "metadata": {"exit_code": N, "duration_seconds": S}}`;
 * later ones as text with `Process exited with code N`; code-mode cells and MCP results as a list
 * of content items.
 */
export function readToolOutput(output: unknown): ToolOutput {
  let text: string | null = null;
  if (typeof output === 'string') text = output;
  else if (Array.isArray(output)) {
    text = output
      .map((part) => {
        if (typeof part !== 'object' || part === null) return '';
        const p = part as Record<string, unknown>;
        if (typeof p.text === 'string') return p.text;
        return p.type === 'input_image' ? '[image]' : '';
      })
      .join('');
  }
  if (text !== null && text.startsWith('{"output"')) {
    try {
      const parsed = JSON.parse(text) as { output?: unknown; metadata?: { exit_code?: unknown; duration_seconds?: unknown } };
      const exit = parsed.metadata?.exit_code;
      const seconds = parsed.metadata?.duration_seconds;
      return {
        text: typeof parsed.output === 'string' ? parsed.output : text,
        exitCode: typeof exit === 'number' && Number.isInteger(exit) ? exit : null,
        durationMs: typeof seconds === 'number' ? Math.round(seconds * 1000) : null,
        scriptError: null,
      };
    } catch {
      // not the JSON envelope after all: plain text
    }
  }
  const scriptError = text !== null && text.startsWith('Script failed') ? (/Script error:\n([^\n]*)/.exec(text)?.[1] ?? 'script failed') : null;
  return { text, exitCode: parseExitCode(text), durationMs: null, scriptError };
}

/** Snake-case Codex usage → our usage. */
export function usageFromCodex(u: unknown): TokenUsage | null {
  if (typeof u !== 'object' || u === null) return null;
  const r = u as Record<string, unknown>;
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : Number(v ?? 0) || 0);
  const input = num(r.input_tokens);
  const output = num(r.output_tokens);
  return {
    inputTokens: input,
    cachedInputTokens: num(r.cached_input_tokens),
    outputTokens: output,
    reasoningOutputTokens: num(r.reasoning_output_tokens),
    totalTokens: r.total_tokens !== undefined ? num(r.total_tokens) : input + output,
  };
}
