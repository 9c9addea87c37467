import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** Whether `dir` is inside a git work tree (a `.git` folder, or a worktree's `.git` file, above it). */
export function isInGitRepo(dir: string): boolean {
  for (let d = resolve(dir); ; d = dirname(d)) {
    if (existsSync(join(d, '.git'))) return true;
    if (dirname(d) === d) return false;
  }
}

/** The warning for commands whose cycles and commits need git, or null inside a repository. */
export function notGitWarning(dir: string): string | null {
  if (isInGitRepo(dir)) return null;
  return `${resolve(dir)} is not a git repository: improvement cycles compare and commit harness changes with git (run \`git init\` there first)`;
}
