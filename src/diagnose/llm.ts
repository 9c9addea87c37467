// `diagnose --llm`: one `codex exec --output-schema` pass per batch asking for harness changes.
// Answers are kept in .harness-loop/diagnosis/llm/<batch-id>.json with the hash of their prompt,
// so a re-run with unchanged input asks nothing and an interrupted pass continues.
import { createHash } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { assertCriticModelDiffers, modelsOf, readBatch, readBatchManifest } from '../critique/batches.js';
import { codexSettingsFor, runStructuredPass } from '../codex/runner.js';
import { indexTraceEvidence } from '../critique/verify.js';
import type { Config } from '../schema/config.js';
import type { Recommendation } from '../schema/diagnosis.js';
import type { Feedback } from '../schema/feedback.js';
import { LLM_DIAGNOSIS_ANSWER_SCHEMA_VERSION, LlmDiagnosisAnswerSchema, LlmRecommendationsSchema, type LlmDiagnosisAnswer } from '../schema/llm-diagnosis.js';
import { renderJsonSchema } from '../schema/registry.js';
import type { Trace } from '../schema/trace.js';
import { DEFAULT_FEEDBACK_WEIGHTS } from '../schema/feedback.js';
import { writeFileAtomic, writeJsonAtomic } from '../util/atomic.js';
import { workspacePaths } from '../util/workspace.js';
import type { Recommendation as Rec } from '../schema/diagnosis.js';
import type { HarnessModel } from '../schema/harness.js';
import type { LedgerEntry } from '../schema/ledger.js';
import type { Cluster } from './clusters.js';
import type { HarnessFile } from './harness.js';
import { LLM_TOP, checkLlmRecommendation, scoreLlmRecommendation, type LlmEvidenceContext } from './llm-check.js';
import { renderDiagnosisPrompt } from './llm-prompt.js';
import { diagnosisWeight, type TestOutcomeForDiagnosis } from './rank.js';
import { layoutPath } from '../workspace/layout.js';

/** How to run the LLM pass; flags override the config's critic settings. */
export interface LlmDiagnoseOptions {
  model?: string;
  /** Codex binary from a flag: relative paths are taken from the current directory. */
  codexBin?: string;
  codexConfig?: readonly string[];
  allowSameModel?: boolean;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  onProgress?: (line: string) => void;
}

/** The evidence the deterministic diagnosis already read. */
export interface LlmDiagnoseInput {
  workspace: string;
  config: Config;
  traces: readonly Trace[];
  feedback: readonly Feedback[];
  tests: readonly TestOutcomeForDiagnosis[];
  harness: HarnessModel;
  /** Team harness files with their text. */
  harnessFiles: readonly HarnessFile[];
  /** The deterministic clusters and their recommendations, shown to the model and merged with. */
  clusters: readonly Cluster[];
  deterministic: readonly Rec[];
  ledger: readonly LedgerEntry[];
  allow: readonly string[];
  now: Date;
}

/** What the pass did per batch, and the recommendations that survived the checks. */
export interface LlmDiagnoseResult {
  model: string;
  batches: { batchId: string; file: string; status: 'answered' | 'skipped' | 'failed'; reason?: string; proposed: number; accepted: number }[];
  recommendations: Recommendation[];
  dropped: { batchId: string; title: string; reason: string }[];
  failed: number;
}

