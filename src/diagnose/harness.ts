import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import fg from 'fast-glob';
import type { HarnessFile } from './rank.js';

/** The instruction-bearing harness files: AGENTS.md at any depth, skills, hook and Codex config. */
const HARNESS_GLOBS = ['**/AGENTS.md', '.agents/skills/**/SKILL.md', 'skills/**/SKILL.md', '.codex/skills/**/SKILL.md', '.codex/hooks.json', '.codex/config.toml', '.harness-loop/config.yaml'];

export async function readHarnessFiles(root: string): Promise<HarnessFile[]> {
  const files = await fg(HARNESS_GLOBS, { cwd: root, dot: true, absolute: true, ignore: ['**/node_modules/**', '**/.git/**', '.codex/harness-loop/**'] });
  const out: HarnessFile[] = [];
  for (const file of files.sort()) out.push({ path: relative(root, file), text: await readFile(file, 'utf8') });
  return out;
}
