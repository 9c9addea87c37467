// Codex rollout files: $CODEX_HOME/sessions/YYYY/MM/DD/rollout-<time>-<thread id>.jsonl[.zst],
// one `{timestamp, ordinal?, type, payload}` record per line (codex-cli 0.4x to 0.169). Rollouts
// from before `session_meta` (mid 2025) start with a bare `{id, timestamp, instructions}` header,
// then bare response items and `{"record_type":"state"}` markers; they are read too.
import type { Trace } from '../schema/trace.js';
import { isoFromSeconds, isoFromString, millisBetween, toNumber } from '../util/time.js';
import { imagesOf, messageText, promptOf, userTextOf } from './codex-task.js';
import { readJsonLines } from './json-lines.js';
import { isRecord, str, type ReadContext, type TraceReader } from './source.js';
import { TraceBuilder, readToolOutput, usageFromCodex } from './trace-builder.js';
import { agentsMdFromMessage, sessionFingerprint, type SessionHarness } from './harness-fingerprint.js';

const ROLLOUT_TYPES = new Set([
  'session_meta',
  'event_msg',
  'response_item',
  'turn_context',
  'world_state',
  'token_usage_record',
  'compacted',
  'inter_agent_communication_metadata',
]);

/** Response items that legacy rollouts write bare, without the envelope. */
const BARE_ITEM_TYPES = new Set([
  'message',
  'reasoning',
  'function_call',
  'function_call_output',
  'custom_tool_call',
  'custom_tool_call_output',
  'local_shell_call',
  'web_search_call',
  'image_generation_call',
]);

/** First line of a rollout written before `session_meta` existed. */
function isLegacyHeader(r: unknown): r is Record<string, unknown> {
  return (
    isRecord(r) &&
    typeof r.id === 'string' &&
    typeof r.timestamp === 'string' &&
    !('type' in r) &&
    !('msg' in r) &&
    !('payload' in r) &&
    ['instructions', 'git', 'cwd', 'cli_version', 'originator'].some((k) => k in r)
  );
}

export const codexRolloutReader: TraceReader = {
  kind: 'codex-rollout',
  name: 'rollout',
  sniff: ({ firstRecord }) =>
    (isRecord(firstRecord) && typeof firstRecord.type === 'string' && ROLLOUT_TYPES.has(firstRecord.type) && 'payload' in firstRecord) ||
    isLegacyHeader(firstRecord),
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
  let state = new RolloutState(file, true);
  for await (const { n, value: record } of readJsonLines(file, ctx)) {
    const problem = state.apply(record, n);
    if (problem) ctx.skip({ file, line: n, reason: problem });
  }
  if (state.replayNeverEnded) {
    // A fork whose replayed history could not be told from its own work (no ordinal, no thread
    // ids on its records): read it again whole rather than lose the child's work; say so.
    state = new RolloutState(file, false);
    for await (const { n, value: record } of readJsonLines(file, { ...ctx, skip: () => undefined })) state.apply(record, n);
    state.builder!.attributes.replayNotSeparated = true;
  }
  if (!state.builder) {
    if (state.lines > 0) ctx.skip({ file, line: 1, reason: 'no session_meta record: not a usable rollout' });
    return null;
  }
  return state.finish();
}

/** `{path: {type, content…}}` → `{path: {type}}`. */
function summarizeChanges(changes: unknown): unknown {
  if (!isRecord(changes)) return changes;
  return Object.fromEntries(
    Object.entries(changes).map(([path, change]) => [
      path,
      isRecord(change) ? { type: change.type, ...(typeof change.move_path === 'string' ? { movePath: change.move_path } : {}) } : change,
    ]),
  );
}

/** The parent thread of a forked or spawned session, from its `session_meta`. */
function parentThreadOf(p: Record<string, unknown>): string | null {
  const source = isRecord(p.source) && isRecord(p.source.subagent) && isRecord(p.source.subagent.thread_spawn) ? p.source.subagent.thread_spawn : null;
  return str(source?.parent_thread_id) ?? str(p.parent_thread_id) ?? str(p.forked_from_id);
}

/** How a turn ended, as far as the rollout says. */
type TurnOutcome = 'completed' | 'failed' | 'interrupted' | 'aborted';

