import type { CommandArgs } from '../cli.js';
import { GateFailedError, UsageError } from '../errors.js';
import type { BuildSummary } from '../evals/build.js';
import { buildSuite } from '../evals/build-stage.js';
import { resolveCycle } from '../evals/cycle.js';
import { listTests, readPruneLog, readRunDigests } from '../evals/list.js';
import { evalPaths, type EvalPaths } from '../evals/paths.js';
import { removeTest } from '../evals/ratchet.js';
import { readEvalProviderFlags } from '../evals/codex-run.js';
import { readRepeat } from './verify.js';
import { runEvals } from '../evals/run.js';
import { listPendingVerdicts } from '../evals/verdicts.js';
import { readSuiteTests } from '../evals/suite-yaml.js';
import { EVAL_SUITE_SCHEMA_VERSION, EvalsConfigSchema, type EvalRunSummary, type PruneLogEntry } from '../schema/eval-suite.js';
import { appendLines, writeFileAtomic } from '../util/atomic.js';
import { readConfig } from '../util/config.js';
import { readTextIfExists } from '../util/files.js';
import { displayPath } from './ingest.js';

const SUBCOMMANDS = ['build', 'run', 'list', 'prune', 'verdicts'] as const;
type Subcommand = (typeof SUBCOMMANDS)[number];

/** Flags each subcommand accepts beyond the global ones. */
const FLAGS: Record<Subcommand, string[]> = {
  build: ['cycle'],
  run: ['promptfoo-bin', 'grader', 'cycle', 'provider', 'codex-bin', 'codex-config', 'model', 'keep-runs'],
  list: ['stale-after'],
  prune: ['id', 'reason'],
  verdicts: [],
};

/** `harness-loop evals <build|run|list|prune>`. */
export async function run(args: CommandArgs): Promise<number> {
  const [sub, ...rest] = args.positionals;
  if (!sub) throw new UsageError(`missing subcommand: harness-loop evals <${SUBCOMMANDS.join('|')}> (see 'harness-loop evals --help')`);
  if (!(SUBCOMMANDS as readonly string[]).includes(sub)) throw new UsageError(`unknown subcommand "${sub}": expected one of ${SUBCOMMANDS.join(', ')}`);
  if (rest.length > 0) throw new UsageError(`'evals ${sub}' takes no arguments (got "${rest[0]}")`);
  const subcommand = sub as Subcommand;
  const allowed = new Set([...FLAGS[subcommand], 'workspace', 'json', 'help']);
  for (const [flag, value] of Object.entries(args.flags)) {
    if (value !== undefined && value !== false && !allowed.has(flag)) throw new UsageError(`--${flag} does not apply to 'evals ${subcommand}'`);
  }
  const paths = evalPaths(args.workspace);
  switch (subcommand) {
    case 'build':
      return runBuild(args, paths);
    case 'run':
      return runRun(args, paths);
    case 'list':
      return runList(args, paths);
    case 'prune':
      return runPrune(args, paths);
    case 'verdicts':
      return runVerdicts(args, paths);
  }
}

async function readEvalsConfig(paths: EvalPaths) {
  const config = await readConfig(paths.config);
  return { config, evals: EvalsConfigSchema.parse((config as Record<string, unknown>).evals ?? undefined) };
}

async function runBuild(args: CommandArgs, paths: EvalPaths): Promise<number> {
  const { summary } = await buildSuite({
    workspace: paths.root,
    cycle: args.flags.cycle,
    onSkip: (s) => process.stderr.write(`${s.file}:${s.line}: ${s.reason.split('\n')[0]} (trace skipped)\n`),
  });
  if (args.json) process.stdout.write(`${JSON.stringify({ file: paths.suite, ...summary }, null, 2)}\n`);
  else process.stdout.write(renderBuildSummary(paths, summary));
  return 0;
}

