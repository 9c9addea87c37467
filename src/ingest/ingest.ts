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

export interface IngestResult {
  files: number;
  filesByFormat: Record<string, number>;
  traces: number;
  spans: number;
  filtered: number;
  skipped: Skip[];
  store: StoreUpdate;
  storeFile: string;
}

/** `$CODEX_HOME/sessions`, with CODEX_HOME defaulting to `~/.codex`. */
export function defaultSessionsDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.CODEX_HOME || join(homedir(), '.codex'), 'sessions');
}

const DATA_GLOB = '**/*.{jsonl,ndjson,json,jsonl.gz,ndjson.gz,json.gz,bin,pb,binpb}';

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
  return [...new Set(files)];
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
export async function storeTraces(workspace: string, traces: AsyncIterable<Trace> | Iterable<Trace>, config: Config): Promise<{ update: StoreUpdate; traces: number; spans: number }> {
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
    files = await expandPaths([sessionsDir], '**/rollout-*.jsonl');
  } else {
    files = await expandPaths(options.paths);
  }
  if (options.last !== undefined) files = newestRolloutsFirst(files);

  const groups = await assignReaders(files, usingDefault && options.from === 'auto' ? 'rollout' : options.from, onSkip);
  const ctx: ReadContext = { skip: onSkip, maxLineBytes: options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES };
  const filesByFormat: Record<string, number> = {};
  for (const [reader, list] of groups) filesByFormat[reader.kind] = list.length;

  let filtered = 0;
  const keep = (t: Trace): boolean => {
    if (!options.allRepos && t.cwd && !isInside(t.cwd, options.workspace)) return false;
    if (options.since && (!t.startTime || Date.parse(t.startTime) < options.since.getTime())) return false;
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
    skipped,
    store: stored.update,
    storeFile: workspacePaths(options.workspace).traceStore,
  };
}
