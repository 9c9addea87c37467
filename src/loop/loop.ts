// `harness-loop loop`: every stage in order, each reading and writing only its own artefacts, so any
// stage can be re-run or overridden alone. One line per stage with counts and timings.
import { writeBatches } from '../batch/batch.js';
import { runCritique } from '../critique/run.js';
import { diagnose } from '../diagnose/diagnose.js';
import { buildSuite } from '../evals/build-stage.js';
import type { CodexRunSettings } from '../evals/codex-run.js';
import { runEvals } from '../evals/run.js';
import { detectFeedback } from '../feedback/detect.js';
import { writeHandoff } from '../handoff/handoff.js';
import { ingest, type IngestOptions } from '../ingest/ingest.js';
import type { Config } from '../schema/config.js';
import type { EvalProvider } from '../schema/eval-suite.js';

/** What one stage did. */
export interface StageReport {
  stage: string;
  summary: string;
  ms: number;
}

export interface LoopOptions {
  workspace: string;
  config: Config;
  /** Trace files or folders; empty means `$CODEX_HOME/sessions`. */
  paths: string[];
  ingest: Pick<IngestOptions, 'last' | 'since' | 'allRepos' | 'from'>;
  /** Run the LLM critic (needs Codex and a critic model that differs from the traced one). */
  critique: boolean;
  /** Rubric grader for the eval run ("replay" offline). */
  grader?: string;
  promptfooBin?: string;
  /** Eval provider: "replay" (recorded answers) or "codex" (run each task again). */
  provider?: EvalProvider;
  /** How the codex eval provider starts Codex. */
  codex?: CodexRunSettings;
  env?: NodeJS.ProcessEnv;
  onStage?: (report: StageReport) => void;
  /** Runs after batching, before the critic (the demo puts its recorded critic answer in place here). */
  beforeCritique?: () => Promise<void>;
}

export interface LoopResult {
  stages: StageReport[];
  handoff: string;
  theChange: string | null;
  /** 0 when every eval passed, 1 when some failed (the loop still finished). */
  evalExitCode: 0 | 1;
  resultsFile: string;
}

/** Runs ingest → detect → (batch + critique) → evals build → evals run → diagnose → handoff. */
export async function runLoop(options: LoopOptions): Promise<LoopResult> {
  const stages: StageReport[] = [];
  const stage = async <T>(name: string, fn: () => Promise<T>, describe: (r: T) => string): Promise<T> => {
    const started = Date.now();
    const result = await fn();
    const report = { stage: name, summary: describe(result), ms: Date.now() - started };
    stages.push(report);
    options.onStage?.(report);
    return result;
  };
  const { workspace, config } = options;

  await stage(
    'ingest',
    () => ingest({ workspace, paths: options.paths, from: options.ingest.from ?? 'auto', last: options.ingest.last, since: options.ingest.since, allRepos: options.ingest.allRepos ?? false, config, env: options.env }),
    (r) => `${r.files} file(s) → ${r.traces} trace(s), ${r.spans} span(s); ${r.store.added} new, ${r.store.total} stored; ${r.skipped.length} skipped line(s)`,
  );
  await stage('detect', () => detectFeedback({ workspace, config }), (r) => `${r.traces} trace(s) → ${r.found} finding(s), ${r.added.length} new`);
  if (options.critique) {
    await stage('batch', () => writeBatches({ workspace, config }), (r) => `${r.manifest.batches.length} batch(es) of at most ${r.manifest.maxTokens} tokens`);
    await options.beforeCritique?.();
    await stage(
      'critique',
      () => runCritique({ workspace, config, env: options.env }),
      (r) => `${r.batches.length} batch(es) (${r.batches.filter((b) => b.status === 'skipped').length} answered earlier, ${r.failed} failed) → ${r.added.length} new observation(s), ${r.added.filter((f) => f.status === 'unverified').length} unverified`,
    );
  }
  const built = await stage('evals build', () => buildSuite({ workspace }), (r) => `${r.summary.tests.total} test(s) (${r.summary.tests.added} added) from ${r.summary.feedback.used} feedback record(s)`);
  void built;
  const run = await stage(
    'evals run',
    () => runEvals({ workspace, grader: options.grader, promptfooBin: options.promptfooBin, env: options.env, provider: options.provider, codex: options.codex }),
    (r) =>
      `${r.summary.tests.filter((t) => t.pass).length} of ${r.summary.tests.length} test(s) pass` +
      `${r.summary.totals.unjudged ? `; ${r.summary.totals.unjudged} unjudged (a rubric waits for a verdict: harness-loop evals verdicts)` : ''}` +
      `${r.recorded ? `; ${r.recorded.traces} codex run(s) recorded as trace(s)` : ''}`,
  );
  const diagnosis = await stage('diagnose', () => diagnose({ workspace, config }), (r) => `${r.diagnosis.recommendations.length} recommendation(s)${r.diagnosis.recommendations[0] ? `; top: ${r.diagnosis.recommendations[0].title}` : ''}`);
  void diagnosis;
  const handoff = await stage('handoff', () => writeHandoff({ workspace, config }), (r) => (r.theChange ? `THE change: ${r.theChange}` : 'nothing to change'));
  return { stages, handoff: handoff.file, theChange: handoff.theChange, evalExitCode: run.exitCode, resultsFile: run.file };
}
