import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { openZstdFile } from './zstd.js';

/** One line of a text file, numbered from 1; `tooLong` lines carry no text. */
export type Line =
  /** `unterminated`: the file's last line, with no newline after it (a writer may still be appending). */
  { n: number; text: string; tooLong?: false; unterminated?: boolean } | { n: number; text: ''; tooLong: true; bytes: number };

/** Default limit for one line; longer lines are reported and skipped, never buffered. */
export const DEFAULT_MAX_LINE_BYTES = 32 * 1024 * 1024;

/** Opens a file as a byte stream, decompressing `.gz` and `.zst` files; read errors reach the consumer. */
export function openByteStream(file: string): NodeJS.ReadableStream {
  if (file.endsWith('.zst')) return openZstdFile(file);
  const raw = createReadStream(file, { highWaterMark: 1 << 20 });
  const decoder = file.endsWith('.gz') ? createGunzip() : null;
  if (!decoder) return raw;
  // pipe() does not forward a source error; without this a failed read would hang the consumer.
  raw.on('error', (error) => decoder.destroy(error));
  return raw.pipe(decoder);
}

/**
 * Streams the lines of `file` without ever holding more than one line (up to `maxLineBytes`)
 * in memory. readline would buffer a 50 MB line whole; this drops it and reports its size.
 */
export async function* readLines(file: string, maxLineBytes = DEFAULT_MAX_LINE_BYTES): AsyncGenerator<Line> {
  let parts: Buffer[] = [];
  let partBytes = 0;
  let overflow = 0;
  let n = 0;
  const finish = (): Line => {
    n += 1;
    if (overflow > 0) {
      const bytes = overflow;
      overflow = 0;
      return { n, text: '', tooLong: true, bytes };
    }
    let text = parts.length === 1 ? parts[0]!.toString('utf8') : Buffer.concat(parts, partBytes).toString('utf8');
    if (text.endsWith('\r')) text = text.slice(0, -1);
    parts = [];
    partBytes = 0;
    return { n, text };
  };
  const take = (chunk: Buffer) => {
    if (overflow > 0) {
      overflow += chunk.length;
    } else if (partBytes + chunk.length > maxLineBytes) {
      overflow = partBytes + chunk.length;
      parts = [];
      partBytes = 0;
    } else {
      parts.push(chunk);
      partBytes += chunk.length;
    }
  };
  for await (const chunk of openByteStream(file) as AsyncIterable<Buffer>) {
    let start = 0;
    let nl = chunk.indexOf(10, start);
    while (nl !== -1) {
      take(chunk.subarray(start, nl));
      yield finish();
      start = nl + 1;
      nl = chunk.indexOf(10, start);
    }
    if (start < chunk.length) take(Buffer.from(chunk.subarray(start)));
  }
  if (partBytes > 0 || overflow > 0) {
    const last = finish();
    yield last.tooLong ? last : { ...last, unterminated: true };
  }
}

/** Formats a byte count for messages: "23.4 MB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
