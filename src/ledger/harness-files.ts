import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import fg from 'fast-glob';
import { hasGlobChars, matchesAny as matchesAnyGlob, matchesGlob } from '../checks/glob.js';
import { HookConfigError, hookConfigFrom } from '../checks/hook-config.js';
import { InputError } from '../errors.js';
import type { Config } from '../schema/config.js';
import { INSTALLED, WORKSPACE_DIR, isLoopState } from '../workspace/layout.js';

const execFileAsync = promisify(execFile);

/** Folders never listed: dependencies and VCS internals are not the workspace's own files. */
const IGNORED = ['**/node_modules/**', '**/.git/**'];

/**
 * The harness allow-list: `guard.allow` from the config, else the guard's defaults. Read through
 * the guard's own config reader, so the edit guard and the ledger always agree on what is harness.
 */
export function readHarnessGlobs(config: Config): string[] {
  try {
    return hookConfigFrom({ guard: (config as { guard?: unknown }).guard }).guard.allow;
  } catch (error) {
    if (error instanceof HookConfigError) throw new InputError(`invalid config: ${error.message}`, '.harness-loop/config.yaml', undefined, 'config.invalid');
    throw error;
  }
}

/** True when `path` is a harness file: the edit guard's own glob match against the allow-list. */
export function isHarnessPath(path: string, harnessGlobs: readonly string[]): boolean {
  return matchesAnyGlob(path, harnessGlobs);
}

/**
 * True when `path` is among a recommendation's files: globs match as the guard matches them, and
 * a path without wildcards also covers everything below it, so a recommendation can name a folder.
 */
export function matchesFiles(path: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => {
    if (hasGlobChars(p) || p.includes('{')) return matchesGlob(path, p);
    const plain = p.replace(/^\.\//, '').replace(/\/+$/, '');
    return path === plain || path.startsWith(`${plain}/`);
  });
}

/**
 * Loop state and exam under `.harness-loop/` (traces, results, the ledger, the suite, the cycle
 * itself) change with every command, so they are never counted as a change; only the config there
 * is the harness's own. The declared layout (src/workspace/layout.ts) says which is which.
 */
export { isLoopState } from '../workspace/layout.js';

/** Hashes of the workspace, split into harness files and everything else. */
export interface WorkspaceHashes {
  /** How files were listed. */
  listing: 'git' | 'walk';
  /** sha256 per harness file. */
  harness: Record<string, string>;
  /** sha256 per other file. */
  workspace: Record<string, string>;
}

/**
 * Hashes every workspace file: `git ls-files` (tracked plus untracked, not ignored) in a git
 * repository, a walk elsewhere, and the harness globs always, since `.codex/` or skills may be
 * git-ignored and still be the harness.
 */
export async function hashWorkspace(root: string, harnessGlobs: readonly string[]): Promise<WorkspaceHashes> {
  const git = await listGitFiles(root);
  const listed = git ?? (await fg('**', { cwd: root, dot: true, onlyFiles: true, followSymbolicLinks: false, ignore: [...IGNORED, `${WORKSPACE_DIR}/**`] }));
  const globbed = await fg([...harnessGlobs], {
    cwd: root,
    dot: true,
    onlyFiles: true,
    followSymbolicLinks: false,
    ignore: [...IGNORED, `${WORKSPACE_DIR}/**`],
  });
  const paths = [...new Set([...listed, ...globbed, INSTALLED.config])].filter((p) => !isLoopState(p)).sort();
  const hashes = await hashFiles(root, paths);
  const result: WorkspaceHashes = { listing: git ? 'git' : 'walk', harness: {}, workspace: {} };
  for (const [path, hash] of Object.entries(hashes)) {
    (isHarnessPath(path, harnessGlobs) ? result.harness : result.workspace)[path] = hash;
  }
  return result;
}

/** Files git knows about under `root`, or null when `root` is not in a repository (or git is absent). */
async function listGitFiles(root: string): Promise<string[] | null> {
  try {
    const { stdout } = await execFileAsync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
      cwd: root,
      maxBuffer: 1 << 30,
      encoding: 'utf8',
    });
    return stdout.split('\0').filter((p) => p !== '' && !p.split('/').includes('node_modules'));
  } catch {
    return null;
  }
}

/** sha256 per path; paths that vanished or are not files (submodules, sockets) are left out. */
async function hashFiles(root: string, paths: string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  let next = 0;
  const worker = async () => {
    while (next < paths.length) {
      const path = paths[next++]!;
      const hash = await hashPath(join(root, path));
      if (hash !== null) out[path] = hash;
    }
  };
  await Promise.all(Array.from({ length: Math.min(16, paths.length) }, worker));
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

async function hashPath(file: string): Promise<string | null> {
  let stat;
  try {
    stat = await lstat(file);
  } catch {
    return null;
  }
  const h = createHash('sha256');
  if (stat.isSymbolicLink()) return h.update(`symlink:${await readlink(file)}`).digest('hex');
  if (!stat.isFile()) return null;
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}
