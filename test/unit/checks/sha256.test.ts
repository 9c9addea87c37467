import { createHash as nodeCreateHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createHash, sha256Hex } from '../../../src/checks/sha256.js';

describe('sha256Hex', () => {
  it.each(['', 'abc', 'x'.repeat(55), 'x'.repeat(56), 'x'.repeat(64), 'x'.repeat(1000), 'héllo ✓ 🎉\0'.repeat(30)])('matches node:crypto for %j', (text) => {
    expect(sha256Hex(text)).toBe(nodeCreateHash('sha256').update(text).digest('hex'));
  });

  it('hashes chained updates like node:crypto', () => {
    expect(createHash('sha256').update('a').update('\0').update('b').digest('hex')).toBe(
      nodeCreateHash('sha256').update('a').update('\0').update('b').digest('hex'),
    );
  });

  it('refuses other algorithms instead of returning a wrong digest', () => {
    expect(() => createHash('md5')).toThrow('only sha256');
  });
});
