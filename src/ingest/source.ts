import type { SourceKind, Trace } from '../schema/trace.js';

/** A line (or record) a reader could not use, reported as `file:line: reason`. */
export interface Skip {
  file: string;
  line: number;
  reason: string;
}

/** What every reader gets from ingest. */
export interface ReadContext {
  /** Reports an unusable line; readers never throw on bad input. */
  skip(skip: Skip): void;
  /** Lines longer than this are skipped without being buffered. */
  maxLineBytes: number;
}

/**
 * One adapter per trace format. `sniff` looks at the first non-empty line (or the first bytes
 * of a binary file) so `--from auto` can pick a reader per file; `read` streams normalized traces.
 */
export interface TraceReader {
  kind: SourceKind;
  /** Short name for `--from`. */
  name: string;
  sniff(head: SniffInput): boolean;
  /** Reads all files of this format together, since some formats join traces across files. */
  read(files: string[], ctx: ReadContext): AsyncIterable<Trace>;
}

/** What auto-detection looks at: the file name, its first bytes, and its first JSON record if any. */
export interface SniffInput {
  file: string;
  bytes: Buffer;
  firstRecord: unknown;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads a string field or returns null. */
export function str(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}
