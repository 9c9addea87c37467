// Agent spans from anything other than Codex: OpenTelemetry GenAI semantic conventions
// (`gen_ai.*`, including the deprecated `gen_ai.system`, `gen_ai.prompt`/`completion` and
// `gen_ai.usage.prompt_tokens`/`completion_tokens`) and OpenInference (`openinference.span.kind`,
// `llm.*`, `input.value`/`output.value`, `session.id`), as the Agents SDK, other agents and
// Collector pipelines export them. One trace per OTLP trace id (named by its conversation id when
// it has one). Codex's own spans carry `conversation.id` and are assembled from its logs instead.
import type { Span, SpanKind, Trace, TraceSource } from '../schema/trace.js';
import { isoFromNanos } from '../util/time.js';
import { iterateSpans, readAttributes, readNanos } from './otlp-body.js';
import { isRecord, str } from './source.js';
import { TraceBuilder } from './trace-builder.js';

interface Gathered {
  spans: { span: Record<string, unknown>; attributes: Record<string, unknown> }[];
  source: TraceSource;
  codex: boolean;
}

/** Whether a span speaks one of the two agent vocabularies. */
export function isAgentSpan(attributes: Record<string, unknown>): boolean {
  return Object.keys(attributes).some((k) => k.startsWith('gen_ai.') || k.startsWith('openinference.') || k.startsWith('llm.'));
}

const OPERATION_KINDS: Record<string, SpanKind> = {
  chat: 'model_call',
  text_completion: 'model_call',
  generate_content: 'model_call',
  embeddings: 'model_call',
  execute_tool: 'tool_call',
  invoke_agent: 'turn',
  create_agent: 'turn',
  invoke_workflow: 'turn',
  retrieval: 'tool_call',
};
const OPENINFERENCE_KINDS: Record<string, SpanKind> = {
  LLM: 'model_call',
  EMBEDDING: 'model_call',
  TOOL: 'tool_call',
  RETRIEVER: 'tool_call',
  RERANKER: 'tool_call',
  AGENT: 'turn',
  CHAIN: 'turn',
  PROMPT: 'turn',
  GUARDRAIL: 'hook',
  EVALUATOR: 'hook',
};

function spanKind(a: Record<string, unknown>): SpanKind {
  const op = str(a['gen_ai.operation.name']);
  if (op && OPERATION_KINDS[op]) return OPERATION_KINDS[op];
  const oi = str(a['openinference.span.kind'])?.toUpperCase();
  if (oi && OPENINFERENCE_KINDS[oi]) return OPENINFERENCE_KINDS[oi];
  if (a['gen_ai.tool.name'] !== undefined || a['tool.name'] !== undefined) return 'tool_call';
  if (modelOf(a)) return 'model_call';
  return 'turn';
}

function modelOf(a: Record<string, unknown>): string | null {
  return str(a['gen_ai.response.model']) ?? str(a['gen_ai.request.model']) ?? str(a['llm.model_name']);
}

function num(v: unknown): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  return Number.isFinite(n) && n >= 0 ? n : 0;
}

