// `feedback critique`: one `codex exec --output-schema` pass per batch. Answers are kept in
// .harness-loop/critique/<batch-id>.json, so an interrupted pass continues where it stopped
// (Codex cannot resume an --output-schema run).
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from '../schema/config.js';
import { CRITIQUE_ANSWER_SCHEMA_VERSION, CritiqueAnswerSchema, CritiqueSchema, type CritiqueAnswer } from '../schema/critique.js';
import type { Feedback } from '../schema/feedback.js';
import type { BatchEntry } from '../schema/batch.js';
import { renderJsonSchema } from '../schema/registry.js';
import { InputError } from '../errors.js';
import { appendFeedback } from '../feedback/store.js';
import { readTraceStore } from '../ingest/store.js';
import { Redactor } from '../redact/redact.js';
import { writeFileAtomic, writeJsonAtomic } from '../util/atomic.js';
import { workspacePaths, type WorkspacePaths } from '../util/workspace.js';
import { assertCriticModelDiffers, modelsOf, readBatch, readBatchManifest, selectBatches } from './batches.js';
import { codexSettingsFor, runStructuredPass } from '../codex/runner.js';
import { renderCritiquePrompt } from './prompt.js';
import { critiqueToFeedback, indexTraceEvidence, type TraceEvidence } from './verify.js';
import { layoutPath } from '../workspace/layout.js';

/** Options of a critique pass; flags override the config. */
export interface CritiqueOptions {
  workspace: string;
  config: Config;
  /** Critic model (default `critic.model`). */
  model?: string;
  /** Codex binary from a flag: relative paths are taken from the current directory. */
  codexBin?: string;
  /** `-c` overrides from flags, applied after `critic.codexConfig`. */
  codexConfig?: readonly string[];
  allowSameModel?: boolean;
  /** Only this batch (id or file name). */
  batch?: string;
  /** Environment for Codex (default: this process's). */
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  now?: () => Date;
  /** One line per batch, for stderr. */
  onProgress?: (line: string) => void;
}

/** What happened to one batch. */
export interface BatchOutcome {
  batchId: string;
  file: string;
  /** answered: asked now; skipped: answered by an earlier run; failed: no usable answer, nothing merged. */
  status: 'answered' | 'skipped' | 'failed';
  reason?: string;
  /** The raw answer Codex gave when it was rejected, kept for inspection. */
  rejectedFile?: string;
  observations: number;
  active: number;
  unverified: number;
  added: number;
}

/** What a critique pass did. */
export interface CritiqueResult {
  model: string;
  batches: BatchOutcome[];
  added: Feedback[];
  duplicates: number;
  failed: number;
}

/** Folder of the kept critic answers. */
export function critiqueDir(paths: WorkspacePaths): string {
  return layoutPath(paths.root, 'critique');
}

