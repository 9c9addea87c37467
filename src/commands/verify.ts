import { resolve } from 'node:path';
import type { CommandArgs } from '../cli.js';
import { GateFailedError, UsageError } from '../errors.js';
import { verify, type RunSuite, type VerifyOutcome } from '../ledger/cycle.js';
import type { LedgerEntry } from '../schema/ledger.js';
import { renderLedgerEntry } from '../ledger/render.js';
import { readResults } from '../ledger/results.js';
import { readEvalProviderFlags } from '../evals/codex-run.js';
import { runEvals } from '../evals/run.js';
import { EvalsConfigSchema, type EvalProvider } from '../schema/eval-suite.js';
import { readConfig } from '../util/config.js';
import { workspacePaths } from '../util/workspace.js';

/**
 * Runs the suite once with the real eval runner and reads the run back as the gate sees it:
 * replay scores each test's newest answer to its task; codex runs each task in a copy of the
 * workspace, or of the rebuilt baseline when the gate asks for the A/B baseline side.
 */
export function runSuiteWithEvalRunner(args: Pick<CommandArgs, 'flags'>, provider: EvalProvider): RunSuite {
  const flags = readEvalProviderFlags(args.flags);
  return async ({ workspace, baselineDir, repeat, regradeBaseline }) => {
    const outcome = await runEvals({
      workspace,
      promptfooBin: args.flags['promptfoo-bin'] as string | undefined,
      grader: args.flags.grader as string | undefined,
      codex: flags.codex,
      provider: regradeBaseline ? 'replay' : provider,
      ...(provider === 'replay' && !regradeBaseline ? { replayLatest: true } : {}),
      ...(baselineDir ? { copyFrom: baselineDir } : {}),
      ...(repeat !== undefined ? { repeat } : {}),
    });
    if (outcome.keptRuns) process.stderr.write(`verify: kept each run's scratch copy and CODEX_HOME in ${outcome.keptRuns}\n`);
    return readResults(outcome.file);
  };
}

/** `--repeat N`, else `evals.repeat` in the config, else 1. */
export function readRepeat(flag: unknown, configured: number | undefined): number {
  if (flag === undefined) return configured ?? 1;
  const n = Number(flag);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--repeat must be a whole number from 1 (got "${String(flag)}")`);
  return n;
}

/** `harness-loop verify [--provider codex] [--repeat N] [--accept-regression REASON] [--accept-breach REASON] [--results FILE]`. */
export async function run(args: CommandArgs): Promise<number> {
  const acceptRegression = reasonFlag(args, 'accept-regression');
  const acceptBreach = reasonFlag(args, 'accept-breach');
  const results = args.flags.results as string | undefined;
  if (results === '') throw new UsageError('--results needs a file');
  const gate = await gateRunOptions(args);
  const outcome = await verify({
    workspace: args.workspace,
    ...(results ? { resultsFile: resolve(results) } : gate),
    acceptRegression,
    acceptBreach,
  });
  if (outcome.repaired) process.stderr.write(`ledger: ${outcome.repaired}\n`);
  if (args.json) process.stdout.write(`${JSON.stringify(outcome.entry, null, 2)}\n`);
  else process.stdout.write(`${renderLedgerEntry(outcome.entry)}\n`);
  throwUnlessPassed(outcome, acceptRegression);
  if (!args.json) process.stdout.write(`${closingLine(outcome.entry)}\n`);
  return 0;
}

/** How verify runs the suite, from the flags and config: provider, repeats, and A/B for live runs. */
export async function gateRunOptions(args: Pick<CommandArgs, 'flags' | 'workspace'>): Promise<{ runSuite: RunSuite; repeat: number; ab: boolean }> {
  // Checked before the suite runs, so a typo does not cost a whole run.
  const flags = readEvalProviderFlags(args.flags);
  const config = await readConfig(workspacePaths(args.workspace).config);
  const evals = EvalsConfigSchema.parse((config as Record<string, unknown>).evals ?? undefined);
  const provider = flags.provider ?? evals.provider ?? 'replay';
  // Replay answers do not change between repeats; only live runs are repeated.
  const repeat = provider === 'codex' ? readRepeat(args.flags.repeat, evals.repeat) : 1;
  if (provider !== 'codex' && args.flags.repeat !== undefined && readRepeat(args.flags.repeat, undefined) > 1) {
    process.stderr.write('verify: --repeat applies to live runs (--provider codex); replay scores each recorded answer once\n');
  }
  return { runSuite: runSuiteWithEvalRunner(args, provider), repeat, ab: provider === 'codex' };
}

/** A failed gate as the exit-1 error, with a code per verdict. */
export function throwUnlessPassed(outcome: VerifyOutcome, acceptRegression?: string): void {
  if (outcome.decision.passed) return;
  const v = outcome.entry.verdict;
  const code =
    v === 'not_measured'
      ? 'gate.not-measured'
      : v === 'inconclusive'
        ? 'gate.inconclusive'
        : v === 'regressed' && !acceptRegression
          ? 'gate.regression'
          : 'gate.breach';
  throw new GateFailedError(
    `${outcome.decision.failures.join('\n')}\nCycle ${outcome.entry.cycle} stays open; \`harness-loop cycle abandon\` ends it without a verdict.`,
    code,
  );
}

/** What a closed cycle means for the change: only improved is committed. */
export function closingLine(entry: LedgerEntry): string {
  const note =
    entry.verdict === 'improved' ? `commit the change as "harness: ${entry.recommendation.title}"` : 'do not commit: the change did not measurably help';
  return `cycle ${entry.cycle} closed (${entry.verdict}; ${note}); the edit guard is off`;
}

/** A flag that must carry a non-empty reason when given. */
function reasonFlag(args: CommandArgs, flag: string): string | undefined {
  const value = args.flags[flag] as string | undefined;
  if (value === undefined) return undefined;
  if (value.trim() === '') throw new UsageError(`--${flag} needs a reason, e.g. --${flag} "the old answer was wrong"`);
  return value.trim();
}
