import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { examChanges, hashExam } from '../../../src/ledger/exam.js';

const ourHandler = { type: 'command', command: 'node .codex/harness-loop/hooks/edit_guard.cjs', timeout: 10 };
const teamHandler = { type: 'command', command: 'node .codex/hooks/cite-note.mjs', timeout: 10 };

function repo(): string {
  const root = mkdtempSync(join(tmpdir(), 'hl-exam-'));
  mkdirSync(join(root, '.harness-loop'), { recursive: true });
  mkdirSync(join(root, '.codex'), { recursive: true });
  writeFileSync(join(root, '.harness-loop/config.yaml'), 'guard:\n  always: false\ncritic:\n  model: a\n');
  return root;
}

const hooksJson = (groups: Record<string, unknown[]>) =>
  JSON.stringify({ hooks: Object.fromEntries(Object.entries(groups).map(([e, hs]) => [e, [{ hooks: hs }]])) });

describe('exam hashing of the guard settings', () => {
  it('a team hooks.json created during the cycle is a harness change, not a guard change', async () => {
    const root = repo();
    const before = await hashExam(root);
    writeFileSync(join(root, '.codex/hooks.json'), hooksJson({ PostToolUse: [teamHandler] }));
    writeFileSync(join(root, '.harness-loop/config.yaml'), 'guard:\n  always: false\ncritic:\n  model: b\n');
    expect(await examChanges(root, before)).toEqual([]);
  });

  it('removing harness-loop handlers or touching the guard key is a change', async () => {
    const root = repo();
    writeFileSync(join(root, '.codex/hooks.json'), hooksJson({ PreToolUse: [ourHandler], PostToolUse: [teamHandler] }));
    const before = await hashExam(root);
    writeFileSync(join(root, '.codex/hooks.json'), hooksJson({ PostToolUse: [teamHandler] }));
    expect((await examChanges(root, before)).join('\n')).toMatch(/guard/);
    writeFileSync(join(root, '.codex/hooks.json'), hooksJson({ PreToolUse: [ourHandler], PostToolUse: [teamHandler] }));
    expect(await examChanges(root, before)).toEqual([]);
    writeFileSync(join(root, '.harness-loop/config.yaml'), 'guard:\n  always: true\ncritic:\n  model: a\n');
    expect((await examChanges(root, before)).join('\n')).toMatch(/guard/);
  });
});
