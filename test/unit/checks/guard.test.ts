import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkWrite, judgeToolCall, renderGuardDeny, type GuardPolicy } from '../../../src/checks/guard.js';
import { DEFAULT_GUARD } from '../../../src/checks/hook-config.js';
import { makeRepo, readCorpus, type FixtureRepo } from './fixture-repo.js';

const HOOKS_JSON = `${JSON.stringify({ hooks: { PreToolUse: [{ matcher: '*', hooks: [{ type: 'command', command: 'node "$(git rev-parse --show-toplevel 2>/dev/null || pwd)/.codex/harness-loop/hooks/edit_guard.cjs"', timeout: 10 }] }] } }, null, 2)}\n`;
const HOME = '/home/guard-test-user'; // outside the repository and outside the temp folders
let repo: FixtureRepo;
let policy: GuardPolicy;

beforeAll(() => {
  repo = makeRepo({
    'AGENTS.md': '# rules\n',
    'src/app.ts': 'export const a = 1;\n',
    'docs/guide.md': 'guide\n',
    '.codex/config.toml': '',
    '.codex/x': 'x\n',
    'skills/demo/SKILL.md': '---\nname: demo\n---\n',
    'package.json': '{"name":"fixture"}\n',
    '.codex/hooks.json': HOOKS_JSON,
    '.codex/harness-loop/hooks/edit_guard.cjs': '// bundle\n',
    '.harness-loop/config.yaml': 'critic:\n  model: gpt-5.4-mini\nguard:\n  always: true\n',
    '.harness-loop/evals/promptfooconfig.yaml': 'tests: []\n',
  });
  repo.link('skills/to-src', '../src');
  repo.link('hooks/app-link.ts', '../src/app.ts');
  policy = { root: repo.root, allow: DEFAULT_GUARD.allow, why: 'cycle c1 is in its implement phase' };
});
afterAll(() => repo.remove());

const bash = (command: string, cwd = repo.root) => judgeToolCall({ tool_name: 'Bash', tool_input: { command }, cwd }, policy, HOME);
const patch = (text: string) => judgeToolCall({ tool_name: 'apply_patch', tool_input: { command: text }, cwd: repo.root }, policy, HOME);

const bypasses = readCorpus(readFileSync('test/fixtures/guard/bypasses.txt', 'utf8'));
const benign = readCorpus(readFileSync('test/fixtures/guard/benign.txt', 'utf8'));

describe('edit guard corpus', () => {
  it('has at least 40 bypass attempts and 25 benign commands', () => {
    expect(bypasses.length).toBeGreaterThanOrEqual(40);
    expect(benign.length).toBeGreaterThanOrEqual(25);
  });

  it.each(bypasses)('denies %j', (command) => {
    const verdict = bash(command);
    expect(verdict.allowed, verdict.reason).toBe(false);
    expect(verdict.reason).toContain('You may edit:');
  });

  it.each(benign)('allows %j', (command) => {
    const verdict = bash(command);
    expect(verdict, verdict.reason).toMatchObject({ allowed: true });
  });
});

describe('apply_patch through the tool', () => {
  const wrap = (body: string) => `*** Begin Patch\n${body}\n*** End Patch\n`;
  const attacks = JSON.parse(readFileSync('test/fixtures/guard/patch-attacks.json', 'utf8')) as { name: string; patch: string }[];
  const edits = JSON.parse(readFileSync('test/fixtures/guard/patch-harness-edits.json', 'utf8')) as { name: string; patch: string }[];

  it.each(attacks.map((a) => [a.name, a.patch]))('denies %s', (_name, text) => {
    const v = patch(text);
    expect(v.allowed, v.reason).toBe(false);
  });

  it.each(edits.map((a) => [a.name, a.patch]))('allows %s', (_name, text) => {
    const v = patch(text);
    expect(v, v.reason).toMatchObject({ allowed: true });
  });

  it('allows a patch that only touches harness files', () => {
    const v = patch(wrap('*** Update File: AGENTS.md\n@@\n-a\n+b\n*** Add File: .codex/prompts/x.md\n+{}\n*** Delete File: skills/demo/old.md'));
    expect(v).toEqual({ allowed: true, reason: 'every path written is a harness file', paths: ['AGENTS.md', '.codex/prompts/x.md', 'skills/demo/old.md'] });
  });

  it.each([
    ['an added source file', '*** Add File: src/new.ts\n+x'],
    ['a deleted source file', '*** Delete File: src/app.ts'],
    ['a move out of the allow-list', '*** Update File: AGENTS.md\n*** Move to: src/AGENTS.ts\n@@\n-a\n+b'],
    ['a path with ..', '*** Update File: .codex/../src/app.ts\n@@\n-a\n+b'],
    ['an absolute path outside the repository', '*** Add File: /etc/evil\n+x'],
    ['a write through a symlink', '*** Update File: skills/to-src/app.ts\n@@\n-a\n+b'],
  ])('denies %s', (_name, body) => {
    expect(patch(wrap(body)).allowed).toBe(false);
  });

  it('checks every file of a patch, not only the first', () => {
    const v = patch(wrap('*** Update File: AGENTS.md\n@@\n-a\n+b\n*** Update File: src/app.ts\n@@\n-a\n+b'));
    expect(v.allowed).toBe(false);
    expect(v.reason).toContain('src/app.ts (apply_patch (update)) is not a harness file');
    expect(v.reason).not.toContain('- AGENTS.md');
  });

  it('fails closed on a patch it cannot read', () => {
    const v = patch('*** Begin Patch\n*** Frobnicate File: src/app.ts\n*** End Patch\n');
    expect(v.allowed).toBe(false);
    expect(v.reason).toContain('line 2 is not a valid hunk header');
  });

  it('reads the real PreToolUse apply_patch payload Codex sends', () => {
    const input = JSON.parse(readFileSync('test/fixtures/codex-hooks/PreToolUse.apply_patch.json', 'utf8'));
    const v = judgeToolCall({ ...input, cwd: repo.root }, policy, HOME);
    expect(v).toMatchObject({ allowed: false, paths: ['hello.txt'] });
  });
});

