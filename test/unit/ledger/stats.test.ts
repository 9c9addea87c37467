import { describe, expect, it } from 'vitest';
import { binomialUpperTail, repeatsNeeded, signTest, wilsonInterval } from '../../../src/ledger/stats.js';

describe('Wilson score interval (95%)', () => {
  // Known values: Newcombe (1998), Statistics in Medicine 17:857-872, Table I (method 3, Wilson).
  it.each([
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0, 0.1611],
    [1, 29, 0.0061, 0.1718],
  ])('%i of %i → [%f, %f]', (k, n, low, high) => {
    const ci = wilsonInterval(k, n);
    expect(ci.low).toBeCloseTo(low, 3);
    expect(ci.high).toBeCloseTo(high, 3);
  });

  it('is [0, 1] without runs and stays inside [0, 1]', () => {
    expect(wilsonInterval(0, 0)).toEqual({ low: 0, high: 1 });
    const all = wilsonInterval(10, 10);
    expect(all.high).toBe(1);
    expect(all.low).toBeCloseTo(0.7225, 3);
  });
});

describe('exact sign test', () => {
  // Binomial(n, 1/2) upper tails from the exact table (sum of C(n, i) / 2^n).
  it.each([
    [5, 5, 0.03125],
    [4, 4, 0.0625],
    [9, 10, 0.010742],
    [8, 10, 0.054688],
    [15, 20, 0.020695],
    [0, 7, 1],
    [11, 10, 0],
  ])('P(X >= %i | n = %i) = %f', (k, n, p) => {
    expect(binomialUpperTail(k, n)).toBeCloseTo(p, 5);
  });

  it('tests gains and losses one-sided', () => {
    const t = signTest(6, 1);
    expect(t.pGain).toBeCloseTo(0.0625, 5);
    expect(t.pLoss).toBeCloseTo(0.9921875, 5);
    expect(signTest(0, 0)).toMatchObject({ pGain: 1, pLoss: 1 });
  });

  it('says how many repeats the same effect needs', () => {
    expect(repeatsNeeded(5, 0)).toBe(1);
    expect(repeatsNeeded(2, 0)).toBe(3); // 6 of 6: p = 1/64
    expect(repeatsNeeded(1, 0)).toBe(5); // 5 of 5: p = 1/32
    expect(repeatsNeeded(3, 1)).toBe(4); // 12 of 16: p ≈ 0.038
    expect(repeatsNeeded(1, 1)).toBeNull();
    expect(repeatsNeeded(0, 0)).toBeNull();
  });
});
