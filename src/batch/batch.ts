// The batch stage: trace store → .harness-loop/batches/batch-NNN.jsonl + manifest.json.
import { createHash } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { BATCH_SCHEMA_VERSION, BatchManifestSchema, type BatchEntry, type BatchLine, type BatchManifest } from '../schema/batch.js';
import type { Config } from '../schema/config.js';
import { InputError, UsageError } from '../errors.js';
import { readTraceStore } from '../ingest/store.js';
import type { Skip } from '../ingest/source.js';
import { AtomicFileWriter, writeJsonAtomic } from '../util/atomic.js';
import { stableId } from '../util/hash.js';
import { workspacePaths } from '../util/workspace.js';
import { BatchPacker, measureTrace, type Batch } from './pack.js';
import { TOKENIZER_NAME, TokenCounter } from './tokens.js';

/** Share of the critic's context window a batch may fill, leaving room for instructions and answer. */
export const DEFAULT_WINDOW_SHARE = 0.6;

export interface BatchOptions {
  /** Workspace root; reads `.harness-loop/traces/traces.jsonl`, writes `.harness-loop/batches/`. */
  workspace: string;
  config: Config;
  /** Token budget per batch; default `config.batch.maxTokens` or 60% of the critic window. */
  maxTokens?: number;
  /** Called for each unreadable store line, which is left out. */
  onSkip?: (skip: Skip) => void;
  /** Clock for `createdAt` (tests pin it). */
  now?: () => Date;
}

export interface BatchResult {
  manifest: BatchManifest;
  manifestFile: string;
  skipped: Skip[];
}

/** The budget in force: the flag, else the config, else a share of the critic's window. */
export function resolveMaxTokens(config: Config, flag?: number): number {
  const value = flag ?? config.batch.maxTokens ?? Math.floor(config.critic.contextWindow * DEFAULT_WINDOW_SHARE);
  if (!Number.isInteger(value) || value < 1) throw new UsageError(`--max-tokens must be a whole number of tokens, at least 1 (got ${value})`);
  return value;
}

/** Name of the n-th batch file (from 1): batch-001.jsonl. */
export function batchFileName(n: number): string {
  return `batch-${String(n).padStart(3, '0')}.jsonl`;
}

const BATCH_FILE = /^batch-\d{3,}\.jsonl$/;
const STALE_TEMP = /^\.(?:batch-\d{3,}\.jsonl|manifest\.json)\.\d+\.[0-9a-f]{8}\.tmp$/;

/**
 * Streams the store into batch files. Each file and then the manifest is written atomically;
 * batch files of an earlier run that the new manifest does not name are removed last, so a
 * crash leaves either the old manifest or the new one, and each names files with its hashes.
 */
export async function writeBatches(options: BatchOptions): Promise<BatchResult> {
  const paths = workspacePaths(options.workspace);
  const maxTokens = resolveMaxTokens(options.config, options.maxTokens);
  const skipped: Skip[] = [];
  const onSkip = (s: Skip) => {
    skipped.push(s);
    options.onSkip?.(s);
  };
  const packer = new BatchPacker<BatchLine>(maxTokens);
  const entries: BatchEntry[] = [];
  let out: OpenBatch | undefined;

  const close = async (batch: Batch<BatchLine>) => {
    entries.push(await out!.commit(batch));
    out = undefined;
  };
  try {
    for await (const trace of readStore(paths.traceStore, onSkip)) {
      // A fresh counter per trace: its cache only has to outlive one shrink.
      const line = measureTrace(trace, maxTokens, new TokenCounter());
      const closed = packer.add(line);
      if (closed) await close(closed);
      out ??= await OpenBatch.open(paths.batches, entries.length + 1);
      await out.write(line);
    }
    const last = packer.finish();
    if (last) await close(last);
  } catch (error) {
    await out?.abort();
    throw error;
  }
  if (entries.length === 0) {
    throw new InputError("the trace store holds no traces; run 'harness-loop ingest' first", paths.traceStore, undefined, 'batch.no-traces');
  }

  const manifest = BatchManifestSchema.parse({
    schemaVersion: BATCH_SCHEMA_VERSION,
    createdAt: (options.now?.() ?? new Date()).toISOString(),
    maxTokens,
    tokenizer: TOKENIZER_NAME,
    batches: entries,
    totals: {
      batches: entries.length,
      traces: entries.reduce((n, b) => n + b.traceIds.length, 0),
      tokens: entries.reduce((n, b) => n + b.tokens, 0),
      elided: entries.reduce((n, b) => n + b.elided.length, 0),
      overBudget: entries.filter((b) => b.overBudget).length,
    },
  } satisfies BatchManifest);
  await writeJsonAtomic(paths.batchManifest, manifest);
  await removeStale(paths.batches, new Set(entries.map((b) => b.file)));
  return { manifest, manifestFile: paths.batchManifest, skipped };
}

async function* readStore(file: string, onSkip: (s: Skip) => void) {
  try {
    yield* readTraceStore(file, onSkip);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    throw new InputError("no trace store yet; run 'harness-loop ingest' first", file, undefined, 'batch.no-traces');
  }
}

/** One batch file being written, with the hash of what went into it. */
class OpenBatch {
  private readonly hash = createHash('sha256');

  private constructor(
    private readonly writer: AtomicFileWriter,
    private readonly file: string,
  ) {}

  static async open(dir: string, n: number): Promise<OpenBatch> {
    const file = join(dir, batchFileName(n));
    return new OpenBatch(await new AtomicFileWriter(file).open(), file);
  }

  async write(line: BatchLine): Promise<void> {
    const text = `${JSON.stringify(line)}\n`;
    this.hash.update(text);
    await this.writer.write(text);
  }

  async commit(batch: Batch<BatchLine>): Promise<BatchEntry> {
    await this.writer.commit();
    const traceIds = batch.items.map((l) => l.traceId);
    return {
      id: stableId('batch_', ...traceIds),
      file: basename(this.file),
      traceIds,
      tokens: batch.tokens,
      elided: batch.items.filter((l) => l.elidedChars > 0).map((l) => l.traceId),
      overBudget: batch.items.some((l) => l.overBudget),
      sha256: this.hash.digest('hex'),
    };
  }

  async abort(): Promise<void> {
    await this.writer.abort();
  }
}

/** Removes batch files the new manifest does not name, and temp files of crashed runs. */
async function removeStale(dir: string, keep: Set<string>): Promise<void> {
  for (const name of await readdir(dir)) {
    if ((BATCH_FILE.test(name) && !keep.has(name)) || (STALE_TEMP.test(name) && !name.includes(`.${process.pid}.`))) {
      await rm(join(dir, name), { force: true });
    }
  }
}
