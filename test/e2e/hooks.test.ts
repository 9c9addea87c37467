// The two hooks, built into dist/hooks/, registered in $CODEX_HOME/hooks.json and run by the real
// Codex binary; the only stand-in is the model (test/support/mock-responses.ts).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isolatedEnv, mockProviderArgs, runCodexExec } from '../support/codex.js';
import { scriptedPolicy, startMockResponses, type MockServer, type MockStep, type RecordedRequest } from '../support/mock-responses.js';

const HOOKS = resolve('dist/hooks');
const APP = 'export const retries = 3;\n';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

interface Workspace {
  repo: string;
  env: NodeJS.ProcessEnv;
}

function makeWorkspace(): Workspace {
  const root = mkdtempSync(join(tmpdir(), 'hl-hooks-e2e-'));
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  const repo = join(root, 'repo');
  mkdirSync(join(repo, 'docs'), { recursive: true });
  mkdirSync(join(repo, 'src'), { recursive: true });
  writeFileSync(join(repo, 'docs/guide.md'), '# Retry guide\nThe client retries a failed request 3 times.\nRequests time out after 30 seconds.\n');
  writeFileSync(join(repo, 'src/app.ts'), APP);
  writeFileSync(join(repo, 'AGENTS.md'), '# Rules\n- Cite the docs.\n');
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: repo });
  git('init', '-q');
  git('add', '-A');
  git('commit', '-qm', 'fixture');
  const env = isolatedEnv(root);
  const handler = (id: string, timeout: number) => ({ type: 'command', command: `node "${join(HOOKS, `${id}.cjs`)}"`, timeout });
  writeFileSync(
    join(env.CODEX_HOME!, 'hooks.json'),
    JSON.stringify({
      hooks: {
        PreToolUse: [{ matcher: 'apply_patch|Edit|Write|Bash', hooks: [handler('edit_guard', 10)] }],
        PostToolUse: [{ matcher: 'apply_patch|Edit|Write|Bash', hooks: [handler('check_evidence_coverage', 30)] }],
      },
    }),
  );
  return { repo, env };
}

async function runSession(ws: Workspace, steps: MockStep[]): Promise<{ mock: MockServer; stderr: string }> {
  const mock = await startMockResponses(scriptedPolicy(steps));
  cleanups.push(() => mock.close());
  const run = await runCodexExec(
    [
      '--json',
      '--dangerously-bypass-hook-trust',
      ...mockProviderArgs(mock.url),
      '-m',
      'gpt-5.5',
      '-s',
      'workspace-write',
      'Answer the question in output/answer.md',
    ],
    {
      cwd: ws.repo,
      env: ws.env,
    },
  );
  expect(run.code, run.stderr).toBe(0);
  expect(mock.requests).toHaveLength(steps.length);
  return { mock, stderr: run.stderr };
}

const addFile = (path: string, lines: string[]) => `*** Begin Patch\n*** Add File: ${path}\n${lines.map((l) => `+${l}`).join('\n')}\n*** End Patch\n`;
const updateFile = (path: string, from: string, to: string) => `*** Begin Patch\n*** Update File: ${path}\n@@\n-${from}\n+${to}\n*** End Patch\n`;

/** The input items after the last model call of a request: what the hooks added and the tool outputs. */
function afterCall(request: RecordedRequest, callId: string): Record<string, unknown>[] {
  const input = request.body.input ?? [];
  const at = input.findIndex((i) => i.call_id === callId && String(i.type).endsWith('_call'));
  return input.slice(at + 1);
}

const developerTexts = (items: Record<string, unknown>[]) =>
  items.filter((i) => i.type === 'message' && i.role === 'developer').map((i) => (i.content as { text: string }[]).map((c) => c.text).join(''));

