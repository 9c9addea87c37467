// OpenAI Agents SDK traces as JSONL, one record per line, in either of two shapes:
// `span.export()` / `trace.export()` records written by a custom TracingProcessor
// (openai/openai-agents-python `src/agents/tracing/span_data.py`), or the flat HALO span lines
// of the OpenAI cookbook's improvement loop (context-labs/HALO `canonical_span.py`).
import type { Span, SpanKind, SpanStatus, TokenUsage, Trace } from '../schema/trace.js';
import { isoFromString, millisBetween, toNumber } from '../util/time.js';
import { readJsonLines } from './json-lines.js';
import { isRecord, str, type ReadContext, type TraceReader } from './source.js';
import { TraceBuilder } from './trace-builder.js';

/** Span kinds the cookbook appends as feedback, evals and gate results (cookbook-loop.md §5). */
const SYNTHETIC_KINDS = new Set(['HUMAN_FEEDBACK', 'LLM_FEEDBACK', 'EVAL', 'EVAL_RESULT', 'HARNESS_CONFIG']);
const SDK_TYPES = new Set([
  'agent',
  'generation',
  'response',
  'function',
  'mcp_tools',
  'handoff',
  'guardrail',
  'custom',
  'transcription',
  'speech',
  'speech_group',
]);
/** `inference.observation_kind` / `openinference.span.kind` → SDK span type, for HALO lines whose name says nothing. */
const TYPE_OF_OBSERVATION: Record<string, string> = { AGENT: 'agent', LLM: 'generation', TOOL: 'function', GUARDRAIL: 'guardrail', CHAIN: 'custom' };
/** HALO attributes shared by every span of a trace; they describe the trace, not the span. */
const TRACE_LEVEL_PREFIXES = [
  'agent.workflow.',
  'agent.trace_metadata.',
  'inference.session_id',
  'inference.project_id',
  'inference.export.',
  'inference.user_id',
];
/** HALO attributes already mapped onto span input, output or usage. */
const MAPPED_PREFIXES = ['llm.input_messages', 'llm.output_messages', 'input.value', 'output.value', 'llm.token_count.'];

export const agentsSdkReader: TraceReader = {
  kind: 'agents-sdk',
  name: 'agents',
  sniff: ({ firstRecord: r }) =>
    isRecord(r) &&
    (r.object === 'trace.span' ||
      r.object === 'trace' ||
      (typeof r.trace_id === 'string' && typeof r.span_id === 'string' && typeof r.start_time === 'string')),
  async *read(files, ctx) {
    // Spans of one trace may be spread over several files (a run log and a feedback file), so
    // every file is read before any trace is built.
    const traces = new Map<string, AgentsTrace>();
    for (const file of files) await readAgentsFile(file, ctx, traces);
    for (const trace of traces.values()) yield trace.build();
  },
};

/** Strips the SDK's `trace_` prefix so SDK exports and HALO lines of one run share an id. */
export function normalizeTraceId(id: string): string {
  return id.startsWith('trace_') ? id.slice('trace_'.length) : id;
}

function normalizeSpanId(id: string): string {
  return id.startsWith('span_') ? id.slice('span_'.length) : id;
}

/** Reads one file's records into `traces`, keyed by normalized trace id. */
async function readAgentsFile(file: string, ctx: ReadContext, traces: Map<string, AgentsTrace>): Promise<void> {
  for await (const { n, value: record } of readJsonLines(file, ctx)) {
    const problem = applyRecord(record, traces, file, n);
    if (problem) ctx.skip({ file, line: n, reason: problem });
  }
}

