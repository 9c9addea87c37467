// One turn of a Codex conversation: its model calls, tool calls, answer and errors, built from the
// turn's `codex.*` log events in order (see codex-otel-build.ts for how turns are found).
import { emptyUsage, type TokenUsage } from '../schema/trace.js';
import { millisBetween, toNumber } from '../util/time.js';
import { str } from './source.js';
import { parseExitCode, type TraceBuilder } from './trace-builder.js';
import type { CodexEvent, ToolSpanInfo, TurnSpanInfo } from './codex-otel.js';

/** What the exported spans of a conversation add, indexed for lookups. */
export interface SpanIndex {
  /** Tool spans by call id (a mock may reuse one id across turns). */
  tools: Map<string, ToolSpanInfo[]>;
  /** Turn spans by Codex turn id. */
  turns: Map<string, TurnSpanInfo>;
  /** Turn ids under each trace id (one per `turn/start` trace unless TRACEPARENT joined them). */
  turnIdsByTrace: Map<string, string[]>;
  /** Working directory from `run_sampling_request`. */
  cwd: string | null;
  /** Spans linked to the conversation. */
  spans: number;
  /** Of those, spans with status error. */
  errorSpans: number;
  /** Tool spans already matched to a call, so a reused call id takes the next one. */
  usedTools: Set<ToolSpanInfo>;
}

function usageOf(a: Record<string, unknown>): TokenUsage {
  const input = toNumber(a.input_token_count) ?? 0;
  const output = toNumber(a.output_token_count) ?? 0;
  return {
    inputTokens: input,
    cachedInputTokens: toNumber(a.cached_token_count) ?? 0,
    outputTokens: output,
    reasoningOutputTokens: toNumber(a.reasoning_token_count) ?? 0,
    totalTokens: input + output,
  };
}

function minusMillis(iso: string | null, ms: number | null): string | null {
  if (!iso || ms === null) return iso;
  return new Date(Date.parse(iso) - Math.round(ms)).toISOString();
}

function firstLine(text: unknown): string | null {
  return typeof text === 'string' && text.trim() !== '' ? text.split('\n')[0]!.slice(0, 500) : null;
}

/** Drops empty values so span attributes stay small. */
export function defined(attributes: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(attributes).filter(([, v]) => v !== undefined && v !== null && v !== ''));
}

/** Applies one turn's events to the trace builder, then closes the turn span with `finish`. */
export class TurnAssembler {
  private readonly toolIds = new Map<string, string>();
  private readonly toolSpans = new Map<string, ToolSpanInfo>();
  private lastCall: { id: string; start: string | null; failed: boolean; completed: boolean } | null = null;
  private lastError: string | null = null;
  private answered = false;
  private completed = false;
  private readonly usage: TokenUsage = emptyUsage();

  constructor(
    private readonly b: TraceBuilder,
    private readonly turnId: string,
    private readonly spans: SpanIndex,
    private readonly uniqueId: (base: string) => string,
  ) {}

  apply(e: CodexEvent): void {
    const a = e.attributes;
    switch (e.name) {
      case 'codex.api_request':
        return this.apiRequest(e);
      case 'codex.sse_event':
        return this.sseEvent(e);
      case 'codex.turn_ttft':
        this.b.upsertSpan({ id: this.turnId, kind: 'turn', attributes: { ttftMs: toNumber(a.duration_ms) } });
        return;
      case 'codex.tool_decision':
      case 'codex.tool_result':
      case 'codex.sandbox_outcome':
        return this.tool(e);
      case 'codex.agent_response': {
        const text = str(a.response);
        if (text === null) return;
        this.answered = true;
        this.b.finalAnswer = text;
        this.b.upsertSpan({ id: this.turnId, kind: 'turn', output: text });
        this.b.upsertSpan({
          id: this.uniqueId(str(a['item.id']) ?? `message-${e.order}`),
          kind: 'message',
          parentId: this.turnId,
          name: 'assistant',
          startTime: e.time,
          output: text,
          status: 'ok',
          attributes: defined({
            agentType: a['agent.type'],
            responseLength: toNumber(a.response_length),
            responseTruncated: a.response_truncated,
            parentConversationId: a['parent.conversation.id'],
          }),
        });
        return;
      }
      default:
        return; // other codex.* events are counted on the trace
    }
  }

  private apiRequest(e: CodexEvent): void {
    const a = e.attributes;
    const status = toNumber(a['http.response.status_code']);
    const message = str(a['error.message']);
    const duration = toNumber(a.duration_ms);
    const failed = (status !== null && status >= 400) || message !== null;
    const error = failed ? (message ?? `HTTP ${status}`) : null;
    const id = this.uniqueId(`model-${e.order}`);
    // The record is written when the response headers arrive, duration_ms after the request left.
    const start = minusMillis(e.time, duration);
    this.b.upsertSpan({
      id,
      kind: 'model_call',
      parentId: this.turnId,
      name: str(a.model) ?? 'model',
      startTime: start,
      durationMs: duration,
      status: failed ? 'error' : 'unset',
      error,
      attributes: defined({ httpStatus: status, attempt: toNumber(a.attempt), endpoint: a.endpoint, otelSpanId: e.spanId }),
    });
    this.lastCall = { id, start, failed, completed: false };
    if (failed) this.addError(e, error!, { httpStatus: status, attempt: toNumber(a.attempt) });
  }

