import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEFAULT_EVIDENCE, DEFAULT_GUARD, HookConfigError, hookConfigFrom, readHookConfig } from '../../../src/checks/hook-config.js';
import { MiniYamlError, parseMiniYaml } from '../../../src/checks/mini-yaml.js';
import { ConfigSchema } from '../../../src/schema/config.js';
import { makeRepo, type FixtureRepo } from './fixture-repo.js';

const CONFIG = `# harness-loop configuration
critic:
  model: gpt-5.4-mini   # the critic
redaction:
  extraPatterns:
    - name: internal-token
      pattern: 'itk_[a-z0-9]{8}'
      flags: i
evidence:
  outputGlobs: [output/**/*.md, "reports/**"]
  sourceRoots:
    - docs
    - src
  minCoverage: 0.75
  unit: paragraph
guard:
  always: true
  allow:
  - '**/AGENTS.md'
  - .codex/**
feedback:
  requiredSections: []
  weights: {}
empty:
`;

let repo: FixtureRepo | undefined;
afterEach(() => repo?.remove());

describe('parseMiniYaml', () => {
  it('reads the subset harness-loop writes exactly as the yaml package does', () => {
    expect(parseMiniYaml(CONFIG)).toEqual(parse(CONFIG));
  });

  it('reads scalars like YAML 1.2 core', () => {
    const text = "a: 1\nb: -2.5\nc: true\nd: ~\ne: 'it''s'\nf: \"x\\ty\"\ng: plain text, url http://x\nh: '#not comment'\n";
    expect(parseMiniYaml(text)).toEqual(parse(text));
  });

  it.each([
    ['an anchor', 'a: &x 1\n', 'line 1'],
    ['a block scalar', 'a: |\n  text\n', 'line 1'],
    ['a flow map', 'a: {b: 1}\n', 'line 1'],
    ['a nested flow list', 'a: [[1]]\n', 'line 1'],
    ['a duplicate key', 'a: 1\na: 2\n', 'line 2: duplicate key "a"'],
    ['bad indentation', 'a:\n    b: 1\n  c: 2\n', 'line 3'],
    ['tabs', 'a:\n\tb: 1\n', 'line 2'],
    ['a colon inside a plain value', 'a: b: c\n', 'line 1'],
  ])('refuses %s with the line', (_name, text, where) => {
    expect(() => parseMiniYaml(text)).toThrow(MiniYamlError);
    expect(() => parseMiniYaml(text)).toThrow(where);
  });
});

describe('readHookConfig', () => {
  it('uses the defaults without a config file', () => {
    repo = makeRepo();
    expect(readHookConfig(repo.root)).toEqual({ evidence: DEFAULT_EVIDENCE, guard: DEFAULT_GUARD, redaction: [] });
  });

  it('reads the evidence, guard and redaction settings', () => {
    repo = makeRepo({ '.harness-loop/config.yaml': CONFIG });
    expect(readHookConfig(repo.root)).toEqual({
      evidence: { outputGlobs: ['output/**/*.md', 'reports/**'], sourceRoots: ['docs', 'src'], minCoverage: 0.75, unit: 'paragraph' },
      guard: { always: true, allow: ['**/AGENTS.md', '.codex/**'], readOnlyTools: [] },
      redaction: [{ name: 'internal-token', pattern: 'itk_[a-z0-9]{8}', flags: 'i' }],
    });
  });

  it('names the field of the wrong type', () => {
    expect(() => hookConfigFrom({ evidence: { minCoverage: 2 } })).toThrow('evidence.minCoverage must be a number from 0 to 1 (got 2)');
    expect(() => hookConfigFrom({ guard: { always: 'yes' } })).toThrow(HookConfigError);
    expect(() => hookConfigFrom({ guard: { allow: ['ok', ''] } })).toThrow('guard.allow must be a list of non-empty strings');
  });

  it('has the same defaults as ConfigSchema, which the CLI uses', () => {
    const parsed = ConfigSchema.parse({});
    expect({ evidence: parsed.evidence, guard: parsed.guard }).toEqual({ evidence: DEFAULT_EVIDENCE, guard: DEFAULT_GUARD });
  });

  it('reads config values the way ConfigSchema does', () => {
    const doc = parse(CONFIG);
    const parsed = ConfigSchema.parse(doc);
    const hooks = hookConfigFrom(doc);
    expect({ evidence: parsed.evidence, guard: parsed.guard }).toEqual({ evidence: hooks.evidence, guard: hooks.guard });
  });
});
