import type { HookHandler } from './trust.js';
import { HOOK_IDS } from '../workspace/layout.js';

// Repository installs put the bundle in .codex/harness-loop/, user installs in $CODEX_HOME/harness-loop/.
const OURS = new RegExp(`harness-loop/hooks/(${HOOK_IDS.join('|')})\\.c?m?js`);

/** hooks.json as Codex reads it: `{ hooks: { <Event>: [{ matcher?, hooks: [handler] }] } }`. */
export interface HooksFile {
  hooks: Record<string, { matcher?: string; hooks: HookHandler[] }[]>;
  [key: string]: unknown;
}

/** One group install owns. */
export interface OwnedGroup {
  event: string;
  matcher: string;
  handler: HookHandler;
}

/** Ours are recognised by where their script lives, so a user's own hooks are never touched. */
export function isOurHandler(handler: { command?: unknown }): boolean {
  return typeof handler.command === 'string' && OURS.test(handler.command);
}

/** Drops our groups (and only ours); events left empty are removed. */
export function withoutOurHooks(file: HooksFile): HooksFile {
  const hooks: HooksFile['hooks'] = {};
  for (const [event, groups] of Object.entries(file.hooks ?? {})) {
    const kept = groups.map((g) => ({ ...g, hooks: (g.hooks ?? []).filter((h) => !isOurHandler(h)) })).filter((g) => g.hooks.length > 0);
    if (kept.length > 0) hooks[event] = kept;
  }
  return { ...file, hooks };
}

/** Adds our groups at the end of each event's list; returns where each landed (for trust keys). */
export function withOurHooks(
  file: HooksFile,
  owned: OwnedGroup[],
): { file: HooksFile; positions: { event: string; group: number; handler: number; owned: OwnedGroup }[] } {
  const base = withoutOurHooks(file);
  const hooks: HooksFile['hooks'] = { ...base.hooks };
  const positions: { event: string; group: number; handler: number; owned: OwnedGroup }[] = [];
  for (const o of owned) {
    const groups = [...(hooks[o.event] ?? [])];
    groups.push({ matcher: o.matcher, hooks: [o.handler] });
    hooks[o.event] = groups;
    positions.push({ event: o.event, group: groups.length - 1, handler: 0, owned: o });
  }
  return { file: { ...base, hooks }, positions };
}
