import { describe, expect, it } from 'vitest';
import { matchesAny, matchesGlob } from '../../../src/checks/glob.js';
import { DEFAULT_GUARD } from '../../../src/checks/hook-config.js';

describe('matchesGlob', () => {
  it.each([
    ['AGENTS.md', '**/AGENTS.md', true],
    ['a/b/AGENTS.md', '**/AGENTS.md', true],
    ['xAGENTS.md', '**/AGENTS.md', false],
    ['AGENTS.md.bak', '**/AGENTS.md', false],
    ['.codex', '.codex/**', true],
    ['.codex/hooks.json', '.codex/**', true],
    ['.codexx/a', '.codex/**', false],
    ['output/answer.md', 'output/**/*.md', true],
    ['output/a/b/answer.md', 'output/**/*.md', true],
    ['output/answer.txt', 'output/**/*.md', false],
    ['reports/x/y.csv', 'reports/**', true],
    ['src/a.ts', 'src/*.ts', true],
    ['src/x/a.ts', 'src/*.ts', false],
    ['src/a.ts', 'src/{a,b}.ts', true],
    ['src/c.ts', 'src/[ab].ts', false],
    ['src/c.ts', 'src/[!ab].ts', true],
    ['./x.md', 'x.md', false],
    ['x.md', './x.md', true],
    ['a.b', 'a?b', true],
    ['a/b', 'a?b', false],
  ])('%s against %s is %s', (path, glob, expected) => {
    expect(matchesGlob(path, glob)).toBe(expected);
  });

  it('treats regex characters in globs literally', () => {
    expect(matchesGlob('a+b(c).md', 'a+b(c).md')).toBe(true);
    expect(matchesGlob('aab.md', 'a+b.md')).toBe(false);
  });

  it('matches the default allow-list as the issue lists it', () => {
    const allowed = [
      'AGENTS.md',
      'docs/AGENTS.md',
      '.codex/config.toml',
      '.agents/skills/x/SKILL.md',
      'skills/s/SKILL.md',
      'hooks/x.ts',
      '.harness-loop/config.yaml',
      'promptfooconfig.yaml',
    ];
    const denied = ['src/app.ts', '.harness-loop/cycle.json', '.agents/other.md', 'docs/promptfooconfig.yaml', 'README.md', 'package.json'];
    expect(allowed.filter((p) => !matchesAny(p, DEFAULT_GUARD.allow))).toEqual([]);
    expect(denied.filter((p) => matchesAny(p, DEFAULT_GUARD.allow))).toEqual([]);
  });
});
