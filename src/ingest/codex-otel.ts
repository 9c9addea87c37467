// Codex OpenTelemetry export (codex-cli 0.169.0): `codex.*` log records carry the content, keyed
// by `conversation.id`; spans carry only structure and timing. One conversation arrives over many
// POSTs (or collector lines), so records are gathered here and built into one trace per
// conversation on demand. Shared by the file readers (otlp.ts) and the receiver.
import type { Trace, TraceSource } from '../schema/trace.js';
import { isoFromNanos, isoFromString } from '../util/time.js';
import { buildConversationTrace } from './codex-otel-build.js';
import { iterateLogRecords, iterateSpans, readNanos } from './otlp-body.js';
import { str } from './source.js';

/** One Codex log event kept for assembly. */
export interface CodexEvent {
  /** `attributes["event.name"]`, e.g. `codex.tool_result`. */
  name: string;
  attributes: Record<string, unknown>;
  /** ISO time of the event, null when the record has none. */
  time: string | null;
  /** Nanoseconds used for ordering; records of one process share a clock. */
  order: bigint;
  /** Arrival number, the tie-breaker for equal `order`. */
  seq: number;
  /** Hex trace id, "" when Codex ran without a trace exporter. */
  traceId: string;
  /** Hex span id, "" when absent. */
  spanId: string;
}

/** Everything received for one conversation so far. */
export interface ConversationState {
  /** `conversation.id`: the Codex thread id. */
  id: string;
  /** Where the conversation was first seen. */
  source: TraceSource;
  /** Resource attributes (service.name, env, host.name…), PII removed; first value wins. */
  resource: Record<string, unknown>;
  /** Stored events in arrival order (content-free SSE records are only counted). */
  events: CodexEvent[];
  /** Trace ids on its records: the join key to exported spans. */
  traceIds: Set<string>;
  /** Records per event name (SSE records by kind too), kept even for records not stored. */
  eventCounts: Record<string, number>;
  /** Keys of records already added: exporter retries and overlapping files repeat records. */
  seen: Set<string>;
}

/** A Codex tool span (named after the tool, with `call_id`). */
export interface ToolSpanInfo {
  /** The model's call id. */
  callId: string;
  /** Span name, which is the tool name. */
  name: string;
  /** ISO start of the span. */
  startTime: string | null;
  /** Span duration in milliseconds. */
  durationMs: number | null;
  /** `turn.id` / `turn_id` attribute. */
  turnId: string | null;
  /** `conversation.id` attribute. */
  conversationId: string | null;
  /** `tool_source`, e.g. `direct`. */
  toolSource: string | null;
  /** `aborted` attribute. */
  aborted: boolean | null;
}

/** What the `turn/start` and `session_task.turn` spans say about one turn. */
export interface TurnSpanInfo {
  /** Codex turn id. */
  turnId: string;
  /** ISO start of `turn/start` (or `session_task.turn`). */
  startTime: string | null;
  /** Duration of `session_task.turn`, the whole turn. */
  durationMs: number | null;
  /** `model` attribute of `session_task.turn`. */
  model: string | null;
}

/** Summary of all exported spans sharing one trace id; the spans themselves are not kept. */
export interface SpanGroup {
  /** The shared trace id. */
  traceId: string;
  /** `conversation.id` values seen on its spans. */
  conversationIds: Set<string>;
  /** Turn ids seen on its spans. */
  turnIds: Set<string>;
  /** Spans received. */
  spans: number;
  /** Spans with status code 2 (error). */
  errorSpans: number;
  /** Tool spans (named after the tool, with `call_id`). */
  tools: ToolSpanInfo[];
  /** Turn spans by turn id. */
  turns: Map<string, TurnSpanInfo>;
  /** `cwd` of its `run_sampling_request` spans. */
  cwd: string | null;
  /** Clock value of the last span added, for pruning groups no conversation claims. */
  touchedAt: number;
  /** Span ids already counted. */
  seen: Set<string>;
}

/** What one request body added. */
export interface AddResult {
  /** Conversations that received records or now link to the added spans. */
  conversations: string[];
  /** Records or spans read. */
  records: number;
  /** Log records without `event.name` or `conversation.id` (Codex's DEBUG records, other services). */
  ignored: number;
}

/** Attributes never kept: Codex adds them when logged in with ChatGPT. */
const PII_KEYS = new Set(['user.email', 'user.account_id', 'user.id', 'user.name', 'enduser.id']);

/** SSE kinds that carry nothing beyond their count (deltas can number in the thousands). */
function isContentFreeSse(attributes: Record<string, unknown>): boolean {
  if (attributes['error.message'] !== undefined) return false;
  return !(attributes['event.kind'] === 'response.completed' && attributes.input_token_count !== undefined);
}

