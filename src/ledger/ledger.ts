import { open, stat, truncate } from 'node:fs/promises';
import { InputError } from '../errors.js';
import { LedgerEntrySchema, type LedgerEntry } from '../schema/ledger.js';
import { appendLines } from '../util/atomic.js';
import { readLines } from '../util/lines.js';
import { formatZodIssues } from '../util/zod-format.js';

/** A ledger line that could not be read. */
export interface LedgerProblem {
  /** The ledger file. */
  file: string;
  /** 1-based line number. */
  line: number;
  /** What is wrong, as a sentence. */
  reason: string;
  /**
   * The unterminated last line a killed writer left: the append it belonged to never returned,
   * so it is skipped with a warning and the next append removes it.
   */
  torn: boolean;
}

/** Every readable entry, in file order, plus the lines that were not. */
export interface LedgerRead {
  /** Valid entries in the order they were appended. */
  entries: LedgerEntry[];
  /** Unreadable lines, each at file:line. */
  problems: LedgerProblem[];
}

/** Serializes an entry with schemaVersion and cycle first, for people reading the file. */
export function serializeLedgerEntry(entry: LedgerEntry): string {
  const { schemaVersion, cycle, kind, ...rest } = entry;
  return JSON.stringify({ schemaVersion, cycle, kind, ...rest });
}

/** Parses one line; the error is a sentence for a file:line report. */
export function parseLedgerLine(text: string): { entry: LedgerEntry } | { error: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { error: 'malformed JSON' };
  }
  const result = LedgerEntrySchema.safeParse(raw);
  return result.success ? { entry: result.data } : { error: `not a valid ledger entry:\n${formatZodIssues(result.error)}` };
}

/** Reads the ledger, streaming; a missing file is an empty ledger. */
export async function readLedger(file: string): Promise<LedgerRead> {
  const read: LedgerRead = { entries: [], problems: [] };
  const tail = await readTail(file);
  if (tail === null) return read;
  let last = 0;
  for await (const line of readLines(file)) {
    last = line.n;
    if (!line.tooLong && line.text.trim() === '') continue;
    const parsed = line.tooLong ? { error: `line too long (${line.bytes} bytes)` } : parseLedgerLine(line.text);
    if ('entry' in parsed) read.entries.push(parsed.entry);
    else read.problems.push({ file, line: line.n, reason: parsed.error, torn: false });
  }
  const final = read.problems.at(-1);
  if (!tail.endsWithNewline && final?.line === last) {
    final.torn = true;
    final.reason = `incomplete last line, left by an interrupted write; skipped (${final.reason.split('\n')[0]})`;
  }
  return read;
}

/** Throws an InputError at the first damaged line that is not a torn tail. */
export function assertLedgerReadable(read: LedgerRead): void {
  const bad = read.problems.find((p) => !p.torn);
  if (bad) {
    const more = read.problems.filter((p) => !p.torn).length - 1;
    throw new InputError(
      `${bad.reason}${more > 0 ? ` (and ${more} more damaged line(s))` : ''}; the ledger is append-only, so restore this line from a backup or delete it`,
      bad.file,
      bad.line,
      'ledger.invalid',
    );
  }
}

/**
 * Appends one entry as one O_APPEND write of a whole line, then fsyncs. Before writing, an
 * unterminated last line is dealt with so the new entry never lands glued to it: a complete
 * entry missing only its newline gets one; a torn fragment from a killed writer is cut off.
 * Returns what it repaired, if anything, so the caller can say so.
 */
export async function appendLedgerEntry(file: string, entry: LedgerEntry): Promise<{ repaired?: string }> {
  const line = serializeLedgerEntry(LedgerEntrySchema.parse(entry));
  const tail = await readTail(file);
  let repaired: string | undefined;
  const lines = [line];
  if (tail && !tail.endsWithNewline) {
    if ('entry' in parseLedgerLine(tail.lastLine)) {
      lines.unshift('');
    } else {
      await truncate(file, tail.lastLineStart);
      repaired = `removed an incomplete last line (${tail.size - tail.lastLineStart} bytes) left by an interrupted write`;
    }
  }
  await appendLines(file, lines);
  return repaired ? { repaired } : {};
}

/** The end of the file: whether it ends with a newline and, if not, its unterminated last line. */
async function readTail(file: string): Promise<{ size: number; endsWithNewline: boolean; lastLine: string; lastLineStart: number } | null> {
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  if (size === 0) return { size, endsWithNewline: true, lastLine: '', lastLineStart: 0 };
  const handle = await open(file, 'r');
  try {
    const last = Buffer.alloc(1);
    await handle.read(last, 0, 1, size - 1);
    if (last[0] === 10) return { size, endsWithNewline: true, lastLine: '', lastLineStart: size };
    // Walk back to the previous newline; entries are small, so this is almost always one read.
    const chunks: Buffer[] = [];
    let lastLineStart = 0;
    for (let pos = size; pos > 0;) {
      const from = Math.max(0, pos - 65536);
      const buf = Buffer.alloc(pos - from);
      await handle.read(buf, 0, buf.length, from);
      const nl = buf.lastIndexOf(10);
      if (nl !== -1) {
        chunks.unshift(buf.subarray(nl + 1));
        lastLineStart = from + nl + 1;
        break;
      }
      chunks.unshift(buf);
      pos = from;
    }
    return { size, endsWithNewline: false, lastLine: Buffer.concat(chunks).toString('utf8'), lastLineStart };
  } finally {
    await handle.close();
  }
}