/** Runs the critic over the batches (skipping answered ones) and appends its checked observations. */
export async function runCritique(options: CritiqueOptions): Promise<CritiqueResult> {
  const paths = workspacePaths(options.workspace);
  const critic = options.config.critic;
  const model = options.model ?? critic.model;
  const codex = codexSettingsFor(critic, paths.root, options);
  const progress = options.onProgress ?? (() => {});
  const entries = selectBatches(await readBatchManifest(paths), options.batch);
  const dir = critiqueDir(paths);

  const stored = new Map<string, CritiqueAnswer>();
  for (const entry of entries) {
    const answer = await readStoredAnswer(join(dir, `${entry.id}.json`), progress);
    if (answer) stored.set(entry.id, answer);
  }
  const pending = entries.filter((e) => stored.get(e.id)?.batchSha256 !== e.sha256);
  const { evidence, models } = await indexStore(paths, new Set(entries.flatMap((e) => e.traceIds)));
  const pendingModels = [];
  for (const e of pending) {
    // A trace gone from the store still has its models in the batch file the critic would read.
    const fromStore = e.traceIds.every((id) => models.has(id));
    pendingModels.push({ id: e.id, file: e.file, models: fromStore ? e.traceIds.flatMap((id) => models.get(id)!) : modelsOf(await readBatch(paths, e)) });
  }
  assertCriticModelDiffers(pendingModels, model, options.allowSameModel === true);

  const redactor = new Redactor(options.config.redaction.extraPatterns);
  const schemaText = renderJsonSchema('critique', CritiqueSchema);
  const result: CritiqueResult = { model, batches: [], added: [], duplicates: 0, failed: 0 };
  const merge = async (entry: BatchEntry, answer: CritiqueAnswer, status: 'answered' | 'skipped') => {
    const traces = new Map<string, TraceEvidence>();
    for (const id of entry.traceIds) if (evidence.has(id)) traces.set(id, evidence.get(id)!);
    const now = (options.now?.() ?? new Date()).toISOString();
    const records = critiqueToFeedback(answer.critique, { batchId: entry.id, model: answer.model, now, traces, redactor });
    const { added, duplicates } = await appendFeedback(paths.feedbackStore, records);
    result.added.push(...added);
    result.duplicates += duplicates;
    const active = records.filter((r) => r.status === 'active').length;
    const outcome: BatchOutcome = {
      batchId: entry.id,
      file: entry.file,
      status,
      observations: records.length,
      active,
      unverified: records.length - active,
      added: added.length,
    };
    result.batches.push(outcome);
    const verb = status === 'skipped' ? 'answered earlier, not asked again' : `answered by ${answer.model}`;
    progress(
      `critique: ${entry.file} (${entry.id}): ${verb}: ${records.length} observation(s), ${active} verified, ${outcome.unverified} unverified; ${added.length} added`,
    );
  };

  for (const entry of entries) {
    const earlier = stored.get(entry.id);
    if (earlier && earlier.batchSha256 === entry.sha256) {
      await merge(entry, earlier, 'skipped');
      continue;
    }
    if (earlier) progress(`critique: ${entry.file} (${entry.id}): the kept answer is for an earlier version of this batch; asking again`);
    const batch = await readBatch(paths, entry);
    progress(`critique: ${entry.file} (${entry.id}): ${batch.lines.length} trace(s), asking ${model}…`);
    const answer = await runStructuredPass(codex, { prompt: renderCritiquePrompt(batch), model, schemaText, schema: CritiqueSchema, cwd: paths.root });
    const rejectedFile = join(dir, `${entry.id}.rejected.txt`);
    if (!answer.ok) {
      if (answer.text !== undefined) await writeFileAtomic(rejectedFile, answer.text);
      result.failed++;
      result.batches.push({
        batchId: entry.id,
        file: entry.file,
        status: 'failed',
        reason: answer.reason,
        ...(answer.text !== undefined ? { rejectedFile } : {}),
        observations: 0,
        active: 0,
        unverified: 0,
        added: 0,
      });
      progress(
        `critique: ${entry.file} (${entry.id}): not merged: ${answer.reason}${answer.text !== undefined ? `\n  raw answer kept in ${rejectedFile}` : ''}`,
      );
      continue;
    }
    const kept = CritiqueAnswerSchema.parse({
      schemaVersion: CRITIQUE_ANSWER_SCHEMA_VERSION,
      batchId: entry.id,
      batchFile: entry.file,
      batchSha256: entry.sha256,
      model,
      createdAt: (options.now?.() ?? new Date()).toISOString(),
      critique: answer.value,
    } satisfies CritiqueAnswer);
    // The answer is kept before its records are appended: a crash in between re-merges it on
    // the next run (appending is idempotent by record id), and the batch is not asked again.
    await writeJsonAtomic(join(dir, `${entry.id}.json`), kept);
    await rm(rejectedFile, { force: true });
    await merge(entry, kept, 'answered');
  }
  return result;
}

/** A kept answer, or undefined when there is none; an unreadable one is reported and asked again. */
async function readStoredAnswer(file: string, progress: (line: string) => void): Promise<CritiqueAnswer | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new InputError(`cannot read the kept answer: ${(error as Error).message}`, file, undefined, 'input.unreadable', { cause: error });
  }
  try {
    return CritiqueAnswerSchema.parse(JSON.parse(text));
  } catch {
    progress(`critique: ${file}: not a valid kept answer; the batch is asked again`);
    return undefined;
  }
}

/** One pass over the trace store: evidence indexes and models of the wanted traces. */
async function indexStore(
  paths: WorkspacePaths,
  wanted: ReadonlySet<string>,
): Promise<{ evidence: Map<string, TraceEvidence>; models: Map<string, string[]> }> {
  const evidence = new Map<string, TraceEvidence>();
  const models = new Map<string, string[]>();
  try {
    for await (const trace of readTraceStore(paths.traceStore, () => {})) {
      if (!wanted.has(trace.id)) continue;
      evidence.set(trace.id, indexTraceEvidence(trace));
      models.set(trace.id, trace.models);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    throw new InputError("no trace store yet; run 'harness-loop ingest' first", paths.traceStore, undefined, 'input.missing');
  }
  return { evidence, models };
}
