import { resolve } from 'node:path';
import type { CommandArgs } from '../cli.js';
import { GateFailedError, UsageError } from '../errors.js';
import { verify, type RunSuite } from '../ledger/cycle.js';
import { renderLedgerEntry } from '../ledger/render.js';
import { readResults } from '../ledger/results.js';
import { readEvalProviderFlags } from '../evals/codex-run.js';
import { runEvals } from '../evals/run.js';

/** Re-runs the suite with the real eval runner and reads the run back as the gate sees it. */
function runSuiteWithEvalRunner(args: CommandArgs): RunSuite {
  return async ({ workspace }) => {
    const outcome = await runEvals({
      workspace,
      promptfooBin: args.flags['promptfoo-bin'] as string | undefined,
      grader: args.flags.grader as string | undefined,
      ...readEvalProviderFlags(args.flags),
    });
    if (outcome.keptRuns) process.stderr.write(`verify: kept each run's scratch copy and CODEX_HOME in ${outcome.keptRuns}\n`);
    return readResults(outcome.file);
  };
}

/** `harness-loop verify [--accept-regression REASON] [--accept-breach REASON] [--results FILE]`. */
export async function run(args: CommandArgs): Promise<number> {
  const acceptRegression = reasonFlag(args, 'accept-regression');
  const acceptBreach = reasonFlag(args, 'accept-breach');
  const results = args.flags.results as string | undefined;
  if (results === '') throw new UsageError('--results needs a file');
  // Checked before the suite runs, so a typo does not cost a whole run.
  readEvalProviderFlags(args.flags);
  const outcome = await verify({
    workspace: args.workspace,
    ...(results ? { resultsFile: resolve(results) } : { runSuite: runSuiteWithEvalRunner(args) }),
    acceptRegression,
    acceptBreach,
  });
  if (outcome.repaired) process.stderr.write(`ledger: ${outcome.repaired}\n`);
  if (args.json) process.stdout.write(`${JSON.stringify(outcome.entry, null, 2)}\n`);
  else process.stdout.write(`${renderLedgerEntry(outcome.entry)}\n`);
  if (!outcome.decision.passed) {
    const code = outcome.comparison.testsRegressed.length > 0 && !acceptRegression ? 'gate.regression' : 'gate.breach';
    throw new GateFailedError(
      `${outcome.decision.failures.join('\n')}\nCycle ${outcome.entry.cycle} stays open; \`harness-loop cycle abandon\` ends it without a verdict.`,
      code,
    );
  }
  if (!args.json) process.stdout.write(`cycle ${outcome.entry.cycle} closed; the edit guard is off\n`);
  return 0;
}

/** A flag that must carry a non-empty reason when given. */
function reasonFlag(args: CommandArgs, flag: string): string | undefined {
  const value = args.flags[flag] as string | undefined;
  if (value === undefined) return undefined;
  if (value.trim() === '') throw new UsageError(`--${flag} needs a reason, e.g. --${flag} "the old answer was wrong"`);
  return value.trim();
}
