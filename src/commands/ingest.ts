import type { CommandArgs } from '../cli.js';
import { InputError, UsageError } from '../errors.js';
import { describeFiltered } from '../ingest/filter-report.js';
import { ingest } from '../ingest/ingest.js';
import { readConfig } from '../util/config.js';
import { workspacePaths } from '../util/workspace.js';
import { relative } from 'node:path';

/** `--last N`: a whole number of sessions, or undefined when not given. */
export function lastFlag(flags: Record<string, unknown>): number | undefined {
  const last = flags.last as number | undefined;
  if (last !== undefined && (!Number.isInteger(last) || last < 1)) throw new UsageError(`--last must be a whole number of sessions (got ${last})`);
  return last;
}

/** "7d", "12h", "30m" ago, or any date Date.parse accepts. */
export function parseSince(value: string, now = Date.now()): Date {
  const rel = /^(\d+)\s*([dhm])$/.exec(value.trim());
  if (rel) {
    const unit = { d: 86_400_000, h: 3_600_000, m: 60_000 }[rel[2] as 'd' | 'h' | 'm'];
    return new Date(now - Number(rel[1]) * unit);
  }
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new UsageError(`--since must be an ISO date or 7d / 12h / 30m (got "${value}")`);
  return new Date(ms);
}

export async function run(args: CommandArgs): Promise<number> {
  const { flags } = args;
  const paths = workspacePaths(args.workspace);
  const config = await readConfig(paths.config);
  const last = lastFlag(flags);
  const since = typeof flags.since === 'string' ? parseSince(flags.since) : undefined;
  const result = await ingest({
    workspace: paths.root,
    paths: args.positionals,
    from: String(flags.from ?? 'auto'),
    last,
    since,
    allRepos: flags['all-repos'] === true,
    maxLineBytes: flags['max-line-bytes'] as number | undefined,
    dryRun: flags['dry-run'] === true,
    config,
  });
  for (const s of result.skipped.slice(0, 50)) process.stderr.write(`${s.file}:${s.line}: ${s.reason}\n`);
  if (result.skipped.length > 50) process.stderr.write(`… ${result.skipped.length - 50} more skipped lines\n`);
  for (const line of describeFiltered(result, { workspace: paths.root, last, since })) process.stderr.write(`ingest: ${line}\n`);
  if (args.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    const formats =
      Object.entries(result.filesByFormat)
        .map(([k, v]) => `${v} ${k}`)
        .join(', ') || 'none';
    process.stdout.write(
      `ingest: ${result.files} file(s) (${formats}) → ${result.traces} trace(s), ${result.spans} span(s); ` +
        `${result.skipped.length} skipped line(s), ${result.filtered} filtered out\n` +
        (flags['dry-run'] === true
          ? 'dry run: nothing written\n'
          : `store: ${displayPath(result.storeFile)}: ${result.store.added} added, ${result.store.updated} updated, ` +
            `${result.store.unchanged} unchanged, ${result.store.total} in all\n`),
    );
  }
  if (flags.strict === true && result.skipped.length > 0) {
    const first = result.skipped[0]!;
    throw new InputError(`${result.skipped.length} line(s) skipped and --strict is set (first: ${first.reason})`, first.file, first.line, 'ingest.strict');
  }
  return 0;
}

/** Relative to the current directory when inside it, absolute otherwise. */
export function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel === '' || rel.startsWith('..') ? file : rel;
}
