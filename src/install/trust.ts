// Codex hook trust: `trusted_hash` per handler, keyed by hooks.json path, event, group and handler
// index (codex-rs/hooks/src/engine/discovery.rs `command_hook_hash`, codex-cli 0.169.0).
import { createHash } from 'node:crypto';

/** Event labels as Codex spells them in trust keys. */
export const EVENT_LABEL: Record<string, string> = {
  PreToolUse: 'pre_tool_use',
  PermissionRequest: 'permission_request',
  PostToolUse: 'post_tool_use',
  PreCompact: 'pre_compact',
  PostCompact: 'post_compact',
  SessionStart: 'session_start',
  UserPromptSubmit: 'user_prompt_submit',
  SubagentStart: 'subagent_start',
  SubagentStop: 'subagent_stop',
  Stop: 'stop',
};

const EVENTS_WITHOUT_MATCHER = new Set(['UserPromptSubmit', 'Stop']);

/** One command handler as written in hooks.json. */
export interface HookHandler {
  type: 'command';
  command: string;
  timeout?: number;
  async?: boolean;
  statusMessage?: string;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** The hash Codex compares before running a handler; any change to the handler changes it. */
export function trustedHash(event: string, matcher: string | undefined, handler: HookHandler): string {
  const h: Record<string, unknown> = { type: 'command', command: handler.command, timeout: Math.max(1, handler.timeout ?? 600), async: handler.async ?? false };
  if (handler.statusMessage != null) h.statusMessage = handler.statusMessage;
  const identity: Record<string, unknown> = { event_name: EVENT_LABEL[event], hooks: [h] };
  if (matcher != null && !EVENTS_WITHOUT_MATCHER.has(event)) identity.matcher = matcher;
  return `sha256:${createHash('sha256')
    .update(JSON.stringify(sortKeys(identity)))
    .digest('hex')}`;
}

/** The `hooks.state` key for one handler. */
export function trustKey(hooksJsonPath: string, event: string, groupIndex: number, handlerIndex: number): string {
  return `${hooksJsonPath}:${EVENT_LABEL[event]}:${groupIndex}:${handlerIndex}`;
}
