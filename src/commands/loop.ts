import type { CommandArgs } from '../cli.js';
import { UsageError } from '../errors.js';
import { verify } from '../ledger/cycle.js';
import { renderLedgerEntry } from '../ledger/render.js';
import { readEvalProviderFlags } from '../evals/codex-run.js';
import { implementTheChange } from '../loop/implement.js';
import { runLoop } from '../loop/loop.js';
import { readConfig } from '../util/config.js';
import { workspacePaths } from '../util/workspace.js';
import { displayPath, lastFlag, parseSince } from './ingest.js';
import { closingLine, gateRunOptions, throwUnlessPassed } from './verify.js';

function list(value: unknown): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value.map(String) : [String(value)];
}

export async function run(args: CommandArgs): Promise<number> {
  const { flags } = args;
  const paths = workspacePaths(args.workspace);
  const config = await readConfig(paths.config);
  const last = lastFlag(flags);
  if (flags['skip-verify'] === true && flags.implement !== true) throw new UsageError('--skip-verify only applies with --implement');
  const grader = flags.grader as string | undefined;
  const promptfooBin = flags['promptfoo-bin'] as string | undefined;
  // --codex-bin, -c and --model serve both the implementing session and the codex eval provider.
  const evalProvider = readEvalProviderFlags(flags);
  const log = (line: string) => (args.json ? process.stderr : process.stdout).write(`${line}\n`);

  const result = await runLoop({
    workspace: paths.root,
    config,
    paths: args.positionals,
    // With no paths the loop reads the newest sessions of this repository, as the skill does.
    ingest: {
      last: last ?? (args.positionals.length === 0 ? 5 : undefined),
      since: typeof flags.since === 'string' ? parseSince(flags.since) : undefined,
      allRepos: flags['all-repos'] === true,
      from: String(flags.from ?? 'auto'),
    },
    critique: flags.critique === true,
    grader,
    promptfooBin,
    ...evalProvider,
    onStage: (s) => log(`${s.stage.padEnd(12)} ${s.summary} (${s.ms} ms)`),
  });
  log(`handoff: ${displayPath(result.handoff)}`);

  if (flags.implement !== true) {
    log(`next: read the handoff, then \`harness-loop cycle start\`, implement THE change, \`harness-loop verify\` (or run \`harness-loop loop --implement\`)`);
    if (args.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  }
  const implemented = await implementTheChange({
    workspace: paths.root,
    config,
    codexBin: flags['codex-bin'] as string | undefined,
    codexConfig: list(flags['codex-config']),
    model: flags.model as string | undefined,
  });
  log(`implement    cycle ${implemented.cycle.cycle}: ${implemented.cycle.recommendation.title}${implemented.answer ? `; codex: ${implemented.answer}` : ''}`);
  if (flags['skip-verify'] === true) {
    log('next: `harness-loop verify` judges the change against the baseline');
    if (args.json) process.stdout.write(`${JSON.stringify({ ...result, cycle: implemented.cycle.cycle }, null, 2)}\n`);
    return 0;
  }
  // The same gate as `harness-loop verify`: live A/B runs with --provider codex, replay otherwise.
  const outcome = await verify({ workspace: paths.root, ...(await gateRunOptions(args)) });
  log(renderLedgerEntry(outcome.entry));
  if (args.json) process.stdout.write(`${JSON.stringify({ ...result, ledgerEntry: outcome.entry }, null, 2)}\n`);
  throwUnlessPassed(outcome);
  log(closingLine(outcome.entry));
  return 0;
}
