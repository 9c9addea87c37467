import { readFile } from 'node:fs/promises';
import { InputError } from '../errors.js';
import { loadAllFeedback } from '../feedback/store.js';
import { readTraceStore } from '../ingest/store.js';
import { findLatestResults } from '../ledger/results.js';
import { evalPaths } from '../evals/paths.js';
import { readSuiteTests } from '../evals/suite-yaml.js';
import type { Config } from '../schema/config.js';
import { DEFAULT_FEEDBACK_WEIGHTS } from '../schema/feedback.js';
import { DIAGNOSIS_SCHEMA_VERSION, DiagnosisSchema, type Diagnosis } from '../schema/diagnosis.js';
import type { Trace } from '../schema/trace.js';
import { writeJsonAtomic } from '../util/atomic.js';
import { workspacePaths } from '../util/workspace.js';
import { readHarnessModel } from '../harness/model.js';
import { readHarnessGlobs } from '../ledger/harness-files.js';
import { readLedger } from '../ledger/ledger.js';
import { loopPaths } from '../ledger/paths.js';
import { defaultCodexHome, readTeamHarnessFiles } from './harness.js';
import { mergeRecommendations } from './llm-check.js';
import { runLlmDiagnosis, type LlmDiagnoseOptions, type LlmDiagnoseResult } from './llm.js';
import { rankRecommendations, type TestOutcomeForDiagnosis } from './rank.js';
import { layoutPath } from '../workspace/layout.js';
import { readTextIfExists } from '../util/files.js';

export interface DiagnoseOptions {
  workspace: string;
  config: Config;
  now?: Date;
  /** Also ask an LLM (`diagnose --llm`); its checked proposals are ranked with the rest. */
  llm?: LlmDiagnoseOptions;
  /** The user layer to read ($CODEX_HOME); null reads none. Default: $CODEX_HOME, else ~/.codex. */
  codexHome?: string | null;
}

export function diagnosisFile(workspace: string): string {
  return layoutPath(workspace, 'recommendations');
}

/** Test outcomes with the metadata the suite recorded (category, feedback ids, trace id). */
async function readTestOutcomes(workspace: string): Promise<{ runId: string; tests: TestOutcomeForDiagnosis[] } | null> {
  const latest = await findLatestResults(layoutPath(workspace, 'results'));
  if (!latest) return null;
  const raw = JSON.parse(await readFile(latest.file, 'utf8')) as { tests?: Record<string, unknown>[] };
  // The suite's own metadata says which feedback and category each test came from.
  const suite = evalPaths(workspace).suite;
  const suiteText = await readTextIfExists(suite);
  const fromSuite = new Map(
    readSuiteTests(suiteText, suite).map((t) => {
      const m = (t.metadata ?? {}) as Record<string, unknown>;
      return [String(m.testId), m] as const;
    }),
  );
  const meta = new Map<string, Record<string, unknown>>(
    (raw.tests ?? []).map((t) => [
      String(t.id),
      {
        ...(fromSuite.get(String(t.id)) ?? {}),
        ...((t.metadata ?? {}) as Record<string, unknown>),
        ...(typeof t.traceId === 'string' ? { traceId: t.traceId } : {}),
      },
    ]),
  );
  const tests = latest.results.tests.map((t) => {
    const m = meta.get(t.id) ?? {};
    return {
      id: t.id,
      pass: t.pass,
      reasons: t.reasons,
      category: typeof m.category === 'string' ? m.category : undefined,
      feedbackIds: Array.isArray(m.feedbackIds) ? m.feedbackIds.map(String) : undefined,
      traceId: typeof m.traceId === 'string' ? m.traceId : undefined,
    };
  });
  return { runId: latest.results.runId, tests };
}

export { loadAllFeedback };

/** Reads traces, feedback, the latest eval results and the harness; writes ranked recommendations. */
export async function diagnose(options: DiagnoseOptions): Promise<{ file: string; diagnosis: Diagnosis; llm?: LlmDiagnoseResult }> {
  const paths = workspacePaths(options.workspace);
  const traces: Trace[] = [];
  try {
    for await (const t of readTraceStore(paths.traceStore)) traces.push(t);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (traces.length === 0) throw new InputError('no traces yet; run `harness-loop ingest` first', paths.traceStore, undefined, 'stage.missing');
  const feedback = await loadAllFeedback(paths.feedback);
  const results = await readTestOutcomes(options.workspace);
  if (feedback.length === 0 && !results) {
    throw new InputError(
      'no feedback and no eval results; run `harness-loop feedback detect` (or add feedback) and `harness-loop evals run` first',
      layoutPath(paths.root, 'feedback'),
      undefined,
      'stage.missing',
    );
  }
  const harness = await readHarnessModel({
    root: paths.root,
    config: options.config,
    codexHome: options.codexHome === undefined ? defaultCodexHome() : options.codexHome,
  });
  const ledger = await readLedger(loopPaths(paths.root).ledger);
  const allow = readHarnessGlobs(options.config);
  const weights = options.config.feedback?.weights ?? DEFAULT_FEEDBACK_WEIGHTS;
  const ranked = rankRecommendations({ traces, feedback, tests: results?.tests ?? [], harness, weights, allow, ledger: ledger.entries });
  const llm = options.llm
    ? await runLlmDiagnosis(
        {
          workspace: options.workspace,
          config: options.config,
          traces,
          feedback,
          tests: results?.tests ?? [],
          harness,
          harnessFiles: await readTeamHarnessFiles(harness),
          clusters: ranked.clusters,
          deterministic: ranked.recommendations,
          ledger: ledger.entries,
          allow,
          now: options.now ?? new Date(),
        },
        options.llm,
      )
    : undefined;
  const recommendations = llm ? mergeRecommendations(ranked.recommendations, llm.recommendations) : ranked.recommendations;
  const diagnosis = DiagnosisSchema.parse({
    schemaVersion: DIAGNOSIS_SCHEMA_VERSION,
    createdAt: (options.now ?? new Date()).toISOString(),
    inputs: {
      traces: traces.length,
      feedback: feedback.length,
      resultsRunId: results?.runId ?? null,
      failingTests: results?.tests.filter((t) => !t.pass).length ?? 0,
      totalTests: results?.tests.length ?? 0,
    },
    recommendations,
  });
  const file = diagnosisFile(options.workspace);
  await writeJsonAtomic(file, diagnosis);
  return { file, diagnosis, ...(llm ? { llm } : {}) };
}
