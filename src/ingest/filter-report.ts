// Sentences that say what ingest left out and how to keep it, so an empty trace store is never a
// silent surprise.
import type { IngestResult } from './ingest.js';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** One line per reason sessions were left out, each naming the flag that changes it. */
export function describeFiltered(
  result: Pick<IngestResult, 'filteredBy' | 'files' | 'traces' | 'sessionsDir'>,
  options: { workspace: string; last?: number; since?: Date },
): string[] {
  const f = result.filteredBy;
  const lines: string[] = [];
  if (f.otherRepos > 0)
    lines.push(`${plural(f.otherRepos, 'session')} of other repositories skipped (cwd outside ${options.workspace}); add --all-repos to keep them`);
  if (f.beforeSince > 0)
    lines.push(`${plural(f.beforeSince, 'session')} started before ${options.since?.toISOString() ?? '--since'} skipped; widen --since to keep them`);
  if (f.noStartTime > 0)
    lines.push(`${plural(f.noStartTime, 'session')} without a start time skipped, since --since cannot place them; drop --since to keep them`);
  if (f.olderThanLast > 0) lines.push(`${plural(f.olderThanLast, 'older session')} left out by --last ${options.last ?? ''}`.trimEnd());
  if (result.files === 0 && result.sessionsDir)
    lines.push(`no Codex rollouts under ${result.sessionsDir} (rollout-*.jsonl or .jsonl.zst); pass files or folders to read others`);
  return lines;
}
