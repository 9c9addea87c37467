import { cpSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeFiltered } from '../../../src/ingest/filter-report.js';
import { ingest } from '../../../src/ingest/ingest.js';
import { ConfigSchema } from '../../../src/schema/config.js';

const SESSIONS = 'examples/docs-qa/recorded/baseline/sessions';
const config = ConfigSchema.parse({});

function storedTasks(workspace: string): string[] {
  return readFileSync(join(workspace, '.harness-loop/traces/traces.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { task: string }).task);
}

/** A CODEX_HOME whose sessions folder holds the example's recorded rollouts. */
function codexHome(): string {
  const home = mkdtempSync(join(tmpdir(), 'hl-home-'));
  mkdirSync(join(home, 'sessions'), { recursive: true });
  cpSync(SESSIONS, join(home, 'sessions'), { recursive: true });
  return home;
}

describe('ingest session selection', () => {
  it('reads $CODEX_HOME/sessions by default and keeps only sessions whose cwd is inside the workspace', async () => {
    const env = { CODEX_HOME: codexHome() };
    const elsewhere = mkdtempSync(join(tmpdir(), 'hl-ws-'));
    const result = await ingest({ workspace: elsewhere, paths: [], from: 'auto', allRepos: false, config, env });
    expect(result.files).toBe(5);
    expect(result.traces).toBe(0);
    expect(result.filtered).toBe(5);

    // The recorded sessions ran in /home/user/docs-qa: a workspace there keeps them all.
    const inside = await ingest({ workspace: '/home/user/docs-qa', paths: [], from: 'auto', allRepos: false, config, env, dryRun: true });
    expect(inside.traces).toBe(5);
  });

  it('keeps the newest N sessions with --last', async () => {
    const ws = mkdtempSync(join(tmpdir(), 'hl-ws-'));
    const result = await ingest({ workspace: ws, paths: [], from: 'auto', allRepos: true, last: 2, config, env: { CODEX_HOME: codexHome() } });
    expect(result.traces).toBe(2);
    expect(storedTasks(ws).sort()).toEqual(['Does the Pro plan include SSO?', 'Which regions does Acme run in?']);
  });

  it('keeps sessions started at or after --since', async () => {
    const ws = mkdtempSync(join(tmpdir(), 'hl-ws-'));
    const all = await ingest({ workspace: ws, paths: [SESSIONS], from: 'auto', allRepos: true, config, since: new Date('2000-01-01') });
    expect(all.traces).toBe(5);
    const ws2 = mkdtempSync(join(tmpdir(), 'hl-ws-'));
    const none = await ingest({ workspace: ws2, paths: [SESSIONS], from: 'auto', allRepos: true, config, since: new Date('2999-01-01') });
    expect(none.traces).toBe(0);
    expect(none.filtered).toBe(5);
  });

  it('stores a session read from both its rollout and its exec --json stream once, keeping the rollout', async () => {
    const ws = mkdtempSync(join(tmpdir(), 'hl-ws-'));
    const result = await ingest({ workspace: ws, paths: [SESSIONS, 'examples/docs-qa/recorded/baseline/exec'], from: 'auto', allRepos: true, config });
    expect(result.traces).toBe(10);
    const lines = readFileSync(join(ws, '.harness-loop/traces/traces.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(5);
    for (const line of lines) {
      const trace = JSON.parse(line) as { source: { kind: string }; attributes: { alsoSeenIn?: string[] } };
      expect(trace.source.kind).toBe('codex-rollout');
      expect(trace.attributes.alsoSeenIn).toEqual(['codex-exec-json']);
    }
  });
});

describe('ingest says what it filtered and why', () => {
  it('counts each reason and names the flag that keeps those sessions', async () => {
    const env = { CODEX_HOME: codexHome() };
    const elsewhere = mkdtempSync(join(tmpdir(), 'hl-ws-'));
    const result = await ingest({ workspace: elsewhere, paths: [], from: 'auto', allRepos: false, config, env, dryRun: true });
    expect(result.filteredBy).toEqual({ otherRepos: 5, beforeSince: 0, noStartTime: 0, olderThanLast: 0 });
    expect(describeFiltered(result, { workspace: elsewhere })).toEqual([
      `5 sessions of other repositories skipped (cwd outside ${elsewhere}); add --all-repos to keep them`,
    ]);

    const since = new Date('2099-01-01T00:00:00Z');
    const late = await ingest({
      workspace: elsewhere,
      paths: ['test/fixtures/codex-history/exec-0.46.jsonl', SESSIONS],
      from: 'auto',
      allRepos: true,
      since,
      config,
      dryRun: true,
    });
    expect(late.filteredBy).toMatchObject({ beforeSince: 5, noStartTime: 1 });
    const lines = describeFiltered(late, { workspace: elsewhere, since });
    expect(lines).toContain('5 sessions started before 2099-01-01T00:00:00.000Z skipped; widen --since to keep them');
    expect(lines).toContain('1 session without a start time skipped, since --since cannot place them; drop --since to keep them');
  });

  it('says when the sessions folder holds no rollouts', async () => {
    const home = mkdtempSync(join(tmpdir(), 'hl-home-'));
    mkdirSync(join(home, 'sessions'));
    const ws = mkdtempSync(join(tmpdir(), 'hl-ws-'));
    const result = await ingest({ workspace: ws, paths: [], from: 'auto', allRepos: false, config, env: { CODEX_HOME: home }, dryRun: true });
    expect(describeFiltered(result, { workspace: ws })).toEqual([
      `no Codex rollouts under ${join(home, 'sessions')} (rollout-*.jsonl or .jsonl.zst); pass files or folders to read others`,
    ]);
  });
});