function renderBuildSummary(paths: EvalPaths, s: BuildSummary): string {
  const lines = [
    `evals build: ${s.tests.total} test(s) in ${displayPath(paths.suite)} (${s.tests.added} added, ${s.tests.updated} updated, ` +
      `${s.tests.kept} kept) from ${s.feedback.used} feedback record(s) in ${s.clusters} cluster(s); cycle ${s.cycle}`,
  ];
  const kinds = Object.entries(s.assertions)
    .map(([k, v]) => `${v} ${k}`)
    .join(', ');
  if (kinds) lines.push(`  generated assertions: ${kinds}`);
  if (s.tests.adopted > 0) lines.push(`  ${s.tests.adopted} hand-written test(s) given an id so they can be listed and pruned`);
  if (s.tests.refreshedTraces > 0) lines.push(`  ${s.tests.refreshedTraces} test(s) now replay a newer trace of the same task`);
  if (s.rubricOnly.length > 0) {
    lines.push(`  ${s.rubricOnly.length} test(s) have only llm-rubric assertions (no deterministic floor; offline they need recorded verdicts):`);
    for (const t of s.rubricOnly.slice(0, 20)) lines.push(`    ${t.id}  ${t.description}`);
    if (s.rubricOnly.length > 20) lines.push(`    … and ${s.rubricOnly.length - 20} more`);
  }
  if (s.processRubrics.length > 0) {
    lines.push(
      `  ${s.processRubrics.length} test(s) from detector or hook findings still hold an llm-rubric an older build generated; a judge sees only the answer, ` +
        'not the process, so a trace assertion now stands beside it. Delete that rubric from the suite (or prune the test):',
    );
    for (const t of s.processRubrics.slice(0, 20)) lines.push(`    ${t.id}  ${t.description}`);
  }
  if (s.feedback.inactive > 0) lines.push(`  ${s.feedback.inactive} feedback record(s) skipped: contradicted or rejected (weight 0)`);
  if (s.feedback.unknownTrace.length > 0)
    lines.push(`  ${s.feedback.unknownTrace.length} feedback record(s) skipped: their trace is not in the trace store (run harness-loop ingest)`);
  if (s.skippedPruned.length > 0) lines.push(`  ${s.skippedPruned.length} cluster(s) not regenerated because their test was pruned`);
  if (s.tests.duplicateIds.length > 0) lines.push(`  warning: test id(s) appear more than once in the suite: ${s.tests.duplicateIds.join(', ')}`);
  if (s.tests.total === 0) lines.push('  the suite has no tests yet: add feedback (harness-loop feedback add/import/detect), then build again');
  return `${lines.join('\n')}\n`;
}

async function runRun(args: CommandArgs, paths: EvalPaths): Promise<number> {
  const flags = args.flags;
  const { evals } = await readEvalsConfig(paths);
  const repeat = readRepeat(flags.repeat, evals.repeat);
  const outcome = await runEvals({
    workspace: paths.root,
    ...(typeof flags['promptfoo-bin'] === 'string' ? { promptfooBin: flags['promptfoo-bin'] } : {}),
    ...(typeof flags.grader === 'string' ? { grader: flags.grader } : {}),
    ...(flags.cycle !== undefined ? { cycle: await resolveCycle(paths, flags.cycle) } : {}),
    ...readEvalProviderFlags(flags),
    repeat,
  });
  if (outcome.keptRuns) process.stderr.write(`evals run: kept each run's scratch copy and CODEX_HOME in ${outcome.keptRuns}\n`);
  if (outcome.recorded) {
    const r = outcome.recorded;
    for (const s of r.skipped) process.stderr.write(`${s.file}:${s.line}: ${s.reason.split('\n')[0]} (trace skipped)\n`);
    process.stderr.write(`evals run: recorded ${r.traces} codex run(s) as trace(s) (${r.added} new) in ${displayPath(paths.traceStore)}\n`);
  }
  const { summary, file } = outcome;
  if (args.json) {
    const { raw: _raw, ...rest } = summary;
    process.stdout.write(`${JSON.stringify({ file, ...rest }, null, 2)}\n`);
  } else {
    process.stdout.write(renderRun(summary, file));
  }
  if (outcome.exitCode !== 0) {
    const t = summary.totals;
    throw new GateFailedError(
      `${t.failed + t.errors} of ${t.tests} test(s) did not pass (${t.failed} failed, ${t.errors} errored); results: ${displayPath(file)}`,
      'evals.failed',
    );
  }
  return 0;
}

function renderRun(summary: EvalRunSummary, file: string): string {
  const lines: string[] = [];
  for (const t of summary.tests) {
    const score = t.score !== undefined ? t.score.toFixed(2) : '  - ';
    lines.push(`${t.status.toUpperCase().padEnd(8)}  ${t.id}  ${score}  ${t.description ?? ''}`);
    for (const f of t.failedAssertions.slice(0, 10)) {
      const value = f.value !== undefined ? ` ${JSON.stringify(f.value.length > 60 ? `${f.value.slice(0, 59)}…` : f.value)}` : '';
      lines.push(`       ✗ ${f.type}${value}: ${f.reason.split('\n')[0]}`);
    }
  }
  const t = summary.totals;
  const unjudged = t.unjudged ?? 0;
  lines.push(
    `evals run: ${t.passed} passed, ${t.failed} failed, ${t.errors} errored${unjudged > 0 ? `, ${unjudged} unjudged` : ''} of ${t.tests} ` +
      `(provider: ${summary.provider}, grader: ${summary.grader}, cycle ${summary.cycle}) → ${displayPath(file)}`,
  );
  if (unjudged > 0) {
    lines.push(
      `  ${unjudged} test(s) wait for ${summary.missingVerdicts.length} rubric verdict(s); they are left out of the pass rate and never count as failures. ` +
        'List them with `harness-loop evals verdicts`, judge them in `harness-loop review`.',
    );
  }
  return `${lines.join('\n')}\n`;
}

