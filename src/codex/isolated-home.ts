// A fresh CODEX_HOME per live run. Codex applies a project's .codex/config.toml and hooks only to
// trusted projects, and trust lives in $CODEX_HOME/config.toml: so each run gets its own home in
// which the project it runs in is trusted (with its hooks' hashes), plus the user's model access
// (user-settings.ts). The user's own CODEX_HOME is only read, never written: trusting a throwaway
// copy there would stay in their config for good, and their sessions folder would fill with runs.
import { rmSync } from 'node:fs';
import { chmod, copyFile, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { readProjectHookTrust, renderProjectTrust } from './project-trust.js';
import { readCarriedSettings } from './user-settings.js';

/** Options of `prepareIsolatedCodexHome`. */
export interface IsolatedHomeOptions {
  /** The project the run works in (its cwd); trusted in the new home. */
  projectDir: string;
  /** Where the user's settings come from (default `$CODEX_HOME`, else `~/.codex`). */
  userCodexHome?: string;
  /** Leave the home in place after `cleanup()` (`--keep-runs`). */
  keep?: boolean;
}

/** A prepared home. */
export interface IsolatedHome {
  /** Absolute path of the new CODEX_HOME. */
  home: string;
  /** Environment to add to Codex's: `CODEX_HOME`. */
  env: Record<string, string>;
  /** Removes the home (nothing when `keep`). */
  cleanup(): Promise<void>;
}

/**
 * Settings of a live run that the project's own .codex/config.toml may change (it overrides this
 * layer). Callers pass no `-s` flag: a flag would win over the project, and a sandbox change could
 * not be measured.
 */
export const RUN_DEFAULTS = 'sandbox_mode = "workspace-write"';

/** The user's Codex home as Codex finds it. */
export function userCodexHomeOf(env: NodeJS.ProcessEnv = process.env): string {
  return env.CODEX_HOME || join(homedir(), '.codex');
}

/**
 * config.toml of a run's home: a header, `defaults` (top-level `key = value` lines that the
 * project's own config.toml may override, as it overrides the user's), the carried user settings,
 * then the project's trust. Top-level keys come first: TOML puts everything after a table in it.
 */
export function renderIsolatedConfig(carriedToml: string, trust: string, defaults = ''): string {
  const header =
    '# Written by harness-loop for one live run: the project below is trusted with its hooks;\n# the rest is carried over from your own Codex config. Removed after the run unless --keep-runs.\n';
  const part = (text: string) => (text.trim() === '' ? '' : `${text.trimEnd()}\n`);
  return [header, part(defaults), part(carriedToml), trust].filter((p) => p !== '').join('\n');
}

/**
 * Creates the home; `projectDir` is trusted by its real path, as Codex looks it up. Start Codex
 * with `{ ...process.env, ...env }`, cwd `projectDir` and no `-s` flag (see RUN_DEFAULTS), then
 * call `cleanup()` once the session's rollout has been read.
 */
export async function prepareIsolatedCodexHome(opts: IsolatedHomeOptions): Promise<IsolatedHome> {
  const userHome = opts.userCodexHome ?? userCodexHomeOf();
  const projectRoot = await realpath(opts.projectDir);
  const [carried, hooks] = await Promise.all([readCarriedSettings(userHome), readProjectHookTrust(projectRoot)]);
  const home = await realpath(await mkdtemp(join(tmpdir(), 'harness-loop-codex-home-')));
  const stopWatching = opts.keep ? () => {} : removeOnInterrupt(home);
  try {
    await writeFile(join(home, 'config.toml'), renderIsolatedConfig(carried.toml, renderProjectTrust(projectRoot, hooks), RUN_DEFAULTS), { mode: 0o600 });
    for (const file of carried.files) {
      const target = join(home, basename(file));
      await copyFile(file, target);
      await chmod(target, 0o600);
    }
  } catch (error) {
    stopWatching();
    await rm(home, { recursive: true, force: true });
    throw error;
  }
  return {
    home,
    env: { CODEX_HOME: home },
    cleanup: async () => {
      stopWatching();
      if (!opts.keep) await rm(home, { recursive: true, force: true });
    },
  };
}

/**
 * Removes `dir` when the run is interrupted (Ctrl-C, a CI job cancelled): a run's folder holds
 * copies of the user's login, which must not stay behind in the temporary folder. The signal is
 * then raised again, so the process ends as it would have.
 */
export function removeOnInterrupt(dir: string): () => void {
  const onSignal = (signal: NodeJS.Signals) => {
    stop();
    rmSync(dir, { recursive: true, force: true });
    process.kill(process.pid, signal);
  };
  const stop = () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return stop;
}
