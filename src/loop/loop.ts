// `harness-loop loop`: every stage in order, each reading and writing only its own artefacts, so any
// stage can be re-run or overridden alone. One line per stage with counts and timings.
import { writeBatches } from '../batch/batch.js';
import { runCritique } from '../critique/run.js';
import { diagnose } from '../diagnose/diagnose.js';
import { llmDiagnosisOptions } from '../diagnose/llm-config.js';
import { buildSuite } from '../evals/build-stage.js';
import type { CodexRunSettings } from '../evals/codex-run.js';
import { runEvals } from '../evals/run.js';
import { detectFeedback } from '../feedback/detect.js';
import { writeHandoff } from '../handoff/handoff.js';
import { InputError } from '../errors.js';
import { describeFiltered } from '../ingest/filter-report.js';
import { ingest, type IngestOptions, type IngestResult } from '../ingest/ingest.js';
import { summarizeStore, type StoreSummary } from '../ingest/store-summary.js';
import { workspacePaths } from '../util/workspace.js';
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
  /** The user layer the harness model reads ($CODEX_HOME); null reads none. */
  codexHome?: string | null;
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
    () => ingestForLoop(options),
    (r) => describeLoopIngest(r, options),
  );
  await stage(
    'detect',
    () => detectFeedback({ workspace, config }),
    (r) => `${r.traces} trace(s) → ${r.found} finding(s), ${r.added.length} new`,
  );
  if (options.critique) {
    await stage(
      'batch',
      () => writeBatches({ workspace, config }),
      (r) => `${r.manifest.batches.length} batch(es) of at most ${r.manifest.maxTokens} tokens`,
    );
    await options.beforeCritique?.();
    await stage(
      'critique',
      () => runCritique({ workspace, config, env: options.env }),
      (r) =>
        `${r.batches.length} batch(es) (${r.batches.filter((b) => b.status === 'skipped').length} answered earlier, ${r.failed} failed) → ${r.added.length} new observation(s), ${r.added.filter((f) => f.status === 'unverified').length} unverified`,
    );
  }
  const built = await stage(
    'evals build',
    () => buildSuite({ workspace }),
    (r) => `${r.summary.tests.total} test(s) (${r.summary.tests.added} added) from ${r.summary.feedback.used} feedback record(s)`,
  );
  void built;
  const run = await stage(
    'evals run',
    () =>
      runEvals({ workspace, grader: options.grader, promptfooBin: options.promptfooBin, env: options.env, provider: options.provider, codex: options.codex }),
    (r) =>
      `${r.summary.tests.filter((t) => t.pass).length} of ${r.summary.tests.length} test(s) pass` +
      `${r.summary.totals.unjudged ? `; ${r.summary.totals.unjudged} unjudged (a rubric waits for a verdict: harness-loop evals verdicts)` : ''}` +
      `${r.recorded ? `; ${r.recorded.traces} codex run(s) recorded as trace(s)` : ''}${r.keptRuns ? `; runs kept in ${r.keptRuns}` : ''}`,
  );
  const llm = llmDiagnosisOptions(config, options.env);
  // The model's diagnosis reads the batches; build them when the critic did not.
  if (llm && !options.critique)
    await stage(
      'batch',
      () => writeBatches({ workspace, config }),
      (r) => `${r.manifest.batches.length} batch(es) of at most ${r.manifest.maxTokens} tokens`,
    );
  const codexHome = options.codexHome !== undefined ? options.codexHome : options.env?.CODEX_HOME;
  const diagnosis = await stage(
    'diagnose',
    () => diagnose({ workspace, config, ...(llm ? { llm } : {}), ...(codexHome !== undefined ? { codexHome } : {}) }),
    (r) =>
      `${r.diagnosis.recommendations.length} recommendation(s)${r.llm ? ` (${r.llm.recommendations.length} from ${r.llm.model}, ${r.llm.dropped.length} dropped, ${r.llm.failed} batch(es) failed)` : ''}${r.diagnosis.recommendations[0] ? `; top: ${r.diagnosis.recommendations[0].title}` : ''}`,
  );
  void diagnosis;
  const handoff = await stage(
    'handoff',
    () => writeHandoff({ workspace, config, ...(codexHome !== undefined ? { codexHome } : {}) }),
    (r) => (r.theChange ? `THE change: ${r.theChange}` : 'nothing to change'),
  );
  return { stages, handoff: handoff.file, theChange: handoff.theChange, evalExitCode: run.exitCode, resultsFile: run.file };
}

/** What the loop's ingest stage found: what was read, and the store it works from when nothing new was. */
export interface LoopIngest {
  read: IngestResult | null;
  /** The sessions folder that does not exist, when that is why nothing was read. */
  missing: string | null;
  /** Set when no trace was added or updated: the store the later stages work from. */
  store: StoreSummary | null;
}

/** Ingest for the loop: a missing sessions folder is not fatal while traces are stored from before. */
export async function ingestForLoop(options: Pick<LoopOptions, 'workspace' | 'config' | 'paths' | 'ingest' | 'env'>): Promise<LoopIngest> {
  let read: IngestResult | null = null;
  let missing: string | null = null;
  try {
    read = await ingest({
      workspace: options.workspace,
      paths: options.paths,
      from: options.ingest.from ?? 'auto',
      last: options.ingest.last,
      since: options.ingest.since,
      allRepos: options.ingest.allRepos ?? false,
      config: options.config,
      env: options.env,
    });
  } catch (error) {
    // No sessions folder on this machine (a CI runner, another laptop): the loop can still
    // work from the traces stored earlier, and says so.
    if (!(error instanceof InputError) || error.code !== 'input.missing' || options.paths.length > 0) throw error;
    missing = error.file ?? 'the sessions folder';
  }
  const fresh = read !== null && read.store.added + read.store.updated > 0;
  const store = fresh ? null : await summarizeStore(workspacePaths(options.workspace).traceStore);
  if (missing !== null && store!.traces === 0)
    throw new InputError('no Codex sessions folder and no stored traces; pass trace files or folders, or set CODEX_HOME', missing, undefined, 'input.missing');
  return { read, missing, store };
}

/** The ingest stage's line: counts, what was left out and why, and when the store is older than this run. */
export function describeLoopIngest({ read, missing, store }: LoopIngest, options: Pick<LoopOptions, 'workspace' | 'ingest'>): string {
  const parts: string[] = [];
  if (read) {
    parts.push(
      `${read.files} file(s) → ${read.traces} trace(s), ${read.spans} span(s); ${read.store.added} new, ${read.store.total} stored; ${read.skipped.length} skipped line(s)`,
    );
    parts.push(...describeFiltered(read, { workspace: options.workspace, last: options.ingest.last, since: options.ingest.since }));
  } else parts.push(`no sessions folder at ${missing}`);
  if (store)
    parts.push(
      `nothing new: working from the trace store as it was (${store.traces} trace(s)${store.newest ? `, newest from ${store.newest.slice(0, 10)}` : ''})`,
    );
  return parts.join('; ');
}
