import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evalPaths } from '../../../src/evals/paths.js';
import { loopPaths } from '../../../src/ledger/paths.js';
import { workspacePaths } from '../../../src/util/workspace.js';
import { classify, examGlobs, isLoopState, isProtected, LAYOUT, layoutPath, protectionOf } from '../../../src/workspace/layout.js';

const ROOT = '/repo';

describe('declared workspace layout', () => {
  it('declares every path the path helpers hand out', () => {
    const rels = [workspacePaths(ROOT), loopPaths(ROOT), evalPaths(ROOT)]
      .flatMap((p) => Object.values(p))
      .filter((p) => p !== ROOT)
      .map((p) => p.slice(ROOT.length + 1));
    expect(rels.filter((r) => classify(r) === null)).toEqual([]);
  });

  it('has unique ids', () => {
    const ids = LAYOUT.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each([
    ['.harness-loop/config.yaml', 'harness-config'],
    ['.harness-loop/traces/traces.jsonl', 'loop-state'],
    ['.harness-loop/traces/traces.jsonl.idx', 'loop-state'],
    ['.harness-loop/feedback/hooks.jsonl', 'loop-state'],
    ['.harness-loop/evals/promptfooconfig.yaml', 'exam'],
    ['.harness-loop/evals/providers/replay.mjs', 'exam'],
    ['.harness-loop/evals/rubric-verdicts.jsonl', 'exam'],
    ['.harness-loop/results/r1.json', 'loop-state'],
    ['.harness-loop/cycle.json', 'loop-state'],
    ['.harness-loop/anything-new.md', 'loop-state'],
    ['.harness-loop/guard.jsonl', 'guard'],
    ['.codex/harness-loop/hooks/edit_guard.cjs', 'guard'],
    ['.codex/harness-loop/install.json', 'guard'],
    ['.codex/hooks.json', 'harness-config'],
    ['AGENTS.md', 'harness-config'],
    ['src/app.ts', null],
    ['.codex/config.toml', null],
  ])('classifies %s as %s', (path, protection) => {
    expect(protectionOf(path)).toBe(protection);
  });

  it('keeps the config and hooks.json editable but their guard parts protected', () => {
    expect(classify('.harness-loop/config.yaml')?.protectedParts).toEqual({ kind: 'yaml-keys', keys: ['guard'] });
    expect(classify('.codex/hooks.json')?.protectedParts).toEqual({ kind: 'our-hook-handlers' });
    expect(isProtected('.harness-loop/config.yaml')).toBe(false);
    expect(isProtected('.harness-loop/evals/promptfooconfig.yaml')).toBe(true);
  });

  it('counts loop state and exam under .harness-loop/ as loop state, never the config', () => {
    expect(isLoopState('.harness-loop/ledger.jsonl')).toBe(true);
    expect(isLoopState('.harness-loop/evals/promptfooconfig.yaml')).toBe(true);
    expect(isLoopState('.harness-loop/config.yaml')).toBe(false);
    expect(isLoopState('.codex/harness-loop/install.json')).toBe(false);
  });

  it('hashes the exam and the guard at cycle start', () => {
    expect(examGlobs()).toEqual(expect.arrayContaining(['.harness-loop/evals/**', '.codex/harness-loop/**']));
  });

  it('resolves single files and folders', () => {
    expect(layoutPath(ROOT, 'suite')).toBe(join(ROOT, '.harness-loop', 'evals', 'promptfooconfig.yaml'));
    expect(layoutPath(ROOT, 'results')).toBe(join(ROOT, '.harness-loop', 'results'));
    expect(() => layoutPath(ROOT, 'nope')).toThrow('no layout entry');
  });
});