/** Applies one record; returns a skip reason or null. */
function applyRecord(record: unknown, traces: Map<string, AgentsTrace>, file: string, n: number): string | null {
  if (!isRecord(record)) return 'not a JSON object';
  const traceFor = (rawId: string) => {
    const id = normalizeTraceId(rawId);
    let trace = traces.get(id);
    if (!trace) traces.set(id, (trace = new AgentsTrace(id, file, n)));
    if (rawId !== id) trace.builder.attributes.sdkTraceId = rawId;
    return trace;
  };
  if (record.object === 'trace') {
    const id = str(record.id);
    if (!id) return 'trace record without "id"';
    traceFor(id).applyTraceRecord(record);
    return null;
  }
  if (record.object === 'trace.span') {
    const traceId = str(record.trace_id);
    const spanId = str(record.id);
    if (!traceId) return 'trace.span without "trace_id"';
    if (!spanId) return 'trace.span without "id"';
    if (!isRecord(record.span_data) || typeof record.span_data.type !== 'string') return 'trace.span without "span_data.type"';
    traceFor(traceId).addSpan(viewOfSdkSpan(record, record.span_data, spanId));
    return null;
  }
  if ('trace_id' in record || 'span_id' in record) {
    const traceId = str(record.trace_id);
    const spanId = str(record.span_id);
    if (!traceId) return 'span line without "trace_id"';
    if (!spanId) return 'span line without "span_id"';
    const trace = traceFor(traceId);
    const view = viewOfHaloSpan(record, spanId);
    trace.applyHaloTraceAttributes(record);
    trace.addSpan(view);
    return null;
  }
  return 'not an Agents SDK span or trace record (no "object", "trace_id" or "span_id")';
}

/** One span in source-neutral terms, before it is mapped onto our span kinds. */
interface SpanView {
  id: string;
  parentId: string | null;
  /** SDK span type (agent, generation, …) or a synthetic cookbook kind (HUMAN_FEEDBACK, …). */
  type: string;
  name: string | null;
  startTime: string | null;
  endTime: string | null;
  input?: unknown;
  output?: unknown;
  model: string | null;
  usage: TokenUsage | null;
  /** Error reported by the source (`error.message`, or a status message). */
  error: string | null;
  /** Whether the source says the span finished (an end time or an explicit status). */
  finished: boolean;
  triggered: boolean;
  attributes: Record<string, unknown>;
}

function viewOfSdkSpan(record: Record<string, unknown>, data: Record<string, unknown>, spanId: string): SpanView {
  const type = String(data.type);
  const custom = type === 'custom' && isRecord(data.data) ? data.data : {};
  const error = isRecord(record.error) ? errorText(record.error) : null;
  const { type: _type, name: _name, input, output, usage, model, ...rest } = data;
  // Handoffs and MCP tool listings carry their in/out under their own names.
  const io =
    type === 'handoff'
      ? { input: data.from_agent, output: data.to_agent }
      : type === 'mcp_tools'
        ? { input: { server: data.server }, output: data.result }
        : { input, output };
  const attributes: Record<string, unknown> = { sdkType: type, ...rest };
  if (isRecord(record.error) && record.error.data !== undefined) attributes.errorData = record.error.data;
  if (record.metadata !== undefined) attributes.metadata = record.metadata;
  const endTime = isoFromString(record.ended_at);
  return {
    id: normalizeSpanId(spanId),
    parentId: typeof record.parent_id === 'string' && record.parent_id !== '' ? normalizeSpanId(record.parent_id) : null,
    type,
    name: str(data.name) ?? str(model),
    startTime: isoFromString(record.started_at),
    endTime,
    ...io,
    model: str(model),
    usage: usageFrom(usage) ?? usageFrom(custom.usage),
    error,
    finished: endTime !== null || error !== null,
    triggered: data.triggered === true,
    attributes,
  };
}

