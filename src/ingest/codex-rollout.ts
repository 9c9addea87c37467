// Codex rollout files: $CODEX_HOME/sessions/YYYY/MM/DD/rollout-<time>-<thread id>.jsonl,
// one `{timestamp, ordinal?, type, payload}` record per line (codex-cli 0.169.0).
import type { Trace } from '../schema/trace.js';
import { isoFromSeconds, isoFromString, millisBetween, toNumber } from '../util/time.js';
import { readJsonLines } from './json-lines.js';
import { isRecord, str, type ReadContext, type TraceReader } from './source.js';
import { TraceBuilder, parseExitCode, usageFromCodex } from './trace-builder.js';

const ROLLOUT_TYPES = new Set(['session_meta', 'event_msg', 'response_item', 'turn_context', 'world_state', 'token_usage_record', 'compacted']);

export const codexRolloutReader: TraceReader = {
  kind: 'codex-rollout',
  name: 'rollout',
  sniff: ({ firstRecord }) =>
    isRecord(firstRecord) && typeof firstRecord.type === 'string' && ROLLOUT_TYPES.has(firstRecord.type) && 'payload' in firstRecord,
  async *read(files, ctx) {
    // The next file is read while this one's trace is stored: one thread, but the file I/O of
    // one overlaps the parsing and writing of the other. Traces still come out in file order.
    let next = files.length > 0 ? readRolloutFile(files[0]!, ctx) : null;
    for (let i = 0; next; i++) {
      const current = next;
      next = i + 1 < files.length ? readRolloutFile(files[i + 1]!, ctx) : null;
      const trace = await current;
      if (trace) yield trace;
    }
  },
};

/** Reads one rollout file into one trace (one trace per Codex session). */
export async function readRolloutFile(file: string, ctx: ReadContext): Promise<Trace | null> {
  const state = new RolloutState(file);
  for await (const { n, value: record } of readJsonLines(file, ctx)) {
    const problem = state.apply(record, n);
    if (problem) ctx.skip({ file, line: n, reason: problem });
  }
  if (!state.builder) {
    if (state.lines > 0) ctx.skip({ file, line: 1, reason: 'no session_meta record: not a usable rollout' });
    return null;
  }
  return state.builder.build();
}

/** Text of a Responses API message's content parts. */
function messageText(content: unknown): string {
  if (!Array.isArray(content)) return typeof content === 'string' ? content : '';
  return content
    .map((part) => (isRecord(part) && typeof part.text === 'string' ? part.text : ''))
    .filter((t) => t !== '')
    .join('\n');
}

/** `{path: {type, content…}}` → `{path: {type}}`. */
function summarizeChanges(changes: unknown): unknown {
  if (!isRecord(changes)) return changes;
  return Object.fromEntries(Object.entries(changes).map(([path, change]) => [path, isRecord(change) ? { type: change.type, ...(typeof change.move_path === 'string' ? { movePath: change.move_path } : {}) } : change]));
}

