import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BatchManifestSchema } from '../../../src/schema/batch.js';

function cli(args: string[]) {
  const r = spawnSync(process.execPath, ['bin/harness-loop.js', ...args], { encoding: 'utf8' });
  return { exitCode: r.status, stdout: r.stdout, stderr: r.stderr };
}

let ws: string;

beforeAll(() => {
  execFileSync('npm', ['run', 'build', '--silent'], { stdio: 'pipe' });
  ws = mkdtempSync(join(tmpdir(), 'hl-batch-cli-'));
  expect(cli(['ingest', 'test/fixtures/codex-exec', '--all-repos', '-C', ws]).exitCode).toBe(0);
}, 120_000);

describe('harness-loop batch', () => {
  it('prints one summary line and the manifest path', () => {
    const r = cli(['batch', '-C', ws]);
    expect(r).toMatchObject({ exitCode: 0, stderr: '' });
    const manifest = BatchManifestSchema.parse(JSON.parse(readFileSync(join(ws, '.harness-loop/batches/manifest.json'), 'utf8')));
    const tokens = manifest.totals.tokens.toLocaleString('en-US');
    expect(r.stdout).toBe(
      `batch: 1 batch(es), 5 trace(s), ${tokens} token(s) (budget 163,200 per batch, o200k_base), 0 trace(s) elided\n` +
        `manifest: ${join(ws, '.harness-loop/batches/manifest.json')}\n`,
    );
  });

  it('prints the manifest with --json, honouring --max-tokens', () => {
    const r = cli(['batch', '-C', ws, '--max-tokens', '600', '--json']);
    expect(r.exitCode).toBe(0);
    const manifest = BatchManifestSchema.parse(JSON.parse(r.stdout));
    expect(manifest.maxTokens).toBe(600);
    expect(manifest.totals.traces).toBe(5);
    expect(manifest.batches.length).toBeGreaterThan(1);
  });

  it('warns on stderr about a trace that stays over a tiny budget', () => {
    const r = cli(['batch', '-C', ws, '--max-tokens', '100']);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(/^warning: batch-\d{3}\.jsonl: trace \S+ needs [\d,]+ tokens even with only its task, answer and errors kept \(budget 100\)$/m);
  });

  it('exits 2 and says to run ingest when there are no traces', () => {
    const empty = mkdtempSync(join(tmpdir(), 'hl-batch-cli-empty-'));
    const r = cli(['batch', '-C', empty]);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^harness-loop batch: .*traces\.jsonl: no trace store yet; run 'harness-loop ingest' first\n$/);
  });

  it('exits 2 on a zero budget', () => {
    const r = cli(['batch', '-C', ws, '--max-tokens', '0']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/--max-tokens must be a whole number of tokens, at least 1 \(got 0\)/);
  });
});
