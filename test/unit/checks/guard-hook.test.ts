import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runEditGuard } from '../../../src/checks/guard-hook.js';
import { DEFAULT_GUARD } from '../../../src/checks/hook-config.js';
import { makeRepo, type FixtureRepo } from './fixture-repo.js';

const NOW = new Date('2026-11-25T12:00:00.000Z');
const bashSample = JSON.parse(readFileSync('test/fixtures/codex-hooks/PreToolUse.Bash.json', 'utf8'));
const patchSample = JSON.parse(readFileSync('test/fixtures/codex-hooks/PreToolUse.apply_patch.json', 'utf8'));
let repo: FixtureRepo;

beforeEach(() => {
  repo = makeRepo({ 'AGENTS.md': '# rules\n', 'src/app.ts': 'export const a = 1;\n' });
});
afterEach(() => repo.remove());

const implement = () => repo.write('.harness-loop/cycle.json', JSON.stringify({ id: 'c1', phase: 'implement' }));
const bash = (command: string) => JSON.stringify({ ...bashSample, cwd: repo.root, tool_input: { command } });
const patch = (text: string) => JSON.stringify({ ...patchSample, cwd: repo.root, tool_input: { command: text } });
const run = (stdin: string) => runEditGuard(stdin, { cwd: repo.root, home: repo.home, now: NOW });
const jsonl = (rel: string) =>
  readFileSync(join(repo.root, rel), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

describe('edit_guard hook', () => {
  it('stays out of the way outside a cycle: no output, no log', () => {
    expect(run(bash("sed -i 's/a/b/' src/app.ts"))).toBe('');
    expect(existsSync(join(repo.root, '.harness-loop'))).toBe(false);
  });

  it('stays off in other cycle phases', () => {
    repo.write('.harness-loop/cycle.json', JSON.stringify({ id: 'c1', phase: 'evaluate' }));
    expect(run(bash("sed -i 's/a/b/' src/app.ts"))).toBe('');
  });

  it('denies a write to a source file in the implement phase with the exact PreToolUse JSON', () => {
    implement();
    expect(run(bash("sed -i 's/a/b/' src/app.ts"))).toBe(
      JSON.stringify({
        hookSpecificOutput: {
          hookEventName: 'PreToolUse',
          permissionDecision: 'deny',
          permissionDecisionReason: `harness-loop edit guard: cycle c1 is in its implement phase, so only harness files may change.\n- src/app.ts (sed -i) is not a harness file\nYou may edit: ${DEFAULT_GUARD.allow.join(', ')}. Make the change there (for example an AGENTS.md rule or a skill), using apply_patch or a command whose written paths are literal.`,
        },
      }),
    );
  });

  it('logs every decision and turns blocks into hook feedback', () => {
    implement();
    run(patch('*** Begin Patch\n*** Update File: AGENTS.md\n@@\n-a\n+b\n*** End Patch\n'));
    run(bash('rm src/app.ts'));
    expect(jsonl('.harness-loop/guard.jsonl').map((e) => [e.time, e.sessionId, e.toolUseId, e.tool, e.decision, e.paths])).toEqual([
      ['2026-11-25T12:00:00.000Z', patchSample.session_id, patchSample.tool_use_id, 'apply_patch', 'allow', ['AGENTS.md']],
      ['2026-11-25T12:00:00.000Z', bashSample.session_id, bashSample.tool_use_id, 'Bash', 'deny', ['src/app.ts']],
    ]);
    expect(jsonl('.harness-loop/feedback/hooks.jsonl')).toEqual([
      expect.objectContaining({
        traceId: bashSample.session_id,
        spanId: bashSample.tool_use_id,
        source: 'hook',
        author: 'harness-loop/edit_guard',
        category: 'hook_block',
        observation: 'The edit guard blocked a Bash call because cycle c1 is in its implement phase: src/app.ts (rm) is not a harness file',
        evidence: ['command: rm src/app.ts', 'src/app.ts (rm) is not a harness file'],
      }),
    ]);
  });

  it('guards every session when guard.always is set', () => {
    repo.write('.harness-loop/config.yaml', 'guard:\n  always: true\n  allow: [docs/**]\n');
    expect(JSON.parse(run(bash('echo x > AGENTS.md'))).hookSpecificOutput.permissionDecisionReason).toContain(
      'guard.always is set in .harness-loop/config.yaml',
    );
    expect(run(bash('echo x > docs/notes.md'))).toBe('');
  });

  it('fails closed on a cycle file it cannot parse', () => {
    repo.write('.harness-loop/cycle.json', '{"phase": "impl');
    const reason = JSON.parse(run(bash('ls'))).hookSpecificOutput.permissionDecisionReason;
    expect(reason).toContain('.harness-loop/cycle.json is not valid JSON; fix it or finish the cycle');
  });

  it('fails closed on a payload it cannot read while on, and logs it', () => {
    implement();
    const reason = JSON.parse(run('{"tool_name": ')).hookSpecificOutput.permissionDecisionReason;
    expect(reason).toMatch(/^harness-loop edit guard: cycle c1 is in its implement phase, and cannot read the hook payload \(.+\)\. The guard fails closed/);
    expect(readFileSync(join(repo.root, '.harness-loop/hook-errors.log'), 'utf8')).toMatch(/^2026-11-25T12:00:00.000Z edit_guard: malformed hook input: /);
  });

  it('lets a malformed payload through when off, but logs it', () => {
    expect(run('nonsense')).toBe('');
    expect(readFileSync(join(repo.root, '.harness-loop/hook-errors.log'), 'utf8')).toContain('edit_guard: malformed hook input');
  });

  it('fails closed on an unreadable config during a cycle, and stays off without one', () => {
    repo.write('.harness-loop/config.yaml', 'guard: [broken\n');
    expect(run(bash('ls'))).toBe('');
    expect(readFileSync(join(repo.root, '.harness-loop/hook-errors.log'), 'utf8')).toContain('the guard stays off outside a cycle');
    implement();
    expect(JSON.parse(run(bash('ls'))).hookSpecificOutput.permissionDecisionReason).toContain('.harness-loop/config.yaml line 1');
  });

  it('finds the repository from a subfolder cwd', () => {
    implement();
    const stdin = JSON.stringify({ ...bashSample, cwd: join(repo.root, 'src'), tool_input: { command: 'echo x > app.ts' } });
    expect(JSON.parse(run(stdin)).hookSpecificOutput.permissionDecisionReason).toContain('- src/app.ts (redirection >) is not a harness file');
  });
});
