import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeBatches } from '../../../src/batch/batch.js';
import { assertCriticModelDiffers, readBatch, readBatchManifest, selectBatches } from '../../../src/critique/batches.js';
import { buildExecArgs, resolveCodexBin, runStructuredPass } from '../../../src/codex/runner.js';
import { ExternalCommandError, UsageError } from '../../../src/errors.js';
import { CritiqueSchema } from '../../../src/schema/critique.js';
import { workspacePaths } from '../../../src/util/workspace.js';
import { defaultConfig, workspaceWith } from '../feedback/helpers.js';

const SESSIONS = 'examples/docs-qa/recorded/baseline/sessions';

describe('assertCriticModelDiffers', () => {
  const batches = [
    { id: 'batch_a', file: 'batch-001.jsonl', models: ['gpt-5.5'] },
    { id: 'batch_b', file: 'batch-002.jsonl', models: ['GPT-5.5', 'o3'] },
  ];

  it('refuses a critic that produced the traces (exit 2), naming the batch and the way out', () => {
    let error: unknown;
    try {
      assertCriticModelDiffers(batches, 'gpt-5.5', false);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(2);
    expect((error as UsageError).message).toBe(
      'critic model "gpt-5.5" also produced the traces of batch-001.jsonl (batch_a) and 1 more batch(es); a model judging its own sessions shares their blind spots. ' +
        'Choose another critic with --model or critic.model in .harness-loop/config.yaml, or pass --allow-same-model.',
    );
  });

  it('lets a different critic through, and the same one with --allow-same-model', () => {
    expect(() => assertCriticModelDiffers(batches, 'gpt-5.4-mini', false)).not.toThrow();
    expect(() => assertCriticModelDiffers(batches, 'gpt-5.5', true)).not.toThrow();
  });
});

describe('batches for LLM passes', () => {
  async function batched(): Promise<string> {
    const ws = await workspaceWith([SESSIONS]);
    await writeBatches({ workspace: ws, config: defaultConfig(), maxTokens: 1200 });
    return ws;
  }

  it('selects a batch by id or by file name, and names the known ones for an unknown selector', async () => {
    const manifest = await readBatchManifest(workspacePaths(await batched()));
    const second = manifest.batches[1]!;
    expect(selectBatches(manifest, second.id)).toEqual([second]);
    expect(selectBatches(manifest, 'batch-002')).toEqual([second]);
    expect(selectBatches(manifest, 'batch-002.jsonl')).toEqual([second]);
    expect(selectBatches(manifest)).toEqual(manifest.batches);
    expect(() => selectBatches(manifest, 'batch-999')).toThrow(
      /--batch: no batch "batch-999" in the manifest; batches: batch_[0-9a-f]{16} \(batch-001\.jsonl\)/,
    );
  });

  it('reads a batch as the manifest describes it, and refuses a file changed since', async () => {
    const ws = await batched();
    const paths = workspacePaths(ws);
    const entry = (await readBatchManifest(paths)).batches[0]!;
    const batch = await readBatch(paths, entry);
    expect(batch.lines.map((l) => l.traceId)).toEqual(entry.traceIds);
    await writeFile(join(paths.batches, entry.file), '');
    await expect(readBatch(paths, entry)).rejects.toThrow(
      /batch-001\.jsonl: the file changed since manifest\.json was written; run 'harness-loop batch' again/,
    );
  });

  it('asks for harness-loop batch when there are no batches', async () => {
    const ws = await mkdtemp(join(tmpdir(), 'hl-critique-'));
    await expect(readBatchManifest(workspacePaths(ws))).rejects.toThrow(/no batches yet; run 'harness-loop batch' first/);
  });
});

describe('codex exec arguments', () => {
  it('sends the prompt on stdin, with the schema, answer file, model and overrides, and no session file', () => {
    expect(buildExecArgs({ model: 'gpt-5.4-mini' }, '/tmp/s.json', '/tmp/a.json', ['model_provider=mock', 'x=1'])).toEqual([
      'exec',
      '--json',
      '--ephemeral',
      '--skip-git-repo-check',
      '--sandbox',
      'read-only',
      '--output-schema',
      '/tmp/s.json',
      '-o',
      '/tmp/a.json',
      '-m',
      'gpt-5.4-mini',
      '-c',
      'model_provider=mock',
      '-c',
      'x=1',
      '-',
    ]);
  });

  it('looks a bare binary name up on PATH and resolves a path against the given base', () => {
    expect(resolveCodexBin('codex', '/ws')).toBe('codex');
    expect(resolveCodexBin('tools/codex.js', '/ws')).toBe('/ws/tools/codex.js');
    expect(resolveCodexBin('/opt/codex', '/ws')).toBe('/opt/codex');
  });

  it('fails with exit 2, naming the binary and the way out, when codex cannot be started', async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'hl-critique-'));
    const run = runStructuredPass({ bin: join(cwd, 'no-such-codex'), config: [] }, { prompt: 'x', model: 'm', schemaText: '{}', schema: CritiqueSchema, cwd });
    await expect(run).rejects.toBeInstanceOf(ExternalCommandError);
    await expect(run).rejects.toThrow(/cannot run codex ".*no-such-codex" \(not found; install @openai\/codex, or pass --codex-bin or set critic\.codexBin\)/);
  });
});
