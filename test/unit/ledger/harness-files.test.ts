import { describe, expect, it } from 'vitest';
import { countLineChanges } from '../../../src/ledger/changes.js';
import { DEFAULT_GUARD } from '../../../src/checks/hook-config.js';
import { hashWorkspace, isHarnessPath, isLoopState, matchesFiles, readHarnessGlobs } from '../../../src/ledger/harness-files.js';
import { ConfigSchema } from '../../../src/schema/config.js';
import { makeWorkspace, writeText } from '../../support/ledger-workspace.js';

describe('harness allow-list', () => {
  it.each([
    ['AGENTS.md', true],
    ['docs/api/AGENTS.md', true],
    ['.codex/config.toml', true],
    ['.agents/skills/docs/SKILL.md', true],
    ['skills/docs/references/a.md', true],
    ['hooks/guard.js', true],
    ['promptfooconfig.yaml', true],
    ['sub/promptfooconfig.yaml', false],
    ['src/app.js', false],
    ['AGENTS.md.bak', false],
    ['myskills/x.md', false],
  ])('classifies %s as harness: %s', (path, harness) => {
    expect(isHarnessPath(path, DEFAULT_GUARD.allow)).toBe(harness);
  });

  it('matches recommendation files given as paths, folders or globs', () => {
    expect(matchesFiles('skills/docs/SKILL.md', ['skills/docs/'])).toBe(true);
    expect(matchesFiles('skills/docs/SKILL.md', ['skills/docs'])).toBe(true);
    expect(matchesFiles('skills/docsx/SKILL.md', ['skills/docs'])).toBe(false);
    expect(matchesFiles('skills/docs/SKILL.md', ['skills/*/SKILL.md'])).toBe(true);
    expect(matchesFiles('AGENTS.md', ['./AGENTS.md'])).toBe(true);
  });

  it('uses guard.allow from the config when it is set, the defaults otherwise', () => {
    expect(readHarnessGlobs(ConfigSchema.parse({}))).toEqual(DEFAULT_GUARD.allow);
    expect(readHarnessGlobs(ConfigSchema.parse({ guard: { allow: ['prompts/**'] } }))).toEqual(['prompts/**']);
    // A wrong type never reaches the reader: the config schema refuses it, naming the field.
    const bad = ConfigSchema.safeParse({ guard: { allow: 'prompts/**' } });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]!.path).toEqual(['guard', 'allow']);
  });

  it("treats loop state under .harness-loop/ as no one's change, except the config", () => {
    expect(isLoopState('.harness-loop/ledger.jsonl')).toBe(true);
    expect(isLoopState('.harness-loop/results/run-a.json')).toBe(true);
    expect(isLoopState('.harness-loop/config.yaml')).toBe(false);
  });
});

describe('hashWorkspace', () => {
  it('splits harness files from the rest and leaves out loop state and node_modules', async () => {
    const root = makeWorkspace();
    writeText(root, 'node_modules/pkg/index.js', 'x');
    writeText(root, '.harness-loop/config.yaml', 'critic: {}\n');
    writeText(root, '.harness-loop/results/run-a.json', '{}');
    const hashes = await hashWorkspace(root, DEFAULT_GUARD.allow);
    expect(hashes.listing).toBe('walk');
    expect(Object.keys(hashes.harness)).toEqual(['.harness-loop/config.yaml', 'AGENTS.md', 'skills/docs/SKILL.md']);
    expect(Object.keys(hashes.workspace)).toEqual(['src/app.js']);
    expect(hashes.harness['AGENTS.md']).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('countLineChanges', () => {
  it('counts an edited line as one removed and one added, and ignores moves', () => {
    expect(countLineChanges(['a', 'b', 'c'], ['a', 'B', 'c', 'd'])).toEqual({ added: 2, removed: 1 });
    expect(countLineChanges(['a', 'b'], ['b', 'a'])).toEqual({ added: 0, removed: 0 });
  });
});
