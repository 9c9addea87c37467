// `codex exec --json` before the thread/turn/item events (0.4x): a config line, a `{"prompt"}`
// line, then `{"id": "<submission>", "msg": {"type": …}}` events named like the protocol's
// EventMsg (exec_command_begin/end, patch_apply_begin/end, mcp_tool_call_begin/end, agent_message,
// token_count, task_complete, error). The stream carries no thread id and no timestamps.
import type { Trace } from '../schema/trace.js';
import { stableId } from '../util/hash.js';
import { toNumber } from '../util/time.js';
import { readJsonLines } from './json-lines.js';
import { isRecord, str, type ReadContext, type TraceReader } from './source.js';
import { TraceBuilder, usageFromCodex } from './trace-builder.js';

/** The first line of an old stream: an event, the prompt, or the config summary. */
function isLegacyExecLine(r: unknown): boolean {
  if (!isRecord(r) || 'type' in r || 'payload' in r) return false;
  if (isRecord(r.msg) && typeof r.msg.type === 'string') return true;
  if (typeof r.prompt === 'string' && Object.keys(r).length === 1) return true;
  return typeof r.model === 'string' && ('sandbox' in r || 'approval' in r || 'workdir' in r || 'provider' in r);
}

export const codexExecLegacyReader: TraceReader = {
  kind: 'codex-exec-json',
  name: 'exec-legacy',
  sniff: ({ firstRecord }) => isLegacyExecLine(firstRecord),
  async *read(files, ctx) {
    for (const file of files) {
      const trace = await readLegacyExecFile(file, ctx);
      if (trace) yield trace;
    }
  },
};

/** One old stream is one `codex exec` run: one trace. */
export async function readLegacyExecFile(file: string, ctx: ReadContext): Promise<Trace | null> {
  // No thread id in the stream: the id is a hash of the run's own lines, so the same stream
  // ingested from another place is still the same trace.
  const digest: string[] = [];
  const b = new TraceBuilder('pending', { kind: 'codex-exec-json', file, line: 1 });
  let turn = 0;
  let events = 0;
  for await (const { n, value } of readJsonLines(file, ctx)) {
    if (!isRecord(value)) {
      ctx.skip({ file, line: n, reason: 'not a JSON object' });
      continue;
    }
    if (digest.length < 50) digest.push(JSON.stringify(value));
    if (!isRecord(value.msg)) {
      if (typeof value.prompt === 'string') b.task ??= value.prompt;
      else if (typeof value.model === 'string') {
        b.addModel(value.model);
        b.cwd ??= str(value.workdir);
        b.attributes.config = value;
      } else ctx.skip({ file, line: n, reason: 'missing field "msg"' });
      continue;
    }
    events++;
    const msg = value.msg;
    const turnId = `turn_${Math.max(turn, 1)}`;
    switch (msg.type) {
      case 'session_configured':
        if (typeof msg.session_id === 'string') b.attributes.sessionId = msg.session_id;
        b.addModel(msg.model);
        break;
      case 'task_started':
        turn++;
        b.upsertSpan({ id: `turn_${turn}`, kind: 'turn', name: 'turn', attributes: { contextWindow: msg.model_context_window } });
        break;
      case 'task_complete':
        if (typeof msg.last_agent_message === 'string') b.finalAnswer = msg.last_agent_message;
        b.upsertSpan({
          id: turnId,
          kind: 'turn',
          name: 'turn',
          status: 'ok',
          output: msg.last_agent_message ?? undefined,
          attributes: { outcome: 'completed' },
        });
        break;
      case 'turn_aborted':
        b.upsertSpan({
          id: turnId,
          kind: 'turn',
          name: 'turn',
          status: 'error',
          error: `turn aborted: ${String(msg.reason ?? 'unknown')}`,
          attributes: { outcome: msg.reason === 'interrupted' ? 'interrupted' : 'aborted' },
        });
        break;
      case 'agent_message':
        if (typeof msg.message === 'string') {
          b.finalAnswer = msg.message;
          b.upsertSpan({ id: `message:${n}`, kind: 'message', parentId: turnId, name: 'assistant', output: msg.message, status: 'ok' });
        }
        break;
      case 'exec_command_begin': {
        const id = str(msg.call_id) ?? `exec:${n}`;
        b.upsertSpan({ id, kind: 'tool_call', parentId: turnId, name: 'shell', input: msg.command, attributes: { commandCwd: msg.cwd } });
        break;
      }
      case 'exec_command_end': {
        const id = str(msg.call_id) ?? `exec:${n}`;
        const exitCode = typeof msg.exit_code === 'number' ? msg.exit_code : null;
        const failed = exitCode !== null && exitCode !== 0;
        const d = isRecord(msg.duration) ? (toNumber(msg.duration.secs) ?? 0) * 1000 + (toNumber(msg.duration.nanos) ?? 0) / 1e6 : null;
        const output = str(msg.aggregated_output) || [str(msg.stdout), str(msg.stderr)].filter(Boolean).join('\n');
        b.upsertSpan({
          id,
          kind: 'tool_call',
          parentId: turnId,
          name: b.getSpan(id)?.name ?? 'shell',
          output,
          exitCode,
          durationMs: d,
          status: failed ? 'error' : 'ok',
          error: failed ? `command exited with code ${exitCode}` : null,
        });
        break;
      }
      case 'patch_apply_begin': {
        const id = str(msg.call_id) ?? `patch:${n}`;
        b.upsertSpan({ id, kind: 'tool_call', parentId: turnId, name: 'apply_patch', input: isRecord(msg.changes) ? Object.keys(msg.changes) : msg.changes });
        break;
      }
      case 'patch_apply_end': {
        const id = str(msg.call_id) ?? `patch:${n}`;
        const ok = msg.success !== false;
        b.upsertSpan({
          id,
          kind: 'tool_call',
          parentId: turnId,
          name: 'apply_patch',
          output: msg.stdout,
          status: ok ? 'ok' : 'error',
          error: ok ? null : str(msg.stderr) || 'patch failed',
        });
        break;
      }
      case 'mcp_tool_call_begin':
      case 'mcp_tool_call_end': {
        const inv = isRecord(msg.invocation) ? msg.invocation : {};
        const id = str(msg.call_id) ?? `mcp:${n}`;
        const result = isRecord(msg.result) ? msg.result : null;
        const failed = result !== null && ('Err' in result || (isRecord(result.Ok) && result.Ok.isError === true));
        b.upsertSpan({
          id,
          kind: 'tool_call',
          parentId: turnId,
          name: `mcp__${String(inv.server)}__${String(inv.tool)}`,
          input: inv.arguments,
          ...(msg.type === 'mcp_tool_call_end' ? { output: result, status: failed ? 'error' : 'ok', error: failed ? 'MCP tool call failed' : null } : {}),
        });
        break;
      }
      case 'token_count': {
        const total = usageFromCodex(isRecord(msg.info) ? msg.info.total_token_usage : msg);
        if (total) b.usageTotal = total;
        break;
      }
      case 'error':
        b.upsertSpan({ id: `error:${n}`, kind: 'error', parentId: turnId, name: 'error', status: 'error', error: str(msg.message) ?? 'error' });
        break;
      default:
        break; // reasoning, deltas, background notices
    }
  }
  if (events === 0 && b.task === null) return null;
  const sessionId = str(b.attributes.sessionId);
  const id = sessionId ?? stableId('exec-', ...digest);
  b.sessionId = sessionId;
  return { ...b.build(), id };
}
