// Reading `.harness-loop/batches/` for the LLM passes (`feedback critique`, `diagnose --llm`).
import { matchIdPrefix } from '../util/id-prefix.js';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BatchLineSchema, BatchManifestSchema, type BatchEntry, type BatchLine, type BatchManifest } from '../schema/batch.js';
import { InputError, UsageError } from '../errors.js';
import { formatZodIssues } from '../util/zod-format.js';
import type { WorkspacePaths } from '../util/workspace.js';
import type { CritiqueBatch } from './prompt.js';

/** Reads and validates the batch manifest; a missing one asks for `harness-loop batch`. */
export async function readBatchManifest(paths: WorkspacePaths): Promise<BatchManifest> {
  let text: string;
  try {
    text = await readFile(paths.batchManifest, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new InputError("no batches yet; run 'harness-loop batch' first", paths.batchManifest, undefined, 'input.missing');
    }
    throw new InputError(`cannot read the batch manifest: ${(error as Error).message}`, paths.batchManifest, undefined, 'input.unreadable', { cause: error });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new InputError("malformed JSON; run 'harness-loop batch' again", paths.batchManifest, undefined, 'input.invalid', { cause: error });
  }
  const parsed = BatchManifestSchema.safeParse(raw);
  if (!parsed.success) throw new InputError(`invalid batch manifest (run 'harness-loop batch' again):\n${formatZodIssues(parsed.error)}`, paths.batchManifest);
  return parsed.data;
}

/** The batches a pass covers: all, or the one `--batch` names by id (`batch_…`) or file (`batch-001[.jsonl]`). */
export function selectBatches(manifest: BatchManifest, selector?: string): BatchEntry[] {
  if (selector === undefined) return manifest.batches;
  const wanted = selector.endsWith('.jsonl') ? selector : selector.startsWith('batch-') ? `${selector}.jsonl` : selector;
  let found = manifest.batches.filter((b) => b.id === wanted || b.file === wanted);
  if (found.length === 0) {
    const match = matchIdPrefix(
      selector,
      manifest.batches.map((b) => b.id),
    );
    if ('id' in match) found = manifest.batches.filter((b) => b.id === match.id);
  }
  if (found.length === 0) {
    const known = manifest.batches
      .slice(0, 5)
      .map((b) => `${b.id} (${b.file})`)
      .join(', ');
    throw new UsageError(`--batch: no batch "${selector}" in the manifest; batches: ${known}${manifest.batches.length > 5 ? ', …' : ''}`);
  }
  return found;
}

/**
 * Reads one batch file, checking it is the file the manifest describes: a file rewritten by a
 * later `batch` run under the same name would otherwise be critiqued under a stale id.
 */
export async function readBatch(paths: WorkspacePaths, entry: BatchEntry): Promise<CritiqueBatch> {
  const file = join(paths.batches, entry.file);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new InputError(`cannot read batch ${entry.id}: ${(error as Error).message}; run 'harness-loop batch' again`, file, undefined, 'input.missing', {
      cause: error,
    });
  }
  if (createHash('sha256').update(bytes).digest('hex') !== entry.sha256) {
    throw new InputError(`the file changed since manifest.json was written; run 'harness-loop batch' again`, file, undefined, 'batch.stale');
  }
  const lines: BatchLine[] = [];
  bytes
    .toString('utf8')
    .split('\n')
    .forEach((text, i) => {
      if (text.trim() === '') return;
      let raw: unknown;
      try {
        raw = JSON.parse(text);
      } catch {
        throw new InputError('malformed JSON', file, i + 1, 'batch.invalid');
      }
      const parsed = BatchLineSchema.safeParse(raw);
      if (!parsed.success) throw new InputError(`invalid batch line:\n${formatZodIssues(parsed.error)}`, file, i + 1, 'batch.invalid');
      lines.push(parsed.data);
    });
  return { id: entry.id, file: entry.file, lines };
}

/** Model names compare without case or surrounding space. */
function sameModel(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

/** The models that produced a batch's traces, in first-seen order. */
export function modelsOf(batch: CritiqueBatch): string[] {
  return [...new Set(batch.lines.flatMap((l) => l.trace.models))];
}

/**
 * Refuses (exit 2) a critic that produced the traces it would judge: a model reviewing its own
 * sessions shares their blind spots. `--allow-same-model` lets it through.
 */
export function assertCriticModelDiffers(
  batches: readonly { id: string; file: string; models: readonly string[] }[],
  model: string,
  allowSameModel: boolean,
): void {
  if (allowSameModel) return;
  const clashing = batches.filter((b) => b.models.some((m) => sameModel(m, model)));
  if (clashing.length === 0) return;
  const first = clashing[0]!;
  const more = clashing.length > 1 ? ` and ${clashing.length - 1} more batch(es)` : '';
  throw new UsageError(
    `critic model "${model}" also produced the traces of ${first.file} (${first.id})${more}; a model judging its own sessions shares their blind spots. ` +
      'Choose another critic with --model or critic.model in .harness-loop/config.yaml, or pass --allow-same-model.',
    'critique.same-model',
  );
}
