import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectFeedback } from '../../../src/feedback/detect.js';
import { readFeedbackStore } from '../../../src/feedback/store.js';
import { InputError } from '../../../src/errors.js';
import { workspacePaths } from '../../../src/util/workspace.js';
import { EXEC, FIX, NOW, defaultConfig, workspaceWith } from './helpers.js';

const FIXTURES = [`${EXEC}/exec.base.jsonl`, `${EXEC}/exec.error.jsonl`, `${FIX}/rollout.failed_command.jsonl`, `${FIX}/rollout.hook_block.jsonl`];

describe('feedback detect', () => {
  it('runs every detector over the trace store and appends detector records', async () => {
    const workspace = await workspaceWith(FIXTURES);
    await writeFile(join(workspace, 'hello.txt'), 'hello\n');
    const config = defaultConfig({ feedback: { tokenBudget: 3000 } });
    const result = await detectFeedback({ workspace, config, now: NOW });
    expect(result.traces).toBe(4);
    expect(result.byDetector).toEqual({
      'failed-commands': 1,
      'tool-errors': 0,
      'hook-blocks': 2,
      'missing-cited-files': 2,
      'missing-sections': 0,
      'errored-turns': 1,
      'runaway-tokens': 3,
    });
    const stored = await readFeedbackStore(workspacePaths(workspace).feedbackStore);
    expect(stored).toHaveLength(9);
    expect(stored.every((r) => r.source === 'detector' && r.createdAt === NOW && r.author.startsWith('harness-loop/'))).toBe(true);
  });

  it('adds nothing the second time', async () => {
    const workspace = await workspaceWith(FIXTURES);
    const config = defaultConfig({ feedback: { requiredSections: ['## Summary'] } });
    const first = await detectFeedback({ workspace, config, now: NOW, fileExists: () => true });
    const second = await detectFeedback({ workspace, config, now: '2027-01-01T00:00:00.000Z', fileExists: () => true });
    expect(first.added.length).toBeGreaterThan(0);
    expect(second.added).toEqual([]);
    expect(second.duplicates).toBe(first.added.length);
  });

  it('redacts what the config calls secret in the evidence it quotes', async () => {
    const workspace = await workspaceWith([`${FIX}/rollout.failed_command.jsonl`]);
    const config = defaultConfig({ redaction: { extraPatterns: [{ name: 'internal-token', pattern: 'expected 3 to be 4' }] } });
    const result = await detectFeedback({ workspace, config, now: NOW, fileExists: () => true });
    const failed = result.added.find((r) => r.category === 'failed_command')!;
    expect(failed.evidence[1]).toContain('AssertionError: [REDACTED:internal-token]');
    expect(JSON.stringify(result.added)).not.toContain('expected 3 to be 4');
  });

  it('asks for ingest when there is no trace store', async () => {
    const workspace = await workspaceWith([]);
    await expect(detectFeedback({ workspace, config: defaultConfig() })).rejects.toBeInstanceOf(InputError);
  });
});

describe('feedback detect: cited files of another checkout', () => {
  /** The 0.40 IDE-extension session, run in `cwd`, answering with a citation of src/cart/total.ts. */
  async function sessionIn(dir: string, cwd: string): Promise<string> {
    const text = readFileSync('test/fixtures/codex-history/vscode-0.40.jsonl', 'utf8')
      .replaceAll('/Users/dev/shop', cwd)
      .replaceAll('passes now.', 'passes now (source: src/cart/total.ts).');
    const file = join(dir, `rollout-${Math.random().toString(36).slice(2)}.jsonl`);
    await writeFile(file, text);
    return file;
  }

  it("resolves them against the session's own cwd, not the workspace", async () => {
    const root = mkdtempSync(join(tmpdir(), 'hl-cwd-'));
    const other = join(root, 'other-checkout');
    mkdirSync(join(other, 'src/cart'), { recursive: true });
    await writeFile(join(other, 'src/cart/total.ts'), 'export {}\n');
    const lacking = join(root, 'lacking-checkout');
    mkdirSync(lacking);
    const workspace = await workspaceWith([await sessionIn(root, other)]);
    const config = defaultConfig();
    const found = await detectFeedback({ workspace, config, now: NOW });
    expect(found.byDetector['missing-cited-files']).toBe(0);
    // The 0.40-era shell result (exit code inside a JSON string) is read as a failed command; the
    // same command passed after the fix, so it is an expected failure rather than a finding.
    expect(found.byDetector['failed-commands']).toBe(0);
    expect(found.expected.map((s) => s.reason)).toEqual(['later-succeeded']);

    const second = await workspaceWith([await sessionIn(root, lacking)]);
    const missing = await detectFeedback({ workspace: second, config, now: NOW });
    expect(missing.byDetector['missing-cited-files']).toBe(1);
    expect(missing.added.find((r) => r.category === 'citation_error')?.observation).toContain('src/cart/total.ts');

    // A cwd that is not on this machine stands for this workspace recorded elsewhere.
    const third = await workspaceWith([await sessionIn(root, join(root, 'gone'))]);
    expect((await detectFeedback({ workspace: third, config, now: NOW })).byDetector['missing-cited-files']).toBe(1);
    mkdirSync(join(third, 'src/cart'), { recursive: true });
    await writeFile(join(third, 'src/cart/total.ts'), 'export {}\n');
    await writeFile(workspacePaths(third).feedbackStore, '');
    expect((await detectFeedback({ workspace: third, config, now: NOW })).byDetector['missing-cited-files']).toBe(0);
  });
});