async function runList(args: CommandArgs, paths: EvalPaths): Promise<number> {
  const { evals } = await readEvalsConfig(paths);
  const staleAfter = args.flags['stale-after'] !== undefined ? Number(args.flags['stale-after']) : evals.staleAfterCycles;
  if (!Number.isInteger(staleAfter) || staleAfter < 1)
    throw new UsageError(`--stale-after must be a whole number of cycles from 1 (got ${String(args.flags['stale-after'])})`);
  const tests = readSuiteTests(await readTextIfExists(paths.suite), paths.suite);
  const { runs, warnings } = await readRunDigests(paths.results);
  for (const w of warnings) process.stderr.write(`${w}\n`);
  const listed = listTests(tests, runs, staleAfter);
  if (args.json) {
    process.stdout.write(`${JSON.stringify({ staleAfter, tests: listed }, null, 2)}\n`);
    return 0;
  }
  if (listed.length === 0) {
    process.stdout.write('evals list: the suite has no tests (run harness-loop evals build)\n');
    return 0;
  }
  for (const t of listed) {
    const last = t.last
      ? `${t.last.status}${t.last.score !== undefined ? ` ${t.last.score.toFixed(2)}` : ''} (${t.last.runId}, cycle ${t.last.cycle})`
      : 'never run';
    const flag = t.pruneCandidate ? `  [prune candidate: no failure in the last ${t.cyclesSinceFailure} cycle(s)]` : '';
    lines(`${t.id}  added in cycle ${t.addedInCycle ?? '?'}  ${t.assertions} assertion(s)  last: ${last}${flag}\n    ${t.description}`);
  }
  const candidates = listed.filter((t) => t.pruneCandidate).length;
  process.stdout.write(
    `evals list: ${listed.length} test(s), ${candidates} prune candidate(s) (no failure for ${staleAfter}+ cycles); remove one with harness-loop evals prune --id ID --reason "…"\n`,
  );
  return 0;
}

function lines(text: string): void {
  process.stdout.write(`${text}\n`);
}

async function runVerdicts(args: CommandArgs, paths: EvalPaths): Promise<number> {
  const pending = await listPendingVerdicts(paths);
  if (args.json) {
    process.stdout.write(`${JSON.stringify({ pending }, null, 2)}\n`);
    return 0;
  }
  if (pending.length === 0) {
    process.stdout.write('evals verdicts: no rubric waits for a verdict in the latest run\n');
    return 0;
  }
  for (const p of pending) {
    const rubric = p.rubric.split('\n')[0]!.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
    lines(
      `${p.testId}  ${p.rubricHash}  ${p.answerHash}  trace ${p.traceId ?? '?'}${p.category ? `  (${p.category})` : ''}\n    ${rubric.length > 140 ? `${rubric.slice(0, 139)}…` : rubric}`,
    );
  }
  process.stdout.write(
    `evals verdicts: ${pending.length} rubric verdict(s) wait (unjudged tests are outside the pass rate); judge them in harness-loop review\n`,
  );
  return 0;
}

async function runPrune(args: CommandArgs, paths: EvalPaths): Promise<number> {
  const id = args.flags.id;
  const reason = typeof args.flags.reason === 'string' ? args.flags.reason.trim() : '';
  if (typeof id !== 'string' || id === '') throw new UsageError("evals prune needs --id ID (see 'harness-loop evals list')");
  if (reason === '') throw new UsageError('evals prune needs --reason "why the test can go"; the reason is kept in the prune log');
  const text = await readTextIfExists(paths.suite);
  if (text === null) throw new UsageError(`no eval suite at ${displayPath(paths.suite)}; nothing to prune`);
  const removed = removeTest(text, id, paths.suite);
  const entry: PruneLogEntry = {
    schemaVersion: EVAL_SUITE_SCHEMA_VERSION,
    testId: removed.id,
    reason,
    prunedAt: new Date().toISOString(),
    cycle: await resolveCycle(paths),
    test: removed.test,
  };
  // The log line goes first: a crash after it leaves the test in the suite (prune again), never a silent removal.
  await appendLines(paths.pruneLog, [JSON.stringify(entry)]);
  await writeFileAtomic(paths.suite, removed.text);
  if (args.json) process.stdout.write(`${JSON.stringify({ pruned: removed.id, reason, log: paths.pruneLog }, null, 2)}\n`);
  else process.stdout.write(`evals prune: removed ${removed.id} from ${displayPath(paths.suite)}; logged with its reason in ${displayPath(paths.pruneLog)}\n`);
  return 0;
}