class RolloutState {
  builder: TraceBuilder | null = null;
  lines = 0;
  private currentTurn: string | null = null;
  private pendingModel: string | null = null;
  /** Turn ids in start order, with the last answer and the outcome of each. */
  private readonly turns: string[] = [];
  private readonly answers = new Map<string, string>();
  private readonly outcomes = new Map<string, TurnOutcome>();
  /** The last answer seen at all, for rollouts that name no turns (0.4x). */
  private lastAnswer: string | null = null;
  /** Code-mode `exec` cells still running: commands they run are nested under the newest. */
  private readonly openCells: string[] = [];
  /** Set for forks and subagents, which replay their parent's history after their own meta. */
  private parentThread: string | null = null;
  private agentPath: string | null = null;
  private historyStart: number | null = null;
  private inReplay = false;
  private replayed = 0;
  private compactions = 0;
  private openCompaction: string | null = null;
  /** What the session showed of its harness (first turn's settings), for the fingerprint. */
  readonly harness: SessionHarness = {};

  constructor(
    private readonly file: string,
    /** Skip a fork's replayed parent history (off for the second read of an unseparable fork). */
    private readonly separateReplay: boolean,
  ) {}

  /** A fork's replay started but nothing marked its end: every record after it was skipped. */
  get replayNeverEnded(): boolean {
    return this.separateReplay && this.inReplay && this.historyStart === null && this.builder !== null && this.builder.spanCount === 0;
  }

  /** Applies one record; returns a skip reason or null. */
  apply(record: unknown, n: number): string | null {
    this.lines++;
    if (!isRecord(record)) return 'not a JSON object';
    if (record.type === undefined && record.record_type === 'state') return null; // legacy marker
    if (this.builder === null && isLegacyHeader(record)) return this.sessionMeta({ ...record, legacy_format: true }, n, isoFromString(record.timestamp));
    const type = str(record.type);
    if (!type) return 'missing field "type"';
    if (!('payload' in record) && BARE_ITEM_TYPES.has(type)) {
      if (!this.builder) return `${type} before the session header`;
      return this.responseItem(this.builder, record, null);
    }
    if (!ROLLOUT_TYPES.has(type)) return `unknown record type "${type}"`;
    const payload = record.payload;
    if (!isRecord(payload)) return 'missing field "payload"';
    const at = isoFromString(record.timestamp);

    if (type === 'session_meta') return this.sessionMeta(payload, n, at);
    const b = this.builder;
    if (!b) return `${type} before session_meta`;
    if (this.isReplay(record, payload)) {
      this.replayed++;
      return null;
    }
    b.seeTime(at);
    this.seeHarness(type, payload);

    switch (type) {
      case 'turn_context': {
        b.addModel(payload.model);
        this.pendingModel = str(payload.model) ?? this.pendingModel;
        if (typeof payload.cwd === 'string') b.cwd ??= payload.cwd;
        const turnId = str(payload.turn_id);
        if (turnId) this.startTurn(b, turnId, at);
        return null;
      }
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
      case 'compacted': {
        const kept = Array.isArray(payload.replacement_history) ? payload.replacement_history.length : null;
        this.addCompaction(b, `compaction:${n}`, at, { summaryChars: typeof payload.message === 'string' ? payload.message.length : 0, keptItems: kept });
        return null;
      }
      default:
        return null; // world_state, inter_agent_communication_metadata: shape the prompt, not the trace
    }
  }

  /** The trace, with the answer of the last turn and how that turn ended. */
  finish(): Trace {
    const b = this.builder!;
    const lastTurn = this.turns.at(-1);
    if (lastTurn) {
      b.finalAnswer = this.answers.get(lastTurn) ?? null;
      b.attributes.lastTurn = { id: lastTurn, outcome: this.outcomes.get(lastTurn) ?? 'unfinished' };
    } else {
      b.finalAnswer = this.lastAnswer;
    }
    if (this.replayed > 0) b.attributes.replayedRecords = this.replayed;
    if (this.compactions > 0) b.attributes.compactions = this.compactions;
    b.harness = sessionFingerprint('rollout', { ...this.harness, cwd: b.cwd });
    return b.build();
  }