function parseJson(v: unknown): unknown {
  if (typeof v !== 'string' || !/^\s*[[{]/.test(v)) return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

/** Text of one chat message in either vocabulary: `{role, content}` or `{role, parts:[{type:'text', content}]}`. */
function textOfMessage(m: unknown): string {
  if (!isRecord(m)) return typeof m === 'string' ? m : '';
  if (typeof m.content === 'string') return m.content;
  const parts = Array.isArray(m.parts) ? m.parts : Array.isArray(m.content) ? m.content : [];
  return parts.map((p) => (isRecord(p) ? (str(p.content) ?? str(p.text) ?? '') : typeof p === 'string' ? p : '')).join('');
}

/** `[{role, text}]` from a span: GenAI JSON messages, OpenInference flattened lists, or the deprecated indexed prompt. */
function messagesOf(a: Record<string, unknown>, direction: 'input' | 'output'): { role: string; text: string }[] {
  const json = parseJson(a[direction === 'input' ? 'gen_ai.input.messages' : 'gen_ai.output.messages']);
  if (Array.isArray(json)) return json.map((m) => ({ role: isRecord(m) ? String(m.role ?? '') : '', text: textOfMessage(m) }));
  const prefixes = direction === 'input' ? ['llm.input_messages.', 'gen_ai.prompt.'] : ['llm.output_messages.', 'gen_ai.completion.'];
  for (const prefix of prefixes) {
    const byIndex = new Map<number, { role: string; text: string }>();
    for (const [key, value] of Object.entries(a)) {
      if (!key.startsWith(prefix)) continue;
      const m = /^(\d+)\.(?:message\.)?(role|content)$/.exec(key.slice(prefix.length));
      if (!m) continue;
      const entry = byIndex.get(Number(m[1])) ?? { role: '', text: '' };
      if (m[2] === 'role') entry.role = String(value);
      else entry.text = String(value);
      byIndex.set(Number(m[1]), entry);
    }
    if (byIndex.size > 0) return [...byIndex.entries()].sort((x, y) => x[0] - y[0]).map(([, v]) => v);
  }
  const plain = direction === 'input' ? (a['gen_ai.prompt'] ?? a['input.value']) : (a['gen_ai.completion'] ?? a['output.value']);
  const parsed = parseJson(plain);
  if (Array.isArray(parsed)) return parsed.map((m) => ({ role: isRecord(m) ? String(m.role ?? '') : '', text: textOfMessage(m) }));
  return typeof plain === 'string' ? [{ role: direction === 'input' ? 'user' : 'assistant', text: plain }] : [];
}

/** Gathers agent spans across files and builds one trace per OTLP trace. */
export class GenAiSpanCollector {
  private readonly groups = new Map<string, Gathered>();

  /** Adds the spans of one OTLP traces body; returns how many speak an agent vocabulary. */
  add(body: unknown, source: TraceSource): number {
    let count = 0;
    for (const { span, attributes } of iterateSpans(body)) {
      const traceId = str(span.traceId);
      if (!traceId) continue;
      const group = this.groups.get(traceId) ?? { spans: [], source, codex: false };
      this.groups.set(traceId, group);
      if (attributes['conversation.id'] !== undefined) group.codex = true;
      if (!isAgentSpan(attributes)) continue;
      group.spans.push({ span, attributes });
      count++;
    }
    return count;
  }

  /** Every gathered trace that is not Codex's own. */
  *traces(): Generator<Trace> {
    for (const [traceId, group] of this.groups) {
      if (group.codex || group.spans.length === 0) continue;
      yield buildTrace(traceId, group);
    }
    this.groups.clear();
  }
}

function buildTrace(traceId: string, group: Gathered): Trace {
  const conversation = group.spans.map(({ attributes: a }) => str(a['gen_ai.conversation.id']) ?? str(a['session.id'])).find((v) => v);
  const b = new TraceBuilder(conversation ?? traceId, group.source);
  b.sessionId = conversation ?? null;
  b.attributes.otlpTraceId = traceId;
  const ordered = [...group.spans].sort((x, y) => (readNanos(x.span.startTimeUnixNano) < readNanos(y.span.startTimeUnixNano) ? -1 : 1));
  let firstUser: string | null = null;
  let lastAnswer: string | null = null;
  let rootOutput: string | null = null;
  const ids = new Set(ordered.map(({ span }) => str(span.spanId)));
  for (const { span, attributes: a } of ordered) {
    const kind = spanKind(a);
    const start = isoFromNanos(span.startTimeUnixNano);
    const end = isoFromNanos(span.endTimeUnixNano);
    b.seeTime(start);
    b.seeTime(end);
    const durationNs = readNanos(span.endTimeUnixNano) - readNanos(span.startTimeUnixNano);
    const status = isRecord(span.status) ? Number(span.status.code) : 0;
    const exception = Array.isArray(span.events) ? span.events.filter(isRecord).find((e) => e.name === 'exception') : undefined;
    const exceptionMessage = exception ? str(readAttributes(exception.attributes)['exception.message']) : null;
    const error = status === 2 ? (isRecord(span.status) ? str(span.status.message) : null) || exceptionMessage || 'span error' : null;
    const model = modelOf(a);
    if (model) b.addModel(model);
    const toolName = str(a['gen_ai.tool.name']) ?? str(a['tool.name']);
    const parentSpanId = str(span.parentSpanId);
    const parentId = parentSpanId && ids.has(parentSpanId) ? parentSpanId : null;
    const input =
      kind === 'tool_call' ? (a['gen_ai.tool.call.arguments'] ?? a['input.value']) : kind === 'model_call' ? messagesOf(a, 'input') : a['input.value'];
    const output =
      kind === 'tool_call' ? (a['gen_ai.tool.call.result'] ?? a['output.value']) : kind === 'model_call' ? messagesOf(a, 'output') : a['output.value'];
    const spanOut: Partial<Span> & Pick<Span, 'id' | 'kind'> = {
      id: str(span.spanId) ?? `span:${b.spanCount}`,
      kind,
      parentId,
      name: toolName ?? (kind === 'model_call' ? model : null) ?? str(span.name) ?? kind,
      startTime: start,
      durationMs: durationNs > 0n ? Number(durationNs / 1000n) / 1000 : null,
      input: input ?? undefined,
      output: output ?? undefined,
      status: error ? 'error' : 'ok',
      error,
      attributes: {
        otlpName: span.name,
        provider: a['gen_ai.provider.name'] ?? a['gen_ai.system'] ?? a['llm.provider'],
        operation: a['gen_ai.operation.name'] ?? a['openinference.span.kind'],
      },
    };
    b.upsertSpan(spanOut);
    if (kind === 'model_call') {
      const inTok = num(a['gen_ai.usage.input_tokens'] ?? a['gen_ai.usage.prompt_tokens'] ?? a['llm.token_count.prompt']);
      const outTok = num(a['gen_ai.usage.output_tokens'] ?? a['gen_ai.usage.completion_tokens'] ?? a['llm.token_count.completion']);
      b.addUsage({
        inputTokens: inTok,
        outputTokens: outTok,
        cachedInputTokens: num(a['gen_ai.usage.cache_read.input_tokens'] ?? a['llm.token_count.prompt_details.cache_read']),
        reasoningOutputTokens: num(a['gen_ai.usage.reasoning.output_tokens'] ?? a['llm.token_count.completion_details.reasoning']),
        totalTokens: num(a['llm.token_count.total']) || inTok + outTok,
      });
      firstUser ??= messagesOf(a, 'input').find((m) => m.role === 'user' && m.text !== '')?.text ?? null;
      const answer = messagesOf(a, 'output')
        .filter((m) => m.text !== '')
        .at(-1)?.text;
      if (answer) lastAnswer = answer;
    }
    if (!parentId && typeof a['output.value'] === 'string') rootOutput = a['output.value'];
    if (!parentId && typeof a['input.value'] === 'string' && !/^\s*[[{]/.test(a['input.value'])) firstUser ??= a['input.value'];
  }
  b.task = firstUser;
  b.finalAnswer = rootOutput ?? lastAnswer;
  return b.build();
}
