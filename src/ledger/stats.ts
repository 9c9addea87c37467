/**
 * The gate's statistics, pure. Two methods, named wherever a result is shown:
 * - pass rates get a 95% Wilson score interval (it stays inside [0, 1] and behaves at 0 and N passes,
 *   where the normal approximation does not);
 * - the change is judged by an exact sign test over discordant run pairs (the exact McNemar test):
 *   each re-run test's k-th baseline run is paired with its k-th run under the changed harness;
 *   a pair counts as a gain when only the changed run passed, a loss when only the baseline run
 *   passed, and ties drop out. Under "no effect" gains ~ Binomial(gains + losses, 1/2).
 */

/** z for a two-sided 95% interval. */
export const Z95 = 1.959963984540054;
/** One-sided significance level of the sign test. */
export const ALPHA = 0.05;

/** A 95% Wilson score interval for `passes` out of `n`; [0, 1] when n is 0. */
export function wilsonInterval(passes: number, n: number, z = Z95): { low: number; high: number } {
  if (n === 0) return { low: 0, high: 1 };
  const p = passes / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  // At 0 or n passes the bound on that side is exactly 0 or 1; floating point would leave 1e-16 off.
  return { low: passes === 0 ? 0 : Math.max(0, centre - half), high: passes === n ? 1 : Math.min(1, centre + half) };
}

/** log C(n, k), exact enough for n up to millions. */
function logChoose(n: number, k: number): number {
  let s = 0;
  for (let i = 1; i <= k; i++) s += Math.log(n - k + i) - Math.log(i);
  return s;
}

/** P(X >= k) for X ~ Binomial(n, 1/2), summed exactly term by term. */
export function binomialUpperTail(k: number, n: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  let total = 0;
  const half = n * Math.log(0.5);
  for (let i = k; i <= n; i++) total += Math.exp(logChoose(n, Math.min(i, n - i)) + half);
  return Math.min(1, total);
}

/** The sign test's answer for `gains` and `losses` (ties already dropped). */
export interface SignTest {
  method: 'exact sign test (McNemar) over discordant run pairs, one-sided, alpha 0.05';
  gains: number;
  losses: number;
  /** P(gains at least this large | no effect). */
  pGain: number;
  /** P(losses at least this large | no effect). */
  pLoss: number;
}

export function signTest(gains: number, losses: number): SignTest {
  const n = gains + losses;
  return {
    method: 'exact sign test (McNemar) over discordant run pairs, one-sided, alpha 0.05',
    gains,
    losses,
    pGain: binomialUpperTail(gains, n),
    pLoss: binomialUpperTail(losses, n),
  };
}

/**
 * How many repeats would make the same per-run gains and losses significant (each repeat adds
 * the same pairs again), or null when more of the same cannot (gains do not exceed losses) or
 * more than `max` would be needed.
 */
export function repeatsNeeded(gainsPerRepeat: number, lossesPerRepeat: number, max = 50): number | null {
  if (gainsPerRepeat <= lossesPerRepeat) return null;
  for (let n = 1; n <= max; n++) if (binomialUpperTail(gainsPerRepeat * n, (gainsPerRepeat + lossesPerRepeat) * n) < ALPHA) return n;
  return null;
}
