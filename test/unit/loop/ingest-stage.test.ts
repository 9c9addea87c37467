import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ingest } from '../../../src/ingest/ingest.js';
import { describeLoopIngest, ingestForLoop } from '../../../src/loop/loop.js';
import { ConfigSchema } from '../../../src/schema/config.js';

const config = ConfigSchema.parse({});

describe("the loop's ingest stage", () => {
  it('works from the stored traces when this machine has no sessions folder, and says so', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'hl-loop-'));
    await ingest({ workspace, paths: ['test/fixtures/codex-history/vscode-0.40.jsonl'], from: 'auto', allRepos: true, config });
    const env = { CODEX_HOME: join(workspace, 'no-codex-home') };
    const options = { workspace, config, paths: [], ingest: { last: 5, from: 'auto', allRepos: false }, env };
    const result = await ingestForLoop(options);
    expect(result.read).toBeNull();
    expect(describeLoopIngest(result, options)).toBe(
      `no sessions folder at ${join(env.CODEX_HOME, 'sessions')}; nothing new: working from the trace store as it was (1 trace(s), newest from 2025-10-06)`,
    );
  });

  it('says when nothing new was read, with what was left out and why', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'hl-loop-'));
    const home = mkdtempSync(join(tmpdir(), 'hl-home-'));
    mkdirSync(join(home, 'sessions'));
    await ingest({ workspace, paths: ['test/fixtures/codex-history/desktop-0.153.jsonl'], from: 'auto', allRepos: true, config });
    const options = { workspace, config, paths: [], ingest: { last: 5, from: 'auto', allRepos: false }, env: { CODEX_HOME: home } };
    const line = describeLoopIngest(await ingestForLoop(options), options);
    expect(line).toContain('0 file(s) → 0 trace(s)');
    expect(line).toContain(`no Codex rollouts under ${join(home, 'sessions')}`);
    expect(line).toContain('nothing new: working from the trace store as it was (1 trace(s), newest from 2026-09-14)');
  });

  it('fails with the reason when there is neither a sessions folder nor a stored trace', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'hl-loop-'));
    await expect(
      ingestForLoop({ workspace, config, paths: [], ingest: { from: 'auto', allRepos: false }, env: { CODEX_HOME: join(workspace, 'none') } }),
    ).rejects.toThrow(/no Codex sessions folder and no stored traces/);
  });
});