describe('hooks in a real Codex session', () => {
  it('shows the evidence problems of a written document to the model on its next request', async () => {
    const ws = makeWorkspace();
    const { mock } = await runSession(ws, [
      {
        patch: addFile('output/answer.md', [
          'The client retries 3 times [docs/guide.md#L2].',
          'Requests time out after 45 seconds [docs/guide.md#L3].',
          'Backoff is covered in [docs/backoff.md].',
        ]),
      },
      { answer: 'Done.' },
    ]);
    const items = afterCall(mock.requests[1]!, 'call_patch_1');
    expect(developerTexts(items)).toEqual([
      [
        'check_evidence_coverage: output/answer.md has 2 evidence problems:',
        '- line 2: the number 45 does not appear in docs/guide.md (line 3)',
        '- line 3: [docs/backoff.md]: docs/backoff.md does not exist',
        '',
        'Fix these in the document: cite files inside the repository with lines that exist, quote and number exactly as the source has it, and cite the claims listed.',
      ].join('\n'),
    ]);
    // additionalContext sits beside the tool output, which stays the patch result.
    expect(items.map((i) => i.type)).toEqual(['message', 'custom_tool_call_output']);
    expect(String(items[1]!.output)).toContain('Success. Updated the following files:');

    const records = readFileSync(join(ws.repo, '.harness-loop/feedback/hooks.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ source: 'hook', category: 'citation_error', spanId: 'call_patch_1', traceId: mock.requests[0]!.headers['session-id'] });
  });

  it('adds nothing when the document holds up', async () => {
    const ws = makeWorkspace();
    const { mock } = await runSession(ws, [
      { patch: addFile('output/answer.md', ['The client retries 3 times [docs/guide.md#L2].', 'Requests time out after 30 seconds [docs/guide.md#L3].']) },
      { answer: 'Done.' },
    ]);
    expect(developerTexts(afterCall(mock.requests[1]!, 'call_patch_1'))).toEqual([]);
    expect(existsSync(join(ws.repo, '.harness-loop/feedback/hooks.jsonl'))).toBe(false);
  });

  it('blocks source edits during the implement phase, tells the model why, and lets harness edits through', async () => {
    const ws = makeWorkspace();
    mkdirSync(join(ws.repo, '.harness-loop'));
    writeFileSync(join(ws.repo, '.harness-loop/cycle.json'), JSON.stringify({ id: 'cycle-1', phase: 'implement' }));
    const { mock } = await runSession(ws, [
      { patch: updateFile('src/app.ts', 'export const retries = 3;', 'export const retries = 5;') },
      { shell: "sed -i 's/3/5/' src/app.ts" },
      { patch: updateFile('AGENTS.md', '- Cite the docs.', '- Cite the docs with line ranges.') },
      { answer: 'Done.' },
    ]);
    const patchOutput = afterCall(mock.requests[1]!, 'call_patch_1').find((i) => i.type === 'custom_tool_call_output')!;
    expect(String(patchOutput.output)).toMatch(
      /^Command blocked by PreToolUse hook: harness-loop edit guard: cycle cycle-1 is in its implement phase, so only harness files may change\.\n- src\/app\.ts \(apply_patch \(update\)\) is not a harness file\nYou may edit: \*\*\/AGENTS\.md, /,
    );
    const shellOutput = afterCall(mock.requests[2]!, 'call_shell_2').find((i) => i.type === 'function_call_output')!;
    expect(String(shellOutput.output)).toContain('- src/app.ts (sed -i) is not a harness file');
    const agentsOutput = afterCall(mock.requests[3]!, 'call_patch_3').find((i) => i.type === 'custom_tool_call_output')!;
    expect(String(agentsOutput.output)).toContain('Success. Updated the following files:');

    expect(readFileSync(join(ws.repo, 'src/app.ts'), 'utf8')).toBe(APP);
    expect(readFileSync(join(ws.repo, 'AGENTS.md'), 'utf8')).toBe('# Rules\n- Cite the docs with line ranges.\n');
    const decisions = readFileSync(join(ws.repo, '.harness-loop/guard.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(decisions.map((d) => [d.tool, d.decision, d.paths])).toEqual([
      ['apply_patch', 'deny', ['src/app.ts']],
      ['Bash', 'deny', ['src/app.ts']],
      ['apply_patch', 'allow', ['AGENTS.md']],
    ]);
  });
});
