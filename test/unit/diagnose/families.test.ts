// One small repository per remedy family, each with one planted harness defect (constructed; the
// sessions are generated from real rollout lines, see test/support/rollout-gen.ts). Rank 1 must
// target the component that could have prevented the failure, name its files and cite the evidence.
import { describe, expect, it } from 'vitest';
import { runFixture, tid } from '../../support/diagnosis-fixture.js';

const AGENTS = '# Team rules\n\n- Keep changes small.\n';

describe('rank 1 targets the component that could have prevented the failure', () => {
  it('sandbox: commands fail for lack of network while network_access is false', async () => {
    const npm = 'npm error code EAI_AGAIN\nnpm error request to https://registry.npmjs.org/left-pad failed, reason: getaddrinfo EAI_AGAIN registry.npmjs.org';
    const f = await runFixture({
      files: {
        'AGENTS.md': AGENTS,
        '.codex/config.toml': 'model = "gpt-5.5"\nsandbox_mode = "workspace-write"\n\n[sandbox_workspace_write]\nnetwork_access = false\n',
      },
      sessions: [1, 2].map((n) => ({
        id: tid(1, n),
        task: 'Add the left-pad dependency and run the tests',
        steps: [{ shell: 'npm install left-pad', exitCode: 1, output: npm }],
        answer: 'I could not install left-pad.',
      })),
      feedback: [
        {
          traceId: tid(1, 1),
          spanId: 'call_1',
          source: 'detector',
          category: 'failed_command',
          severity: 'medium',
          observation: 'Command exited with code 1: npm install left-pad',
        },
        { traceId: tid(1, 2), source: 'human', category: 'blocked', severity: 'high', observation: 'The install failed because the session had no network.' },
      ],
    });
    const top = f.result.recommendations[0]!;
    expect(top.target).toBe('sandbox');
    expect(top.files).toEqual(['.codex/config.toml']);
    expect(top.change).toContain('`.codex/config.toml:5`');
    expect(top.change).toContain('network_access = true');
    expect(top.evidence.traceIds).toEqual([tid(1, 1), tid(1, 2)]);
    expect(top.spans).toContainEqual({ traceId: tid(1, 1), spanId: 'call_1' });
  });

  it('MCP: a server fails on a missing credential', async () => {
    const f = await runFixture({
      files: {
        'AGENTS.md': AGENTS,
        '.codex/config.toml':
          'model = "gpt-5.5"\n\n[mcp_servers.issues]\ncommand = "npx"\nargs = ["-y", "@acme/issues-mcp"]\nenv = { ISSUES_URL = "https://issues.example" }\n',
      },
      sessions: [1, 2].map((n) => ({
        id: tid(2, n),
        task: 'List the open bugs',
        steps: [{ mcp: { server: 'issues', tool: 'list_issues', error: 'unauthorized: ISSUES_TOKEN is not set' } }],
        answer: 'The issue tracker refused the request.',
      })),
      feedback: [
        {
          traceId: tid(2, 1),
          source: 'human',
          category: 'tooling',
          severity: 'high',
          observation: 'The issues MCP server never worked, so no bug was listed.',
        },
      ],
    });
    const top = f.result.recommendations[0]!;
    expect(top.target).toBe('mcp-server');
    expect(top.files).toEqual(['.codex/config.toml']);
    expect(top.harnessQuotes).toEqual([{ source: '.codex/config.toml', line: 3, text: '[mcp_servers.issues]' }]);
    expect(top.change).toContain('env_vars = ["ISSUES_TOKEN"]');
    expect(top.evidence.traceIds).toEqual([tid(2, 1), tid(2, 2)]);
  });

  it('model: wrong reasoning while the reasoning effort is low', async () => {
    const f = await runFixture({
      files: {
        'AGENTS.md': AGENTS,
        '.codex/config.toml': 'model = "gpt-5.5"\nmodel_reasoning_effort = "low"\n',
        'data/orders.csv': 'id,amount,discount\n1,100,10\n',
      },
      sessions: [
        {
          id: tid(3, 1),
          task: 'What is the net order total?',
          steps: [{ shell: 'cat data/orders.csv', output: 'id,amount,discount\n1,100,10\n' }],
          answer: 'The net total is 80.',
        },
      ],
      feedback: [
        {
          traceId: tid(3, 1),
          source: 'human',
          category: 'wrong_answer',
          severity: 'high',
          observation: 'The total is wrong: the discount was subtracted twice; the logic is careless.',
        },
      ],
    });
    const top = f.result.recommendations[0]!;
    expect(top.target).toBe('model-config');
    expect(top.files).toEqual(['.codex/config.toml']);
    expect(top.harnessQuotes[0]).toEqual({ source: '.codex/config.toml', line: 2, text: 'model_reasoning_effort = "low"' });
    expect(top.change).toContain('model_reasoning_effort = "high"');
  });

  it('skill description: a skill fits the task but was never read', async () => {
    const skill =
      '---\nname: release-notes\ndescription: Helps with notes.\n---\n\n# Release notes\n\n1. Read CHANGELOG.md and list every change since the last release tag.\n2. Group the changes under Features, Fixes and Breaking changes.\n';
    const f = await runFixture({
      files: { 'AGENTS.md': AGENTS, '.agents/skills/release-notes/SKILL.md': skill, 'CHANGELOG.md': '# Changes\n' },
      sessions: [1, 2].map((n) => ({
        id: tid(4, n),
        task: `Write the release notes for version 2.${n}`,
        steps: [{ patch: `notes/2.${n}.md`, content: 'Various improvements.' }],
        answer: 'Done.',
      })),
      feedback: [
        {
          traceId: tid(4, 1),
          source: 'human',
          category: 'incomplete',
          severity: 'high',
          observation: 'The release notes leave out the breaking changes and do not group features and fixes.',
        },
      ],
    });
    const top = f.result.recommendations[0]!;
    expect(top.target).toBe('skill-description');
    expect(top.files).toEqual(['.agents/skills/release-notes/SKILL.md']);
    expect(top.harnessQuotes[0]).toEqual({ source: '.agents/skills/release-notes/SKILL.md', line: 3, text: 'description: Helps with notes.' });
    expect(top.evidence.feedbackIds).toEqual([f.feedback[0]!.id]);
  });

  it('skill body: the skill was invoked and its step led to the failure', async () => {
    const skill =
      '---\nname: deploy-check\ndescription: Use when asked to deploy a service.\n---\n\n1. Run `make deploy`.\n2. Report the deploy as done once the command returns.\n';
    const f = await runFixture({
      files: { 'AGENTS.md': AGENTS, '.agents/skills/deploy-check/SKILL.md': skill },
      sessions: [
        {
          id: tid(5, 1),
          task: 'Deploy the api service. Use $deploy-check.',
          steps: [{ shell: 'make deploy', output: 'deployed; health check returned 503' }],
          answer: 'The deploy is done.',
        },
      ],
      feedback: [
        {
          traceId: tid(5, 1),
          source: 'human',
          category: 'premature',
          severity: 'high',
          observation: 'Reported the deploy as done although the health check returned 503.',
        },
      ],
    });
    const top = f.result.recommendations[0]!;
    expect(top.target).toBe('skill-body');
    expect(top.files).toEqual(['.agents/skills/deploy-check/SKILL.md']);
    expect(top.harnessQuotes[0]).toEqual({
      source: '.agents/skills/deploy-check/SKILL.md',
      line: 7,
      text: 'Report the deploy as done once the command returns.',
    });
  });

  it('AGENTS.md: a missing rule goes into the AGENTS.md nearest to the files the agent touched', async () => {
    const f = await runFixture({
      files: {
        'AGENTS.md': AGENTS,
        'services/billing/AGENTS.md': '# Billing\n\n- Keep the public API stable.\n',
        'services/billing/invoice.js': 'export {}\n',
      },
      sessions: [
        {
          id: tid(6, 1),
          task: 'Add a late fee to invoices',
          steps: [{ patch: 'services/billing/late-fee.js', content: 'export const fee = (total) => total * 0.015;' }],
          answer: 'Added the late fee.',
        },
      ],
      feedback: [
        {
          traceId: tid(6, 1),
          source: 'human',
          category: 'money_handling',
          severity: 'high',
          observation: 'Money is computed in floating point; amounts must be integer cents.',
        },
      ],
    });
    const top = f.result.recommendations[0]!;
    expect(top.target).toBe('agents-md-rule');
    expect(top.ruleStatus).toBe('missing');
    expect(top.files).toEqual(['services/billing/AGENTS.md']);
    expect(top.speedNote).toMatch(/only a reader can judge/);
  });

  it('AGENTS.md rule present but not followed: a PreToolUse hook instead of more prose', async () => {
    const f = await runFixture({
      files: { 'AGENTS.md': '# Team rules\n\n- Never write credentials or private keys into files.\n' },
      sessions: [
        {
          id: tid(7, 1),
          task: 'Deploy staging and write down what you did',
          steps: [
            {
              patch: 'deploy/notes.md',
              content: 'Deployed staging.\nkey: -----BEGIN OPENSSH PRIVATE KEY----- b3BlbnNzaC1rZXktdjEAAAAA -----END OPENSSH PRIVATE KEY-----',
            },
          ],
          answer: 'Deployed staging.',
        },
      ],
      feedback: [
        {
          traceId: tid(7, 1),
          source: 'human',
          category: 'security',
          severity: 'critical',
          observation: 'Claimed it deployed staging and wrote a private key into deploy/notes.md.',
        },
      ],
    });
    const top = f.result.recommendations[0]!;
    expect(top.target).toBe('pre-tool-use-hook');
    expect(top.ruleStatus).toBe('present-not-followed');
    expect(top.harnessQuotes).toEqual([{ source: 'AGENTS.md', line: 3, text: 'Never write credentials or private keys into files.' }]);
    expect(top.files).toEqual(['.codex/hooks/deny-a-private-key.mjs', '.codex/hooks.json']);
    expect(top.change).toContain('"matcher": "Bash|apply_patch|Edit|Write"');
    expect(top.change).toContain('`deploy/notes.md`');
  });

  it('AGENTS.md contradicted: quotes both lines and resolves them there', async () => {
    const f = await runFixture({
      files: {
        'AGENTS.md': '# Rules\n\n- Always run the full test suite before you answer.\n',
        'services/api/AGENTS.md': '# API\n\n- Never run the full test suite; run only the tests of the file you changed.\n',
        'services/api/routes.js': 'export {}\n',
      },
      sessions: [
        {
          id: tid(8, 1),
          task: 'Rename the users route',
          steps: [
            { shell: 'node --test services/api/routes.test.js', output: 'ok 1' },
            { patch: 'services/api/routes.js', content: 'export const users = "/people";' },
          ],
          answer: 'Renamed.',
        },
      ],
      feedback: [
        {
          traceId: tid(8, 1),
          source: 'human',
          category: 'regression',
          severity: 'high',
          observation: 'It skipped the full test suite, and the rename broke the admin module.',
        },
      ],
    });
    const top = f.result.recommendations[0]!;
    expect(top.ruleStatus).toBe('contradicted');
    expect(top.target).toBe('agents-md-rule');
    expect(top.harnessQuotes.map((q) => `${q.source}:${q.line}`).sort()).toEqual(['AGENTS.md:3', 'services/api/AGENTS.md:3']);
    expect([...top.files].sort()).toEqual(['AGENTS.md', 'services/api/AGENTS.md']);
  });

  it('PostToolUse hook: answers cite files that do not exist; globs come from where the traces wrote', async () => {
    const f = await runFixture({
      files: { 'AGENTS.md': '# Analyst\n\n- Cite the data file for every figure.\n', 'data/q2.csv': 'q,revenue\n2,10\n' },
      sessions: [1, 2].map((n) => ({
        id: tid(9, n),
        task: `Summarise revenue ${n}`,
        steps: [
          { shell: 'cat data/q2.csv', output: 'q,revenue\n2,10\n' },
          { patch: `briefs/rev-${n}.md`, content: 'Revenue grew 40% [data/q3.csv].' },
        ],
        answer: 'Revenue grew 40% [data/q3.csv].',
      })),
      feedback: [
        { traceId: tid(9, 1), source: 'human', category: 'bad_source', severity: 'high', observation: 'Cites data/q3.csv, which does not exist.' },
        {
          traceId: tid(9, 2),
          source: 'detector',
          category: 'citation_error',
          severity: 'high',
          observation: 'The final answer cites data/q3.csv, which does not exist in the repository',
        },
      ],
    });
    const top = f.result.recommendations[0]!;
    expect(top.target).toBe('post-tool-use-hook');
    expect(top.layer).toBe('hook');
    expect(top.ruleStatus).toBe('present-not-followed');
    expect(top.files).toContain('.harness-loop/config.yaml');
    expect(top.change).toContain('evidence.outputGlobs: ["briefs/**/*.md"]');
    expect(top.change).toContain('evidence.sourceRoots: ["data"]');
    expect(top.evidence.traceIds).toEqual([tid(9, 1), tid(9, 2)]);
  });

  it('output schema: answers miss a required section', async () => {
    const f = await runFixture({
      files: { 'AGENTS.md': AGENTS },
      sessions: [1, 2].map((n) => ({ id: tid(10, n), task: `Review change ${n}`, steps: [], answer: '## Summary\nLooks fine.' })),
      feedback: [
        {
          traceId: tid(10, 1),
          source: 'detector',
          category: 'missing_section',
          severity: 'medium',
          observation: 'The final answer lacks the required section "## Risks"',
          attributes: { missingSections: ['## Risks'] },
        },
        { traceId: tid(10, 2), source: 'human', category: 'format', severity: 'high', observation: 'The review has no Risks section.' },
      ],
    });
    const top = f.result.recommendations[0]!;
    expect(top.target).toBe('output-schema');
    expect(top.files).toEqual(['.codex/output-schema.json']);
    expect(top.change).toContain('`risks`');
  });

  it('validation script: the agent claimed tests pass without running them; a Stop hook runs the existing script', async () => {
    const f = await runFixture({
      files: { 'AGENTS.md': AGENTS, 'package.json': '{\n  "name": "p",\n  "scripts": {\n    "test": "node --test"\n  }\n}\n', 'src/parser.js': 'export {}\n' },
      sessions: [
        {
          id: tid(11, 1),
          task: 'Fix the parser bug',
          steps: [{ patch: 'src/parser.js', content: 'export const parse = (s) => s.trim();' }],
          answer: 'Fixed; all tests pass.',
        },
      ],
      realRollouts: ['test/fixtures/rollout/shell-fail.jsonl'],
      feedback: [
        {
          traceId: tid(11, 1),
          source: 'human',
          category: 'unverified',
          severity: 'high',
          observation: 'Claimed all tests pass but never ran them; npm test fails on the parser.',
        },
        {
          traceId: '01a20f5b-0001-7e31-9c64-0113b2a3c401',
          spanId: 'call_shell_1',
          source: 'detector',
          category: 'failed_command',
          severity: 'low',
          observation: 'Command exited with code 3: ./run-tests.sh',
        },
      ],
    });
    const top = f.result.recommendations[0]!;
    expect(top.target).toBe('validation-script');
    expect(top.files).toEqual(['.codex/hooks.json']);
    expect(top.change).toContain('`npm run test` (`package.json:4`)');
    expect(top.change).toContain('Stop');
  });

  it("hook fix: a team hook fails on every call; harness-loop's own hooks are never a target", async () => {
    const hooks = JSON.stringify(
      { hooks: { PostToolUse: [{ matcher: 'apply_patch', hooks: [{ type: 'command', command: 'node .codex/hooks/lint-answer.mjs', timeout: 10 }] }] } },
      null,
      2,
    );
    const f = await runFixture({
      files: { 'AGENTS.md': AGENTS, '.codex/hooks.json': hooks },
      sessions: [1, 2].map((n) => ({
        id: tid(12, n),
        task: `Draft answer ${n}`,
        steps: [
          { patch: `answers/a${n}.md`, content: 'Text.' },
          { error: "PostToolUse hook (node .codex/hooks/lint-answer.mjs) failed: Error: Cannot find module '/repo/.codex/hooks/lint-answer.mjs'" },
          ...(n === 2 ? [{ error: 'PostToolUse hook (node .codex/harness-loop/hooks/check_evidence_coverage.cjs) failed: exit 1' }] : []),
        ],
        answer: 'Drafted.',
      })),
      feedback: [],
    });
    const top = f.result.recommendations[0]!;
    expect(top.target).toBe('hook-fix');
    expect(top.files).toEqual(['.codex/hooks.json']);
    expect(top.harnessQuotes[0]).toEqual({ source: '.codex/hooks.json', line: 9, text: 'node .codex/hooks/lint-answer.mjs' });
    for (const r of f.result.recommendations) for (const file of r.files) expect(file).not.toMatch(/harness-loop\/|harness-improvement/);
  });

  it('hook fix from what reviewers say: Codex does not record hook runs, so a slow hook is named in feedback', async () => {
    const hooks = JSON.stringify(
      { hooks: { PreToolUse: [{ matcher: '*', hooks: [{ type: 'command', command: 'python3 .codex/hooks/policy_check.py', timeout: 60 }] }] } },
      null,
      2,
    );
    const f = await runFixture({
      files: { 'AGENTS.md': AGENTS, '.codex/hooks.json': hooks },
      sessions: [{ id: tid(13, 1), task: 'Rename a variable', steps: [{ shell: 'rg -n total src', output: 'src/a.js:1:total' }], answer: 'Renamed.' }],
      feedback: [
        {
          traceId: tid(13, 1),
          source: 'human',
          category: 'latency',
          severity: 'high',
          observation: 'Every tool call waits about 8 seconds on the policy_check hook; a one-line rename took two minutes.',
        },
      ],
    });
    const top = f.result.recommendations[0]!;
    expect(top.target).toBe('hook-fix');
    expect(top.title).toBe('Speed up the PreToolUse hook');
    expect(top.harnessQuotes[0]).toEqual({ source: '.codex/hooks.json', line: 9, text: 'python3 .codex/hooks/policy_check.py' });
    expect(top.change).toContain('`matcher` (now `*`)');
  });

  it('MCP from what reviewers say: a server that never starts leaves no span of its own', async () => {
    const f = await runFixture({
      files: { 'AGENTS.md': AGENTS, '.codex/config.toml': '[mcp_servers.docs]\ncommand = "docs-mcp-server"\nstartup_timeout_sec = 2\n' },
      sessions: [{ id: tid(14, 1), task: 'What does the docs server say about quotas?', steps: [], answer: 'I could not reach the documentation.' }],
      feedback: [
        {
          traceId: tid(14, 1),
          source: 'human',
          category: 'tools',
          severity: 'high',
          observation: 'The docs MCP server timed out at startup, so the answer had nothing to go on.',
        },
      ],
    });
    const top = f.result.recommendations[0]!;
    expect(top.target).toBe('mcp-server');
    expect(top.change).toContain('startup_timeout_sec = 30');
    expect(top.change).toContain('(now 2)');
    expect(top.harnessQuotes[0]).toEqual({ source: '.codex/config.toml', line: 1, text: '[mcp_servers.docs]' });
  });
});

