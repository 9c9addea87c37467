import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveMaxTokens, writeBatches } from '../../../src/batch/batch.js';
import { InputError, UsageError } from '../../../src/errors.js';
import { ingest } from '../../../src/ingest/ingest.js';
import { BatchLineSchema, BatchManifestSchema, type BatchLine } from '../../../src/schema/batch.js';
import { ConfigSchema } from '../../../src/schema/config.js';

const config = ConfigSchema.parse({});
const now = () => new Date('2026-11-25T12:00:00.000Z');
let fixtureStore: string;

/** A workspace holding the store built from test/fixtures/codex-exec. */
function workspace(): string {
  const ws = mkdtempSync(join(tmpdir(), 'hl-batch-'));
  mkdirSync(join(ws, '.harness-loop/traces'), { recursive: true });
  writeFileSync(join(ws, '.harness-loop/traces/traces.jsonl'), fixtureStore);
  return ws;
}

function storeIds(): string[] {
  return fixtureStore
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { id: string }).id);
}

function readBatch(ws: string, file: string): BatchLine[] {
  return readFileSync(join(ws, '.harness-loop/batches', file), 'utf8')
    .trim()
    .split('\n')
    .map((l) => BatchLineSchema.parse(JSON.parse(l)));
}

beforeAll(async () => {
  const ws = mkdtempSync(join(tmpdir(), 'hl-batch-src-'));
  await ingest({ workspace: ws, paths: ['test/fixtures/codex-exec'], from: 'auto', allRepos: true, config });
  fixtureStore = readFileSync(join(ws, '.harness-loop/traces/traces.jsonl'), 'utf8');
});

describe('batch stage', () => {
  it('writes batch files and a manifest that validates, with every trace once and in store order', async () => {
    const ws = workspace();
    const { manifest, manifestFile } = await writeBatches({ workspace: ws, config, maxTokens: 600, now });
    expect(BatchManifestSchema.parse(JSON.parse(readFileSync(manifestFile, 'utf8')))).toEqual(manifest);
    expect(manifest.batches.length).toBeGreaterThan(1);
    expect(manifest.batches.flatMap((b) => b.traceIds)).toEqual(storeIds());
    expect(manifest).toMatchObject({ maxTokens: 600, tokenizer: 'o200k_base', createdAt: '2026-11-25T12:00:00.000Z' });
    for (const [i, entry] of manifest.batches.entries()) {
      expect(entry.file).toBe(`batch-${String(i + 1).padStart(3, '0')}.jsonl`);
      const text = readFileSync(join(ws, '.harness-loop/batches', entry.file), 'utf8');
      expect(entry.sha256).toBe(createHash('sha256').update(text).digest('hex'));
      const lines = readBatch(ws, entry.file);
      expect(lines.map((l) => l.traceId)).toEqual(entry.traceIds);
      for (const line of lines) expect(line.tokens).toBe(countTokens(JSON.stringify(line.trace)));
      expect(entry.tokens).toBe(lines.reduce((n, l) => n + l.tokens, 0));
      expect(entry.tokens <= 600 || lines.length === 1).toBe(true);
    }
    expect(manifest.totals).toEqual({
      batches: manifest.batches.length,
      traces: storeIds().length,
      tokens: manifest.batches.reduce((n, b) => n + b.tokens, 0),
      elided: 0,
      overBudget: 0,
    });
  });

  it('gives the same batches the same ids on a rebuild', async () => {
    const ws = workspace();
    const first = await writeBatches({ workspace: ws, config, maxTokens: 600 });
    const second = await writeBatches({ workspace: ws, config, maxTokens: 600 });
    expect(second.manifest.batches.map((b) => [b.id, b.sha256])).toEqual(first.manifest.batches.map((b) => [b.id, b.sha256]));
    const other = await writeBatches({ workspace: ws, config, maxTokens: 5_000 });
    expect(other.manifest.batches[0]!.id).not.toBe(first.manifest.batches[0]!.id);
  });

  it('removes batch files of an earlier run that the new manifest does not name', async () => {
    const ws = workspace();
    const small = await writeBatches({ workspace: ws, config, maxTokens: 150 });
    expect(small.manifest.batches.length).toBe(storeIds().length);
    writeFileSync(join(ws, '.harness-loop/batches/notes.md'), 'kept');
    await writeBatches({ workspace: ws, config });
    expect(readdirSync(join(ws, '.harness-loop/batches')).sort()).toEqual(['batch-001.jsonl', 'manifest.json', 'notes.md']);
  });

  it('lists traces whose text was cut and those over the budget even when shrunk', async () => {
    const ws = workspace();
    const { manifest } = await writeBatches({ workspace: ws, config, maxTokens: 150 });
    const lines = manifest.batches.flatMap((b) => readBatch(ws, b.file));
    expect(manifest.batches.flatMap((b) => b.elided)).toEqual(lines.filter((l) => l.elidedChars > 0).map((l) => l.traceId));
    expect(manifest.totals.elided).toBeGreaterThan(0);
    expect(manifest.batches.filter((b) => b.overBudget).map((b) => b.traceIds)).toEqual(lines.filter((l) => l.overBudget).map((l) => [l.traceId]));
  });

  it('tells the user to run ingest first when the store is missing or empty', async () => {
    const ws = mkdtempSync(join(tmpdir(), 'hl-batch-empty-'));
    await expect(writeBatches({ workspace: ws, config })).rejects.toThrow(/run 'harness-loop ingest' first/);
    mkdirSync(join(ws, '.harness-loop/traces'), { recursive: true });
    writeFileSync(join(ws, '.harness-loop/traces/traces.jsonl'), '');
    const error = await writeBatches({ workspace: ws, config }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).exitCode).toBe(2);
    expect((error as InputError).message).toMatch(/holds no traces; run 'harness-loop ingest' first/);
  });

  it('skips an unreadable store line, reporting it as file:line', async () => {
    const ws = workspace();
    const file = join(ws, '.harness-loop/traces/traces.jsonl');
    writeFileSync(file, `${fixtureStore}{"id":"broken"\n`);
    const result = await writeBatches({ workspace: ws, config });
    expect(result.skipped).toEqual([{ file, line: storeIds().length + 1, reason: 'malformed JSON' }]);
    expect(result.manifest.totals.traces).toBe(storeIds().length);
  });
});

describe('budget', () => {
  it('defaults to 60% of the critic window, or config.batch.maxTokens, and the flag wins', () => {
    expect(resolveMaxTokens(config)).toBe(163_200);
    expect(resolveMaxTokens(ConfigSchema.parse({ critic: { contextWindow: 100_000 } }))).toBe(60_000);
    expect(resolveMaxTokens(ConfigSchema.parse({ batch: { maxTokens: 5_000 } }))).toBe(5_000);
    expect(resolveMaxTokens(ConfigSchema.parse({ batch: { maxTokens: 5_000 } }), 700)).toBe(700);
  });

  it('rejects a budget that is not a positive whole number', () => {
    expect(() => resolveMaxTokens(config, 0)).toThrow(UsageError);
    expect(() => resolveMaxTokens(config, 12.5)).toThrow(/--max-tokens must be a whole number/);
  });
});