describe('reasons the model can act on', () => {
  it('names the file, the command and what may be edited instead', () => {
    expect(bash("sed -i 's/a/b/' src/app.ts").reason).toBe(
      [
        'harness-loop edit guard: cycle c1 is in its implement phase, so only harness files may change.',
        '- src/app.ts (sed -i) is not a harness file',
        `You may edit: ${DEFAULT_GUARD.allow.join(', ')}. Make the change there (for example an AGENTS.md rule or a skill), using apply_patch or a command whose written paths are literal.`,
      ].join('\n'),
    );
  });

  it('says why it cannot tell what a command writes', () => {
    expect(bash('echo x > $TARGET').reason).toContain(
      '- cannot tell what this writes: redirection > writes to $TARGET, which the guard cannot resolve: $TARGET is not known to the guard',
    );
  });

  it('names the symlink target when a harness path leads elsewhere', () => {
    expect(bash('echo x > hooks/app-link.ts').reason).toContain('hooks/app-link.ts (redirection >) is a symlink to src/app.ts, which is not a harness file');
  });

  it('resolves the cwd of the call, including a subfolder of the repository', () => {
    expect(bash('echo x > app.ts', join(repo.root, 'src')).reason).toContain('- src/app.ts (redirection >) is not a harness file');
    expect(bash('echo x > AGENTS.md', join(repo.root, 'src')).allowed).toBe(true);
  });

  it('renders the deny answer with exactly the keys Codex honours', () => {
    expect(renderGuardDeny('R')).toBe('{"hookSpecificOutput":{"hookEventName":"PreToolUse","permissionDecision":"deny","permissionDecisionReason":"R"}}');
  });
});

describe('running files', () => {
  it('refuses a file changed since the cycle started, in any form of running it, and allows older ones', () => {
    repo.write('hooks/old.sh', 'echo old\n');
    const started = { ...policy, since: Date.now() + 60_000 }; // the cycle starts after old.sh was written
    expect(judgeToolCall({ tool_name: 'Bash', tool_input: { command: 'bash hooks/old.sh' }, cwd: repo.root }, started, HOME).allowed).toBe(true);
    const later = { ...policy, since: Date.now() - 60_000 }; // old.sh changed during the cycle
    for (const command of [
      'bash hooks/old.sh',
      'sh < hooks/old.sh',
      'source hooks/old.sh',
      './hooks/old.sh',
      'cd hooks && ./old.sh',
      'env X=1 bash hooks/old.sh',
    ]) {
      const v = judgeToolCall({ tool_name: 'Bash', tool_input: { command }, cwd: repo.root }, later, HOME);
      expect(v.allowed, command).toBe(false);
      expect(v.reason).toContain('hooks/old.sh');
      expect(v.reason).toContain('was created or changed during this cycle');
    }
  });
});

describe('checkWrite', () => {
  const w = (path: string, subtree = false) => checkWrite({ path, via: 'test', op: 'write', subtree }, policy);

  it('allows device files but no other path outside the repository, temp folders included', () => {
    expect(w('/dev/null')).toBeNull();
    expect(w('/tmp/scratch')).toBe('is outside the repository');
    expect(w(join(repo.root, '..', 'outside.txt'))).toBe('is outside the repository');
  });

  it('refuses a folder whose contents are not all harness files', () => {
    expect(w(join(repo.root, '.agents'), true)).toBe('is not a harness file');
    expect(w(join(repo.root, 'skills'), true)).toBeNull();
    expect(w(join(repo.root, 'skills/demo/SKILL.md'), true)).toBeNull();
  });

  it('refuses the repository root itself', () => {
    expect(w(repo.root, true)).toBe('is the repository itself');
  });

  it('leaves read-only built-ins alone and refuses other tools unless listed read-only', () => {
    expect(judgeToolCall({ tool_name: 'view_image', tool_input: { path: 'a.png' }, cwd: repo.root }, policy, HOME)).toEqual({
      allowed: true,
      reason: 'the call writes no file',
      paths: [],
    });
    for (const tool of ['mcp__probe__echo', 'write_stdin']) {
      const v = judgeToolCall({ tool_name: tool, tool_input: { text: 'hi', chars: 'rm -rf src\n' }, cwd: repo.root }, policy, HOME);
      expect(v.allowed, tool).toBe(false);
      expect(v.reason).toContain(`${tool} is not a shell or apply_patch call`);
    }
    const listed = { ...policy, readOnlyTools: ['mcp__probe__*'] };
    expect(judgeToolCall({ tool_name: 'mcp__probe__echo', tool_input: { text: 'hi' }, cwd: repo.root }, listed, HOME).allowed).toBe(true);
  });
});