function viewOfHaloSpan(record: Record<string, unknown>, spanId: string): SpanView {
  const attrs = isRecord(record.attributes) ? record.attributes : {};
  const name = str(record.name) ?? '';
  const observation = str(attrs['inference.observation_kind']) ?? str(attrs['openinference.span.kind']);
  const synthetic = (observation !== null && SYNTHETIC_KINDS.has(observation)) || (isRecord(record.scope) && record.scope.name === 'halo-optimization-context');
  const prefix = name.split('.')[0]!;
  const sdkType = str(attrs['sdk.span.type']);
  const type = synthetic
    ? (observation ?? 'SYNTHETIC')
    : sdkType && SDK_TYPES.has(sdkType)
      ? sdkType
      : SDK_TYPES.has(prefix)
        ? prefix
        : (TYPE_OF_OBSERVATION[observation ?? ''] ?? 'custom');
  const status = isRecord(record.status) ? record.status : {};
  const code = String(status.code ?? '');
  const failed = /ERROR$/i.test(code) || code === '2';
  const suffix = name.includes('.') ? name.slice(name.indexOf('.') + 1) : null;
  const model = str(attrs['llm.model_name']) ?? str(attrs['inference.llm.model_name']);
  const attributes: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(attrs)) {
    if (synthetic || !(TRACE_LEVEL_PREFIXES.some((p) => key.startsWith(p)) || MAPPED_PREFIXES.some((p) => key.startsWith(p)))) attributes[key] = value;
  }
  if (synthetic) attributes.feedbackKind = type;
  else attributes.sdkType = type;
  const endTime = isoFromString(record.end_time);
  return {
    id: normalizeSpanId(spanId),
    parentId: typeof record.parent_span_id === 'string' && record.parent_span_id !== '' ? normalizeSpanId(record.parent_span_id) : null,
    type,
    name: synthetic
      ? name || type
      : (str(attrs['agent.name']) ??
        str(attrs['tool.name']) ??
        str(attrs['guardrail.name']) ??
        str(attrs['sdk.span.name']) ??
        model ??
        suffix ??
        (name || null)),
    startTime: isoFromString(record.start_time),
    endTime,
    input: synthetic
      ? undefined
      : (messagesFromAttributes(attrs, 'llm.input_messages') ?? attrs['input.value'] ?? attrs['agent.handoff.from'] ?? attrs['mcp.server']),
    output: synthetic
      ? undefined
      : (messagesFromAttributes(attrs, 'llm.output_messages') ?? attrs['output.value'] ?? attrs['agent.handoff.to'] ?? attrs['mcp.tools.listed']),
    model,
    usage: usageFrom({
      input_tokens: attrs['llm.token_count.prompt'] ?? attrs['inference.llm.input_tokens'],
      output_tokens: attrs['llm.token_count.completion'] ?? attrs['inference.llm.output_tokens'],
      total_tokens: attrs['llm.token_count.total'],
    }),
    error: failed ? str(status.message) || 'span failed' : null,
    finished: endTime !== null || code !== '',
    triggered: attrs['guardrail.triggered'] === true || attrs['guardrail.triggered'] === 'true',
    attributes,
  };
}

/** The SDK's `{message, data}` error as one line; `data.error` often holds the actual cause. */
function errorText(error: Record<string, unknown>): string {
  const message = str(error.message) ?? JSON.stringify(error);
  const cause = isRecord(error.data) ? str(error.data.error) : null;
  return cause && cause !== message ? `${message}: ${cause}` : message;
}

/** `llm.input_messages` as a JSON string, or flattened `llm.input_messages.<i>.message.role/content`. */
function messagesFromAttributes(attrs: Record<string, unknown>, key: string): unknown {
  const whole = attrs[key];
  if (typeof whole === 'string') {
    try {
      return JSON.parse(whole) as unknown;
    } catch {
      return whole;
    }
  }
  if (whole !== undefined) return whole;
  const messages: Record<string, unknown>[] = [];
  const pattern = new RegExp(`^${key.replace(/\./g, '\\.')}\\.(\\d+)\\.message\\.(role|content)$`);
  for (const [k, v] of Object.entries(attrs)) {
    const m = pattern.exec(k);
    if (m) (messages[Number(m[1])] ??= {})[m[2]!] = v;
  }
  return messages.length > 0 ? messages.filter((m) => m !== undefined) : undefined;
}

