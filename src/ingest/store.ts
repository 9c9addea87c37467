import { appendFile, mkdir, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import lockfile from 'proper-lockfile';
import { SpanSchema, TokenUsageSchema, TraceSchema, TraceSourceSchema, type Span, type Trace } from '../schema/trace.js';
import { AtomicFileWriter, tempPathFor } from '../util/atomic.js';
import { contentHash } from '../util/hash.js';
import { readLines } from '../util/lines.js';
import { maxIso, minIso } from '../util/time.js';
import { formatZodIssues } from '../util/zod-format.js';
import { InputError } from '../errors.js';
import type { Skip } from './source.js';

/** What a store update did. */
export interface StoreUpdate {
  added: number;
  updated: number;
  unchanged: number;
  kept: number;
  total: number;
}

/** Our own lines start with `{"schemaVersion":N,"id":"…"`, so the id is found without a full parse. */
const ID_PREFIX = /^\{"schemaVersion":\d+,"id":("(?:[^"\\]|\\.)*")/;

export function traceIdOfLine(line: string): string | null {
  const m = ID_PREFIX.exec(line);
  if (m) return JSON.parse(m[1]!) as string;
  try {
    const parsed = JSON.parse(line) as { id?: unknown };
    return typeof parsed.id === 'string' ? parsed.id : null;
  } catch {
    return null;
  }
}

/**
 * Serializes a trace in schema field order (the order `ID_PREFIX` relies on), spans and nested
 * records included: a trace read back through the schema must give the same bytes, or storing
 * the same input twice would rewrite the file.
 */
export function serializeTrace(trace: Trace): string {
  return JSON.stringify({
    ...pickInOrder(trace, TRACE_KEYS),
    source: pickInOrder(trace.source, SOURCE_KEYS),
    usage: pickInOrder(trace.usage, USAGE_KEYS),
    spans: trace.spans.map((span) => pickInOrder(span, SPAN_KEYS)),
  });
}

const TRACE_KEYS = Object.keys(TraceSchema.shape) as (keyof Trace)[];
const SOURCE_KEYS = Object.keys(TraceSourceSchema.shape) as (keyof Trace['source'])[];
const USAGE_KEYS = Object.keys(TokenUsageSchema.shape) as (keyof Trace['usage'])[];
const SPAN_KEYS = Object.keys(SpanSchema.shape) as (keyof Span)[];

function pickInOrder<T extends object>(value: T, keys: readonly (keyof T)[]): Partial<T> {
  const out: Partial<T> = {};
  for (const key of keys) if (value[key] !== undefined) out[key] = value[key];
  return out;
}

/**
 * Reads the trace store, validating each line. Bad lines are reported through `onSkip`
 * (or thrown as an InputError naming file:line when no handler is given).
 */
export async function* readTraceStore(file: string, onSkip?: (skip: Skip) => void): AsyncGenerator<Trace> {
  for await (const line of readLines(file)) {
    if (!line.tooLong && line.text.trim() === '') continue;
    const fail = (reason: string) => {
      if (onSkip) onSkip({ file, line: line.n, reason });
      else throw new InputError(reason, file, line.n, 'store.invalid');
    };
    if (line.tooLong) {
      fail('line too long');
      continue;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(line.text);
    } catch {
      // An unterminated last line is a writer's append in progress (or one a kill cut short, which
      // the next writer removes): not a damaged store.
      if (line.unterminated) continue;
      fail('malformed JSON');
      continue;
    }
    const result = TraceSchema.safeParse(raw);
    if (!result.success) {
      fail(`not a valid trace:\n${formatZodIssues(result.error)}`);
      continue;
    }
    yield result.data;
  }
}

/** How much of a session each source carries; exec --json has no times and no prompt. */
const SOURCE_RICHNESS: Record<Trace['source']['kind'], number> = {
  'codex-rollout': 3,
  'otlp-json': 2,
  'otlp-protobuf': 2,
  'otel-collector': 2,
  'agents-sdk': 2,
  'codex-exec-json': 1,
};

/**
 * Merges two versions of one trace. Same source kind: a continued session (resume) adds spans,
 * so spans are united by id and the later version's values win. Another source kind: the
 * newer reading replaces the older, since their span ids do not line up.
 */
export function mergeTraces(older: Trace, newer: Trace): Trace {
  if (older.source.kind !== newer.source.kind) {
    // Another reading of the same session: keep the richer source, remember the other.
    const keep = SOURCE_RICHNESS[newer.source.kind] >= SOURCE_RICHNESS[older.source.kind] ? newer : older;
    const other = keep === newer ? older : newer;
    const seen = new Set([...((keep.attributes.alsoSeenIn as string[] | undefined) ?? []), other.source.kind]);
    const harness = keep.harness ?? other.harness;
    return { ...keep, ...(harness ? { harness } : {}), attributes: { ...keep.attributes, alsoSeenIn: [...seen].sort() } };
  }
  const spans = new Map<string, Span>();
  for (const span of older.spans) spans.set(span.id, span);
  for (const span of newer.spans) spans.set(span.id, { ...spans.get(span.id), ...span });
  const models = [...older.models, ...newer.models.filter((m) => !older.models.includes(m))];
  const byTime = [...spans.values()].sort((a, b) => ((a.startTime ?? '') < (b.startTime ?? '') ? -1 : (a.startTime ?? '') > (b.startTime ?? '') ? 1 : 0));
  const olderFirst = (older.startTime ?? '') <= (newer.startTime ?? '');
  return {
    ...newer,
    source: olderFirst ? older.source : newer.source,
    task: olderFirst ? (older.task ?? newer.task) : (newer.task ?? older.task),
    finalAnswer: olderFirst ? (newer.finalAnswer ?? older.finalAnswer) : (older.finalAnswer ?? newer.finalAnswer),
    startTime: minIso(older.startTime, newer.startTime),
    endTime: maxIso(older.endTime, newer.endTime),
    cwd: newer.cwd ?? older.cwd,
    models,
    usage: newer.usage.totalTokens >= older.usage.totalTokens ? newer.usage : older.usage,
    spans: byTime,
    ...((newer.harness ?? older.harness) ? { harness: newer.harness ?? older.harness } : {}),
    attributes: { ...older.attributes, ...newer.attributes },
  };
}

/**
 * Writes traces into the store, safe with several writers at once (`receive`, `ingest`
 * processes, eval runs): new traces stream to a staging file of this writer's own; `commit()`
 * then takes the store's lock, appends whole lines for new ids and rewrites the store only when
 * an existing trace changed (a resumed session). An id index beside the store (offset, length,
 * content hash per id) means a commit of new traces costs what it adds, not what the store holds.
 * A writer killed mid-commit leaves at most an unterminated last line, which the next writer
 * cuts off (or indexes, when the line is whole) before it appends.
 */
export class TraceStoreWriter {
  private staging: AtomicFileWriter;
  /** How many lines each trace id has in the staging file. */
  private readonly staged = new Map<string, number>();

  constructor(readonly file: string) {
    // A staging file per writer: a shared one let concurrent ingests overwrite each other's.
    this.staging = new AtomicFileWriter(tempPathFor(`${file}.staging`));
  }

  async open(): Promise<this> {
    await this.staging.open();
    return this;
  }

  /** Adds one (already redacted) trace; the same content twice in a row for an id is stored once. */
  async add(trace: Trace): Promise<void> {
    await this.staging.write(`${serializeTrace(trace)}\n`);
    this.staged.set(trace.id, (this.staged.get(trace.id) ?? 0) + 1);
  }

  get newIds(): number {
    return this.staged.size;
  }

  async commit(): Promise<StoreUpdate> {
    const stagingFile = this.staging.file;
    await this.staging.commit();
    try {
      return await withStoreLock(this.file, async () => {
        const index = await openStoreIndex(this.file);
        return await this.merge(stagingFile, index);
      });
    } finally {
      await rm(stagingFile, { force: true });
    }
  }

  /** Appends new ids, merges ids seen twice or already stored; rewrites the store only for changed traces. */
  private async merge(stagingFile: string, index: StoreIndex): Promise<StoreUpdate> {
    const update: StoreUpdate = { added: 0, updated: 0, unchanged: 0, kept: 0, total: 0 };
    const appender = new StoreAppender(this.file, index);
    const pending = new Map<string, Trace[]>();
    const lastHash = new Map<string, string>();
    for await (const line of readLines(stagingFile, Number.MAX_SAFE_INTEGER)) {
      if (line.tooLong || line.text === '') continue;
      const id = traceIdOfLine(line.text)!;
      if (this.staged.get(id) === 1 && !index.entries.has(id)) {
        await appender.append(id, line.text);
        update.added++;
        continue;
      }
      // The same content twice in a row for an id is one version.
      const hash = contentHash(line.text);
      if (lastHash.get(id) === hash) continue;
      lastHash.set(id, hash);
      const list = pending.get(id) ?? [];
      list.push(TraceSchema.parse(JSON.parse(line.text)));
      pending.set(id, list);
    }
    const replaced = new Map<string, string>();
    for (const [id, list] of pending) {
      const old = index.entries.get(id);
      const versions = old ? [await readStoredTrace(this.file, old), ...list] : list;
      const line = serializeTrace(versions.reduce((a, b) => mergeTraces(a, b)));
      if (!old) {
        await appender.append(id, line);
        update.added++;
      } else if (old.hash === contentHash(line)) update.unchanged++;
      else {
        replaced.set(id, line);
        update.updated++;
      }
    }
    await appender.close();
    if (replaced.size > 0) await rewriteStore(this.file, index, replaced);
    update.total = index.entries.size;
    update.kept = update.total - update.added - update.updated - update.unchanged;
    return update;
  }

  async abort(): Promise<void> {
    await this.staging.abort();
  }
}

/** Where one trace's line is in the store. */
interface IndexEntry {
  offset: number;
  length: number;
  hash: string;
}

/** The id index of a store, checked against the store it describes. */
interface StoreIndex {
  /** The store's inode when the index was written; another inode means the store was replaced. */
  ino: number;
  /** Bytes of the store the index covers (every line up to here is indexed). */
  end: number;
  entries: Map<string, IndexEntry>;
}

/** The index file beside a store (declared in src/workspace/layout.ts as `traceIndex`). */
export function storeIndexFile(store: string): string {
  return `${store}.idx`;
}

/**
 * Runs `fn` holding the store's lock (proper-lockfile: an mkdir lock whose mtime the holder keeps
 * fresh, so a writer killed with the lock held blocks the others only until it goes stale).
 */
async function withStoreLock<T>(store: string, fn: () => Promise<T>): Promise<T> {
  await mkdir(dirname(store), { recursive: true });
  let compromised: Error | null = null;
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(store, {
      realpath: false,
      lockfilePath: `${store}.lock`,
      stale: 10_000,
      retries: { retries: 2000, factor: 1.3, minTimeout: 10, maxTimeout: 250, randomize: true },
      onCompromised: (error) => {
        compromised = error;
      },
    });
  } catch (error) {
    throw new InputError(`cannot lock the trace store: ${(error as Error).message}`, store, undefined, 'store.locked', { cause: error });
  }
  try {
    const result = await fn();
    if (compromised)
      throw new InputError(
        `the trace store lock was lost while writing (${(compromised as Error).message}); run the command again`,
        store,
        undefined,
        'store.lock-lost',
      );
    return result;
  } finally {
    await release().catch(() => undefined);
  }
}

