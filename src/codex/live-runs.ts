// The codex eval provider's side of isolated homes. The provider is a Node-built-ins-only file that
// Promptfoo loads, and it makes a new scratch copy per test, so it cannot call
// prepareIsolatedCodexHome itself: the runner prepares everything that needs parsing here, once
// per eval run, and hands the provider a plan (a JSON file named by an environment variable, in a
// private temporary folder: carried settings may hold credentials, so never in the suite file).
// Per test the provider only copies the user's files and fills the project's path into the config.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeOnInterrupt, renderIsolatedConfig, RUN_DEFAULTS } from './isolated-home.js';
import { readProjectHookTrust, renderProjectTrust } from './project-trust.js';
import { readCarriedSettings } from './user-settings.js';

/** The environment variable that names the plan file. */
export const LIVE_RUN_PLAN_ENV = 'HARNESS_LOOP_LIVE_RUN_PLAN';
/** Stands for the project's real path in `configTemplate`; the provider replaces it, TOML-escaped. */
export const PROJECT_ROOT_TOKEN = '<<harness-loop:project-root>>';

/** What the provider reads (keep in step with codex-provider.mjs `readPlan`). */
export interface LiveRunPlan {
  version: 1;
  /** Per-test folders (scratch copy + Codex home) are made here. */
  runDir: string;
  /** Leave the per-test folders after the run. */
  keep: boolean;
  /** The run home's config.toml with `PROJECT_ROOT_TOKEN` for the copy's path. */
  configTemplate: string;
  projectRootToken: string;
  /** User files to copy into each home (auth.json). */
  copyFiles: string[];
  /** User config keys carried (for debugging a kept run). */
  carriedKeys: string[];
  /**
   * sha256 of each file the hook trust was computed from (null: absent). The provider checks its
   * copy against them: a copy whose hooks differ would run with untrusted, silently skipped hooks.
   */
  hookSources: Record<string, string | null>;
}

/** The files Codex reads project hooks from, relative to the project root. */
export const HOOK_SOURCES = ['.codex/hooks.json', '.codex/config.toml'] as const;

/** A prepared eval run: environment for Promptfoo and the cleanup. */
export interface LiveRuns {
  runDir: string;
  env: Record<string, string>;
  /** Removes the run folder (nothing when kept). */
  cleanup(): Promise<void>;
}

/** sha256 of each hook source in `projectDir`, null when absent. */
async function hashHookSources(projectDir: string): Promise<Record<string, string | null>> {
  const out: Record<string, string | null> = {};
  for (const rel of HOOK_SOURCES) {
    const data = await readFile(join(projectDir, rel)).catch(() => null);
    out[rel] = data === null ? null : createHash('sha256').update(data).digest('hex');
  }
  return out;
}

/**
 * Writes the plan for one eval run. `projectDir` is the folder the provider copies (the workspace,
 * or the harness an A/B baseline side runs): its hooks are the ones trusted.
 */
export async function prepareLiveRuns(opts: { projectDir: string; userCodexHome: string; keep?: boolean }): Promise<LiveRuns> {
  const hookSources = await hashHookSources(opts.projectDir);
  const [carried, hooks] = await Promise.all([readCarriedSettings(opts.userCodexHome), readProjectHookTrust(opts.projectDir)]);
  const runDir = await realpath(await mkdtemp(join(tmpdir(), 'harness-loop-run-')));
  const plan: LiveRunPlan = {
    version: 1,
    runDir,
    keep: opts.keep === true,
    configTemplate: renderIsolatedConfig(carried.toml, renderProjectTrust(PROJECT_ROOT_TOKEN, hooks), RUN_DEFAULTS),
    projectRootToken: PROJECT_ROOT_TOKEN,
    copyFiles: carried.files,
    carriedKeys: carried.keys,
    hookSources,
  };
  const file = join(runDir, 'plan.json');
  const stopWatching = plan.keep ? () => {} : removeOnInterrupt(runDir);
  await writeFile(file, JSON.stringify(plan), { mode: 0o600 });
  return {
    runDir,
    env: { [LIVE_RUN_PLAN_ENV]: file },
    cleanup: async () => {
      stopWatching();
      if (!plan.keep) await rm(runDir, { recursive: true, force: true });
    },
  };
}
