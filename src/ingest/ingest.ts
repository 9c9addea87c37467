import { stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, relative, resolve, isAbsolute, sep } from 'node:path';
import fg from 'fast-glob';
import type { Trace } from '../schema/trace.js';
import type { Config } from '../schema/config.js';
import { InputError, UsageError } from '../errors.js';
import { Redactor } from '../redact/redact.js';
import { DEFAULT_MAX_LINE_BYTES } from '../util/lines.js';
import { createProgress } from '../util/progress.js';
import { workspacePaths } from '../util/workspace.js';
import { codexRolloutReader } from './codex-rollout.js';
import { detectReader, readSniffInput, readerByName, READERS } from './readers.js';
import type { ReadContext, Skip, TraceReader } from './source.js';
import { TraceStoreWriter, type StoreUpdate } from './store.js';
import { runFingerprint } from './harness-fingerprint.js';

export interface IngestOptions {
  /** Workspace root; traces land in `<workspace>/.harness-loop/traces/`. */
  workspace: string;
  /** Files or folders; empty means `$CODEX_HOME/sessions`. */
  paths: string[];
  /** Reader name or "auto". */
  from: string;
  /** Keep only the newest N sessions (by start time). */
  last?: number;
  /** Keep only sessions that started at or after this time. */
  since?: Date;
  /** Keep sessions whose cwd is outside the workspace too. */
  allRepos: boolean;
  maxLineBytes?: number;
  config: Config;
  env?: NodeJS.ProcessEnv;
  /** Read and count, but write nothing. */
  dryRun?: boolean;
  /** Called for each skipped line, as it happens. */
  onSkip?: (skip: Skip) => void;
  /**
   * The task of a trace whose source does not record one (an `exec --json` stream never carries
   * the prompt), when the caller knows it; undefined leaves the task null.
   */
  taskFor?: (trace: Trace) => string | undefined;
  /**
   * The harness files (path → sha256) of the copy the traces ran in, when harness-loop started
   * the runs: each trace's fingerprint then covers them too (`runFingerprint`).
   */
  harnessFiles?: Readonly<Record<string, string>>;
}

/** Why sessions were left out, counted per reason (they add up to `filtered`). */
export interface FilteredBy {
  /** cwd outside the workspace (without --all-repos). */
  otherRepos: number;
  /** Started before --since. */
  beforeSince: number;
  /** No start time, so --since cannot keep them. */
  noStartTime: number;
  /** Beyond the newest --last N. */
  olderThanLast: number;
}

export interface IngestResult {
  files: number;
  filesByFormat: Record<string, number>;
  traces: number;
  spans: number;
  filtered: number;
  filteredBy: FilteredBy;
  /** Whether the files came from the default `$CODEX_HOME/sessions` scan, and which folder that was. */
  sessionsDir: string | null;
  skipped: Skip[];
  store: StoreUpdate;
  storeFile: string;
}

/** `$CODEX_HOME/sessions`, with CODEX_HOME defaulting to `~/.codex`. */
export function defaultSessionsDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.CODEX_HOME || join(homedir(), '.codex'), 'sessions');
}

const DATA_GLOB = '**/*.{jsonl,ndjson,json,jsonl.gz,ndjson.gz,json.gz,jsonl.zst,ndjson.zst,json.zst,bin,pb,binpb}';

const COMPRESSED_ROLLOUT = /(?:^|[\\/])rollout-[^\\/]*\.jsonl\.zst$/;

/** Codex's own rollouts, plain or compressed by its idle-rollout compression worker. */
const ROLLOUT_GLOB = '**/rollout-*.{jsonl,jsonl.zst}';

/** While Codex compresses a rollout both copies may exist for a moment: read the plain one. */
export function dropCompressedTwins(files: string[]): string[] {
  const plain = new Set(files.filter((f) => !f.endsWith('.zst')));
  return files.filter((f) => !f.endsWith('.zst') || !plain.has(f.slice(0, -'.zst'.length)));
}

