import { describe, expect, it } from 'vitest';
import { activityOf, commandPattern, incidentOf, SLOW_HOOK_MS } from '../../../src/diagnose/signatures.js';
import { span, trace } from '../feedback/helpers.js';

const T = trace({ id: 't', cwd: '/home/user/repo', task: 'Ship it. Use $release-notes.' });
const shell = (cmd: string, exitCode: number, output: string) =>
  span({ id: 'c', kind: 'tool_call', name: 'exec_command', input: JSON.stringify({ cmd }), exitCode, output });

describe('incidentOf', () => {
  it('classifies failing steps by what their output says', () => {
    expect(incidentOf(T, shell('npm ci', 1, 'npm error getaddrinfo ENOTFOUND registry.npmjs.org'))).toMatchObject({ errorClass: 'network', exitCode: 1 });
    expect(incidentOf(T, shell('touch /etc/x', 1, 'touch: cannot touch /etc/x: Read-only file system'))).toMatchObject({
      errorClass: 'sandbox_denied',
      subject: 'touch',
    });
    expect(incidentOf(T, shell('cat docs/x.md', 1, 'cat: docs/x.md: No such file or directory'))).toMatchObject({
      errorClass: 'file_not_found',
      missingPath: 'docs/x.md',
    });
    expect(incidentOf(T, shell('npm test', 124, ''))).toMatchObject({ errorClass: 'timeout', subject: 'npm test' });
    expect(incidentOf(T, shell('npm test', 1, 'FAIL a.test.ts'))).toMatchObject({ errorClass: 'command_failed', subject: 'npm test' });
    expect(incidentOf(T, shell('npm test', 0, 'ok'))).toBeNull();
    expect(incidentOf(T, span({ id: 'm', kind: 'tool_call', name: 'mcp__issues__list', status: 'error', error: 'unauthorized' }))).toMatchObject({
      errorClass: 'mcp_call',
      subject: 'mcp:issues',
    });
    expect(incidentOf(T, span({ id: 'e', kind: 'error', status: 'error', error: 'MCP client for `docs` failed to start: program not found' }))).toMatchObject({
      errorClass: 'mcp_startup',
      subject: 'mcp:docs',
    });
    expect(incidentOf(T, span({ id: 'h', kind: 'hook', name: 'node .codex/hooks/lint.mjs', durationMs: SLOW_HOOK_MS + 500 }))).toMatchObject({
      errorClass: 'hook_slow',
      subject: 'hook:node .codex/hooks/lint.mjs',
    });
  });

  it('reduces a command to its pattern', () => {
    expect(commandPattern('cd app && FOO=1 npm run build -- --watch')).toBe('npm run');
    expect(commandPattern('/usr/bin/pytest -q tests')).toBe('pytest');
    expect(commandPattern("bash -lc 'git push origin main'")).toBe('git push');
  });
});

describe('activityOf', () => {
  it('reads files written through apply_patch and the shell, files read, and skills named in the task', () => {
    const t = trace({
      ...T,
      spans: [
        span({ id: 'p', kind: 'tool_call', name: 'apply_patch', input: '*** Begin Patch\n*** Add File: notes/2.3.md\n+hi\n*** End Patch\n' }),
        shell('cat CHANGELOG.md > /home/user/repo/out/log.txt', 0, ''),
        shell('sed -n 1,20p .agents/skills/x/SKILL.md', 0, ''),
      ],
    });
    const a = activityOf(t);
    expect(a.written).toEqual(['notes/2.3.md', 'out/log.txt']);
    expect(a.read).toContain('CHANGELOG.md');
    expect(a.skillsRead).toEqual(['.agents/skills/x/SKILL.md']);
    expect(a.skillNames).toEqual(['release-notes']);
  });
});
