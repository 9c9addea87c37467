// Hook handlers of a hooks.json, each with the line of its command. Pure.
import type { HookEntry } from '../schema/harness.js';

/** harness-loop's own hooks run its bundle; they are never a remedy target. */
export function isHarnessLoopCommand(command: string): boolean {
  return /\.codex\/harness-loop\/|check_evidence_coverage|guard_edits|harness-loop\.mjs/.test(command);
}

type HookGroups = Record<string, { matcher?: string; hooks?: { command?: string; timeout?: number }[] }[]>;

/** Reads `{ hooks: { Event: [{ matcher, hooks: [{ command, timeout }] }] } }`; throws on bad JSON. */
export function parseHooksJson(text: string, where: { file: string; editable: boolean }): HookEntry[] {
  const doc = JSON.parse(text) as { hooks?: HookGroups };
  return hookEntries(doc.hooks ?? {}, text, where);
}

/** `[[hooks.PreToolUse]]` tables of a config.toml (already parsed), with their lines. */
export function tomlHooks(hooks: unknown, text: string, where: { file: string; editable: boolean }): HookEntry[] {
  return typeof hooks === 'object' && hooks !== null && !Array.isArray(hooks) ? hookEntries(hooks as HookGroups, text, where) : [];
}

function hookEntries(groupsByEvent: HookGroups, text: string, where: { file: string; editable: boolean }): HookEntry[] {
  const lines = text.split(/\r?\n/);
  const used = new Set<number>();
  // The n-th occurrence of a command string is the n-th handler using it.
  const lineOf = (command: string): number => {
    const needle = JSON.stringify(command);
    for (let i = 0; i < lines.length; i++) if (!used.has(i) && lines[i]!.includes(needle)) return (used.add(i), i + 1);
    return 1;
  };
  const out: HookEntry[] = [];
  for (const [event, groups] of Object.entries(groupsByEvent)) {
    if (!Array.isArray(groups)) continue;
    for (const group of groups) {
      for (const h of group?.hooks ?? []) {
        const command = typeof h?.command === 'string' ? h.command : '';
        const owner = isHarnessLoopCommand(command) ? 'harness-loop' : 'team';
        out.push({
          file: where.file,
          line: lineOf(command),
          event,
          matcher: typeof group.matcher === 'string' ? group.matcher : null,
          command,
          timeout: typeof h.timeout === 'number' ? h.timeout : null,
          owner,
          editable: where.editable && owner === 'team',
        });
      }
    }
  }
  return out;
}
