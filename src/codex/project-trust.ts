// The trust a live run gives the project it runs in: the same `[projects."…"] trust_level` and
// `[hooks.state."…"] trusted_hash` tables `install --trust` writes, for every command handler the
// project defines (in .codex/hooks.json and as [[hooks.<Event>]] tables in .codex/config.toml),
// so Codex applies the project's config and runs its hooks exactly as in a trusted checkout.
import { join } from 'node:path';
import { parseToml } from '../install/toml-edit.js';
import { EVENT_LABEL, trustedHash, type HookHandler } from '../install/trust.js';
import { readTextIfExists } from '../util/files.js';

/** One handler's trust, with the defining file relative to the project root (the key's path part). */
export interface HookTrustEntry {
  /** `.codex/hooks.json` or `.codex/config.toml`. */
  file: string;
  /** Codex's event label (`post_tool_use`). */
  label: string;
  group: number;
  handler: number;
  /** `sha256:…`, as Codex computes it. */
  hash: string;
}

type Groups = Record<string, unknown>;

/** Trust entries for hooks defined as `{ <Event>: [{ matcher?, hooks: [handler] }] }` (pure). */
export function hookTrustEntries(file: string, hooks: Groups): HookTrustEntry[] {
  const entries: HookTrustEntry[] = [];
  for (const [event, groups] of Object.entries(hooks)) {
    const label = EVENT_LABEL[event];
    if (!label || !Array.isArray(groups)) continue;
    groups.forEach((group: unknown, g) => {
      const { matcher, hooks: handlers } = (group ?? {}) as { matcher?: unknown; hooks?: unknown };
      if (!Array.isArray(handlers)) return;
      handlers.forEach((h: unknown, i) => {
        const handler = (h ?? {}) as Partial<HookHandler>;
        // Only command handlers run (Codex skips `prompt`/`agent` ones); the index still counts them.
        if (handler.type !== 'command' || typeof handler.command !== 'string') return;
        entries.push({
          file,
          label,
          group: g,
          handler: i,
          hash: trustedHash(event, typeof matcher === 'string' ? matcher : undefined, handler as HookHandler),
        });
      });
    });
  }
  return entries;
}

/**
 * Every project hook handler's trust. A file that does not parse gives no entries: Codex reports
 * it itself in the run, where the change that broke it is measured.
 */
export async function readProjectHookTrust(projectDir: string): Promise<HookTrustEntry[]> {
  const entries: HookTrustEntry[] = [];
  const json = await readTextIfExists(join(projectDir, '.codex', 'hooks.json'));
  if (json !== null) {
    try {
      const hooks = (JSON.parse(json) as { hooks?: unknown })?.hooks;
      if (hooks && typeof hooks === 'object') entries.push(...hookTrustEntries('.codex/hooks.json', hooks as Groups));
    } catch {
      // not JSON: see above
    }
  }
  const toml = await readTextIfExists(join(projectDir, '.codex', 'config.toml'));
  if (toml !== null) {
    try {
      const hooks = parseToml(toml).hooks;
      if (hooks && typeof hooks === 'object') entries.push(...hookTrustEntries('.codex/config.toml', hooks as Groups));
    } catch {
      // not TOML: see above
    }
  }
  return entries;
}

/** A TOML basic string (JSON's escapes are TOML's, except DEL, which TOML wants escaped). */
export function tomlString(value: string): string {
  return JSON.stringify(value).replace(/\x7f/g, '\\u007f');
}

/** The trust tables for a project at `projectRoot` (an absolute, real path), as config.toml text. */
export function renderProjectTrust(projectRoot: string, entries: readonly HookTrustEntry[]): string {
  const lines = [`[projects.${tomlString(projectRoot)}]`, 'trust_level = "trusted"'];
  for (const e of entries) {
    lines.push('', `[hooks.state.${tomlString(`${projectRoot}/${e.file}:${e.label}:${e.group}:${e.handler}`)}]`, `trusted_hash = ${tomlString(e.hash)}`);
  }
  return `${lines.join('\n')}\n`;
}