  private sseEvent(e: CodexEvent): void {
    const a = e.attributes;
    const message = str(a['error.message']);
    if (message) {
      if (this.lastCall) this.b.upsertSpan({ id: this.lastCall.id, kind: 'model_call', status: 'error', error: message });
      if (this.lastCall) this.lastCall.failed = true;
      this.addError(e, message, { eventKind: a['event.kind'] });
      return;
    }
    const usage = usageOf(a);
    this.b.addUsage(usage);
    for (const key of Object.keys(usage) as (keyof TokenUsage)[]) this.usage[key] += usage[key];
    if (!this.lastCall) {
      // Completion without its request record (an earlier batch was lost): still a model call.
      const id = this.uniqueId(`model-${e.order}`);
      this.b.upsertSpan({ id, kind: 'model_call', parentId: this.turnId, name: str(a.model) ?? 'model', startTime: e.time });
      this.lastCall = { id, start: e.time, failed: false, completed: false };
    }
    const span = this.b.upsertSpan({
      id: this.lastCall.id,
      kind: 'model_call',
      status: this.lastCall.failed ? 'error' : 'ok',
      output: usage,
      attributes: defined({
        ttftMs: toNumber(a.ttft_ms),
        reasoningEffort: a.model_reasoning_effort,
        cacheWriteTokens: toNumber(a.cache_write_token_count),
      }),
    });
    const untilDone = millisBetween(this.lastCall.start, e.time);
    if (untilDone !== null && untilDone > (span.durationMs ?? 0)) span.durationMs = untilDone;
    this.lastCall.completed = true;
    this.completed = true;
    this.lastError = null;
  }

  private tool(e: CodexEvent): void {
    const a = e.attributes;
    const callId = str(a.call_id);
    if (!callId) return;
    let id = this.toolIds.get(callId);
    if (!id) {
      // A reused call id in a later turn (mock models do this) must not overwrite the earlier call.
      const clash = this.b.getSpan(callId);
      if (clash && clash.parentId === this.turnId)
        id = callId; // the same turn, continued in a later batch
      else id = this.uniqueId(clash ? `${callId}@${this.turnId}` : callId);
      this.toolIds.set(callId, id);
    }
    const existing = this.b.getSpan(id);
    const name = str(a.tool_name) ?? existing?.name ?? 'tool';
    if (e.name === 'codex.sandbox_outcome') {
      this.b.upsertSpan({ id, kind: 'tool_call', parentId: this.turnId, name, attributes: defined({ sandboxOutcome: a.outcome }) });
      return;
    }
    if (e.name === 'codex.tool_decision') {
      const decision = str(a.decision);
      const denied = decision !== null && /^(denied|abort)/.test(decision);
      this.b.upsertSpan({
        id,
        kind: 'tool_call',
        parentId: this.turnId,
        name,
        startTime: existing?.startTime ?? e.time,
        ...(denied ? { status: 'error' as const, error: `tool call ${decision}` } : {}),
        attributes: defined({ decision, decisionSource: a.source, namespace: a.tool_namespace }),
      });
    } else {
      const output = a.output;
      const exitCode = parseExitCode(output);
      const dispatchFailed = a.success === 'false' || a.success === false;
      const failedByCode = exitCode !== null && exitCode !== 0;
      const duration = toNumber(a.duration_ms);
      const span = this.b.upsertSpan({
        id,
        kind: 'tool_call',
        parentId: this.turnId,
        name,
        startTime: existing?.startTime ?? minusMillis(e.time, duration),
        durationMs: duration,
        input: a.arguments,
        output,
        exitCode,
        attributes: defined({
          namespace: a.tool_namespace,
          success: a.success,
          outputTruncated: a.output_truncated,
          agentName: a.agent_name,
          mcpServer: a.mcp_server,
          mcpServerOrigin: a.mcp_server_origin,
          toolResultSeq: toNumber(a.tool_result_seq),
        }),
      });
      if (dispatchFailed || failedByCode) {
        span.status = 'error';
        span.error = dispatchFailed ? (firstLine(output) ?? 'tool call failed') : `command exited with code ${exitCode}`;
      } else if (span.status === 'unset') {
        span.status = 'ok';
      }
    }
    this.applyToolSpan(id, callId);
  }

  /** Exact start and duration from the tool's own span, when spans were exported. */
  private applyToolSpan(id: string, callId: string): void {
    let info = this.toolSpans.get(id);
    if (!info) {
      const candidates = (this.spans.tools.get(callId) ?? []).filter((t) => !this.spans.usedTools.has(t));
      info = candidates.find((t) => t.turnId === this.turnId) ?? candidates.find((t) => t.turnId === null);
      if (!info) return;
      this.spans.usedTools.add(info);
      this.toolSpans.set(id, info);
    }
    const span = this.b.getSpan(id)!;
    if (info.startTime) span.startTime = info.startTime;
    if (info.durationMs !== null) span.durationMs = Math.round(info.durationMs * 1000) / 1000;
    Object.assign(span.attributes, defined({ toolSource: info.toolSource, aborted: info.aborted }));
  }

  private addError(e: CodexEvent, message: string, attributes: Record<string, unknown>): void {
    this.lastError = message;
    this.b.upsertSpan({
      id: this.uniqueId(`error-${e.order}`),
      kind: 'error',
      parentId: this.turnId,
      name: e.name,
      startTime: e.time,
      status: 'error',
      error: message,
      attributes: defined(attributes),
    });
  }

  /** Closes the turn span: status from the last model call, duration from spans or events. */
  finish(start: string | null, end: string | null): void {
    const info = this.spans.turns.get(this.turnId);
    const turn = this.b.upsertSpan({
      id: this.turnId,
      kind: 'turn',
      durationMs: info?.durationMs != null ? Math.round(info.durationMs * 1000) / 1000 : millisBetween(start, end),
      attributes: { usage: { ...this.usage } },
    });
    if (this.lastCall?.failed && !this.lastCall.completed) {
      turn.status = 'error';
      turn.error = this.lastError ?? 'model request failed';
    } else if (this.completed || this.answered) {
      turn.status = 'ok';
    }
  }
}