/** Runs the pass over every batch and returns the checked, scored recommendations (not yet ranked). */
export async function runLlmDiagnosis(input: LlmDiagnoseInput, options: LlmDiagnoseOptions): Promise<LlmDiagnoseResult> {
  const paths = workspacePaths(input.workspace);
  const critic = input.config.critic;
  const model = options.model ?? critic.model;
  const codex = codexSettingsFor(critic, paths.root, options);
  const progress = options.onProgress ?? (() => {});
  const weights = input.config.feedback?.weights ?? DEFAULT_FEEDBACK_WEIGHTS;
  const context: LlmEvidenceContext = {
    traces: new Map(input.traces.map((t) => [t.id, indexTraceEvidence(t)])),
    feedback: new Map(input.feedback.map((f) => [f.id, f])),
    failing: new Map(input.tests.filter((t) => !t.pass).map((t) => [t.id, t])),
    harness: input.harnessFiles,
    weights,
    model: input.harness,
    allow: input.allow,
    clusters: input.clusters,
    triedIds: new Set(input.ledger.filter((e) => e.verdict !== 'improved').map((e) => e.recommendation.id)),
  };
  const dir = join(layoutPath(paths.root, 'diagnosis'), 'llm');
  const schemaText = renderJsonSchema('llm-recommendations', LlmRecommendationsSchema);

  // Prompts first: the same-model check must refuse before anything is asked.
  const pending: { batch: Awaited<ReturnType<typeof readBatch>>; prompt: string; sha: string; kept?: LlmDiagnosisAnswer }[] = [];
  for (const entry of (await readBatchManifest(paths)).batches) {
    const batch = await readBatch(paths, entry);
    const ids = new Set(entry.traceIds);
    const prompt = renderDiagnosisPrompt({
      batch,
      harness: input.harnessFiles,
      model: input.harness,
      clusters: input.deterministic.filter((r) => r.evidence.traceIds.some((t) => ids.has(t))),
      ledger: input.ledger,
      feedback: input.feedback.filter((f) => ids.has(f.traceId) && diagnosisWeight(f, weights) > 0),
      failing: [...context.failing.values()].filter((t) => t.traceId === undefined || ids.has(t.traceId)),
    });
    const sha = createHash('sha256').update(prompt).digest('hex');
    const kept = await readKept(join(dir, `${entry.id}.json`));
    pending.push({ batch, prompt, sha, ...(kept?.promptSha256 === sha ? { kept } : {}) });
  }
  assertCriticModelDiffers(
    pending.filter((p) => !p.kept).map((p) => ({ id: p.batch.id, file: p.batch.file, models: modelsOf(p.batch) })),
    model,
    options.allowSameModel === true,
  );

  const result: LlmDiagnoseResult = { model, batches: [], recommendations: [], dropped: [], failed: 0 };
  for (const { batch, prompt, sha, kept } of pending) {
    let answer = kept;
    if (!answer) {
      progress(`diagnose --llm: ${batch.file} (${batch.id}): ${batch.lines.length} trace(s), asking ${model}…`);
      const run = await runStructuredPass(codex, { prompt, model, schemaText, schema: LlmRecommendationsSchema, cwd: paths.root });
      const rejectedFile = join(dir, `${batch.id}.rejected.txt`);
      if (!run.ok) {
        if (run.text !== undefined) await writeFileAtomic(rejectedFile, run.text);
        result.failed++;
        result.batches.push({ batchId: batch.id, file: batch.file, status: 'failed', reason: run.reason, proposed: 0, accepted: 0 });
        progress(`diagnose --llm: ${batch.file} (${batch.id}): not merged: ${run.reason}`);
        continue;
      }
      answer = LlmDiagnosisAnswerSchema.parse({
        schemaVersion: LLM_DIAGNOSIS_ANSWER_SCHEMA_VERSION,
        batchId: batch.id,
        promptSha256: sha,
        model,
        createdAt: input.now.toISOString(),
        answer: run.value,
      } satisfies LlmDiagnosisAnswer);
      await writeJsonAtomic(join(dir, `${batch.id}.json`), answer);
      await rm(rejectedFile, { force: true });
    }
    let accepted = 0;
    // The model ranks its own proposals; only its top ones are read.
    for (const rec of answer.answer.recommendations.slice(0, LLM_TOP)) {
      const reason = checkLlmRecommendation(rec, context);
      if (reason !== undefined) {
        result.dropped.push({ batchId: batch.id, title: rec.title, reason });
        progress(`diagnose --llm: ${batch.file} (${batch.id}): dropped "${rec.title}": ${reason}`);
        continue;
      }
      accepted++;
      result.recommendations.push(scoreLlmRecommendation(rec, context));
    }
    const proposed = answer.answer.recommendations.length;
    result.batches.push({ batchId: batch.id, file: batch.file, status: kept ? 'skipped' : 'answered', proposed, accepted });
    progress(
      `diagnose --llm: ${batch.file} (${batch.id}): ${kept ? 'answered earlier, not asked again' : `answered by ${answer.model}`}: ${proposed} proposal(s), ${accepted} kept`,
    );
  }
  return result;
}

async function readKept(file: string): Promise<LlmDiagnosisAnswer | undefined> {
  try {
    return LlmDiagnosisAnswerSchema.parse(JSON.parse(await readFile(file, 'utf8')));
  } catch {
    // Missing or unreadable: the batch is asked (again).
    return undefined;
  }
}
