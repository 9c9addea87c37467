import { rename, rm, stat } from 'node:fs/promises';
import { SpanSchema, TokenUsageSchema, TraceSchema, TraceSourceSchema, type Span, type Trace } from '../schema/trace.js';
import { AtomicFileWriter } from '../util/atomic.js';
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
    ...(newer.harness ?? older.harness ? { harness: newer.harness ?? older.harness } : {}),
    attributes: { ...older.attributes, ...newer.attributes },
  };
}

/**
 * Writes traces into the store without ever holding the whole store in memory: new traces go
 * to a staging file as they stream in, then one pass copies the old store, merges ids seen
 * twice, and renames the result into place. A crash leaves the old store untouched.
 */
export class TraceStoreWriter {
  private staging: AtomicFileWriter;
  /** How many lines each trace id has in the staging file. */
  private readonly staged = new Map<string, number>();

  constructor(readonly file: string) {
    this.staging = new AtomicFileWriter(`${file}.staging`);
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
      const { versions, repeats } = await this.findRepeats(stagingFile);
      // No store yet and every id staged once: the staging file already is the new store, byte
      // for byte, so it is renamed into place instead of read back and copied (on a first ingest
      // of 500 MB that copy was a fifth of the run).
      if (repeats.size === 0 && [...versions.values()].every((n) => n === 1) && !(await fileExists(this.file))) {
        await rename(stagingFile, this.file);
        return { added: versions.size, updated: 0, unchanged: 0, kept: 0, total: versions.size };
      }
      return await this.merge(stagingFile, versions, repeats);
    } finally {
      await rm(stagingFile, { force: true });
    }
  }

  /**
   * Finds staging lines that repeat the previous kept version of their id (same content twice,
   * stored once), and counts the versions kept per id. Only ids staged more than once are
   * hashed: hashing every trace as it arrived cost a tenth of a large ingest.
   */
  private async findRepeats(stagingFile: string): Promise<{ versions: Map<string, number>; repeats: Set<number> }> {
    const versions = new Map(this.staged);
    const repeats = new Set<number>();
    const multi = new Set([...this.staged].filter(([, n]) => n > 1).map(([id]) => id));
    if (multi.size === 0) return { versions, repeats };
    const last = new Map<string, string>();
    for await (const line of readLines(stagingFile, Number.MAX_SAFE_INTEGER)) {
      if (line.tooLong || line.text === '') continue;
      const id = traceIdOfLine(line.text)!;
      if (!multi.has(id)) continue;
      const hash = contentHash(line.text);
      if (last.get(id) === hash) {
        repeats.add(line.n);
        versions.set(id, versions.get(id)! - 1);
      } else {
        last.set(id, hash);
      }
    }
    return { versions, repeats };
  }

  /** Copies the old store, adds new ids, merges ids seen twice, and renames the result into place. */
  private async merge(stagingFile: string, versions: Map<string, number>, repeats: Set<number>): Promise<StoreUpdate> {
    const out = await new AtomicFileWriter(this.file).open();
    const pending = new Map<string, Trace[]>();
    const oldHashes = new Map<string, string>();
    const update: StoreUpdate = { added: 0, updated: 0, unchanged: 0, kept: 0, total: 0 };
    try {
      for await (const trace of readStoreIfExists(this.file)) {
        if (versions.has(trace.id)) {
          pending.set(trace.id, [trace]);
          oldHashes.set(trace.id, contentHash(serializeTrace(trace)));
        } else {
          await out.write(`${serializeTrace(trace)}\n`);
          update.kept++;
        }
      }
      for await (const line of readLines(stagingFile, Number.MAX_SAFE_INTEGER)) {
        if (line.tooLong || line.text === '' || repeats.has(line.n)) continue;
        const id = traceIdOfLine(line.text)!;
        if (versions.get(id) === 1 && !pending.has(id)) {
          await out.write(`${line.text}\n`);
          update.added++;
        } else {
          const list = pending.get(id) ?? [];
          list.push(TraceSchema.parse(JSON.parse(line.text)));
          pending.set(id, list);
        }
      }
      for (const [id, list] of pending) {
        const merged = list.reduce((a, b) => mergeTraces(a, b));
        const line = serializeTrace(merged);
        const old = oldHashes.get(id);
        if (old === undefined) update.added++;
        else if (old === contentHash(line)) update.unchanged++;
        else update.updated++;
        await out.write(`${line}\n`);
      }
      await out.commit();
    } catch (error) {
      await out.abort();
      throw error;
    }
    update.total = update.kept + update.added + update.updated + update.unchanged;
    return update;
  }

  async abort(): Promise<void> {
    await this.staging.abort();
  }
}

async function fileExists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

async function* readStoreIfExists(file: string): AsyncGenerator<Trace> {
  try {
    yield* readTraceStore(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
}
