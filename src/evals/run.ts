/**
 * `evals run`: runs the real Promptfoo CLI on the suite, offline by default, and writes
 * `.harness-loop/results/<run-id>.json` (normalized summary plus Promptfoo's raw output).
 * With the codex provider it runs a derived config instead (codex-run.ts) and ingests the runs.
 *
 * Promptfoo's exit codes are 0 (all pass), 100 (a test failed or errored) and 1 (config or load
 * error). We map them to this project's convention in the command: 0 pass, 1 some fail, 2 when
 * Promptfoo itself failed (reported as "promptfoo failed", never as test failures).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { prepareLiveRuns, type LiveRuns } from '../codex/live-runs.js';
import { userCodexHomeOf } from '../codex/isolated-home.js';
import { ExternalCommandError, InputError } from '../errors.js';
import { EVAL_SUITE_SCHEMA_VERSION, EvalsConfigSchema, type EvalProvider, type EvalRunSummary } from '../schema/eval-suite.js';
import { writeJsonAtomic } from '../util/atomic.js';
import { readConfig } from '../util/config.js';
import { checkAssertionTypes } from './assertion-types.js';
import { ingestRecordedRuns, recordedTasks, resolveCodexProviderConfig, writeCodexSuite, type CodexRunSettings, type RecordedIngest } from './codex-run.js';
import { resolveCycle } from './cycle.js';
import { storeGraderVerdicts, writeGradedSuite } from './grader-cache.js';
import { evalPaths } from './paths.js';
import { installProviders } from './provider-files.js';
import { hashWorkspace, readHarnessGlobs } from '../ledger/harness-files.js';
import { writeLatestSuite } from './replay-latest.js';
import { summarizeResults, type ExpectedTest } from './results.js';
import { parseSuite } from './suite-yaml.js';
import { unprotectText } from './template-safe.js';

/** Options of `runEvals`. */
export interface RunOptions {
  workspace: string;
  /** Another Promptfoo: a .js/.mjs/.cjs entry (run with this Node) or an executable. */
  promptfooBin?: string;
  /** "replay" for recorded verdicts, or a Promptfoo provider id; default: the real grader when OPENAI_API_KEY is set. */
  grader?: string;
  /** Overrides the cycle the run is recorded in. */
  cycle?: number;
  /** "replay" (default, or `evals.provider` in the config) scores recorded answers; "codex" re-runs each task. */
  provider?: EvalProvider;
  /** How the codex provider starts Codex (over `evals.codex` in the config). */
  codex?: CodexRunSettings;
  /** Environment for Promptfoo (default process.env); the offline switches are always added. */
  env?: NodeJS.ProcessEnv;
  /** Replay: score each test's newest answer to its task (what `verify` judges), via a derived suite. */
  replayLatest?: boolean;
  /** Codex provider: copy this folder instead of the workspace (the A/B baseline harness). */
  copyFrom?: string;
  /** Runs of each test in this one Promptfoo invocation (`--repeat`); the gate reads each row. */
  repeat?: number;
  /** Clock, for tests. */
  now?: () => Date;
}

/** What a run produced; `exitCode` is 0 when every test passed, 1 otherwise. */
export interface RunOutcome {
  summary: EvalRunSummary;
  file: string;
  exitCode: 0 | 1;
  /** Codex provider: what ingesting the recorded runs did. */
  recorded?: RecordedIngest;
  /** Codex provider with `--keep-runs`: the folder holding each run's copy and CODEX_HOME. */
  keptRuns?: string;
}

/** How to start Promptfoo: the program and the arguments before `eval`. */
export interface PromptfooCommand {
  file: string;
  args: string[];
}

/** The Promptfoo to run: `bin` when given, else the one installed with harness-loop. */
export function resolvePromptfooCommand(bin?: string): PromptfooCommand {
  if (bin) {
    const path = resolve(bin);
    return /\.(?:c|m)?js$/.test(path) ? { file: process.execPath, args: [path] } : { file: path, args: [] };
  }
  const requireHere = createRequire(import.meta.url);
  let main: string;
  try {
    main = requireHere.resolve('promptfoo');
  } catch (error) {
    throw new ExternalCommandError(
      'promptfoo failed to start: the promptfoo package is not installed (reinstall harness-loop, or pass --promptfoo-bin)',
      'promptfoo.missing',
      { cause: error },
    );
  }
  // `exports` hides package.json from require.resolve, so walk up from the entry point.
  let dir = dirname(main);
  while (!existsSync(join(dir, 'package.json')) || (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string }).name !== 'promptfoo') {
    const parent = dirname(dir);
    if (parent === dir) throw new ExternalCommandError(`promptfoo failed to start: cannot find its package.json above ${main}`, 'promptfoo.missing');
    dir = parent;
  }
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { bin?: string | Record<string, string> };
  const entry = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin?.promptfoo;
  if (!entry) throw new ExternalCommandError(`promptfoo failed to start: ${dir}/package.json names no promptfoo bin`, 'promptfoo.missing');
  return { file: process.execPath, args: [join(dir, entry)] };
}