function withoutPii(attributes: Record<string, unknown>): Record<string, unknown> {
  for (const key of Object.keys(attributes)) if (PII_KEYS.has(key)) delete attributes[key];
  return attributes;
}

/** Identifies a record across repeated deliveries: its clock reading, name and distinguishing ids. */
function recordKey(name: string, record: Record<string, unknown>, attributes: Record<string, unknown>): string {
  const at = String(record.observedTimeUnixNano ?? '') + '/' + String(record.timeUnixNano ?? '') + '/' + String(attributes['event.timestamp'] ?? '');
  return [at, name, str(record.spanId) ?? '', attributes['event.kind'] ?? '', attributes.call_id ?? '', attributes['startup.phase'] ?? ''].join('|');
}

function nanosDuration(start: unknown, end: unknown): number | null {
  const s = readNanos(start);
  const e = readNanos(end);
  return s > 0n && e >= s ? Number(e - s) / 1e6 : null;
}

/** Incremental assembler: add request bodies in any order, then build or take conversations. */
export class CodexOtelAssembler {
  private readonly states = new Map<string, ConversationState>();
  private readonly groups = new Map<string, SpanGroup>();
  private seq = 0;

  /** `now` stamps span groups for `pruneSpans`; it never reaches a trace, so builds stay deterministic. */
  constructor(private readonly now: () => number = Date.now) {}

  /** Adds an OTLP logs request body (OTLP/JSON shape); `source` names where it came from. */
  addLogsRequest(body: unknown, source: TraceSource = { kind: 'otlp-json', file: 'otlp', line: 0 }): AddResult {
    const touched = new Set<string>();
    let records = 0;
    let ignored = 0;
    for (const { record, attributes, resource } of iterateLogRecords(body)) {
      records++;
      const name = str(attributes['event.name']);
      const conversationId = str(attributes['conversation.id']);
      if (!name || !conversationId) {
        ignored++;
        continue;
      }
      let state = this.states.get(conversationId);
      if (!state) {
        state = { id: conversationId, source: { ...source }, resource: {}, events: [], traceIds: new Set(), eventCounts: {}, seen: new Set() };
        this.states.set(conversationId, state);
      }
      touched.add(conversationId);
      const key = recordKey(name, record, attributes);
      if (state.seen.has(key)) continue;
      state.seen.add(key);
      for (const [key, value] of Object.entries(withoutPii({ ...resource }))) if (!(key in state.resource)) state.resource[key] = value;
      const countKey = name === 'codex.sse_event' ? `${name}:${String(attributes['event.kind'] ?? '')}` : name;
      state.eventCounts[countKey] = (state.eventCounts[countKey] ?? 0) + 1;
      const traceId = str(record.traceId) ?? '';
      if (traceId !== '') state.traceIds.add(traceId);
      if (name === 'codex.sse_event' && isContentFreeSse(attributes)) continue;
      const stamp = isoFromString(attributes['event.timestamp']);
      // Codex sends timeUnixNano "0"; event.timestamp (ms) and observedTimeUnixNano (ns) are real.
      const time = isoFromNanos(record.timeUnixNano) ?? stamp ?? isoFromNanos(record.observedTimeUnixNano);
      const order = readNanos(record.timeUnixNano) || readNanos(record.observedTimeUnixNano) || (stamp ? BigInt(Date.parse(stamp)) * 1_000_000n : 0n);
      state.events.push({ name, attributes: withoutPii(attributes), time, order, seq: this.seq++, traceId, spanId: str(record.spanId) ?? '' });
    }
    return { conversations: [...touched], records, ignored };
  }

