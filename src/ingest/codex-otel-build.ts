// Builds one normalized trace from a conversation's Codex log events (see codex-otel.ts), using
// exported spans only to add exact timings, turn ids and the working directory.
import type { Trace } from '../schema/trace.js';
import { toNumber } from '../util/time.js';
import { str } from './source.js';
import { TraceBuilder } from './trace-builder.js';
import type { CodexEvent, ConversationState, SpanGroup } from './codex-otel.js';
import { TurnAssembler, defined, type SpanIndex } from './codex-otel-turn.js';

/** Events that describe the process or session, not a turn. */
const SESSION_EVENTS = new Set(['codex.conversation_starts', 'codex.startup_phase']);

/** Resource attributes that describe the exporter, not the session. */
const RESOURCE_NOISE = /^telemetry\.sdk\./;

/** Attributes of `codex.conversation_starts` worth keeping on the trace. */
const SESSION_KEYS = [
  'provider_name',
  'reasoning_effort',
  'reasoning_summary',
  'context_window',
  'auto_compact_token_limit',
  'approval_policy',
  'sandbox_policy',
  'mcp_servers',
];

/** Attributes every Codex event repeats; the first value is kept on the trace. */
const COMMON_KEYS = ['originator', 'app.version', 'terminal.type', 'slug', 'auth_mode'];

const REDACTED_PROMPT = '[REDACTED]';

interface TurnSegment {
  prompt: CodexEvent | null;
  events: CodexEvent[];
}

function indexSpans(conversationId: string, groups: SpanGroup[]): SpanIndex {
  const index: SpanIndex = { tools: new Map(), turns: new Map(), turnIdsByTrace: new Map(), cwd: null, spans: 0, errorSpans: 0, usedTools: new Set() };
  for (const g of groups) {
    index.spans += g.spans;
    index.errorSpans += g.errorSpans;
    index.cwd ??= g.cwd;
    for (const tool of g.tools) {
      if (tool.conversationId && tool.conversationId !== conversationId) continue;
      const list = index.tools.get(tool.callId) ?? [];
      list.push(tool);
      index.tools.set(tool.callId, list);
    }
    for (const [id, info] of g.turns) index.turns.set(id, info);
    if (g.turns.size > 0) index.turnIdsByTrace.set(g.traceId, [...g.turns.keys()]);
  }
  return index;
}

/** Splits events into turns at each `codex.user_prompt`; session events are returned apart. */
function splitTurns(events: CodexEvent[]): { session: CodexEvent[]; turns: TurnSegment[] } {
  const session: CodexEvent[] = [];
  const turns: TurnSegment[] = [];
  let current: TurnSegment | null = null;
  for (const e of events) {
    if (SESSION_EVENTS.has(e.name)) session.push(e);
    else if (e.name === 'codex.user_prompt') turns.push((current = { prompt: e, events: [] }));
    else {
      // Records before any prompt: a turn whose prompt arrived in an earlier, already written batch.
      if (!current) turns.push((current = { prompt: null, events: [] }));
      current.events.push(e);
    }
  }
  return { session, turns };
}

/** The Codex turn id: from the agent response, the tool spans, or the turn's trace; else a stable stand-in. */
function resolveTurnId(seg: TurnSegment, spans: SpanIndex): string {
  for (const e of seg.events) {
    const id = e.name === 'codex.agent_response' ? str(e.attributes['turn.id']) : null;
    if (id) return id;
  }
  for (const e of seg.events) {
    const callId = str(e.attributes.call_id);
    const fromSpan = callId ? spans.tools.get(callId)?.find((t) => t.turnId)?.turnId : null;
    if (fromSpan) return fromSpan;
  }
  const traceId = seg.prompt?.traceId ?? seg.events.find((e) => e.traceId !== '')?.traceId;
  const ids = traceId ? spans.turnIdsByTrace.get(traceId) : undefined;
  if (ids && ids.length === 1) return ids[0]!;
  const first = seg.prompt ?? seg.events[0]!;
  return `turn-${first.order > 0n ? first.order : first.seq}`;
}

/** Builds the trace of one conversation from its events and the span groups linked to it. */
export function buildConversationTrace(state: ConversationState, groups: SpanGroup[]): Trace {
  const b = new TraceBuilder(state.id, state.source);
  b.sessionId = state.id;
  const spans = indexSpans(state.id, groups);
  b.cwd = spans.cwd;
  const events = [...state.events].sort((x, y) => (x.order < y.order ? -1 : x.order > y.order ? 1 : x.seq - y.seq));

  for (const [key, value] of Object.entries(state.resource)) if (!RESOURCE_NOISE.test(key)) b.attributes[key] = value;
  for (const e of events) {
    for (const key of COMMON_KEYS) if (e.attributes[key] !== undefined) b.attributes[key] ??= e.attributes[key];
  }

  const { session, turns } = splitTurns(events);
  const startup: Record<string, number | null> = {};
  for (const e of session) {
    b.seeTime(e.time);
    b.addModel(e.attributes.model);
    if (e.name === 'codex.conversation_starts') {
      for (const key of SESSION_KEYS) if (e.attributes[key] !== undefined) b.attributes[key] ??= e.attributes[key];
    } else {
      const phase = str(e.attributes['startup.phase']);
      if (phase) startup[phase] = toNumber(e.attributes.duration_ms);
    }
  }
  if (Object.keys(startup).length > 0) b.attributes.startupMs = startup;

  const used = new Set<string>();
  const uniqueId = (base: string): string => {
    let id = base;
    for (let n = 2; used.has(id); n++) id = `${base}#${n}`;
    used.add(id);
    return id;
  };

  let redactedPrompts = 0;
  for (const seg of turns) {
    const turnId = resolveTurnId(seg, spans);
    const info = spans.turns.get(turnId);
    const prompt = seg.prompt ? str(seg.prompt.attributes.prompt) : null;
    if (prompt === REDACTED_PROMPT) redactedPrompts++;
    const text = prompt !== null && prompt !== REDACTED_PROMPT ? prompt : null;
    if (text) b.task ??= text;
    const start = seg.prompt?.time ?? seg.events[0]?.time ?? null;
    if (!b.getSpan(turnId)) used.add(turnId);
    b.upsertSpan({
      id: turnId,
      kind: 'turn',
      name: 'turn',
      startTime: b.getSpan(turnId)?.startTime ?? start,
      ...(text ? { input: text } : {}),
      attributes: defined({
        promptLength: seg.prompt ? toNumber(seg.prompt.attributes.prompt_length) : undefined,
        promptRedacted: prompt === REDACTED_PROMPT ? true : undefined,
        otelTraceId: seg.prompt?.traceId,
      }),
    });
    if (info?.model) b.addModel(info.model);
    b.seeTime(seg.prompt?.time ?? null);
    b.addModel(seg.prompt?.attributes.model);
    const turn = new TurnAssembler(b, turnId, spans, uniqueId);
    let end = start;
    for (const e of seg.events) {
      b.seeTime(e.time);
      b.addModel(e.attributes.model);
      turn.apply(e);
      end = e.time ?? end;
    }
    turn.finish(start, end);
  }

  // Codex logs prompts only with log_user_prompt = true; say so rather than leave `task` unexplained.
  if (redactedPrompts > 0 && b.task === null) b.attributes.promptsRedacted = true;
  b.attributes.otel = {
    events: Object.fromEntries(Object.entries(state.eventCounts).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))),
    traceIds: state.traceIds.size,
    spans: spans.spans,
    errorSpans: spans.errorSpans,
  };
  return b.build();
}