/**
 * Reads the index and brings it in line with the store: lines a killed writer appended but did
 * not index are indexed, an unterminated fragment is cut off, and a replaced or unindexed store is
 * indexed afresh (one pass, once).
 */
async function openStoreIndex(store: string): Promise<StoreIndex> {
  let st;
  try {
    st = await stat(store);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    await rm(storeIndexFile(store), { force: true });
    return { ino: -1, end: 0, entries: new Map() };
  }
  const index = await readIndexFile(storeIndexFile(store));
  if (index && index.ino === st.ino && index.end <= st.size) {
    if (index.end < st.size) await indexTail(store, index, st.size, true);
    return index;
  }
  const fresh: StoreIndex = { ino: st.ino, end: 0, entries: new Map() };
  await indexTail(store, fresh, st.size, false);
  await writeIndexFile(store, fresh);
  return fresh;
}

async function readIndexFile(file: string): Promise<StoreIndex | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  // A torn last line (a writer killed mid-append) or anything unexpected: index the store afresh.
  if (!text.endsWith('\n')) return null;
  const lines = text.split('\n');
  const head = /^#ino\t(\d+)$/.exec(lines[0] ?? '');
  if (!head) return null;
  const index: StoreIndex = { ino: Number(head[1]), end: 0, entries: new Map() };
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') continue;
    // Split by hand: a regex per line was most of the cost of opening a 100,000-trace index.
    const t1 = line.indexOf('\t');
    const t2 = line.indexOf('\t', t1 + 1);
    const t3 = line.indexOf('\t', t2 + 1);
    const quoted = line.slice(t3 + 1);
    const e = { offset: Number(line.slice(0, t1)), length: Number(line.slice(t1 + 1, t2)), hash: line.slice(t2 + 1, t3) };
    if (
      t1 < 1 ||
      t3 - t2 !== 65 ||
      !Number.isSafeInteger(e.offset) ||
      !Number.isSafeInteger(e.length) ||
      quoted.length < 2 ||
      quoted[0] !== '"' ||
      quoted[quoted.length - 1] !== '"'
    )
      return null;
    index.entries.set(quoted.includes('\\') ? (JSON.parse(quoted) as string) : quoted.slice(1, -1), e);
    if (e.offset + e.length > index.end) index.end = e.offset + e.length;
  }
  return index;
}

