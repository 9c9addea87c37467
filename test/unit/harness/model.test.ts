import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAgentsRules } from '../../../src/harness/agents-md.js';
import { readHarnessModel } from '../../../src/harness/model.js';
import { tomlKeyLine } from '../../../src/harness/toml-lines.js';
import { ConfigSchema } from '../../../src/schema/config.js';

const fixture = join(import.meta.dirname, '../../fixtures/harness');

describe('readHarnessModel', () => {
  it("reads every component family with file and line, and marks harness-loop's own", async () => {
    const m = await readHarnessModel({ root: join(fixture, 'repo'), config: ConfigSchema.parse({}), codexHome: join(fixture, 'codex-home') });
    expect(m.problems).toEqual([]);
    expect(m.agentsMd.map((a) => [a.file.replace(fixture, ''), a.scope, a.kind, a.editable])).toEqual([
      ['/codex-home/AGENTS.md', 'user', 'agents', false],
      ['AGENTS.md', 'repo', 'agents', true],
      ['AGENTS.override.md', 'repo', 'override', false],
      ['services/api/AGENTS.md', 'repo', 'agents', true],
    ]);
    const root = m.agentsMd[1]!;
    expect(root.rules).toEqual([
      { text: 'Run `npm test` before you say a change is done.', line: 3, owner: 'team' },
      { text: 'Never write credentials into files.', line: 4, owner: 'team' },
      { text: 'Run `$harness-improvement` to improve this harness.', line: 7, owner: 'harness-loop' },
    ]);
    expect(m.skills.map((s) => [s.name, s.scope, s.owner, s.editable, s.descriptionLine])).toEqual([
      ['harness-improvement', 'repo', 'harness-loop', false, 3],
      ['release-notes', 'repo', 'team', true, 3],
      ['imagegen', 'system', 'team', false, 3],
    ]);
    expect(m.hooks.map((h) => [h.event, h.matcher, h.line, h.timeout, h.owner, h.editable])).toEqual([
      ['PreToolUse', 'Bash', 4, 5, 'team', true],
      ['PreToolUse', 'Bash|apply_patch|Edit|Write', 5, 10, 'harness-loop', false],
      ['PostToolUse', 'Bash|apply_patch|Edit|Write', 8, 10, 'harness-loop', false],
      ['Stop', null, 9, 30, 'team', false],
    ]);
    const repoConfig = m.config.find((c) => c.scope === 'repo')!;
    expect(repoConfig.settings.map((s) => [s.profile, s.key, s.value, s.line])).toEqual([
      [null, 'model', '"gpt-5.5"', 1],
      [null, 'model_reasoning_effort', '"low"', 2],
      [null, 'sandbox_mode', '"workspace-write"', 3],
      [null, 'sandbox_workspace_write.network_access', 'false', 7],
      [null, 'approval_policy', '"never"', 4],
      ['deep', 'model_reasoning_effort', '"high"', 18],
    ]);
    expect(repoConfig.mcpServers).toEqual([
      {
        name: 'issues',
        command: 'npx',
        args: ['-y', '@acme/issues-mcp'],
        url: null,
        envKeys: ['ISSUES_TOKEN'],
        startupTimeoutSec: null,
        file: '.codex/config.toml',
        line: 9,
        editable: true,
      },
    ]);
    expect(repoConfig.features).toEqual({ web_search_request: true });
    expect(m.config.find((c) => c.scope === 'user')!.editable).toBe(false);
    expect(m.outputSchemas).toEqual([{ file: '.codex/output-schema.json', required: ['summary', 'risks'], owner: 'team', editable: true }]);
    expect(m.validation.map((v) => [v.kind, v.name, v.file, v.line])).toEqual([
      ['package-script', 'test', 'package.json', 5],
      ['package-script', 'lint', 'package.json', 6],
      ['pre-commit', 'unit-tests', '.pre-commit-config.yaml', 4],
      ['ci-workflow', 'Test', '.github/workflows/ci.yml', 9],
      ['ci-workflow', 'Agent summary', '.github/workflows/ci.yml', 11],
    ]);
    expect(m.evidenceCheck.hookInstalled).toBe(true);
  });

  it('names the file of a config.toml it cannot parse and reads the rest', async () => {
    const { mkdtemp, mkdir, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const dir = await mkdtemp(join(tmpdir(), 'hl-harness-'));
    await mkdir(join(dir, '.codex'));
    await writeFile(join(dir, '.codex', 'config.toml'), 'model = \n');
    await writeFile(join(dir, 'AGENTS.md'), '- Be brief.\n');
    const m = await readHarnessModel({ root: dir, config: ConfigSchema.parse({}) });
    expect(m.problems[0]).toMatch(/^\.codex\/config\.toml: /);
    expect(m.agentsMd[0]!.rules).toEqual([{ text: 'Be brief.', line: 1, owner: 'team' }]);
  });
});

describe('parseAgentsRules and tomlKeyLine', () => {
  it('skips headings and fenced code', () => {
    expect(parseAgentsRules('# T\n\n```\n- not a rule\n```\n1. Do X.\n').map((r) => r.text)).toEqual(['Do X.']);
  });
  it('finds dotted keys and quoted table names', () => {
    const text = 'a = 1\nsandbox_workspace_write.network_access = true\n[mcp_servers."my server"]\ncommand = "x"\n';
    expect(tomlKeyLine(text, ['sandbox_workspace_write', 'network_access'])).toBe(2);
    expect(tomlKeyLine(text, ['mcp_servers', 'my server'])).toBe(3);
    expect(tomlKeyLine(text, ['mcp_servers', 'my server', 'command'])).toBe(4);
  });
});
