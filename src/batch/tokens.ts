// Token counting for batches. The only module that imports the tokenizer, so its ~2 MB of rank
// data is loaded by `harness-loop batch` alone.
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';

/** Encoding used by current OpenAI models (GPT-4o, GPT-5 family), and so by the critic. */
export const TOKENIZER_NAME = 'o200k_base';

/** Special-token text such as "<|endoftext|>" inside a trace is plain text, not a control token. */
const PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

/** Text is counted in pieces of about this many characters. */
const CHUNK_CHARS = 4096;

const WORD = /[\p{L}\p{N}]/u;
const PUNCT = /[^\s\p{L}\p{N}\p{M}']/u;
const SPACE = /\s/;

/**
 * True when o200k_base's pre-tokenizer always starts a new piece at `i`, so the tokens of
 * `text` are the tokens of `text.slice(0, i)` plus those of `text.slice(i)`. Follows its split
 * pattern: no piece runs past a newline into a non-space (except "/"), none includes a space
 * after a non-space, and letter or digit runs end before punctuation (but not before "'",
 * which starts a contraction, nor before a combining mark or a surrogate).
 */
export function isTokenBoundary(text: string, i: number): boolean {
  if (i <= 0 || i >= text.length) return i === 0 || i === text.length;
  const prev = text[i - 1]!;
  const cur = text[i]!;
  if (prev === '\n') return cur !== '/' && !SPACE.test(cur);
  if (cur === ' ') return !SPACE.test(prev);
  const code = cur.charCodeAt(0);
  if (code >= 0xd800 && code <= 0xdfff) return false;
  return WORD.test(prev) && PUNCT.test(cur);
}

/** The token boundary nearest to `from` in the direction of `to` (inclusive), or null. */
export function findTokenBoundary(text: string, from: number, to: number, preferNewline = false): number | null {
  const step = to >= from ? 1 : -1;
  if (preferNewline) {
    for (let i = from; step > 0 ? i <= to : i >= to; i += step) if (text[i - 1] === '\n' && isTokenBoundary(text, i)) return i;
  }
  for (let i = from; step > 0 ? i <= to : i >= to; i += step) if (isTokenBoundary(text, i)) return i;
  return null;
}

/** Moves a cut off the middle of a surrogate pair. */
export function safeCut(text: string, i: number): number {
  const code = text.charCodeAt(i);
  return code >= 0xdc00 && code <= 0xdfff ? i - 1 : i;
}

/**
 * Counts o200k_base tokens. Long text is counted in pieces cut at token boundaries, which gives
 * the same count as one call but keeps BPE from going quadratic on a huge unbroken word (100k
 * letters take seconds, 400k take minutes). Only a run of more than 2,048 characters without
 * any boundary is cut blindly, which can shift the count by a token there.
 */
export function countTextTokens(text: string, chunkChars = CHUNK_CHARS): number {
  if (text.length <= chunkChars) return countTokens(text, PLAIN_TEXT);
  let total = 0;
  let start = 0;
  while (start < text.length) {
    let end = start + chunkChars;
    if (end >= text.length) {
      end = text.length;
    } else {
      end = findTokenBoundary(text, end, start + Math.ceil(chunkChars / 2)) ?? safeCut(text, end);
    }
    total += countTokens(text.slice(start, end), PLAIN_TEXT);
    start = end;
  }
  return total;
}

/** Counts tokens, remembering long texts so shrinking a trace never counts one twice. */
export class TokenCounter {
  private readonly cache = new Map<string, number>();

  count(text: string): number {
    if (text.length < 1024) return countTextTokens(text);
    let n = this.cache.get(text);
    if (n === undefined) {
      n = countTextTokens(text);
      this.cache.set(text, n);
    }
    return n;
  }
}