/** Agents SDK, Responses API and chat-completions usage shapes → our usage; null when no counts. */
function usageFrom(u: unknown): TokenUsage | null {
  if (!isRecord(u)) return null;
  const input = toNumber(u.input_tokens) ?? toNumber(u.prompt_tokens);
  const output = toNumber(u.output_tokens) ?? toNumber(u.completion_tokens);
  if (input === null && output === null) return null;
  const inputDetails = isRecord(u.input_tokens_details) ? u.input_tokens_details : {};
  const outputDetails = isRecord(u.output_tokens_details) ? u.output_tokens_details : {};
  return {
    inputTokens: input ?? 0,
    cachedInputTokens: toNumber(u.cached_input_tokens) ?? toNumber(inputDetails.cached_tokens) ?? 0,
    outputTokens: output ?? 0,
    reasoningOutputTokens: toNumber(u.reasoning_output_tokens) ?? toNumber(outputDetails.reasoning_tokens) ?? 0,
    totalTokens: toNumber(u.total_tokens) ?? (input ?? 0) + (output ?? 0),
  };
}

/** Text of a message's content: a string, or parts with `text` (chat and Responses shapes). */
function textOf(content: unknown): string | null {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return null;
  const text = content
    .map((part) => (typeof part === 'string' ? part : isRecord(part) && typeof part.text === 'string' ? part.text : ''))
    .filter((t) => t !== '')
    .join('\n');
  return text === '' ? null : text;
}

/** Text of the first message with `role` in a message list; a bare string counts as a user message. */
function firstText(messages: unknown, role: 'user' | 'assistant', last = false): string | null {
  if (typeof messages === 'string') return messages === '' ? null : messages;
  if (!Array.isArray(messages)) return null;
  const list = last ? [...messages].reverse() : messages;
  for (const m of list) {
    if (!isRecord(m)) continue;
    const mRole = m.role ?? m['message.role'];
    if (mRole !== role) continue;
    const text = textOf(m.content ?? m['message.content']);
    if (text) return text;
  }
  return null;
}

function kindOf(view: SpanView): SpanKind {
  if (SYNTHETIC_KINDS.has(view.type) || view.type === 'SYNTHETIC') return 'message';
  switch (view.type) {
    case 'agent':
      return 'turn';
    case 'generation':
    case 'response':
    case 'transcription':
    case 'speech':
      return 'model_call';
    case 'function':
    case 'mcp_tools':
      return 'tool_call';
    case 'guardrail':
      return 'hook';
    case 'custom':
      // The SDK exports its task and turn spans as custom spans named "task" / "turn".
      return view.name === 'task' || view.name === 'turn' ? 'turn' : 'message';
    default:
      return 'message';
  }
}

/** One trace as it is assembled from records that may arrive in any order and from any file. */
class AgentsTrace {
  readonly builder: TraceBuilder;
  private explicitTask: string | null = null;
  /** Input of a root agent span (HALO `input.value`), the task when no generation shows one. */
  private rootInput: string | null = null;
  /** Usage of the SDK's task span, a fallback when no model call reports usage. */
  private taskUsage: TokenUsage | null = null;
  private readonly usageBySpan = new Map<string, TokenUsage>();
  /** Task and final-answer candidates, keyed by span id so a span seen in both shapes counts once. */
  private readonly prompts = new Map<string, { at: string; text: string }>();
  private readonly answers = new Map<string, { at: string; order: number; text: string }>();
  private syntheticTimes: string[] = [];
  private runtimeSpans = 0;
  private order = 0;

  constructor(id: string, file: string, line: number) {
    this.builder = new TraceBuilder(id, { kind: 'agents-sdk', file, line });
  }

  applyTraceRecord(r: Record<string, unknown>): void {
    const b = this.builder;
    if (typeof r.workflow_name === 'string') b.attributes.workflowName = r.workflow_name;
    if (typeof r.group_id === 'string') b.sessionId ??= r.group_id;
    if (isRecord(r.metadata)) {
      b.attributes.metadata = { ...(b.attributes.metadata as object | undefined), ...r.metadata };
      this.explicitTask ??= str(r.metadata.task);
    }
  }

