// `codex exec --json` event streams: one ThreadEvent per stdout line, no timestamps
// (codex-rs/exec/src/exec_events.rs, codex-cli 0.169.0).
import type { Trace } from '../schema/trace.js';
import { isoFromUuidV7 } from '../util/time.js';
import { readJsonLines } from './json-lines.js';
import { isRecord, str, type ReadContext, type TraceReader } from './source.js';
import { TraceBuilder, usageFromCodex } from './trace-builder.js';

const EXEC_TYPES = new Set(['thread.started', 'turn.started', 'turn.completed', 'turn.failed', 'item.started', 'item.updated', 'item.completed', 'error']);

export const codexExecReader: TraceReader = {
  kind: 'codex-exec-json',
  name: 'exec',
  sniff: ({ firstRecord }) => isRecord(firstRecord) && typeof firstRecord.type === 'string' && EXEC_TYPES.has(firstRecord.type) && !('payload' in firstRecord),
  async *read(files, ctx) {
    for (const file of files) yield* readExecFile(file, ctx);
  },
};

/** One stream may hold several runs one after another; each `thread.started` opens a trace. */
export async function* readExecFile(file: string, ctx: ReadContext): AsyncGenerator<Trace> {
  let state: ExecState | null = null;
  // `codex exec resume <id>` appended to the same stream starts the same thread again; its turns
  // continue the numbering so `turn_1` of the resumed run does not overwrite the first run's.
  const turnsByThread = new Map<string, number>();
  for await (const { n, value: event } of readJsonLines(file, ctx)) {
    if (!isRecord(event) || typeof event.type !== 'string') {
      ctx.skip({ file, line: n, reason: 'missing field "type"' });
      continue;
    }
    if (!EXEC_TYPES.has(event.type)) {
      ctx.skip({ file, line: n, reason: `unknown event type "${event.type}"` });
      continue;
    }
    if (event.type === 'thread.started') {
      if (state) {
        turnsByThread.set(state.builder.id, state.turns);
        yield state.builder.build();
      }
      const threadId = str(event.thread_id);
      if (!threadId) {
        ctx.skip({ file, line: n, reason: 'thread.started without "thread_id"' });
        state = null;
        continue;
      }
      state = new ExecState(new TraceBuilder(threadId, { kind: 'codex-exec-json', file, line: n }), turnsByThread.get(threadId) ?? 0);
      continue;
    }
    if (!state) {
      ctx.skip({ file, line: n, reason: `${event.type} before thread.started` });
      continue;
    }
    const problem = state.apply(event);
    if (problem) ctx.skip({ file, line: n, reason: problem });
  }
  if (state) yield state.builder.build();
}

class ExecState {
  private turn: number;
  private turnId: string | null = null;

  constructor(
    readonly builder: TraceBuilder,
    turnsBefore = 0,
  ) {
    builder.sessionId = builder.id;
    this.turn = turnsBefore;
    // The stream has no timestamps; the thread id is a UUIDv7 and carries the session's start.
    const started = isoFromUuidV7(builder.id);
    if (started) {
      builder.seeTime(started);
      builder.attributes.startTimeFrom = 'thread id (UUIDv7)';
    }
  }

  /** Turns started so far in this thread, earlier runs in the same stream included. */
  get turns(): number {
    return this.turn;
  }

  apply(event: Record<string, unknown>): string | null {
    const b = this.builder;
    switch (event.type) {
      case 'turn.started':
        this.turn++;
        this.turnId = `turn_${this.turn}`;
        b.upsertSpan({ id: this.turnId, kind: 'turn', name: 'turn', attributes: { index: this.turn } });
        return null;
      case 'turn.completed': {
        const usage = usageFromCodex(event.usage);
        if (usage) b.addUsage(usage);
        if (this.turnId) b.upsertSpan({ id: this.turnId, kind: 'turn', status: 'ok', attributes: { usage: event.usage } });
        return null;
      }
      case 'turn.failed': {
        const message = isRecord(event.error) ? (str(event.error.message) ?? 'turn failed') : 'turn failed';
        if (this.turnId) b.upsertSpan({ id: this.turnId, kind: 'turn', status: 'error', error: message });
        b.upsertSpan({ id: `${this.turnId ?? 'thread'}:failed`, kind: 'error', parentId: this.turnId, name: 'turn.failed', status: 'error', error: message });
        return null;
      }
      case 'error': {
        // Not fatal on its own (reconnect notices); kept as an error span for the record.
        const message = str(event.message) ?? 'error';
        b.upsertSpan({ id: `error_${b.spanCount}`, kind: 'error', parentId: this.turnId, name: 'error', status: 'error', error: message });
        return null;
      }
      default: {
        if (!isRecord(event.item)) return `${String(event.type)} without "item"`;
        return this.item(event.item, event.type === 'item.completed');
      }
    }
  }

  private item(item: Record<string, unknown>, completed: boolean): string | null {
    const b = this.builder;
    const rawId = str(item.id);
    if (!rawId) return 'item without "id"';
    // item_N restarts at 0 in every `codex exec` invocation, so scope it by turn.
    const id = `${this.turnId ?? 'turn_0'}/${rawId}`;
    const parentId = this.turnId;
    switch (item.type) {
      case 'agent_message': {
        const text = str(item.text);
        if (completed && text !== null) {
          b.finalAnswer = text;
          b.upsertSpan({ id, kind: 'message', parentId, name: 'assistant', output: text, status: 'ok' });
        }
        return null;
      }
      case 'command_execution': {
        const exitCode = typeof item.exit_code === 'number' ? item.exit_code : null;
        const failed = item.status === 'failed' || item.status === 'declined' || (exitCode !== null && exitCode !== 0);
        b.upsertSpan({
          id,
          kind: 'tool_call',
          parentId,
          name: 'exec_command',
          input: item.command,
          output: item.aggregated_output,
          exitCode,
          status: completed ? (failed ? 'error' : 'ok') : 'unset',
          error: completed && failed ? (item.status === 'declined' ? 'command declined' : `command exited with code ${exitCode ?? 'unknown'}`) : null,
          attributes: { itemStatus: item.status },
        });
        return null;
      }
      case 'file_change': {
        const failed = item.status === 'failed';
        b.upsertSpan({
          id,
          kind: 'tool_call',
          parentId,
          name: 'apply_patch',
          input: item.changes,
          status: completed ? (failed ? 'error' : 'ok') : 'unset',
          error: completed && failed ? 'patch failed' : null,
          attributes: { itemStatus: item.status },
        });
        return null;
      }
      case 'mcp_tool_call': {
        const error = isRecord(item.error) ? (str(item.error.message) ?? 'MCP tool call failed') : null;
        const failed = item.status === 'failed' || error !== null;
        b.upsertSpan({
          id,
          kind: 'tool_call',
          parentId,
          name: `mcp__${String(item.server)}__${String(item.tool)}`,
          input: item.arguments,
          output: item.result,
          status: completed ? (failed ? 'error' : 'ok') : 'unset',
          error: completed && failed ? (error ?? 'MCP tool call failed') : null,
          attributes: { server: item.server, tool: item.tool },
        });
        return null;
      }
      case 'error': {
        b.upsertSpan({ id, kind: 'error', parentId, name: 'error', status: 'error', error: str(item.message) ?? 'error' });
        return null;
      }
      case 'reasoning':
        return null;
      default:
        // todo_list, web_search, plan, …: kept so nothing the agent did is lost.
        b.upsertSpan({ id, kind: 'tool_call', parentId, name: String(item.type), output: item, status: completed ? 'ok' : 'unset' });
        return null;
    }
  }
}