  private sessionMeta(p: Record<string, unknown>, n: number, at: string | null): string | null {
    const id = str(p.id) ?? str(p.session_id);
    if (!id) return 'session_meta without "id"';
    if (this.builder) {
      // A resumed session repeats its own meta; a fork or subagent next writes its parent's, then
      // replays the parent's history before its own work.
      if (id !== this.builder.id && this.parentThread) this.inReplay = true;
      return null;
    }
    const b = new TraceBuilder(id, { kind: 'codex-rollout', file: this.file, line: n });
    b.sessionId = str(p.session_id) ?? id;
    b.cwd = str(p.cwd);
    b.seeTime(isoFromString(p.timestamp) ?? at);
    for (const key of ['originator', 'cli_version', 'source', 'thread_source', 'model_provider', 'git', 'agent_path', 'agent_nickname', 'legacy_format']) {
      if (p[key] !== undefined) b.attributes[key] = p[key];
    }
    b.addModel(p.model);
    this.parentThread = parentThreadOf(p);
    if (this.parentThread) {
      // The link that tells a child from its parent; the child's trace holds only its own work.
      b.attributes.parentTraceId = this.parentThread;
      if (typeof p.forked_from_id === 'string') b.attributes.forkedFromId = p.forked_from_id;
      this.agentPath = str(p.agent_path);
      this.historyStart = typeof p.subagent_history_start_ordinal === 'number' ? p.subagent_history_start_ordinal : null;
      b.sessionId = id;
    }
    this.builder = b;
    return null;
  }

  /** Whether a record of a fork or subagent is the replayed parent history. */
  private isReplay(record: Record<string, unknown>, payload: Record<string, unknown>): boolean {
    if (!this.parentThread || !this.separateReplay) return false;
    // 0.169 says where the child's own history starts; older forks are told by their records'
    // thread ids: replayed events carry the parent's, the child's own carry its own.
    if (this.historyStart !== null && typeof record.ordinal === 'number') return record.ordinal < this.historyStart;
    if (!this.inReplay) return false;
    if (payload.thread_id === this.builder!.id) {
      this.inReplay = false;
      return false;
    }
    return true;
  }

  private startTurn(b: TraceBuilder, turnId: string, at: string | null, attributes: Record<string, unknown> = {}): void {
    this.currentTurn = turnId;
    if (!this.turns.includes(turnId)) this.turns.push(turnId);
    b.upsertSpan({ id: turnId, kind: 'turn', name: 'turn', startTime: b.getSpan(turnId)?.startTime ?? at, attributes });
  }

  private noteAnswer(turnId: string | null, text: string): void {
    this.lastAnswer = text;
    if (turnId) this.answers.set(turnId, text);
  }

  private noteTask(b: TraceBuilder, text: string | null): void {
    if (text) b.task ??= text;
  }

