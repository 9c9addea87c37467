import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { HarnessModel } from '../schema/harness.js';

/** A harness file as read from the workspace, for the model's prompt. */
export interface HarnessFile {
  path: string;
  text: string;
}

/** The user layer Codex reads: $CODEX_HOME, else ~/.codex. */
export function defaultCodexHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.CODEX_HOME || join(homedir(), '.codex');
}

/** The team's own harness files in the repository (harness-loop's own left out), sorted. */
export function teamHarnessPaths(h: HarnessModel): string[] {
  const paths = [
    ...h.agentsMd.filter((a) => a.scope === 'repo' && a.owner === 'team').map((a) => a.file),
    ...h.skills.filter((s) => s.scope === 'repo' && s.owner === 'team').map((s) => s.file),
    ...(h.hooks.some((x) => x.owner === 'team') ? h.hooks.filter((x) => !x.file.startsWith('/')).map((x) => x.file) : []),
    ...h.config.filter((c) => c.scope === 'repo').map((c) => c.file),
    ...h.outputSchemas.map((s) => s.file),
  ];
  return [...new Set(paths)].sort();
}

/** The text of each team harness file, for the LLM diagnosis prompt. */
export async function readTeamHarnessFiles(h: HarnessModel): Promise<HarnessFile[]> {
  const out: HarnessFile[] = [];
  for (const path of teamHarnessPaths(h)) out.push({ path, text: await readFile(join(h.root, path), 'utf8').catch(() => '') });
  return out;
}
