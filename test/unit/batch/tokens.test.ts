import { readFileSync, readdirSync } from 'node:fs';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { describe, expect, it } from 'vitest';
import { countTextTokens, isTokenBoundary } from '../../../src/batch/tokens.js';
import { seededRandom, toolOutput } from './helpers.js';

const exact = (text: string) => countTokens(text, { disallowedSpecial: new Set() });

/** Random text over an alphabet chosen to hit every rule of o200k_base's pre-tokenizer. */
function randomText(length: number, seed: number): string {
  const rand = seededRandom(seed);
  const alphabet = [
    'a',
    'b',
    'Z',
    'Q',
    'é',
    'e\u0301',
    '日',
    '7',
    '42',
    "'",
    "'s",
    '’',
    '.',
    ',',
    '/',
    '//',
    '\\n',
    '"',
    '{',
    '}',
    ' ',
    '  ',
    '\t',
    '\n',
    '\n\n',
    '\r\n',
    ' \n',
    '🙂',
    '𝐀',
    '—',
    '<|endoftext|>',
  ];
  let out = '';
  while (out.length < length) out += alphabet[Math.floor(rand() * alphabet.length)];
  return out;
}

describe('token counting', () => {
  it('matches the o200k_base tokenizer on the fixtures, raw and JSON-escaped, when cut into small pieces', () => {
    const dir = 'test/fixtures/codex-exec';
    for (const name of readdirSync(dir)) {
      const text = readFileSync(`${dir}/${name}`, 'utf8');
      expect(countTextTokens(text, 64), name).toBe(exact(text));
      expect(countTextTokens(JSON.stringify(text), 64), name).toBe(exact(JSON.stringify(text)));
    }
  });

  it('matches the tokenizer on random mixed-script text at every chunk size', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const text = randomText(3000, seed);
      for (const chunk of [64, 100, 4096]) expect(countTextTokens(text, chunk), `seed ${seed}, chunk ${chunk}`).toBe(exact(text));
    }
  });

  it('finds boundaries where the counts of both sides add up to the whole', () => {
    let checked = 0;
    for (let seed = 100; seed < 130; seed++) {
      const text = randomText(400, seed);
      const whole = exact(text);
      for (let i = 1; i < text.length; i++) {
        if (!isTokenBoundary(text, i)) continue;
        expect(exact(text.slice(0, i)) + exact(text.slice(i)), `seed ${seed} at ${i}`).toBe(whole);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });

  it('counts special-token text such as <|endoftext|> as plain text instead of throwing', () => {
    expect(countTextTokens('see <|endoftext|> here')).toBe(exact('see <|endoftext|> here'));
    expect(countTextTokens('see <|endoftext|> here')).toBeGreaterThan(3);
  });

  it('counts a huge unbroken word by cutting it, close to the true count', () => {
    // 200k letters in one pre-token would take the BPE minutes; the cut version stays exact here.
    expect(countTextTokens('a'.repeat(200_000))).toBe(25_000);
  });

  it('counts long shell output exactly', () => {
    const text = toolOutput(50_000, 7);
    expect(countTextTokens(text)).toBe(exact(text));
  });
});
