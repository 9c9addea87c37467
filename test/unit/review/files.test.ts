import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveWorkspaceFile } from '../../../src/review/files.js';

describe('resolveWorkspaceFile', () => {
  let root: string;
  let outside: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'hl-files-'));
    outside = mkdtempSync(join(tmpdir(), 'hl-files-out-'));
    mkdirSync(join(root, 'docs'));
    writeFileSync(join(root, 'docs', 'a.md'), 'inside\n');
    writeFileSync(join(outside, 'secret.txt'), 'secret\n');
    symlinkSync(join(outside, 'secret.txt'), join(root, 'docs', 'leak.md'));
    symlinkSync(outside, join(root, 'out'));
    symlinkSync(join(root, 'docs', 'a.md'), join(root, 'alias.md'));
  });

  it('serves a file inside the workspace, and a symlink that stays inside', async () => {
    await expect(resolveWorkspaceFile(root, 'docs/a.md')).resolves.toMatchObject({ ok: true, relative: 'docs/a.md' });
    await expect(resolveWorkspaceFile(root, './docs/../docs/a.md')).resolves.toMatchObject({ ok: true, relative: 'docs/a.md' });
    await expect(resolveWorkspaceFile(root, 'alias.md')).resolves.toMatchObject({ ok: true, relative: 'docs/a.md' });
  });

  it.each(['../secret.txt', 'docs/../../secret.txt', '..', '..\\..\\etc\\passwd', decodeURIComponent('%2e%2e/%2e%2e/etc/passwd')])(
    'refuses %s, which leaves the workspace',
    async (path) => {
      await expect(resolveWorkspaceFile(root, path)).resolves.toMatchObject({ ok: false, status: 403 });
    },
  );

  it('refuses absolute paths, drive letters and NUL bytes', async () => {
    await expect(resolveWorkspaceFile(root, join(root, 'docs', 'a.md'))).resolves.toMatchObject({ ok: false, status: 403 });
    await expect(resolveWorkspaceFile(root, '/etc/passwd')).resolves.toMatchObject({ ok: false, status: 403 });
    await expect(resolveWorkspaceFile(root, 'C:\\Windows\\win.ini')).resolves.toMatchObject({ ok: false, status: 403 });
    await expect(resolveWorkspaceFile(root, 'docs/a.md\0.png')).resolves.toMatchObject({ ok: false, status: 400 });
  });

  it('refuses symlinks whose target is outside, file or folder', async () => {
    await expect(resolveWorkspaceFile(root, 'docs/leak.md')).resolves.toMatchObject({ ok: false, status: 403 });
    await expect(resolveWorkspaceFile(root, 'out/secret.txt')).resolves.toMatchObject({ ok: false, status: 403 });
  });

  it('treats a still-encoded %2e%2e as a name, which does not exist', async () => {
    await expect(resolveWorkspaceFile(root, '%2e%2e/%2e%2e/etc/passwd')).resolves.toMatchObject({ ok: false, status: 404 });
    await expect(resolveWorkspaceFile(root, 'docs')).resolves.toMatchObject({ ok: false, status: 404 });
  });
});
