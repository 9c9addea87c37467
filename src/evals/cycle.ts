import { readFile } from 'node:fs/promises';
import { readLedger } from '../ledger/ledger.js';
import { CycleSchema } from '../schema/cycle.js';
import { UsageError } from '../errors.js';
import type { EvalPaths } from './paths.js';

/**
 * The improvement cycle evals are built and run in: the open cycle (`cycle start` wrote
 * cycle.json), otherwise the next one (one more than the highest cycle in the ledger), so work
 * before `cycle start` counts toward the cycle about to begin. `--cycle N` overrides both.
 */
export async function resolveCycle(paths: EvalPaths, override?: unknown): Promise<number> {
  if (override !== undefined) {
    const n = Number(override);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`--cycle must be a whole number from 1 (got "${String(override)}")`);
    return n;
  }
  const open = await readFile(paths.cycle, 'utf8')
    .then(
      (text) => CycleSchema.safeParse(JSON.parse(text)),
      () => null,
    )
    .catch(() => null);
  if (open?.success) return open.data.cycle;
  const ledger = await readLedger(paths.ledger);
  return ledger.entries.reduce((max, e) => Math.max(max, e.cycle), 0) + 1;
}
