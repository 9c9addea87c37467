import { writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFeedbackStore } from '../../../src/feedback/store.js';
import { workspacePaths } from '../../../src/util/workspace.js';
import { runCli } from '../../support/cli.js';
import { BASE_TRACE, EXEC, FIX, workspaceWith } from './helpers.js';

// The CLI is built once by test/global-setup.ts; rebuilding here would race other suites.
async function cli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const r = await runCli(args, { env: { USER: 'reviewer' } });
  return { status: r.exitCode, stdout: r.stdout, stderr: r.stderr };
}

describe('harness-loop feedback (built CLI)', () => {
  it('add appends a human record and exits 0', async () => {
    const ws = await workspaceWith([`${EXEC}/exec.base.jsonl`]);
    const r = await cli([
      'feedback',
      'add',
      '-C',
      ws,
      '--trace',
      BASE_TRACE,
      '--category',
      'citation_error',
      '--severity',
      'high',
      '--observation',
      'Cites docs/x.md, which is missing',
      '--evidence',
      'docs/x.md\nturn_1/item_4',
      '--required',
      'Cite existing files',
    ]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^feedback: added fb_[0-9a-f]{16} \(human, citation_error, high\)/);
    const [record] = await readFeedbackStore(workspacePaths(ws).feedbackStore);
    expect(record).toMatchObject({
      traceId: BASE_TRACE,
      source: 'human',
      author: 'reviewer',
      evidence: ['docs/x.md', 'turn_1/item_4'],
      requiredObservations: ['Cite existing files'],
      status: 'active',
    });
    expect(
      (
        await cli([
          'feedback',
          'add',
          '-C',
          ws,
          '--trace',
          BASE_TRACE,
          '--category',
          'citation_error',
          '--severity',
          'high',
          '--observation',
          'Cites docs/x.md, which is missing',
          '--evidence',
          'docs/x.md\nturn_1/item_4',
          '--required',
          'Cite existing files',
        ])
      ).stdout,
    ).toMatch(/already recorded/);
  });

  it('add stores injection-looking text verbatim', async () => {
    const ws = await workspaceWith([`${EXEC}/exec.base.jsonl`]);
    const text = '"); process.exit(1); // : - &anchor *alias {{ }} $(rm -rf /) `id`';
    expect((await cli(['feedback', 'add', '-C', ws, '--trace', BASE_TRACE, '--category', '{{ }}', '--severity', 'low', '--observation', text])).status).toBe(0);
    const [record] = await readFeedbackStore(workspacePaths(ws).feedbackStore);
    expect([record!.observation, record!.category]).toEqual([text, '{{ }}']);
  });

  it('add exits 2 naming each bad flag, and writes nothing', async () => {
    const ws = await workspaceWith([`${EXEC}/exec.base.jsonl`]);
    const r = await cli(['feedback', 'add', '-C', ws, '--trace', BASE_TRACE, '--category', 'x', '--severity', 'urgent']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--severity: must be one of low, medium, high, critical (got "urgent")');
    expect(r.stderr).toContain('--observation: required');
    expect(existsSync(workspacePaths(ws).feedbackStore)).toBe(false);
  });

  it('add exits 2 for an unknown trace, and 0 with a warning under --allow-unknown-trace', async () => {
    const ws = await workspaceWith([`${EXEC}/exec.base.jsonl`]);
    const args = ['feedback', 'add', '-C', ws, '--trace', 'no-such-trace', '--category', 'x', '--severity', 'low', '--observation', 'y'];
    const refused = await cli(args);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('unknown trace "no-such-trace"');
    const allowed = await cli([...args, '--allow-unknown-trace']);
    expect(allowed.status).toBe(0);
    expect(allowed.stderr).toContain('warning: --trace: unknown trace "no-such-trace"');
  });

  it('exits 2 for a missing or unknown subcommand', async () => {
    const missing = await cli(['feedback']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('missing subcommand');
    const unknown = await cli(['feedback', 'frobnicate']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('unknown subcommand "frobnicate"');
  });

  it('import exits 2 with file:line: field for an invalid record, then 0 for good files; list shows weights', async () => {
    const ws = await workspaceWith([`${EXEC}/exec.base.jsonl`, `${EXEC}/exec.error.jsonl`]);
    const bad = join(ws, 'bad.jsonl');
    await writeFile(
      bad,
      `{"trace_id":"${BASE_TRACE}","category":"x","severity":"low","observation":"ok"}\n{"trace_id":"${BASE_TRACE}","category":"x","severity":"meh","observation":"ok"}\n`,
    );
    const refused = await cli(['feedback', 'import', '-C', ws, bad]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain(`${bad}:2: severity: must be one of`);
    const ok = await cli(['feedback', 'import', '-C', ws, `${FIX}/cookbook.feedback.json`, `${FIX}/keyed.feedback.yaml`]);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toBe('feedback import: 5 record(s) read, 5 added, 0 already recorded\n');
    const list = await cli(['feedback', 'list', '-C', ws, '--json']);
    const rows = JSON.parse(list.stdout) as { source: string; weight: number; status: string }[];
    expect(rows.map((r) => [r.source, r.weight, r.status])).toContainEqual(['llm', 0.4, 'unverified']);
    expect(rows.map((r) => [r.source, r.weight])).toContainEqual(['human', 1]);
    const check = await cli(['feedback', 'check', '-C', ws, `${FIX}/article.feedback.jsonl`]);
    expect(check.status).toBe(0);
    expect(check.stdout).toBe('feedback check: ok: 5 stored record(s), 2 record(s) in 1 file(s) valid\n');
    expect((await readFeedbackStore(workspacePaths(ws).feedbackStore)).length).toBe(5);
  });

  it('detect writes detector records that list shows at detector weight', async () => {
    const ws = await workspaceWith([`${EXEC}/exec.error.jsonl`]);
    const r = await cli(['feedback', 'detect', '-C', ws]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('1 added');
    const list = await cli(['feedback', 'list', '-C', ws]);
    expect(list.stdout).toMatch(/fb_[0-9a-f]{16} {2}detector w=0\.80 {2}active {7}high {5}errored_turn/);
  });
});