/** Expands user paths into files; a path that does not exist is an input error (exit 2). */
export async function expandPaths(paths: string[], pattern = DATA_GLOB): Promise<string[]> {
  const files: string[] = [];
  for (const p of paths) {
    let info;
    try {
      info = await stat(p);
    } catch {
      throw new InputError('no such file or directory', p, undefined, 'input.missing');
    }
    if (info.isDirectory()) {
      const found = await fg(pattern, { cwd: p, absolute: true, onlyFiles: true, dot: false, followSymbolicLinks: false });
      files.push(...found.sort());
    } else {
      files.push(resolve(p));
    }
  }
  return dropCompressedTwins([...new Set(files)]);
}

/** Rollout names embed their start time (rollout-2026-11-24T20-58-02-<id>.jsonl): newest first. */
function newestRolloutsFirst(files: string[]): string[] {
  const key = (f: string) => /rollout-(\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d)/.exec(f)?.[1] ?? '';
  return [...files].sort((a, b) => (key(a) < key(b) ? 1 : key(a) > key(b) ? -1 : 0));
}

export function isInside(child: string, parent: string): boolean {
  const rel = relative(resolve(parent), resolve(child));
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** Maps with at most `limit` calls in flight, keeping the input order. */
async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Groups files by the reader that will read them. */
export async function assignReaders(files: string[], from: string, onSkip: (s: Skip) => void): Promise<Map<TraceReader, string[]>> {
  const groups = new Map<TraceReader, string[]>();
  const forced = from === 'auto' ? undefined : readerByName(from);
  if (from !== 'auto' && !forced) throw new UsageError(`--from must be one of auto, ${READERS.map((r) => r.name).join(', ')} (got "${from}")`);
  // Sniffing is one small read per file: do several at a time so their latency overlaps, and
  // keep only the verdict, not the bytes read.
  const verdicts = forced
    ? []
    : await mapLimited(files, 16, async (file) => {
        // Codex names its compressed rollouts itself; sniffing one would decode its first block
        // (up to 128 KiB) only to decode it again when it is read.
        if (COMPRESSED_ROLLOUT.test(file)) return codexRolloutReader;
        const head = await readSniffInput(file);
        return head.bytes.length === 0 ? ('empty' as const) : (detectReader(head) ?? ('unknown' as const));
      });
  for (const [i, file] of files.entries()) {
    let reader = forced ?? null;
    if (!reader) {
      const verdict = verdicts[i]!;
      if (verdict === 'empty') {
        onSkip({ file, line: 0, reason: 'empty file' });
        continue;
      }
      if (verdict === 'unknown') {
        onSkip({ file, line: 1, reason: 'format not recognised (use --from to name it)' });
        continue;
      }
      reader = verdict;
    }
    const list = groups.get(reader) ?? [];
    list.push(file);
    groups.set(reader, list);
  }
  return groups;
}

/** Redacts and stores traces from any async source; shared by `ingest` and `receive`. */
export async function storeTraces(
  workspace: string,
  traces: AsyncIterable<Trace> | Iterable<Trace>,
  config: Config,
): Promise<{ update: StoreUpdate; traces: number; spans: number }> {
  const redactor = new Redactor(config.redaction.extraPatterns);
  const writer = await new TraceStoreWriter(workspacePaths(workspace).traceStore).open();
  let count = 0;
  let spans = 0;
  try {
    for await (const trace of traces) {
      await writer.add(redactor.redact(trace));
      count++;
      spans += trace.spans.length;
    }
  } catch (error) {
    await writer.abort();
    throw error;
  }
  return { update: await writer.commit(), traces: count, spans };
}

async function countTraces(traces: AsyncIterable<Trace>): Promise<{ update: StoreUpdate; traces: number; spans: number }> {
  let count = 0;
  let spans = 0;
  for await (const trace of traces) {
    count++;
    spans += trace.spans.length;
  }
  return { update: { added: 0, updated: 0, unchanged: 0, kept: 0, total: 0 }, traces: count, spans };
}

/** The ingest stage: find files, detect formats, read, filter, redact, store. */
export async function ingest(options: IngestOptions): Promise<IngestResult> {
  const env = options.env ?? process.env;
  const skipped: Skip[] = [];
  const onSkip = (s: Skip) => {
    skipped.push(s);
    options.onSkip?.(s);
  };
  const usingDefault = options.paths.length === 0;
  const sessionsDir = defaultSessionsDir(env);
  let files: string[];
  if (usingDefault) {
    try {
      await stat(sessionsDir);
    } catch {
      throw new InputError(`no Codex sessions folder; pass trace files or folders, or set CODEX_HOME`, sessionsDir, undefined, 'input.missing');
    }
    files = await expandPaths([sessionsDir], ROLLOUT_GLOB);
  } else {
    files = await expandPaths(options.paths);
  }
  if (options.last !== undefined) files = newestRolloutsFirst(files);

  const groups = await assignReaders(files, usingDefault && options.from === 'auto' ? 'rollout' : options.from, onSkip);
  const ctx: ReadContext = { skip: onSkip, maxLineBytes: options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES };
  const filesByFormat: Record<string, number> = {};
  for (const [reader, list] of groups) filesByFormat[reader.kind] = (filesByFormat[reader.kind] ?? 0) + list.length;

  let filtered = 0;
  const filteredBy: FilteredBy = { otherRepos: 0, beforeSince: 0, noStartTime: 0, olderThanLast: 0 };
  const keep = (t: Trace): boolean => {
    if (!options.allRepos && t.cwd && !isInside(t.cwd, options.workspace)) {
      filteredBy.otherRepos++;
      return false;
    }
    if (options.since && !t.startTime) {
      filteredBy.noStartTime++;
      return false;
    }
    if (options.since && Date.parse(t.startTime!) < options.since.getTime()) {
      filteredBy.beforeSince++;
      return false;
    }
    return true;
  };
  const total = files.length;
  const progress = createProgress('ingest', total);
  let filesDone = 0;

  async function* selected(): AsyncGenerator<Trace> {
    let emitted = 0;
    const buffer: Trace[] = [];
    for (const [reader, list] of groups) {
      for await (const read of reader.read(list, ctx)) {
        const task = read.task === null ? options.taskFor?.(read) : undefined;
        const withTask = task !== undefined ? { ...read, task } : read;
        const harness = options.harnessFiles ? runFingerprint(withTask.harness, options.harnessFiles) : undefined;
        const trace = harness ? { ...withTask, harness } : withTask;
        filesDone = Math.min(total, filesDone + (reader.kind === 'codex-rollout' ? 1 : 0));
        progress.update(filesDone, trace.id);
        if (!keep(trace)) {
          filtered++;
          continue;
        }
        if (options.last === undefined) {
          yield trace;
          continue;
        }
        buffer.push(trace);
        // Rollouts arrive newest first, so once N are kept the rest are older.
        if (reader.kind === 'codex-rollout' && buffer.length >= options.last && groups.size === 1) break;
      }
    }
    if (options.last !== undefined) {
      buffer.sort((a, b) => ((b.startTime ?? '') < (a.startTime ?? '') ? -1 : (b.startTime ?? '') > (a.startTime ?? '') ? 1 : 0));
      for (const trace of buffer.slice(0, options.last)) {
        emitted++;
        yield trace;
      }
      filtered += Math.max(0, buffer.length - emitted);
      filteredBy.olderThanLast += Math.max(0, buffer.length - emitted);
    }
  }

  const stored = options.dryRun ? await countTraces(selected()) : await storeTraces(options.workspace, selected(), options.config);
  progress.done();
  return {
    files: files.length,
    filesByFormat,
    traces: stored.traces,
    spans: stored.spans,
    filtered,
    filteredBy,
    sessionsDir: usingDefault ? sessionsDir : null,
    skipped,
    store: stored.update,
    storeFile: workspacePaths(options.workspace).traceStore,
  };
}