/** The environment Promptfoo runs in: offline, quiet, its state inside the workspace. */
export function promptfooEnv(base: NodeJS.ProcessEnv, configDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...base,
    PROMPTFOO_DISABLE_TELEMETRY: '1',
    PROMPTFOO_DISABLE_UPDATE: '1',
    PROMPTFOO_DISABLE_SHARING: '1',
    PROMPTFOO_DISABLE_REMOTE_GENERATION: '1',
    PROMPTFOO_DISABLE_WAL_MODE: 'true',
    PROMPTFOO_CONFIG_DIR: configDir,
    // Pinned so a user's own settings cannot turn failures into a pass or change the code we map.
    PROMPTFOO_FAILED_TEST_EXIT_CODE: '100',
    PROMPTFOO_PASS_RATE_THRESHOLD: '100',
    NO_COLOR: '1',
    FORCE_COLOR: '0',
  };
  // Our template protection relies on Promptfoo rendering it; with templating off it would show.
  delete env.PROMPTFOO_DISABLE_TEMPLATING;
  return env;
}

/** Runs the suite with Promptfoo and writes the results file. */
export async function runEvals(options: RunOptions): Promise<RunOutcome> {
  const paths = evalPaths(options.workspace);
  const now = options.now ?? (() => new Date());
  let text: string;
  try {
    text = await readFile(paths.suite, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new InputError('no eval suite yet; run `harness-loop evals build` first', paths.suite, undefined, 'stage.missing');
    throw error;
  }
  const suite = (parseSuite(text, paths.suite).toJS() ?? {}) as { tests?: unknown };
  const problems = checkAssertionTypes(suite);
  if (problems.length > 0) {
    throw new InputError(
      `${problems.length} assertion(s) Promptfoo cannot run:\n${problems
        .slice(0, 10)
        .map((p) => `  ${p.message}`)
        .join('\n')}`,
      paths.suite,
      undefined,
      'evals.assertion-type',
    );
  }
  const tests = (Array.isArray(suite.tests) ? suite.tests : []) as Record<string, unknown>[];
  const expected: ExpectedTest[] = tests.map((t, i) => {
    const meta = (t?.metadata ?? {}) as Record<string, unknown>;
    const vars = (t?.vars ?? {}) as Record<string, unknown>;
    return {
      id: typeof meta.testId === 'string' ? unprotectText(meta.testId) : `test-${i}`,
      ...(typeof t?.description === 'string' ? { description: unprotectText(t.description) } : {}),
      ...(typeof vars.trace_id === 'string' ? { traceId: unprotectText(vars.trace_id) } : {}),
    };
  });
  if (expected.length === 0)
    throw new InputError('the suite has no tests; add feedback, then run `harness-loop evals build`', paths.suite, undefined, 'stage.empty');
  await installProviders(paths.providers);

  const config = await readConfig(paths.config);
  const evalsConfig = EvalsConfigSchema.parse((config as Record<string, unknown>).evals ?? undefined);
  const baseEnv = options.env ?? process.env;
  const grader = options.grader ?? evalsConfig.grader ?? (baseEnv.OPENAI_API_KEY ? `openai:${config.critic.model}` : 'replay');
  const provider = options.provider ?? evalsConfig.provider ?? 'replay';
  const codexProvider = provider === 'codex' ? resolveCodexProviderConfig(paths, config, evalsConfig, options.codex) : null;
  if (codexProvider && options.copyFrom) codexProvider.workspace = options.copyFrom;
  // With a real grader, a rubric already judged on the same (replayed) answer is graded from the store.
  const configFile = codexProvider
    ? await writeCodexSuite(paths, text, codexProvider)
    : options.replayLatest
      ? (await writeLatestSuite(paths, text)).file
      : grader !== 'replay'
        ? (await writeGradedSuite(paths, text, grader)).file
        : paths.suite;
  const cycle = options.cycle ?? (await resolveCycle(paths));
  const startedAt = now();
  const runId = `run-${startedAt
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`;
  const rawFile = join(paths.results, `.${runId}.promptfoo.json`);
  const command = resolvePromptfooCommand(options.promptfooBin ?? evalsConfig.promptfooBin);
  const args = [
    ...command.args,
    'eval',
    '-c',
    configFile,
    '--no-cache',
    '--no-table',
    '--no-progress-bar',
    '--no-share',
    '-o',
    rawFile,
    ...(grader !== 'replay' ? ['--grader', grader] : []),
    ...(options.repeat !== undefined && options.repeat > 1 ? ['--repeat', String(options.repeat)] : []),
  ];
  // The harness the codex provider's copies start from, hashed before they are made: their traces carry it.
  const harnessFiles = provider === 'codex' ? (await hashWorkspace(options.copyFrom ?? paths.root, readHarnessGlobs(config))).harness : undefined;
  // Each codex run gets its own CODEX_HOME in which its copy is trusted (src/codex/live-runs.ts).
  // The provider resolves `workspace` against the suite folder: trust what it will copy.
  const live: LiveRuns | undefined = codexProvider
    ? await prepareLiveRuns({
        projectDir: resolve(paths.evals, codexProvider.workspace),
        userCodexHome: userCodexHomeOf(baseEnv),
        keep: options.codex?.keepRuns,
      })
    : undefined;
  const env = promptfooEnv({ ...baseEnv, ...live?.env }, paths.promptfooHome);

  try {
    const { code, signal, log } = await spawnPromptfoo(command.file, args, paths.evals, env, rawFile);
    if (code !== 0 && code !== 100) {
      throw new ExternalCommandError(
        `promptfoo failed (${signal ? `killed by ${signal}` : `exit ${code}`}); no tests were graded.\n${tail(log)}`,
        'promptfoo.failed',
      );
    }
    let raw: unknown;
    try {
      raw = JSON.parse(await readFile(rawFile, 'utf8'));
    } catch (error) {
      throw new ExternalCommandError(`promptfoo failed: it exited ${code} but wrote no readable results to ${rawFile}.\n${tail(log)}`, 'promptfoo.failed', {
        cause: error,
      });
    }
    const recorded = provider === 'codex' ? await ingestRecordedRuns(paths, config, raw, harnessFiles) : undefined;
    if (grader !== 'replay') await storeGraderVerdicts(paths.verdicts, raw, grader, now().toISOString());
    const digest = summarizeResults(raw, expected);
    const totals = {
      tests: digest.tests.length,
      passed: digest.tests.filter((t) => t.status === 'pass').length,
      failed: digest.tests.filter((t) => t.status === 'fail').length,
      errors: digest.tests.filter((t) => t.status === 'error').length,
      unjudged: digest.tests.filter((t) => t.status === 'unjudged').length,
    };
    const summary: EvalRunSummary = {
      schemaVersion: EVAL_SUITE_SCHEMA_VERSION,
      runId,
      createdAt: now().toISOString(),
      startedAt: startedAt.toISOString(),
      cycle,
      config: relative(paths.root, configFile),
      provider,
      ...(provider === 'codex' ? { recordedTraces: [...recordedTasks(raw).keys()].sort() } : {}),
      grader,
      promptfoo: { ...(digest.promptfooVersion ? { version: digest.promptfooVersion } : {}), command: [command.file, ...args], exitCode: code },
      totals,
      tests: digest.tests,
      missingVerdicts: digest.missingVerdicts,
      raw,
    };
    const file = join(paths.results, `${runId}.json`);
    await writeJsonAtomic(file, summary);
    // Promptfoo's 100 means something failed even if no row says so: never report that as a pass.
    // Tests that only wait for a rubric verdict are not failures.
    const failed = totals.passed + totals.unjudged !== totals.tests || code === 100;
    return {
      summary,
      file,
      exitCode: failed ? 1 : 0,
      ...(recorded ? { recorded } : {}),
      ...(live && options.codex?.keepRuns ? { keptRuns: live.runDir } : {}),
    };
  } finally {
    await rm(rawFile, { force: true });
    await live?.cleanup();
  }
}

/** Keeps the last 64 KiB of Promptfoo's output for messages. */
async function spawnPromptfoo(
  file: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  rawFile: string,
): Promise<{ code: number; signal: NodeJS.Signals | null; log: string }> {
  await rm(rawFile, { force: true });
  await mkdir(dirname(rawFile), { recursive: true });
  await mkdir(env.PROMPTFOO_CONFIG_DIR!, { recursive: true });
  return new Promise((resolvePromise, reject) => {
    let log = '';
    const keep = (chunk: Buffer) => {
      log = (log + chunk.toString('utf8')).slice(-65536);
    };
    const child = spawn(file, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', (error) =>
      reject(new ExternalCommandError(`promptfoo failed to start (${file}): ${error.message}`, 'promptfoo.failed', { cause: error })),
    );
    child.once('close', (code, signal) => resolvePromise({ code: code ?? -1, signal, log }));
  });
}

function tail(log: string, lines = 15): string {
  const clean = log
    .replace(/\x1b\[[0-9;]*m/g, '')
    .trimEnd()
    .split('\n');
  return clean
    .slice(-lines)
    .map((l) => `  | ${l}`)
    .join('\n');
}
