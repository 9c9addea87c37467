import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'smol-toml';
import { trustKey, trustedHash, type HookHandler } from '../../../src/install/trust.js';
import { removeTomlTableIfOurs, setTomlString } from '../../../src/install/toml-edit.js';

type HooksJson = { hooks: Record<string, { matcher?: string; hooks: HookHandler[] }[]> };
const accepted = parse(readFileSync('test/fixtures/codex-hooks/config.hook-trust.toml', 'utf8')) as {
  hooks: { state: Record<string, { trusted_hash: string }> };
};

describe('trusted_hash', () => {
  it('reproduces every hash Codex accepted for the captured hooks.json files', () => {
    const files: [string, string][] = [
      ['/home/user/.codex/hooks.json', 'test/fixtures/codex-hooks/hooks.user.json'],
      ['/home/user/repo/.codex/hooks.json', 'test/fixtures/codex-hooks/hooks.project.json'],
    ];
    let checked = 0;
    for (const [path, fixture] of files) {
      const json = JSON.parse(readFileSync(fixture, 'utf8')) as HooksJson;
      for (const [event, groups] of Object.entries(json.hooks)) {
        groups.forEach((group, g) =>
          group.hooks.forEach((handler, h) => {
            const expected = accepted.hooks.state[trustKey(path, event, g, h)];
            if (!expected) return;
            expect(trustedHash(event, group.matcher, handler)).toBe(expected.trusted_hash);
            checked++;
          }),
        );
      }
    }
    expect(checked).toBe(11);
  });
});

describe('config.toml edits', () => {
  const original = '# keep me\nmodel = "gpt-5.5"\n\n[projects."/a"]\ntrust_level = "trusted"\n';

  it('appends a new table and leaves the rest byte for byte', () => {
    const out = setTomlString(original, ['hooks', 'state', '/r/.codex/hooks.json:pre_tool_use:1:0'], 'trusted_hash', 'sha256:abc');
    expect(out.startsWith(original)).toBe(true);
    expect(out.slice(original.length)).toBe('\n[hooks.state."/r/.codex/hooks.json:pre_tool_use:1:0"]\ntrusted_hash = "sha256:abc"\n');
  });

  it('replaces a stale value in place', () => {
    const once = setTomlString(original, ['hooks', 'state', 'k'], 'trusted_hash', 'sha256:old');
    const twice = setTomlString(once, ['hooks', 'state', 'k'], 'trusted_hash', 'sha256:new');
    expect(twice).toBe(once.replace('sha256:old', 'sha256:new'));
  });

  it('removes only a table that holds exactly what was written', () => {
    const added = setTomlString(original, ['hooks', 'state', 'k'], 'trusted_hash', 'sha256:abc');
    expect(removeTomlTableIfOurs(added, ['hooks', 'state', 'k'], 'trusted_hash', 'sha256:abc')).toBe(original);
    expect(removeTomlTableIfOurs(added, ['hooks', 'state', 'k'], 'trusted_hash', 'sha256:other')).toBe(added);
  });

  it('refuses to produce invalid TOML', () => {
    expect(() => setTomlString('[broken', ['a'], 'b', 'c')).toThrow();
  });
});
