import { readLines } from '../util/lines.js';
import type { ReadContext } from './source.js';

/** One parsed JSON line, numbered from 1. */
export interface JsonLine {
  n: number;
  value: unknown;
}

export function looksBinary(text: string): boolean {
  // U+FFFD appears where invalid UTF-8 was decoded; control characters are never in JSONL text.
  return /[\uFFFD\u0000-\u0008\u000E-\u001F]/.test(text.slice(0, 256));
}

/**
 * The JSON values of a JSONL file, streamed. Blank lines are passed over; lines over the size
 * limit, binary garbage and malformed JSON are reported through `ctx.skip` as `file:line: reason`.
 */
export async function* readJsonLines(file: string, ctx: ReadContext): AsyncGenerator<JsonLine> {
  let last = 0;
  try {
    for await (const line of readLines(file, ctx.maxLineBytes)) {
      last = line.n;
      if (line.tooLong) {
        ctx.skip({ file, line: line.n, reason: `line of ${line.bytes} bytes is over the ${ctx.maxLineBytes}-byte limit` });
        continue;
      }
      if (line.text.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(line.text);
      } catch {
        ctx.skip({ file, line: line.n, reason: looksBinary(line.text) ? 'binary data, not JSON' : 'malformed JSON (truncated line?)' });
        continue;
      }
      yield { n: line.n, value };
    }
  } catch (error) {
    // A corrupt or truncated .gz/.zst file: keep what was read and say where it stopped.
    ctx.skip({ file, line: last + 1, reason: `unreadable from here on: ${(error as Error).message}` });
  }
}
