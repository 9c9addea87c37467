// The `verify` section of `npm run bench`: what the gate itself costs beyond the eval runs, on the
// demo workspace (exam and workspace hashing, reading the traces behind the answers, statistics,
// the ledger append). Goal: at most 1 s. The eval runs are timed inside the injected runner and
// subtracted; the demo leaves its cycle open (inconclusive), so verify can run again and again.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDemo } from '../../src/commands/demo.js';
import { runEvals } from '../../src/evals/run.js';
import { verify } from '../../src/ledger/cycle.js';
import { readResults } from '../../src/ledger/results.js';

/** A row of the bench table (same shape as scripts/bench.ts). */
export interface VerifyBenchRow {
  metric: string;
  value: string;
  goal?: string;
  pass?: boolean;
}

const fmt = (n: number) => n.toLocaleString('en-US', { maximumFractionDigits: 0 });

export async function benchVerify(options: { runs: number }): Promise<{ title: string; rows: VerifyBenchRow[]; notes: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'hl-bench-verify-'));
  try {
    const workspace = join(dir, 'demo');
    await runDemo(workspace);
    let bestOverhead = Infinity;
    let bestTotal = 0;
    let verdict = '';
    for (let i = 0; i < Math.max(3, options.runs); i++) {
      let inRuns = 0;
      const t0 = performance.now();
      const outcome = await verify({
        workspace,
        runSuite: async ({ workspace: ws }) => {
          const t = performance.now();
          const results = await readResults((await runEvals({ workspace: ws, grader: 'replay', replayLatest: true })).file);
          inRuns += performance.now() - t;
          return results;
        },
      });
      const total = performance.now() - t0;
      verdict = outcome.entry.verdict;
      if (total - inRuns < bestOverhead) {
        bestOverhead = total - inRuns;
        bestTotal = total;
      }
    }
    return {
      title: 'verify (the gate) on the demo workspace',
      rows: [
        { metric: 'verify overhead beyond the eval run (exam check, change detection, trace lookup, statistics, ledger)', value: `${fmt(bestOverhead)} ms`, goal: '≤ 1,000 ms', pass: bestOverhead <= 1000 },
        { metric: 'verify end to end, Promptfoo replay run included', value: `${fmt(bestTotal)} ms (verdict ${verdict})` },
      ],
      notes: [`Best of ${Math.max(3, options.runs)} in-process verifies on the workspace \`harness-loop demo\` leaves (its cycle stays open, so each verify judges it again).`],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