describe('prose that already failed becomes a mechanism', () => {
  it('a rule that forbids touching a path, broken anyway, becomes a PreToolUse hook on that path', async () => {
    const f = await runFixture({
      files: { 'AGENTS.md': '# Rules\n\n- Never edit files under `vendor/`; they are generated.\n', 'vendor/lib.js': 'export {}\n' },
      sessions: [
        { id: tid(15, 1), task: 'Fix the date bug', steps: [{ patch: 'vendor/lib.js', content: 'export const d = 1;' }], answer: 'Fixed in vendor/lib.js.' },
      ],
      feedback: [
        {
          traceId: tid(15, 1),
          source: 'human',
          category: 'scope',
          severity: 'high',
          observation: 'It edited vendor/lib.js, which is generated and gets overwritten.',
        },
      ],
    });
    const top = f.result.recommendations[0]!;
    expect(top.target).toBe('pre-tool-use-hook');
    expect(top.ruleStatus).toBe('present-not-followed');
    expect(top.change).toContain('`vendor/`');
    expect(top.harnessQuotes[0]!.line).toBe(3);
  });

  it('a skill whose body covers the feedback but that was never opened outranks a schema', async () => {
    const skill =
      '---\nname: changelog\ndescription: Changelog helper.\n---\n\n1. Put every entry under a Added, Changed or Fixed section heading.\n2. Link each entry to its pull request.\n';
    const f = await runFixture({
      files: { 'AGENTS.md': AGENTS, '.agents/skills/changelog/SKILL.md': skill },
      sessions: [
        { id: tid(16, 1), task: 'Add the changelog entry for the login fix', steps: [{ patch: 'CHANGELOG.md', content: '- fixed login' }], answer: 'Added.' },
      ],
      feedback: [
        {
          traceId: tid(16, 1),
          source: 'human',
          category: 'format',
          severity: 'high',
          observation: 'The changelog entry has no Fixed section heading and no pull request link.',
        },
      ],
    });
    const top = f.result.recommendations[0]!;
    expect(top.target).toBe('skill-description');
    expect(top.files).toEqual(['.agents/skills/changelog/SKILL.md']);
  });
});