async function writeIndexFile(store: string, index: StoreIndex): Promise<void> {
  const out = new AtomicFileWriter(storeIndexFile(store));
  await out.open();
  try {
    await out.write(`#ino\t${index.ino}\n`);
    for (const [id, e] of index.entries) await out.write(indexLine(id, e));
    await out.commit();
  } catch (error) {
    await out.abort();
    throw error;
  }
}

const indexLine = (id: string, e: IndexEntry) => `${e.offset}\t${e.length}\t${e.hash}\t${JSON.stringify(id)}\n`;

/** Indexes the store's lines from `index.end` to `size`; an unterminated last fragment is cut off. */
async function indexTail(store: string, index: StoreIndex, size: number, appendToIndexFile: boolean): Promise<void> {
  const handle = await open(store, 'r+');
  const added: string[] = [];
  try {
    let pos = index.end;
    let carry = Buffer.alloc(0);
    const buf = Buffer.alloc(1 << 20);
    while (pos + carry.length < size) {
      const { bytesRead } = await handle.read(buf, 0, Math.min(buf.length, size - pos - carry.length), pos + carry.length);
      if (bytesRead === 0) break;
      let data = Buffer.concat([carry, buf.subarray(0, bytesRead)]);
      let nl = data.indexOf(10);
      while (nl !== -1) {
        const text = data.subarray(0, nl).toString('utf8');
        const id = text.trim() === '' ? null : traceIdOfLine(text);
        if (id !== null) {
          const e = { offset: pos, length: nl + 1, hash: contentHash(text) };
          index.entries.set(id, e);
          added.push(indexLine(id, e));
        }
        pos += nl + 1;
        data = data.subarray(nl + 1);
        nl = data.indexOf(10);
      }
      carry = Buffer.from(data);
    }
    if (pos < size) await handle.truncate(pos); // a fragment a killed writer left
    index.end = pos;
  } finally {
    await handle.close();
  }
  if (added.length > 0 && appendToIndexFile) await appendFile(storeIndexFile(store), added.join(''));
}

