// Source files for the citation view, resolved so that nothing outside the workspace is served:
// no absolute paths, no `..` out of it, and no symlink pointing out of it (checked on the real path).
import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';

/** Largest source file the review app shows. */
export const MAX_SOURCE_BYTES = 2 * 1024 * 1024;

/** A resolved file, or why it is refused (with the HTTP status to answer). */
export type ResolvedFile = { ok: true; path: string; relative: string } | { ok: false; status: 400 | 403 | 404 | 413; reason: string };

function isInside(root: string, target: string): boolean {
  const rel = relative(root, target);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/**
 * Resolves a workspace-relative path (as the request gave it, already URL-decoded once) to a
 * regular file inside the workspace. Refuses absolute paths, drive letters, NUL bytes, paths that
 * leave the workspace lexically, and files whose real path (symlinks followed) lies outside it.
 */
export async function resolveWorkspaceFile(root: string, requested: string): Promise<ResolvedFile> {
  if (requested === '' || requested.includes('\0')) return { ok: false, status: 400, reason: 'empty or invalid path' };
  if (isAbsolute(requested) || /^[\\/]/.test(requested) || /^[a-zA-Z]:/.test(requested)) {
    return { ok: false, status: 403, reason: 'absolute paths are not served' };
  }
  const base = resolve(root);
  const lexical = resolve(base, requested.replace(/\\/g, '/'));
  if (!isInside(base, lexical)) return { ok: false, status: 403, reason: 'path leaves the workspace' };
  let real: string;
  let realRoot: string;
  try {
    realRoot = await realpath(base);
    real = await realpath(lexical);
  } catch {
    return { ok: false, status: 404, reason: 'no such file in the workspace' };
  }
  if (!isInside(realRoot, real)) return { ok: false, status: 403, reason: 'path leaves the workspace (symlink)' };
  const info = await stat(real);
  if (!info.isFile()) return { ok: false, status: 404, reason: 'not a file' };
  if (info.size > MAX_SOURCE_BYTES) return { ok: false, status: 413, reason: 'file too large to show' };
  return { ok: true, path: real, relative: relative(realRoot, real).split(sep).join('/') };
}
