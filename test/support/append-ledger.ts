// Appends ledger entries in a tight loop through the real append function until it is killed.
// Used by test/unit/ledger/kill.test.ts, which bundles it with esbuild and runs it with plain node.
import { appendLedgerEntry, readLedger } from '../../src/ledger/ledger.js';
import type { LedgerEntry } from '../../src/schema/ledger.js';

const file = process.argv[2];
if (!file) throw new Error('usage: append-ledger.ts LEDGER_FILE');

/** Entries of varying size, some several KB, so writes cross page boundaries at varying offsets. */
function makeEntry(cycle: number): LedgerEntry {
  const files = (cycle * 7) % 60;
  return {
    schemaVersion: 1,
    cycle,
    kind: 'verify',
    at: new Date().toISOString(),
    recommendation: { id: `R${cycle % 5}`, title: 'Require citations in every answer' },
    baselineRunId: `run-${cycle - 1}`,
    afterRunId: `run-${cycle}`,
    filesChanged: Array.from({ length: files }, (_, i) => ({
      path: `skills/docs/references/page-${i}-${'x'.repeat(i * 3)}.md`,
      change: 'modified' as const,
      added: i,
      removed: 1,
      harness: true,
    })),
    passRateBefore: 0.5,
    passRateAfter: 0.75,
    testsFixed: [`t${cycle}`],
    testsRegressed: [],
    newTests: [],
    removedTests: [],
    verdict: 'improved',
    closed: true,
  };
}

const { entries } = await readLedger(file);
let cycle = Math.max(0, ...entries.map((e) => e.cycle)) + 1;
process.stdout.write('ready\n');
for (;;) await appendLedgerEntry(file, makeEntry(cycle++));