  private event(b: TraceBuilder, p: Record<string, unknown>, at: string | null): string | null {
    switch (p.type) {
      case 'task_started': {
        const turnId = str(p.turn_id);
        if (!turnId) return 'task_started without "turn_id"';
        // `started_at` is whole seconds, so it can fall before the session began; the line's
        // own millisecond timestamp is written at the same moment.
        this.startTurn(b, turnId, at ?? isoFromSeconds(p.started_at), {
          contextWindow: p.model_context_window,
          trigger: isRecord(p.turn_attribution) ? p.turn_attribution.turn_trigger : undefined,
        });
        return null;
      }
      case 'task_complete': {
        const turnId = str(p.turn_id) ?? this.currentTurn;
        if (!turnId) return 'task_complete without a turn';
        const error = isRecord(p.error) ? (str(p.error.message) ?? JSON.stringify(p.error)) : null;
        const answer = str(p.last_agent_message);
        if (answer) this.noteAnswer(turnId, answer);
        this.outcomes.set(turnId, error ? 'failed' : 'completed');
        if (!this.turns.includes(turnId)) this.turns.push(turnId);
        b.upsertSpan({
          id: turnId,
          kind: 'turn',
          name: 'turn',
          durationMs: toNumber(p.duration_ms),
          output: answer ?? undefined,
          status: error ? 'error' : 'ok',
          error,
          attributes: { timeToFirstTokenMs: p.time_to_first_token_ms, outcome: error ? 'failed' : 'completed' },
        });
        if (error) this.addError(b, `${turnId}:error`, turnId, error, at, p.error);
        return null;
      }
      case 'turn_aborted': {
        const turnId = str(p.turn_id) ?? this.currentTurn;
        if (!turnId) return null;
        const reason = str(p.reason) ?? 'unknown';
        const outcome: TurnOutcome = reason === 'interrupted' ? 'interrupted' : 'aborted';
        this.outcomes.set(turnId, outcome);
        if (!this.turns.includes(turnId)) this.turns.push(turnId);
        b.upsertSpan({
          id: turnId,
          kind: 'turn',
          name: 'turn',
          durationMs: toNumber(p.duration_ms),
          status: 'error',
          error: `turn ${outcome}: ${reason}`,
          attributes: { outcome },
        });
        return null;
      }
      case 'error': {
        const message = str(p.message) ?? 'error';
        this.addError(b, `error:${b.spanCount}`, this.currentTurn, message, at, p);
        return null;
      }
      case 'user_message': {
        this.noteTask(b, typeof p.message === 'string' ? promptOf(p.message) : null);
        return null;
      }
      case 'agent_message': {
        // 0.4x writes the answer as an event beside the response item; the item makes the span.
        if (typeof p.message === 'string' && p.message !== '') this.noteAnswer(this.currentTurn, p.message);
        return null;
      }
      case 'token_count': {
        if (isRecord(p.info)) {
          const total = usageFromCodex(p.info.total_token_usage);
          if (total) b.usageTotal = total;
        }
        return null;
      }
      case 'exec_command_end': {
        const id = str(p.call_id);
        if (!id) return null;
        const exitCode = typeof p.exit_code === 'number' ? p.exit_code : null;
        const failed = exitCode !== null && exitCode !== 0;
        b.upsertSpan({
          id,
          kind: 'tool_call',
          parentId: str(p.turn_id) ?? this.currentTurn,
          name: b.getSpan(id)?.name ?? 'shell',
          exitCode,
          status: failed ? 'error' : 'ok',
          error: failed ? `command exited with code ${exitCode}` : null,
        });
        return null;
      }
      case 'context_compacted':
        this.addCompaction(b, `compaction:${b.spanCount}`, at, {});
        return null;
      case 'image_generation_end': {
        const id = str(p.call_id);
        if (id) b.upsertSpan({ id, kind: 'tool_call', name: 'image_generation', attributes: { savedPath: p.saved_path } });
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
    const turnId = str(p.turn_id) ?? this.currentTurn;
    // Code mode (0.147+): a command run from an `exec` cell has its own id (`exec-<uuid>`), which no
    // model call names; it belongs under the cell that ran it.
    const cell = id && !b.getSpan(id) && this.openCells.length > 0 ? this.openCells.at(-1)! : null;
    const parentId = cell ?? turnId;
    const nested = cell ? { calledFrom: cell } : {};
    const started = typeof p.started_at_ms === 'number' ? new Date(p.started_at_ms).toISOString() : at;
    const ended = typeof p.completed_at_ms === 'number' ? new Date(p.completed_at_ms).toISOString() : null;
    switch (item.type) {
      case 'UserMessage': {
        this.noteTask(b, promptOf(messageText(item.content)));
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
          attributes: {
            ...nested,
            command: item.command,
            commandCwd: item.cwd,
            parsedCmd: item.parsed_cmd,
            itemStatus: item.status,
            ...(b.getSpan(id)?.output === undefined ? { aggregatedOutput: item.aggregated_output } : {}),
          },
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
          error: failed ? str(item.stderr) || `patch ${String(item.status)}` : null,
          // Which files and how; their content is already in the patch (the span's input).
          attributes: { ...nested, changes: summarizeChanges(item.changes), itemStatus: item.status },
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
          attributes: { ...nested, server: item.server, tool: item.tool },
        });
        return null;
      }
      case 'AgentMessage': {
        const text = messageText(item.content);
        if (id && text) {
          b.upsertSpan({ id, kind: 'message', parentId: turnId, name: 'assistant', startTime: started, output: text, status: 'ok' });
          this.noteAnswer(turnId, text);
        }
        return null;
      }
      case 'ContextCompaction':
        this.addCompaction(b, id ?? `compaction:${b.spanCount}`, started, {});
        return null;
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
          (Array.isArray(meta.content_item_metadata) &&
            meta.content_item_metadata.some((m) => isRecord(m) && isRecord(m.provenance) && m.provenance.hook === true));
        const id = str(p.id) ?? `message:${b.spanCount}`;
        if (fromHook) {
          b.upsertSpan({ id, kind: 'hook', parentId, name: 'hook_context', startTime: at, output: text, status: 'ok', attributes: { role: p.role } });
        } else if (p.role === 'user' && /^\s*<skill>/.test(text)) {
          // A skill Codex put into the context: the trace assertions' "skill S was read".
          const name = /<name>([^<]+)<\/name>/.exec(text)?.[1]?.trim();
          const known = Array.isArray(b.attributes.skillsRead) ? (b.attributes.skillsRead as string[]) : [];
          if (name && !known.includes(name)) b.attributes.skillsRead = [...known, name];
        } else if (p.role === 'user') {
          // Rollouts before 0.4x name the working directory only in the injected environment block.
          b.cwd ??= /<cwd>([^<]+)<\/cwd>/.exec(text)?.[1] ?? null;
          const prompt = userTextOf(p.content, kinds);
          const images = imagesOf(p.content);
          if (prompt || images.length > 0) {
            this.noteTask(b, prompt);
            b.upsertSpan({
              id,
              kind: 'message',
              parentId,
              name: 'user',
              startTime: at,
              input: prompt ?? '',
              status: 'ok',
              attributes: images.length > 0 ? { images } : {},
            });
          }
        } else if (p.role === 'assistant') {
          b.upsertSpan({ id, kind: 'message', parentId, name: 'assistant', startTime: at, output: text, status: 'ok', attributes: { phase: p.phase } });
          if (text) this.noteAnswer(parentId, text);
        }
        return null;
      }
      case 'agent_message': {
        // A message between agents (0.169 multi-agent): the one addressed to this subagent is its task.
        if (!this.parentThread || (this.agentPath && p.recipient !== this.agentPath)) return null;
        const task = agentTaskText(p.content);
        const id = str(p.id) ?? `message:${b.spanCount}`;
        this.noteTask(b, task);
        b.upsertSpan({ id, kind: 'message', parentId, name: 'user', startTime: at, input: task ?? '', status: 'ok', attributes: { author: p.author } });
        return null;
      }
      case 'function_call':
      case 'custom_tool_call': {
        const callId = str(p.call_id);
        if (!callId) return `${String(p.type)} without "call_id"`;
        const name = str(p.name) ?? 'tool';
        const codeCell = p.type === 'custom_tool_call' && name === 'exec';
        if (codeCell) this.openCells.push(callId);
        b.upsertSpan({
          id: callId,
          kind: 'tool_call',
          parentId,
          name,
          startTime: at,
          input: p.type === 'function_call' ? p.arguments : p.input,
          attributes: codeCell ? { codeMode: true } : {},
        });
        return null;
      }
      case 'local_shell_call': {
        const callId = str(p.call_id) ?? str(p.id);
        if (!callId) return 'local_shell_call without "call_id"';
        b.upsertSpan({ id: callId, kind: 'tool_call', parentId, name: 'local_shell', startTime: at, input: p.action });
        return null;
      }
      case 'function_call_output':
      case 'custom_tool_call_output': {
        const callId = str(p.call_id);
        if (!callId) return `${String(p.type)} without "call_id"`;
        const cellAt = this.openCells.indexOf(callId);
        if (cellAt >= 0) this.openCells.splice(cellAt, 1);
        const read = readToolOutput(p.output);
        const existing = b.getSpan(callId);
        const exitCode = existing?.exitCode ?? read.exitCode;
        const failedByCode = exitCode !== null && exitCode !== 0;
        const dispatchError = read.text !== null && /^(failed to parse function arguments|unsupported call|apply_patch verification failed)/.test(read.text);
        const span = b.upsertSpan({ id: callId, kind: 'tool_call', parentId, output: read.text ?? p.output, exitCode });
        // Keep the shell item's copy only when it says something the model-facing output does not.
        const aggregated = span.attributes.aggregatedOutput;
        if (typeof aggregated === 'string' && read.text !== null && read.text.includes(aggregated)) delete span.attributes.aggregatedOutput;
        if (read.durationMs !== null) span.durationMs ??= read.durationMs;
        if (existing?.startTime) span.durationMs ??= millisBetween(existing.startTime, at);
        if (failedByCode || dispatchError || read.scriptError) {
          span.status = 'error';
          span.error ??= read.scriptError
            ? `script error: ${read.scriptError}`
            : dispatchError
              ? read.text!.split('\n')[0]!
              : `command exited with code ${exitCode}`;
        } else if (span.status === 'unset') {
          span.status = 'ok';
        }
        return null;
      }
      case 'web_search_call': {
        const id = str(p.id) ?? `web_search:${b.spanCount}`;
        const failed = p.status === 'failed';
        b.upsertSpan({
          id,
          kind: 'tool_call',
          parentId,
          name: 'web_search',
          startTime: at,
          input: p.action,
          status: failed ? 'error' : 'ok',
          error: failed ? 'web search failed' : null,
          attributes: { itemStatus: p.status },
        });
        return null;
      }
      case 'image_generation_call': {
        const id = str(p.id) ?? `image_generation:${b.spanCount}`;
        const failed = p.status === 'failed';
        // `result` is the image itself, base64: never stored.
        b.upsertSpan({
          id,
          kind: 'tool_call',
          parentId,
          name: 'image_generation',
          startTime: at,
          input: p.revised_prompt,
          status: failed ? 'error' : 'ok',
          error: failed ? 'image generation failed' : null,
          attributes: { itemStatus: p.status },
        });
        return null;
      }
      default:
        return null; // reasoning and other items: model-internal
    }
  }

  private addCompaction(b: TraceBuilder, id: string, at: string | null, attributes: Record<string, unknown>): void {
    // One compaction is written as a `compacted` record, a `context_compacted` event and (0.16x) a
    // ContextCompaction item: merge them into the span opened by the first, within the same turn.
    const open = this.openCompaction ? b.getSpan(this.openCompaction) : undefined;
    if (open && open.parentId === this.currentTurn && Object.keys(attributes).length === 0) return;
    if (open && open.parentId === this.currentTurn && open.attributes.summaryChars === undefined) {
      Object.assign(open.attributes, attributes);
      return;
    }
    this.compactions++;
    this.openCompaction = id;
    b.upsertSpan({
      id,
      kind: 'compaction',
      parentId: this.currentTurn,
      name: 'compaction',
      startTime: at,
      status: 'ok',
      attributes: { ...attributes, reason: 'context window' },
    });
  }

  /** Collects the fingerprint's pieces; the first value of each wins (the harness the session started with). */
  private seeHarness(type: string, p: Record<string, unknown>): void {
    const h = this.harness;
    if (type === 'turn_context') {
      const mode = isRecord(p.collaboration_mode) && isRecord(p.collaboration_mode.settings) ? p.collaboration_mode.settings : {};
      h.model ??= str(p.model);
      h.reasoningEffort ??= str(p.effort) ?? str(mode.reasoning_effort);
      h.sandbox ??= p.sandbox_policy ?? null;
      h.approvalPolicy ??= str(p.approval_policy);
    } else if (type === 'world_state' && isRecord(p.state)) {
      const s = p.state;
      if (isRecord(s.agents_md)) h.agentsMd ??= str(s.agents_md.text);
      if (isRecord(s.host_skills)) h.skillsListing ??= str(s.host_skills.body);
    } else if (type === 'response_item' && p.type === 'message') {
      const text = messageText(p.content);
      if (p.role === 'user' && /^\s*# AGENTS\.md instructions/.test(text)) h.agentsMd ??= agentsMdFromMessage(text);
      if (p.role === 'developer' && text.includes('<skills_instructions>')) h.skillsListing ??= text;
    }
  }

  private addError(b: TraceBuilder, id: string, parentId: string | null, message: string, at: string | null, raw: unknown): void {
    b.upsertSpan({ id, kind: 'error', parentId, name: 'error', startTime: at, status: 'error', error: message, attributes: { raw } });
  }
}

/**
 * The task text of an inter-agent `NEW_TASK` message: the readable part after `Payload:`. The
 * payload itself is `encrypted_content`; it is used only when it is plain text, not ciphertext.
 */
function agentTaskText(content: unknown): string | null {
  if (!Array.isArray(content)) return null;
  let text = '';
  let taskName: string | null = null;
  for (const part of content) {
    if (!isRecord(part)) continue;
    if (typeof part.text === 'string') {
      taskName ??= /^Task name: (.+)$/m.exec(part.text)?.[1] ?? null;
      const payload = part.text.split(/^Payload:\n?/m);
      text += payload.length > 1 ? payload.slice(1).join('') : '';
    } else if (typeof part.encrypted_content === 'string' && /\s/.test(part.encrypted_content)) {
      text += part.encrypted_content;
    }
  }
  return text.trim() || taskName;
}
