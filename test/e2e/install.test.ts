import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parse as parseToml } from 'smol-toml';
import { runCli } from '../support/cli.js';
import { trustKey, trustedHash } from '../../src/install/trust.js';

/** Every file under a folder with its content, for before/after comparisons. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      const abs = join(entry.parentPath, entry.name);
      out[relative(dir, abs)] = readFileSync(abs, 'utf8');
    }
  }
  return out;
}

function userRepo(): { repo: string; codexHome: string } {
  const root = mkdtempSync(join(tmpdir(), 'hl-install-'));
  const repo = join(root, 'repo');
  mkdirSync(join(repo, '.codex'), { recursive: true });
  writeFileSync(join(repo, 'AGENTS.md'), '# Team rules\n\nAlways run the tests.\n');
  writeFileSync(
    join(repo, '.codex', 'hooks.json'),
    JSON.stringify({ hooks: { PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: 'node team-hook.mjs', timeout: 5 }] }] } }, null, 2),
  );
  execFileSync('git', ['init', '-q'], { cwd: repo });
  const codexHome = join(root, 'codex-home');
  mkdirSync(codexHome);
  writeFileSync(join(codexHome, 'config.toml'), '# my settings\nmodel = "gpt-5.5"\n\n[projects."/elsewhere"]\ntrust_level = "trusted"\n');
  return { repo, codexHome };
}

describe('harness-loop install / uninstall', () => {
  it("installs the skill, bundle, hooks, AGENTS.md block and config, keeping the user's own hooks", async () => {
    const { repo, codexHome } = userRepo();
    const r = await runCli(['install', '--target', repo], { env: { CODEX_HOME: codexHome } });
    expect(r.exitCode, r.stderr).toBe(0);
    // The next step names the command as it was started here (the checkout's bin), not a bare
    // `harness-loop` that may not be on PATH.
    expect(r.stdout).toMatch(/run 'node \S*bin\/harness-loop\.js install --trust --target /);
    expect(existsSync(join(repo, '.agents/skills/harness-improvement/SKILL.md'))).toBe(true);
    expect(existsSync(join(repo, '.codex/harness-loop/harness-loop.mjs'))).toBe(true);
    expect(existsSync(join(repo, '.codex/harness-loop/hooks/edit_guard.cjs'))).toBe(true);
    expect(existsSync(join(repo, '.codex/harness-loop/hooks/check_evidence_coverage.cjs'))).toBe(true);
    expect(existsSync(join(repo, '.harness-loop/config.yaml'))).toBe(true);
    const hooks = JSON.parse(readFileSync(join(repo, '.codex/hooks.json'), 'utf8'));
    expect(hooks.hooks.PreToolUse[0].hooks[0].command).toBe('node team-hook.mjs');
    expect(hooks.hooks.PreToolUse[1].hooks[0].command).toContain('.codex/harness-loop/hooks/edit_guard.cjs');
    expect(hooks.hooks.PostToolUse[0].hooks[0].command).toContain('check_evidence_coverage.cjs');
    const agents = readFileSync(join(repo, 'AGENTS.md'), 'utf8');
    expect(agents.startsWith('# Team rules\n\nAlways run the tests.\n')).toBe(true);
    expect(agents).toContain('<!-- harness-loop:begin');
    // The block names commands that work in this repository, where harness-loop is not on PATH.
    expect(agents).toContain('run `node .codex/harness-loop/harness-loop.mjs verify --provider codex`');
    expect(agents).not.toMatch(/`harness-loop verify`/);
    // Without --trust nothing in CODEX_HOME changes.
    expect(readFileSync(join(codexHome, 'config.toml'), 'utf8')).toBe('# my settings\nmodel = "gpt-5.5"\n\n[projects."/elsewhere"]\ntrust_level = "trusted"\n');
  });

  it('changes nothing when run twice', async () => {
    const { repo, codexHome } = userRepo();
    expect((await runCli(['install', '--target', repo, '--trust'], { env: { CODEX_HOME: codexHome } })).exitCode).toBe(0);
    const before = { repo: snapshot(repo), home: snapshot(codexHome) };
    const again = await runCli(['install', '--target', repo, '--trust'], { env: { CODEX_HOME: codexHome } });
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain('nothing changed');
    expect({ repo: snapshot(repo), home: snapshot(codexHome) }).toEqual(before);
  });

  it("records trusted hashes and project trust that match Codex's algorithm, keeping the user's config", async () => {
    const { repo, codexHome } = userRepo();
    expect((await runCli(['install', '--target', repo, '--trust'], { env: { CODEX_HOME: codexHome } })).exitCode).toBe(0);
    const text = readFileSync(join(codexHome, 'config.toml'), 'utf8');
    expect(text.startsWith('# my settings\nmodel = "gpt-5.5"\n')).toBe(true);
    const toml = parseToml(text) as { projects: Record<string, { trust_level: string }>; hooks: { state: Record<string, { trusted_hash: string }> } };
    expect(toml.projects[repo]!.trust_level).toBe('trusted');
    const hooksJson = join(repo, '.codex/hooks.json');
    const hooks = JSON.parse(readFileSync(hooksJson, 'utf8'));
    const guard = hooks.hooks.PreToolUse[1];
    expect(toml.hooks.state[trustKey(hooksJson, 'PreToolUse', 1, 0)]!.trusted_hash).toBe(trustedHash('PreToolUse', guard.matcher, guard.hooks[0]));
    // The user's own hook is not trusted on their behalf.
    expect(toml.hooks.state[trustKey(hooksJson, 'PreToolUse', 0, 0)]).toBeUndefined();
  });

  it('uninstall removes exactly what install added', async () => {
    const { repo, codexHome } = userRepo();
    const before = { repo: snapshot(repo), home: snapshot(codexHome) };
    expect((await runCli(['install', '--target', repo, '--trust'], { env: { CODEX_HOME: codexHome } })).exitCode).toBe(0);
    const r = await runCli(['uninstall', '--target', repo], { env: { CODEX_HOME: codexHome } });
    expect(r.exitCode, r.stderr).toBe(0);
    const after = { repo: snapshot(repo), home: snapshot(codexHome) };
    // hooks.json is re-serialised, so compare it as data.
    expect(JSON.parse(after.repo['.codex/hooks.json']!)).toEqual(JSON.parse(before.repo['.codex/hooks.json']!));
    delete after.repo['.codex/hooks.json'];
    delete before.repo['.codex/hooks.json'];
    expect(after).toEqual(before);
    expect(existsSync(join(repo, '.agents'))).toBe(false);
    expect(existsSync(join(repo, '.harness-loop'))).toBe(false);
  });

  it('keeps a file the user changed after install', async () => {
    const { repo, codexHome } = userRepo();
    await runCli(['install', '--target', repo], { env: { CODEX_HOME: codexHome } });
    writeFileSync(join(repo, '.harness-loop/config.yaml'), 'critic:\n  model: my-model\n');
    const r = await runCli(['uninstall', '--target', repo], { env: { CODEX_HOME: codexHome } });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain('config.yaml: changed since install');
    expect(readFileSync(join(repo, '.harness-loop/config.yaml'), 'utf8')).toBe('critic:\n  model: my-model\n');
  });

  it('refuses bad targets with exit 2 and changes nothing', async () => {
    const { repo, codexHome } = userRepo();
    const missing = await runCli(['install', '--target', join(repo, 'nope')], { env: { CODEX_HOME: codexHome } });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('target folder does not exist');

    writeFileSync(join(repo, '.codex/hooks.json'), '{ "hooks": { ');
    const before = snapshot(repo);
    const broken = await runCli(['install', '--target', repo], { env: { CODEX_HOME: codexHome } });
    expect(broken.exitCode).toBe(2);
    expect(broken.stderr).toContain('hooks.json: not valid hooks JSON');
    expect(snapshot(repo)).toEqual(before);

    const locked = mkdtempSync(join(tmpdir(), 'hl-locked-'));
    chmodSync(locked, 0o555);
    const ro = await runCli(['install', '--target', locked], { env: { CODEX_HOME: codexHome } });
    // root ignores permission bits; the check still must not crash either way.
    expect([0, 2]).toContain(ro.exitCode);
  });

  it('runs the installed CLI with plain node and no node_modules', async () => {
    const { repo, codexHome } = userRepo();
    await runCli(['install', '--target', repo], { env: { CODEX_HOME: codexHome } });
    const out = execFileSync(process.execPath, [join(repo, '.codex/harness-loop/harness-loop.mjs'), '--help'], { cwd: repo, encoding: 'utf8' });
    expect(out).toContain('Usage: harness-loop <command>');
  });
});
