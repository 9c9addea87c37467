import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkWrite, judgeToolCall, renderGuardDeny, type GuardPolicy } from '../../../src/checks/guard.js';
import { DEFAULT_GUARD } from '../../../src/checks/hook-config.js';
import { makeRepo, readCorpus, type FixtureRepo } from './fixture-repo.js';

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

  it('allows a patch that only touches harness files', () => {
    const v = patch(wrap('*** Update File: AGENTS.md\n@@\n-a\n+b\n*** Add File: .codex/hooks.json\n+{}\n*** Delete File: skills/demo/old.md'));
    expect(v).toEqual({ allowed: true, reason: 'every path written is a harness file', paths: ['AGENTS.md', '.codex/hooks.json', 'skills/demo/old.md'] });
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
    expect(v.reason).toContain('unknown patch header on line 2');
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
    expect(bash('echo x > $TARGET').reason).toContain('- cannot tell what this writes: redirection > writes to $TARGET, which the guard cannot resolve: $TARGET is not known to the guard');
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

describe('checkWrite', () => {
  const w = (path: string, subtree = false) => checkWrite({ path, via: 'test', op: 'write', subtree }, policy);

  it('allows device files and temp folders outside the repository', () => {
    expect(w('/dev/null')).toBeNull();
    expect(w('/tmp/scratch')).toBeNull();
  });

  it('refuses a folder whose contents are not all harness files', () => {
    expect(w(join(repo.root, '.agents'), true)).toBe('is not a harness file');
    expect(w(join(repo.root, 'skills'), true)).toBeNull();
    expect(w(join(repo.root, 'skills/demo/SKILL.md'), true)).toBeNull();
  });

  it('refuses the repository root itself', () => {
    expect(w(repo.root, true)).toBe('is the repository itself');
  });

  it('leaves tools that write nothing alone', () => {
    expect(judgeToolCall({ tool_name: 'mcp__probe__echo', tool_input: { text: 'hi' }, cwd: repo.root }, policy, HOME)).toEqual({ allowed: true, reason: 'the call writes no file', paths: [] });
  });
});
