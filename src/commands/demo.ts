import { cp, mkdtemp, mkdir, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { CommandArgs } from '../cli.js';
import { UsageError } from '../errors.js';
import { readBatchManifest } from '../critique/batches.js';
import { critiqueDir } from '../critique/run.js';
import { buildSuite } from '../evals/build-stage.js';
import { runEvals } from '../evals/run.js';
import { importFeedback } from '../feedback/import.js';
import { ingest } from '../ingest/ingest.js';
import { install } from '../install/install.js';
import { startCycle, verify } from '../ledger/cycle.js';
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

declare const HARNESS_LOOP_VERSION: string;

export interface DemoResult {
  workspace: string;
  stages: StageReport[];
  /** Pass rate before and after THE change, from the ledger entry. */
  cycle: { number: number; change: string; passRateBefore: number; passRateAfter: number; verdict: string; fixed: string[]; regressed: string[] };
  /** Per test: pass/fail before THE change (baseline run) and after it (the verify run). */
  tests: { id: string; description: string; before: boolean | null; after: boolean | null }[];
  artefacts: Record<string, string | string[]>;
}

/** Copies the bundled example to a fresh folder and runs a whole cycle on it, offline. */
export async function runDemo(outDir?: string, onStage?: (s: StageReport) => void): Promise<DemoResult> {
  const example = join(packageRoot(), 'examples', 'docs-qa');
  const workspace = outDir ? resolve(outDir) : await mkdtemp(join(tmpdir(), 'harness-loop-demo-'));
  if (outDir) {
    const existing = await stat(workspace).catch(() => null);
    if (existing && !existing.isDirectory()) throw new UsageError(`--out ${outDir} is not a directory`);
    if (existing && (await stat(join(workspace, '.harness-loop')).catch(() => null))) throw new UsageError(`--out ${outDir} already holds a .harness-loop folder; pick an empty one`);
  }
  await mkdir(workspace, { recursive: true });
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
  await timed('install', () => install({ target: workspace, user: false, trust: false, codexHome: join(workspace, '.no-codex-home') }, typeof HARNESS_LOOP_VERSION === 'string' ? HARNESS_LOOP_VERSION : 'dev'), (r) => `${r.changed.length} file(s) written`);
  let config = await readConfig(paths.config);
  const recorded = join(example, 'recorded');
  // The recorded sessions ran in /home/user/docs-qa, so the cwd filter is lifted throughout.
  await timed('ingest', () => ingest({ workspace, paths: [join(recorded, 'baseline', 'sessions'), join(recorded, 'baseline', 'exec')], from: 'auto', allRepos: true, config }), (r) => `${r.files} baseline file(s) → ${r.traces} traces (rollout and exec --json of the same sessions: ${r.store.total} stored)`);
  await timed(
    'feedback',
    () => importFeedback({ workspace, files: [join(example, 'feedback', 'human-review.yaml'), join(example, 'feedback', 'cookbook-review.json')], config }),
    (r) => `${r.added.length} human record(s) imported (article and cookbook shapes)`,
  );
  await cp(join(example, 'evals', 'rubric-verdicts.jsonl'), join(paths.dir, 'evals', 'rubric-verdicts.jsonl'));

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
          CritiqueAnswerSchema.parse({ schemaVersion: CRITIQUE_ANSWER_SCHEMA_VERSION, batchId: entry.id, batchFile: entry.file, batchSha256: entry.sha256, model: recordedAnswer.model, createdAt: new Date().toISOString(), critique: mine }),
        );
      }
    },
  });

  const started = await timed('cycle start', () => startCycle({ workspace }), (r) => `cycle ${r.cycle.cycle}: ${r.cycle.recommendation.title} (baseline ${Math.round(r.cycle.baseline.passRate * 100)}%)`);
  // THE change, as Codex made it when the after-change sessions were recorded.
  await timed('implement', async () => writeFileAtomic(paths.config, await readFile(join(example, 'change', 'config.yaml'), 'utf8')), () => `applied the recorded change to .harness-loop/config.yaml`);
  config = await readConfig(paths.config);
  await timed('ingest', () => ingest({ workspace, paths: [join(recorded, 'after-cycle-1', 'sessions')], from: 'auto', allRepos: true, config }), (r) => `${r.traces} session(s) recorded after the change`);
  await timed('evals build', () => buildSuite({ workspace }), (r) => `${r.summary.tests.total} test(s); ${r.summary.tests.refreshedTraces} now replay the newer session of their task`);
  const verified = await timed(
    'verify',
    () => verify({ workspace, runSuite: async ({ workspace: ws }) => readResults((await runEvals({ workspace: ws, grader: 'replay' })).file) }),
    (r) => `${r.entry.verdict}: ${Math.round(r.entry.passRateBefore * 100)}% → ${Math.round((r.entry.passRateAfter ?? 0) * 100)}%, ${r.entry.testsFixed.length} fixed, ${r.entry.testsRegressed.length} regressed`,
  );
  const report = await timed('report', () => writeReport({ workspace }), (r) => displayPath(r.file));

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
    },
    artefacts: {
      traces: paths.traceStore,
      feedback: [paths.feedbackStore],
      evalsConfig: join(paths.dir, 'evals', 'promptfooconfig.yaml'),
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
  const onStage = args.json ? undefined : (s: StageReport) => process.stdout.write(`  ${s.stage.padEnd(12)} ${s.summary} (${s.ms} ms)\n`);
  if (!args.json) process.stdout.write('harness-loop demo: one improvement cycle on examples/docs-qa, offline\n');
  const result = await runDemo(args.flags.out as string | undefined, onStage);
  if (args.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  }
  const c = result.cycle;
  process.stdout.write('\neval tests (before → after THE change):\n');
  for (const t of result.tests) process.stdout.write(`  ${mark(t.before)}→ ${mark(t.after)} ${t.id}  ${t.description.slice(0, 90)}\n`);
  process.stdout.write(
    `\ncycle ${c.number}: "${c.change}" → ${c.verdict}, pass rate ${Math.round(c.passRateBefore * 100)}% → ${Math.round(c.passRateAfter * 100)}%` +
      ` (${c.fixed.length} test(s) fixed, ${c.regressed.length} regressed)\n\nartefacts in ${result.workspace}:\n`,
  );
  for (const [name, file] of Object.entries(result.artefacts)) process.stdout.write(`  ${name.padEnd(12)} ${(Array.isArray(file) ? file : [file]).map(displayPath).join(', ')}\n`);
  process.stdout.write(`\nopen ${displayPath(result.artefacts.report as string)} in a browser, or read ${displayPath(result.artefacts.handoff as string)}\n`);
  return 0;
}
