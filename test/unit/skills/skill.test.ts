import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { COMMANDS } from '../../../src/commands/specs.js';

const SKILL = 'skills/harness-improvement/SKILL.md';
const text = readFileSync(SKILL, 'utf8');

describe('the harness-improvement skill', () => {
  it('has the frontmatter Codex requires (it fails silently otherwise)', () => {
    const m = /^---\n([\s\S]*?)\n---\n/.exec(text);
    expect(m, 'frontmatter between --- lines').not.toBeNull();
    const front = parse(m![1]!) as { name: string; description: string };
    expect(front.name).toBe('harness-improvement');
    expect(front.name.length).toBeLessThanOrEqual(64);
    expect(front.description.length).toBeGreaterThan(40);
    expect(front.description.length).toBeLessThanOrEqual(1024);
    expect(text.split('\n').length).toBeLessThan(500);
  });

  it('names only commands that exist, in the skill and its references', () => {
    const names = new Set(COMMANDS.map((c) => c.name));
    const docs = text + readFileSync('skills/harness-improvement/references/commands.md', 'utf8');
    // Commands in code spans and code blocks; prose like "a harness-loop improvement cycle" is not one.
    const used = [...docs.matchAll(/(?:`|^)harness-loop ([a-z-]+)/gm)].map((m) => m[1]!);
    expect(used.length).toBeGreaterThan(10);
    for (const name of used) expect(names, `harness-loop ${name}`).toContain(name);
  });

  it('keeps the cycle rules: one recommendation, harness files only, verify before commit', () => {
    expect(text).toContain('exactly the top recommendation');
    expect(text).toMatch(/Never edit\s+application code/);
    expect(text).toContain('harness-loop verify');
    expect(text).toContain('harness: <change title>');
  });
});