  applyHaloTraceAttributes(r: Record<string, unknown>): void {
    const b = this.builder;
    const attrs = isRecord(r.attributes) ? r.attributes : {};
    const workflow = str(attrs['agent.workflow.name']);
    if (workflow) b.attributes.workflowName ??= workflow;
    b.sessionId ??= str(attrs['agent.workflow.group_id']) ?? str(attrs['inference.session_id']);
    if (typeof attrs['inference.project_id'] === 'string') b.attributes.projectId ??= attrs['inference.project_id'];
    const metadata: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(attrs)) {
      if (key.startsWith('agent.trace_metadata.')) metadata[key.slice('agent.trace_metadata.'.length)] = value;
    }
    if (Object.keys(metadata).length > 0) {
      b.attributes.metadata = { ...(b.attributes.metadata as object | undefined), ...metadata };
      this.explicitTask ??= str(metadata.task);
    }
    if (isRecord(r.resource) && isRecord(r.resource.attributes) && !(isRecord(r.scope) && r.scope.name === 'halo-optimization-context')) {
      b.attributes.resource ??= r.resource.attributes;
    }
  }

  addSpan(view: SpanView): void {
    const b = this.builder;
    const kind = kindOf(view);
    const synthetic = kind === 'message' && typeof view.attributes.feedbackKind === 'string';
    let status: SpanStatus = view.finished ? 'ok' : 'unset';
    let error = view.error;
    if (error) status = 'error';
    if (view.type === 'guardrail' && view.triggered) {
      status = 'error';
      error ??= `guardrail "${view.name ?? 'guardrail'}" triggered`;
    }
    const span: Partial<Span> & Pick<Span, 'id' | 'kind'> = {
      id: view.id,
      kind,
      parentId: view.parentId,
      name: view.name ?? view.type,
      startTime: view.startTime,
      durationMs: millisBetween(view.startTime, view.endTime),
      status,
      error,
      attributes: view.attributes,
    };
    if (view.input !== undefined && view.input !== null) span.input = view.input;
    if (view.output !== undefined && view.output !== null) span.output = view.output;
    b.upsertSpan(span);
    if (synthetic) {
      for (const t of [view.startTime, view.endTime]) if (t) this.syntheticTimes.push(t);
      return;
    }
    this.runtimeSpans++;
    b.seeTime(view.startTime);
    b.seeTime(view.endTime);
    b.addModel(view.model);
    if (kind === 'model_call' && view.usage) this.usageBySpan.set(view.id, view.usage);
    if (view.type === 'custom' && view.name === 'task' && view.usage) this.taskUsage = view.usage;
    const at = view.endTime ?? view.startTime ?? '';
    if (view.type === 'generation' || view.type === 'response') {
      const prompt = firstText(view.input, 'user');
      if (prompt) this.prompts.set(view.id, { at: view.startTime ?? at, text: prompt });
    }
    if (view.type === 'generation' || view.type === 'response' || view.type === 'agent') {
      const answer = view.type === 'agent' ? (typeof view.output === 'string' ? view.output : null) : firstText(view.output, 'assistant', true);
      if (answer) this.answers.set(view.id, { at, order: this.order++, text: answer });
    }
    if (view.type === 'agent' && view.parentId === null && typeof view.input === 'string' && view.input !== '') this.rootInput ??= view.input;
  }

  build(): Trace {
    const b = this.builder;
    for (const usage of this.usageBySpan.values()) b.addUsage(usage);
    if (this.usageBySpan.size === 0 && this.taskUsage) b.addUsage(this.taskUsage);
    const earliest = [...this.prompts.values()].sort((x, y) => (x.at < y.at ? -1 : x.at > y.at ? 1 : 0))[0];
    b.task = this.explicitTask ?? earliest?.text ?? this.rootInput;
    const latest = [...this.answers.values()].sort((x, y) => (x.at < y.at ? -1 : x.at > y.at ? 1 : x.order - y.order)).at(-1);
    b.finalAnswer = latest?.text ?? null;
    if (this.runtimeSpans === 0) {
      // Only feedback and eval spans (the cookbook's config and gate-summary traces): keep them,
      // flagged, and let their own times stand in for the run's.
      if (b.spanCount > 0) b.attributes.syntheticOnly = true;
      for (const t of this.syntheticTimes) b.seeTime(t);
    }
    return b.build();
  }
}
