import { execFile } from 'node:child_process';
import { copyFile, lstat, mkdir, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { FileChange } from '../schema/ledger.js';
import type { RecommendationForCycle } from './recommendation.js';
import { matchesFiles, type WorkspaceHashes } from './harness-files.js';

const execFileAsync = promisify(execFile);

/** Harness files larger than this are hashed but not copied, so their line stats are null. */
export const SNAPSHOT_MAX_BYTES = 1024 * 1024;

/** Copies the harness files into a fresh snapshot folder, for line diff stats at verify. */
export async function writeSnapshot(root: string, snapshotDir: string, paths: readonly string[]): Promise<void> {
  await rm(snapshotDir, { recursive: true, force: true });
  await mkdir(snapshotDir, { recursive: true });
  for (const path of paths) {
    const stat = await lstat(join(root, path)).catch(() => null);
    if (!stat?.isFile() || stat.size > SNAPSHOT_MAX_BYTES) continue;
    await mkdir(dirname(join(snapshotDir, path)), { recursive: true });
    await copyFile(join(root, path), join(snapshotDir, path));
  }
}

/** What a cycle-start state and the current one say about each file. */
export interface ChangeInput {
  /** Workspace root. */
  root: string;
  /** Snapshot folder written at cycle start. */
  snapshotDir: string;
  /** Hashes recorded at cycle start. */
  before: Pick<WorkspaceHashes, 'harness' | 'workspace' | 'listing'>;
  /** Hashes now, listed with the same harness globs. */
  after: WorkspaceHashes;
}

/** Every file added, removed or modified since cycle start, harness files with line stats. */
export async function describeChanges(input: ChangeInput): Promise<FileChange[]> {
  const { before, after } = input;
  const harness = new Set([...Object.keys(before.harness), ...Object.keys(after.harness)]);
  const old = { ...before.workspace, ...before.harness };
  const now = { ...after.workspace, ...after.harness };
  const paths = [...new Set([...Object.keys(old), ...Object.keys(now)])].sort();
  const changes: FileChange[] = [];
  for (const path of paths) {
    const change = old[path] === undefined ? 'added' : now[path] === undefined ? 'removed' : old[path] !== now[path] ? 'modified' : null;
    if (!change) continue;
    const isHarness = harness.has(path);
    const stat = isHarness ? await measureLines(input, path, change, before.listing === 'git') : { added: null, removed: null };
    changes.push({ path, change, ...stat, harness: isHarness });
  }
  return changes;
}

type LineStat = { added: number | null; removed: number | null };

async function measureLines(input: ChangeInput, path: string, change: FileChange['change'], useGit: boolean): Promise<LineStat> {
  const snap = join(input.snapshotDir, path);
  const current = join(input.root, path);
  if (change === 'added') {
    const lines = await readLinesOf(current);
    return { added: lines?.length ?? null, removed: lines ? 0 : null };
  }
  if (change === 'removed') {
    const lines = await readLinesOf(snap);
    return { added: lines ? 0 : null, removed: lines?.length ?? null };
  }
  if (useGit) {
    const stat = await numstatWithGit(snap, current);
    if (stat) return stat;
  }
  const [a, b] = await Promise.all([readLinesOf(snap), readLinesOf(current)]);
  return a && b ? countLineChanges(a, b) : { added: null, removed: null };
}

/** Lines of a text file, or null when it is missing, binary (a NUL byte, as git judges) or oversized. */
async function readLinesOf(file: string): Promise<string[] | null> {
  const stat = await lstat(file).catch(() => null);
  if (!stat?.isFile() || stat.size > SNAPSHOT_MAX_BYTES) return null;
  const buf = await readFile(file);
  if (buf.subarray(0, 8000).includes(0)) return null;
  const text = buf.toString('utf8');
  if (text === '') return [];
  return (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n');
}

/** `git diff --no-index --numstat`: git's own line counts, without touching any repository state. */
async function numstatWithGit(a: string, b: string): Promise<LineStat | null> {
  try {
    await execFileAsync('git', ['diff', '--no-index', '--numstat', '--', a, b]);
    return { added: 0, removed: 0 };
  } catch (error) {
    // Exit code 1 means "files differ", with the stat on stdout.
    const e = error as { code?: number; stdout?: string };
    const m = e.code === 1 ? /^(\d+|-)\t(\d+|-)\t/.exec(e.stdout ?? '') : null;
    if (!m) return null;
    return { added: m[1] === '-' ? null : Number(m[1]), removed: m[2] === '-' ? null : Number(m[2]) };
  }
}

/**
 * A simple line count diff for workspaces without git: lines are compared as multisets, so a
 * moved line counts as unchanged and an edited line as one removed plus one added.
 */
export function countLineChanges(before: readonly string[], after: readonly string[]): { added: number; removed: number } {
  const counts = new Map<string, number>();
  for (const line of before) counts.set(line, (counts.get(line) ?? 0) + 1);
  let added = 0;
  for (const line of after) {
    const left = counts.get(line) ?? 0;
    if (left > 0) counts.set(line, left - 1);
    else added++;
  }
  let removed = 0;
  for (const left of counts.values()) removed += left;
  return { added, removed };
}

/**
 * The one-change rule: a cycle edits only harness files, and only those its recommendation
 * names. Returns one sentence per breach, naming other recommendations whose files were touched.
 */
export function findBreaches(
  changes: readonly FileChange[],
  recommendation: { id: string; files: readonly string[] },
  others: readonly Pick<RecommendationForCycle, 'id' | 'files'>[] = [],
): string[] {
  const breaches: string[] = [];
  const outside = changes.filter((c) => !c.harness).map((c) => c.path);
  if (outside.length > 0) breaches.push(`${outside.length} file(s) outside the harness changed: ${listPaths(outside)}`);
  const extra = changes.filter((c) => c.harness && !matchesFiles(c.path, recommendation.files)).map((c) => c.path);
  if (extra.length > 0) {
    const owners = others.filter((r) => r.id !== recommendation.id && extra.some((p) => matchesFiles(p, r.files))).map((r) => r.id);
    breaches.push(
      `${extra.length} harness file(s) outside recommendation ${recommendation.id}'s files changed: ${listPaths(extra)}` +
        (owners.length > 0 ? ` (they belong to recommendation ${owners.join(', ')}: one recommendation per cycle)` : ''),
    );
  }
  return breaches;
}

function listPaths(paths: string[], limit = 10): string {
  return paths.length <= limit ? paths.join(', ') : `${paths.slice(0, limit).join(', ')} and ${paths.length - limit} more`;
}