/** Appends whole lines to the store (and their index entries), in large writes, then fsyncs. */
class StoreAppender {
  private chunks: string[] = [];
  private idx: string[] = [];
  private bytes = 0;
  private handle: Awaited<ReturnType<typeof open>> | null = null;

  constructor(
    private readonly store: string,
    private readonly index: StoreIndex,
  ) {}

  async append(id: string, line: string): Promise<void> {
    const text = `${line}\n`;
    const length = Buffer.byteLength(text);
    const e = { offset: this.index.end, length, hash: contentHash(line) };
    this.index.end += length;
    this.index.entries.set(id, e);
    this.chunks.push(text);
    this.idx.push(indexLine(id, e));
    this.bytes += length;
    if (this.bytes >= 1 << 22) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.chunks.length === 0) return;
    if (!this.handle) {
      this.handle = await open(this.store, 'a');
      if (this.index.ino === -1) {
        this.index.ino = (await this.handle.stat()).ino;
        await writeFile(storeIndexFile(this.store), `#ino\t${this.index.ino}\n`);
      }
    }
    await this.handle.write(this.chunks.join(''));
    // Store lines first, index entries after: a kill in between leaves lines the next writer indexes.
    await appendFile(storeIndexFile(this.store), this.idx.join(''));
    this.chunks = [];
    this.idx = [];
    this.bytes = 0;
  }

  async close(): Promise<void> {
    await this.flush();
    if (this.handle) {
      await this.handle.sync();
      await this.handle.close();
    }
  }
}

/** Reads one stored trace by its index entry. */
async function readStoredTrace(store: string, e: IndexEntry): Promise<Trace> {
  const handle = await open(store, 'r');
  try {
    const buf = Buffer.alloc(e.length);
    await handle.read(buf, 0, e.length, e.offset);
    return TraceSchema.parse(JSON.parse(buf.toString('utf8')));
  } catch (error) {
    throw new InputError(`cannot read the stored trace at byte ${e.offset}: ${(error as Error).message}`, store, undefined, 'store.invalid', { cause: error });
  } finally {
    await handle.close();
  }
}

/** Rewrites the store with changed traces replaced in place, then re-indexes it (both atomic). */
async function rewriteStore(store: string, index: StoreIndex, replaced: Map<string, string>): Promise<void> {
  const out = await new AtomicFileWriter(store).open();
  const fresh = new Map<string, IndexEntry>();
  let offset = 0;
  try {
    const byOffset = new Map([...index.entries].map(([id, e]) => [e.offset, id]));
    let pos = 0;
    for await (const line of readLines(store, Number.MAX_SAFE_INTEGER)) {
      const at = pos;
      pos += Buffer.byteLength(line.text) + 1;
      const id = byOffset.get(at);
      if (id === undefined) continue; // a superseded or blank line
      const text = replaced.get(id) ?? line.text;
      await out.write(`${text}\n`);
      const length = Buffer.byteLength(text) + 1;
      fresh.set(id, { offset, length, hash: contentHash(text) });
      offset += length;
    }
    await out.commit();
  } catch (error) {
    await out.abort();
    throw error;
  }
  index.entries = fresh;
  index.end = offset;
  index.ino = (await stat(store)).ino;
  await writeIndexFile(store, index);
}
