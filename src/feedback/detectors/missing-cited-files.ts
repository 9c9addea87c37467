import { isAbsolute, posix } from 'node:path';
import type { Feedback } from '../../schema/feedback.js';
import type { Trace } from '../../schema/trace.js';
import { quoteText } from '../record.js';
import { detectorRecord, finalAnswerSpanId } from './common.js';
import { extractCitations } from './citations.js';

/** Answers whether a repository-relative path exists; injected so the detector stays pure. */
export type FileExists = (repoRelativePath: string) => boolean;

/**
 * Maps a cited path to one relative to the repository root: citations are relative to the root,
 * and absolute paths inside the agent's cwd are made relative to it. Null for paths elsewhere.
 */
export function toRepoPath(path: string, cwd: string | null): string | null {
  if (!isAbsolute(path)) return posix.normalize(path);
  if (!cwd) return null;
  const rel = posix.relative(cwd, path);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? null : rel;
}

/**
 * Where a trace's citations are looked up. A session ran in its own working directory, which may
 * be another checkout than the workspace: its citations are checked there. A cwd inside the
 * workspace also counts the workspace root (citations may be root-relative). A cwd that does not
 * exist on this machine is taken for this workspace recorded elsewhere (a copied or synced
 * checkout, the bundled example), so the workspace stands in for it.
 */
export function citationRoots(cwd: string | null, workspace: string, dirExists: (dir: string) => boolean): string[] {
  if (!cwd) return [workspace];
  const rel = posix.relative(workspace, cwd);
  const inside = rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
  if (inside) return rel === '' ? [workspace] : [cwd, workspace];
  return dirExists(cwd) ? [cwd] : [workspace];
}

/** One record per path the final answer cites that does not exist in the repository. */
export function detectMissingCitedFiles(trace: Trace, fileExists: FileExists): Feedback[] {
  if (!trace.finalAnswer) return [];
  const spanId = finalAnswerSpanId(trace);
  const out: Feedback[] = [];
  for (const citation of extractCitations(trace.finalAnswer)) {
    const repoPath = toRepoPath(citation.path, trace.cwd);
    if (repoPath === null || fileExists(repoPath)) continue;
    out.push(
      detectorRecord(trace, 'missing-cited-files', {
        ...(spanId !== undefined ? { spanId } : {}),
        category: 'citation_error',
        severity: 'high',
        observation: `The final answer cites ${citation.path}, which does not exist in the repository`,
        evidence: [`cited as: ${quoteText(citation.line, 300)}`],
        key: [repoPath],
        attributes: { path: repoPath, form: citation.form },
      }),
    );
  }
  return out;
}