  /** Adds an OTLP traces request body; spans only enrich conversations known from logs. */
  addTracesRequest(body: unknown): AddResult {
    const touchedGroups = new Set<SpanGroup>();
    let records = 0;
    for (const { span, attributes } of iterateSpans(body)) {
      records++;
      const traceId = str(span.traceId);
      if (!traceId) continue;
      let group = this.groups.get(traceId);
      if (!group) {
        group = {
          traceId,
          conversationIds: new Set(),
          turnIds: new Set(),
          spans: 0,
          errorSpans: 0,
          tools: [],
          turns: new Map(),
          cwd: null,
          touchedAt: 0,
          seen: new Set(),
        };
        this.groups.set(traceId, group);
      }
      touchedGroups.add(group);
      group.touchedAt = this.now();
      const spanId = str(span.spanId) ?? '';
      if (spanId !== '' && group.seen.has(spanId)) continue;
      group.seen.add(spanId);
      group.spans++;
      const status = span.status as { code?: unknown } | undefined;
      if (status && Number(status.code) === 2) group.errorSpans++;
      const conversationId = str(attributes['conversation.id']);
      if (conversationId) group.conversationIds.add(conversationId);
      const turnId = str(attributes['turn.id']) ?? str(attributes.turn_id);
      if (turnId) group.turnIds.add(turnId);
      const startTime = isoFromNanos(span.startTimeUnixNano);
      const durationMs = nanosDuration(span.startTimeUnixNano, span.endTimeUnixNano);
      const name = str(span.name) ?? '';
      const callId = str(attributes.call_id);
      // Several spans carry call_id (dispatch, unified_exec, guardian…); the tool's own span is named after it.
      if (callId && name !== '' && name === attributes.tool_name) {
        group.tools.push({
          callId,
          name,
          startTime,
          durationMs,
          turnId,
          conversationId,
          toolSource: str(attributes.tool_source),
          aborted: typeof attributes.aborted === 'boolean' ? attributes.aborted : null,
        });
      }
      if (turnId && (name === 'turn/start' || name === 'session_task.turn')) {
        const info = group.turns.get(turnId) ?? { turnId, startTime: null, durationMs: null, model: null };
        if (name === 'turn/start') info.startTime ??= startTime;
        else {
          info.durationMs = durationMs;
          info.model = str(attributes.model);
          info.startTime ??= startTime;
        }
        group.turns.set(turnId, info);
      }
      if (name === 'run_sampling_request' && typeof attributes.cwd === 'string') group.cwd ??= attributes.cwd;
    }
    const linked = new Set<string>();
    for (const group of touchedGroups) for (const state of this.statesLinkedTo(group)) linked.add(state.id);
    return { conversations: [...linked], records, ignored: 0 };
  }

  /** Ids of the conversations received so far, in first-seen order. */
  conversations(): string[] {
    return [...this.states.keys()];
  }

  /** The state of one conversation (read-only use). */
  state(id: string): ConversationState | undefined {
    return this.states.get(id);
  }

  /** Builds the trace of one conversation without forgetting it. */
  build(id: string): Trace | null {
    const state = this.states.get(id);
    return state ? buildConversationTrace(state, this.groupsFor(state)) : null;
  }

  /** Builds the trace of one conversation and forgets it and the spans linked to it. */
  take(id: string): Trace | null {
    const state = this.states.get(id);
    if (!state) return null;
    const groups = this.groupsFor(state);
    const trace = buildConversationTrace(state, groups);
    this.states.delete(id);
    for (const g of groups) if (this.statesLinkedTo(g).length === 0) this.groups.delete(g.traceId);
    return trace;
  }

  /** Forgets a conversation without building it. */
  drop(id: string): void {
    this.states.delete(id);
  }

  /**
   * True while a conversation is mid-step: a tool call decided but without a result, or a model
   * request without its completion. Writing then would split a turn across two store versions.
   */
  isBusy(id: string): boolean {
    const state = this.states.get(id);
    if (!state) return false;
    const openTools = new Set<string>();
    let openRequest = false;
    for (const e of state.events) {
      const callId = str(e.attributes.call_id);
      if (e.name === 'codex.tool_decision' && callId) openTools.add(callId);
      else if (e.name === 'codex.tool_result' && callId) openTools.delete(callId);
      else if (e.name === 'codex.api_request')
        openRequest = !(Number(e.attributes['http.response.status_code']) >= 400 || e.attributes['error.message'] !== undefined);
      else if (e.name === 'codex.sse_event') openRequest = false;
    }
    return openTools.size > 0 || openRequest;
  }

  /** Forgets span groups untouched since `before` (clock value) that no conversation links to. */
  pruneSpans(before: number): number {
    let pruned = 0;
    for (const group of [...this.groups.values()]) {
      if (group.touchedAt < before && this.statesLinkedTo(group).length === 0) {
        this.groups.delete(group.traceId);
        pruned++;
      }
    }
    return pruned;
  }

  /** Span groups held (for tests and the receiver's bookkeeping). */
  get spanGroupCount(): number {
    return this.groups.size;
  }

  private statesLinkedTo(group: SpanGroup): ConversationState[] {
    return [...this.states.values()].filter((s) => s.traceIds.has(group.traceId) || group.conversationIds.has(s.id));
  }

  /** Span groups of a conversation: same trace id, its conversation id, or one of its turn ids. */
  private groupsFor(state: ConversationState): SpanGroup[] {
    const found = new Set<SpanGroup>();
    const turnIds = new Set<string>();
    for (const e of state.events) {
      const t = str(e.attributes['turn.id']);
      if (t) turnIds.add(t);
    }
    for (const g of this.groups.values()) {
      if (state.traceIds.has(g.traceId) || g.conversationIds.has(state.id)) {
        found.add(g);
        for (const t of g.turnIds) turnIds.add(t);
      }
    }
    for (const g of this.groups.values()) {
      if (!found.has(g) && g.conversationIds.size === 0 && [...g.turnIds].some((t) => turnIds.has(t))) found.add(g);
    }
    return [...found];
  }
}
