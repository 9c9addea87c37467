import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliInvocation } from '../../../src/util/invocation.js';
import { isInGitRepo, notGitWarning } from '../../../src/util/git-repo.js';

describe('how the CLI was started', () => {
  it('names the command that works for the user', () => {
    expect(cliInvocation('/usr/local/bin/harness-loop', '/home/u/repo')).toBe('harness-loop');
    expect(cliInvocation('/home/u/repo/node_modules/.bin/harness-loop', '/home/u/repo')).toBe('npx harness-loop');
    expect(cliInvocation('/home/u/repo/.codex/harness-loop/harness-loop.mjs', '/home/u/repo')).toBe('node .codex/harness-loop/harness-loop.mjs');
    expect(cliInvocation('/opt/hl/bin/harness-loop.js', '/home/u/repo')).toBe('node /opt/hl/bin/harness-loop.js');
  });
});

describe('git repository check', () => {
  it('warns outside a repository and not inside one, a subfolder included', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hl-git-'));
    expect(isInGitRepo(dir)).toBe(false);
    expect(notGitWarning(dir)).toMatch(/is not a git repository: .*git init/);
    mkdirSync(join(dir, '.git'));
    mkdirSync(join(dir, 'sub'));
    expect(notGitWarning(join(dir, 'sub'))).toBeNull();
  });
});
