import { cp, mkdtemp, mkdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import type { CommandArgs } from '../cli.js';
import { UsageError } from '../errors.js';
import { readBatchManifest } from '../critique/batches.js';
import { critiqueDir } from '../critique/run.js';
import { runEvals } from '../evals/run.js';
import { importFeedback } from '../feedback/import.js';
import { ingest } from '../ingest/ingest.js';
import { install } from '../install/install.js';
import { startCycle, verify } from '../ledger/cycle.js';
import { hashWorkspace, matchesFiles, readHarnessGlobs } from '../ledger/harness-files.js';
import { readResults } from '../ledger/results.js';
import { loopPaths } from '../ledger/paths.js';
import { runLoop, type StageReport } from '../loop/loop.js';
import { writeReport } from '../report/report.js';
import { CRITIQUE_ANSWER_SCHEMA_VERSION, CritiqueAnswerSchema, CritiqueSchema } from '../schema/critique.js';
import { writeFileAtomic, writeJsonAtomic } from '../util/atomic.js';
import { readConfig } from '../util/config.js';
import { packageRoot } from '../util/package-root.js';
import { workspacePaths } from '../util/workspace.js';
import { displayPath } from './ingest.js';
import { layoutPath } from '../workspace/layout.js';

declare const HARNESS_LOOP_VERSION: string;

export interface DemoResult {
  workspace: string;
  stages: StageReport[];
  /** Pass rate before and after THE change, from the ledger entry. */
  cycle: {
    number: number;
    change: string;
    passRateBefore: number;
    passRateAfter: number;
    verdict: string;
    fixed: string[];
    regressed: string[];
    rerun: number;
    tests: number;
    why: string;
    closed: boolean;
  };
  /** Per test: pass/fail before THE change (baseline run) and after it (the verify run). */
  tests: { id: string; description: string; before: boolean | null; after: boolean | null }[];
  artefacts: Record<string, string | string[]>;
}

/** Copies the bundled example to a fresh folder and runs a whole cycle on it, offline. */
export async function runDemo(outDir?: string, onStage?: (s: StageReport) => void, onWorkspace?: (dir: string) => void): Promise<DemoResult> {
  const example = join(packageRoot(), 'examples', 'docs-qa');
  const workspace = outDir ? resolve(outDir) : await mkdtemp(join(tmpdir(), 'harness-loop-demo-'));
  if (outDir) {
    const existing = await stat(workspace).catch(() => null);
    if (existing && !existing.isDirectory()) throw new UsageError(`--out ${outDir} is not a directory`);
    if (existing && (await stat(join(workspace, '.harness-loop')).catch(() => null)))
      throw new UsageError(`--out ${outDir} already holds a .harness-loop folder; pick an empty one`);
  }
  await mkdir(workspace, { recursive: true });
  onWorkspace?.(workspace);
  await cp(join(example, 'workspace'), workspace, { recursive: true });
  const paths = workspacePaths(workspace);
  const stages: StageReport[] = [];
  const timed = async <T>(stage: string, fn: () => Promise<T>, describe: (r: T) => string): Promise<T> => {
    const started = Date.now();
    const result = await fn();
    const report = { stage, summary: describe(result), ms: Date.now() - started };
    stages.push(report);
    onStage?.(report);
    return result;
  };

  // The team installed harness-loop into its repository (no trust needed: the demo runs no Codex).
  await timed(
    'install',
    () =>
      install(
        { target: workspace, user: false, trust: false, codexHome: join(workspace, '.no-codex-home') },
        typeof HARNESS_LOOP_VERSION === 'string' ? HARNESS_LOOP_VERSION : 'dev',
      ),
    (r) => `${r.changed.length} file(s) written`,
  );
  let config = await readConfig(paths.config);
  const recorded = join(example, 'recorded');
  // The recorded sessions ran in /home/user/docs-qa, so the cwd filter is lifted throughout.
  await timed(
    'ingest',
    () => ingest({ workspace, paths: [join(recorded, 'baseline', 'sessions'), join(recorded, 'baseline', 'exec')], from: 'auto', allRepos: true, config }),
    (r) => `${r.files} baseline file(s) → ${r.traces} traces (rollout and exec --json of the same sessions: ${r.store.total} stored)`,
  );
  await timed(
    'feedback',
    () => importFeedback({ workspace, files: [join(example, 'feedback', 'human-review.yaml'), join(example, 'feedback', 'cookbook-review.json')], config }),
    (r) => `${r.added.length} human record(s) imported (article and cookbook shapes)`,
  );
  await cp(join(example, 'evals', 'rubric-verdicts.jsonl'), layoutPath(paths.root, 'verdicts'));

  const loop = await runLoop({
    workspace,
    config,
    // The demo reads no user layer: what it diagnoses is the example's harness alone.
    codexHome: join(workspace, '.no-codex-home'),
    paths: [join(recorded, 'baseline', 'sessions')],
    ingest: { allRepos: true, from: 'auto' },
    critique: true,
    grader: 'replay',
    onStage: (s) => {
      stages.push(s);
      onStage?.(s);
    },
    // The critic's answer was recorded; putting it in place makes the critique stage replay it
    // (and check every quote against the traces) instead of calling a model.
    beforeCritique: async () => {
      const manifest = await readBatchManifest(paths);
      const recordedAnswer = JSON.parse(await readFile(join(example, 'critique', 'recorded.json'), 'utf8')) as { model: string; critique: unknown };
      for (const entry of manifest.batches) {
        const critique = CritiqueSchema.parse(recordedAnswer.critique);
        const mine = { observations: critique.observations.filter((o) => entry.traceIds.includes(o.traceId)) };
        await writeJsonAtomic(
          join(critiqueDir(paths), `${entry.id}.json`),
          CritiqueAnswerSchema.parse({
            schemaVersion: CRITIQUE_ANSWER_SCHEMA_VERSION,
            batchId: entry.id,
            batchFile: entry.file,
            batchSha256: entry.sha256,
            model: recordedAnswer.model,
            createdAt: new Date().toISOString(),
            critique: mine,
          }),
        );
      }
    },
  });

  const started = await timed(
    'cycle start',
    () => startCycle({ workspace }),
    (r) => `cycle ${r.cycle.cycle}: ${r.cycle.recommendation.title} (baseline ${Math.round(r.cycle.baseline.passRate * 100)}%)`,
  );
  // THE change, as Codex made it when the after-change sessions were recorded. It must be what
  // the diagnosis ranks first: a demo that applied some other change would show nothing.
  const changedFiles = [relative(workspace, paths.config).split(sep).join('/')];
  const outsideTop = changedFiles.filter((f) => !matchesFiles(f, started.cycle.recommendation.files));
  if (outsideTop.length > 0) {
    throw new Error(
      `demo: the recorded change (${changedFiles.join(', ')}) is not within the top recommendation ${started.cycle.recommendation.id} ` +
        `"${started.cycle.recommendation.title}" (files: ${started.cycle.recommendation.files.join(', ') || 'none'}); the example and the diagnosis disagree`,
    );
  }
  await timed(
    'implement',
    async () => writeFileAtomic(paths.config, await readFile(join(example, 'change', 'config.yaml'), 'utf8')),
    () => `applied the recorded change to .harness-loop/config.yaml (top recommendation ${started.cycle.recommendation.id})`,
  );
  config = await readConfig(paths.config);
  // scripts/record-example.ts recorded after-cycle-1 in a copy of this workspace with THE change
  // applied, so those runs ran from the harness files the workspace has now: their fingerprint
  // covers these files (as for any run harness-loop starts) and differs from the baseline's.
  const changedHarness = (await hashWorkspace(workspace, readHarnessGlobs(config))).harness;
  await timed(
    'ingest',
    () => ingest({ workspace, paths: [join(recorded, 'after-cycle-1', 'sessions')], from: 'auto', allRepos: true, config, harnessFiles: changedHarness }),
    (r) => `${r.traces} session(s) recorded under the changed harness`,
  );
  const verified = await timed(
    'verify',
    // Replays each test's newest answer to its task; the suite itself stays as it was at cycle start.
    () =>
      verify({ workspace, runSuite: async ({ workspace: ws }) => readResults((await runEvals({ workspace: ws, grader: 'replay', replayLatest: true })).file) }),
    (r) =>
      `${r.entry.verdict}: ${r.measurement.coverage.rerun} of ${r.measurement.coverage.total} test(s) re-run under the changed harness; ${r.measurement.why}`,
  );
  const report = await timed(
    'report',
    () => writeReport({ workspace }),
    (r) => displayPath(r.file),
  );

  const lp = loopPaths(workspace);
  const outcomes = async (file: string) => new Map((await readResults(file)).tests.map((t) => [t.id, t.pass]));
  const before = await outcomes(loop.resultsFile);
  const after = await outcomes(join(lp.results, `${verified.entry.afterRunId}.json`));
  const descriptions = await readTestDescriptions(loop.resultsFile);
  return {
    tests: [...descriptions].map(([id, description]) => ({ id, description, before: before.get(id) ?? null, after: after.get(id) ?? null })),
    workspace,
    stages,
    cycle: {
      number: verified.entry.cycle,
      change: started.cycle.recommendation.title,
      passRateBefore: verified.entry.passRateBefore,
      passRateAfter: verified.entry.passRateAfter ?? 0,
      verdict: verified.entry.verdict,
      fixed: verified.entry.testsFixed,
      regressed: verified.entry.testsRegressed,
      rerun: verified.measurement.coverage.rerun,
      tests: verified.measurement.coverage.total,
      why: verified.measurement.why,
      closed: verified.entry.closed,
    },
    artefacts: {
      traces: paths.traceStore,
      feedback: [paths.feedbackStore],
      evalsConfig: layoutPath(paths.root, 'suite'),
      results: [loop.resultsFile],
      diagnosis: lp.recommendations,
      handoff: loop.handoff,
      ledger: lp.ledger,
      report: report.file,
    },
  };
}

/** Test id → description, from a results file. */
async function readTestDescriptions(file: string): Promise<Map<string, string>> {
  const raw = JSON.parse(await readFile(file, 'utf8')) as { tests?: { id: string; description?: string }[] };
  return new Map((raw.tests ?? []).map((t) => [t.id, t.description ?? '']));
}

const mark = (pass: boolean | null) => (pass === null ? '  -  ' : pass ? 'PASS ' : 'FAIL ');

export async function run(args: CommandArgs): Promise<number> {
  const out = args.flags.out as string | undefined;
  const onStage = args.json ? undefined : (s: StageReport) => process.stdout.write(`  ${s.stage.padEnd(12)} ${s.summary} (${s.ms} ms)\n`);
  if (!args.json) process.stdout.write('harness-loop demo: one improvement cycle on examples/docs-qa, offline\n');
  // Where it works is said first, so an interrupted demo leaves nothing unaccounted for.
  let workspace: string | null = null;
  const onWorkspace = (dir: string) => {
    workspace = dir;
    process.stderr.write(`demo workspace: ${dir}${out ? '' : ' (a temporary folder, removed at the end; --out DIR keeps it)'}\n`);
  };
  let result: DemoResult;
  try {
    result = await runDemo(out, onStage, onWorkspace);
  } catch (error) {
    if (!out && workspace) await rm(workspace, { recursive: true, force: true });
    throw error;
  }
  const removeTemp = async () => {
    if (out) return;
    await rm(result.workspace, { recursive: true, force: true });
    process.stderr.write(`demo workspace removed: run \`harness-loop demo --out DIR\` to keep it and open its report\n`);
  };
  if (args.json) {
    process.stdout.write(`${JSON.stringify({ ...result, kept: out !== undefined }, null, 2)}\n`);
    await removeTemp();
    return 0;
  }
  const c = result.cycle;
  process.stdout.write('\neval tests (before → after THE change):\n');
  for (const t of result.tests) process.stdout.write(`  ${mark(t.before)}→ ${mark(t.after)} ${t.id}  ${t.description.slice(0, 90)}\n`);
  process.stdout.write(
    `\ncycle ${c.number}: "${c.change}" → ${c.verdict}, pass rate ${Math.round(c.passRateBefore * 100)}% → ${Math.round(c.passRateAfter * 100)}%` +
      ` (${c.fixed.length} test(s) fixed, ${c.regressed.length} regressed; ${c.rerun} of ${c.tests} test(s) re-run under the changed harness)\n` +
      `  ${c.why}\n` +
      (c.closed ? '' : '  the gate did not pass, so the cycle stays open and nothing would be committed\n'),
  );
  if (!out) {
    await removeTemp();
    return 0;
  }
  process.stdout.write(`\nartefacts in ${result.workspace}:\n`);
  for (const [name, file] of Object.entries(result.artefacts))
    process.stdout.write(`  ${name.padEnd(12)} ${(Array.isArray(file) ? file : [file]).map(displayPath).join(', ')}\n`);
  process.stdout.write(`\nopen ${displayPath(result.artefacts.report as string)} in a browser, or read ${displayPath(result.artefacts.handoff as string)}\n`);
  return 0;
}
