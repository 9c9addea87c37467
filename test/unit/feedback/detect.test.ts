import { writeFile } from 'node:fs/promises';
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