/** User-role messages Codex injects around the prompt (AGENTS.md, environment, skills). */
function isInjectedContext(text: string): boolean {
  return /^\s*(# AGENTS\.md instructions|<environment_context>|<user_instructions>|<skill>|<hook_prompt>|<turn_aborted>)/.test(text);
}

class RolloutState {
  builder: TraceBuilder | null = null;
  lines = 0;
  private currentTurn: string | null = null;
  private pendingModel: string | null = null;

  constructor(private readonly file: string) {}

  /** Applies one record; returns a skip reason or null. */
  apply(record: unknown, n: number): string | null {
    this.lines++;
    if (!isRecord(record)) return 'not a JSON object';
    const type = str(record.type);
    if (!type) return 'missing field "type"';
    if (!ROLLOUT_TYPES.has(type)) return `unknown record type "${type}"`;
    const payload = record.payload;
    if (!isRecord(payload)) return 'missing field "payload"';
    const at = isoFromString(record.timestamp);

    if (type === 'session_meta') return this.sessionMeta(payload, n, at);
    const b = this.builder;
    if (!b) return `${type} before session_meta`;
    b.seeTime(at);

    switch (type) {
      case 'turn_context':
        b.addModel(payload.model);
        this.pendingModel = str(payload.model) ?? this.pendingModel;
        if (typeof payload.cwd === 'string') b.cwd ??= payload.cwd;
        return null;
      case 'event_msg':
        return this.event(b, payload, at);
      case 'response_item':
        return this.responseItem(b, payload, at);
      case 'token_usage_record': {
        const usage = usageFromCodex(payload.usage);
        const responseId = str(payload.response_id) ?? `response_${n}`;
        if (usage) b.addUsage(usage);
        b.upsertSpan({
          id: responseId,
          kind: 'model_call',
          parentId: str(payload.turn_id) ?? this.currentTurn,
          name: this.pendingModel ?? 'model',
          startTime: at,
          status: 'ok',
          output: usage ?? undefined,
          attributes: { responseId, usage: payload.usage },
        });
        return null;
      }
      default:
        return null; // world_state, compacted: shape the prompt, not the trace
    }
  }

  private sessionMeta(p: Record<string, unknown>, n: number, at: string | null): string | null {
    const id = str(p.id) ?? str(p.session_id);
    if (!id) return 'session_meta without "id"';
    if (this.builder) return null; // a forked session repeats its parent's meta; the first one names the trace
    const b = new TraceBuilder(id, { kind: 'codex-rollout', file: this.file, line: n });
    b.sessionId = str(p.session_id) ?? id;
    b.cwd = str(p.cwd);
    b.seeTime(isoFromString(p.timestamp) ?? at);
    for (const key of ['originator', 'cli_version', 'source', 'thread_source', 'model_provider', 'git']) {
      if (p[key] !== undefined) b.attributes[key] = p[key];
    }
    this.builder = b;
    return null;
  }

  private event(b: TraceBuilder, p: Record<string, unknown>, at: string | null): string | null {
    switch (p.type) {
      case 'task_started': {
        const turnId = str(p.turn_id);
        if (!turnId) return 'task_started without "turn_id"';
        this.currentTurn = turnId;
        b.upsertSpan({
          id: turnId,
          kind: 'turn',
          name: 'turn',
          // `started_at` is whole seconds, so it can fall before the session began; the line's
          // own millisecond timestamp is written at the same moment.
          startTime: at ?? isoFromSeconds(p.started_at),
          attributes: { contextWindow: p.model_context_window, trigger: isRecord(p.turn_attribution) ? p.turn_attribution.turn_trigger : undefined },
        });
        return null;
      }
      case 'task_complete': {
        const turnId = str(p.turn_id) ?? this.currentTurn;
        if (!turnId) return 'task_complete without a turn';
        const error = isRecord(p.error) ? (str(p.error.message) ?? JSON.stringify(p.error)) : null;
        const answer = str(p.last_agent_message);
        if (answer) b.finalAnswer = answer;
        b.upsertSpan({
          id: turnId,
          kind: 'turn',
          name: 'turn',
          durationMs: toNumber(p.duration_ms),
          output: answer ?? undefined,
          status: error ? 'error' : 'ok',
          error,
          attributes: { timeToFirstTokenMs: p.time_to_first_token_ms },
        });
        if (error) this.addError(b, `${turnId}:error`, turnId, error, at, p.error);
        return null;
      }
      case 'turn_aborted': {
        const turnId = str(p.turn_id) ?? this.currentTurn;
        if (turnId) b.upsertSpan({ id: turnId, kind: 'turn', status: 'error', error: `turn aborted: ${str(p.reason) ?? 'unknown'}` });
        return null;
      }
      case 'error': {
        const message = str(p.message) ?? 'error';
        this.addError(b, `error:${b.spanCount}`, this.currentTurn, message, at, p);
        return null;
      }
      case 'user_message': {
        const text = str(p.message);
        if (text && !isInjectedContext(text)) b.task ??= text;
        return null;
      }
      case 'token_count': {
        if (isRecord(p.info)) {
          const total = usageFromCodex(p.info.total_token_usage);
          if (total) b.usageTotal = total;
        }
        return null;
      }
      case 'item_completed':
        return isRecord(p.item) ? this.item(b, p.item, p, at) : 'item_completed without "item"';
      default:
        return null;
    }
  }

  private item(b: TraceBuilder, item: Record<string, unknown>, p: Record<string, unknown>, at: string | null): string | null {
    const id = str(item.id);
    const parentId = str(p.turn_id) ?? this.currentTurn;
    const started = typeof p.started_at_ms === 'number' ? new Date(p.started_at_ms).toISOString() : at;
    const ended = typeof p.completed_at_ms === 'number' ? new Date(p.completed_at_ms).toISOString() : null;
    switch (item.type) {
      case 'UserMessage': {
        const text = messageText(item.content);
        if (text && !isInjectedContext(text)) b.task ??= text;
        return null;
      }
      case 'CommandExecution': {
        if (!id) return 'CommandExecution without "id"';
        const exitCode = typeof item.exit_code === 'number' ? item.exit_code : null;
        const failed = item.status === 'failed' || (exitCode !== null && exitCode !== 0);
        const duration = isRecord(item.duration) ? (toNumber(item.duration.secs) ?? 0) * 1000 + (toNumber(item.duration.nanos) ?? 0) / 1e6 : null;
        b.upsertSpan({
          id,
          kind: 'tool_call',
          parentId,
          name: b.getSpan(id)?.name ?? 'exec_command',
          startTime: started,
          durationMs: duration ?? millisBetween(started, ended),
          exitCode,
          status: failed ? 'error' : 'ok',
          error: failed ? `command exited with code ${exitCode ?? 'unknown'}` : null,
          // The model-facing output (function_call_output) carries the same text; keep this copy
          // only until it arrives, so large outputs are stored once.
          attributes: { command: item.command, commandCwd: item.cwd, parsedCmd: item.parsed_cmd, itemStatus: item.status, ...(b.getSpan(id)?.output === undefined ? { aggregatedOutput: item.aggregated_output } : {}) },
        });
        return null;
      }
      case 'FileChange': {
        if (!id) return 'FileChange without "id"';
        const failed = item.status === 'failed' || item.status === 'declined';
        b.upsertSpan({
          id,
          kind: 'tool_call',
          parentId,
          name: b.getSpan(id)?.name ?? 'apply_patch',
          startTime: started,
          durationMs: millisBetween(started, ended),
          status: failed ? 'error' : 'ok',
          error: failed ? (str(item.stderr) || `patch ${String(item.status)}`) : null,
          // Which files and how; their content is already in the patch (the span's input).
          attributes: { changes: summarizeChanges(item.changes), itemStatus: item.status },
        });
        return null;
      }
      case 'McpToolCall': {
        if (!id) return 'McpToolCall without "id"';
        const failed = item.status === 'failed' || (isRecord(item.result) && item.result.isError === true);
        b.upsertSpan({
          id,
          kind: 'tool_call',
          parentId,
          name: `mcp__${String(item.server)}__${String(item.tool)}`,
          startTime: started,
          input: item.arguments,
          output: item.result,
          status: failed ? 'error' : 'ok',
          error: failed ? (str(item.error) ?? 'MCP tool call failed') : null,
          attributes: { server: item.server, tool: item.tool },
        });
        return null;
      }
      case 'AgentMessage': {
        const text = messageText(item.content);
        if (id && text) b.upsertSpan({ id, kind: 'message', parentId, name: 'assistant', startTime: started, output: text, status: 'ok' });
        return null;
      }
      default:
        return null; // Reasoning and future item types add nothing the response items lack
    }
  }

  private responseItem(b: TraceBuilder, p: Record<string, unknown>, at: string | null): string | null {
    const meta = isRecord(p.internal_chat_message_metadata_passthrough) ? p.internal_chat_message_metadata_passthrough : {};
    const parentId = str(meta.turn_id) ?? this.currentTurn;
    switch (p.type) {
      case 'message': {
        const text = messageText(p.content);
        const kinds = Array.isArray(meta.content_item_kinds) ? meta.content_item_kinds : [];
        const fromHook =
          kinds.includes('hooks.additional_context') ||
          (Array.isArray(meta.content_item_metadata) && meta.content_item_metadata.some((m) => isRecord(m) && isRecord(m.provenance) && m.provenance.hook === true));
        const id = str(p.id) ?? `message:${b.spanCount}`;
        if (fromHook) {
          b.upsertSpan({ id, kind: 'hook', parentId, name: 'hook_context', startTime: at, output: text, status: 'ok', attributes: { role: p.role } });
        } else if (p.role === 'user' && /^\s*<skill>/.test(text)) {
          // A skill Codex put into the context: the trace assertions' "skill S was read".
          const name = /<name>([^<]+)<\/name>/.exec(text)?.[1]?.trim();
          const known = Array.isArray(b.attributes.skillsRead) ? (b.attributes.skillsRead as string[]) : [];
          if (name && !known.includes(name)) b.attributes.skillsRead = [...known, name];
        } else if (p.role === 'user' && !isInjectedContext(text)) {
          b.task ??= text;
          b.upsertSpan({ id, kind: 'message', parentId, name: 'user', startTime: at, input: text, status: 'ok' });
        } else if (p.role === 'assistant') {
          b.upsertSpan({ id, kind: 'message', parentId, name: 'assistant', startTime: at, output: text, status: 'ok', attributes: { phase: p.phase } });
        }
        return null;
      }
      case 'function_call':
      case 'custom_tool_call': {
        const callId = str(p.call_id);
        if (!callId) return `${String(p.type)} without "call_id"`;
        const name = str(p.name) ?? 'tool';
        b.upsertSpan({ id: callId, kind: 'tool_call', parentId, name, startTime: at, input: p.type === 'function_call' ? p.arguments : p.input });
        return null;
      }
      case 'function_call_output':
      case 'custom_tool_call_output': {
        const callId = str(p.call_id);
        if (!callId) return `${String(p.type)} without "call_id"`;
        const output = typeof p.output === 'string' ? p.output : p.output;
        const existing = b.getSpan(callId);
        const exitCode = existing?.exitCode ?? parseExitCode(output);
        const failedByCode = exitCode !== null && exitCode !== 0;
        const dispatchError = typeof output === 'string' && /^(failed to parse function arguments|unsupported call|apply_patch verification failed)/.test(output);
        const span = b.upsertSpan({ id: callId, kind: 'tool_call', parentId, output, exitCode });
        // Keep the shell item's copy only when it says something the model-facing output does not.
        const aggregated = span.attributes.aggregatedOutput;
        if (typeof aggregated === 'string' && typeof output === 'string' && output.includes(aggregated)) delete span.attributes.aggregatedOutput;
        if (existing?.startTime) span.durationMs ??= millisBetween(existing.startTime, at);
        if (failedByCode || dispatchError) {
          span.status = 'error';
          span.error ??= dispatchError ? String(output).split('\n')[0]! : `command exited with code ${exitCode}`;
        } else if (span.status === 'unset') {
          span.status = 'ok';
        }
        return null;
      }
      default:
        return null; // reasoning and other items: model-internal
    }
  }

  private addError(b: TraceBuilder, id: string, parentId: string | null, message: string, at: string | null, raw: unknown): void {
    b.upsertSpan({ id, kind: 'error', parentId, name: 'error', startTime: at, status: 'error', error: message, attributes: { raw } });
  }
}
