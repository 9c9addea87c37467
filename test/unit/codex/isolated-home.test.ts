import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from 'smol-toml';
import { afterEach, describe, expect, it } from 'vitest';
import { prepareIsolatedCodexHome, renderIsolatedConfig, RUN_DEFAULTS } from '../../../src/codex/isolated-home.js';
import { LIVE_RUN_PLAN_ENV, prepareLiveRuns, type LiveRunPlan } from '../../../src/codex/live-runs.js';
import { hookTrustEntries, readProjectHookTrust, renderProjectTrust } from '../../../src/codex/project-trust.js';
import { pickCarriedSettings, readCarriedSettings } from '../../../src/codex/user-settings.js';
import { InputError } from '../../../src/errors.js';
import { trustedHash } from '../../../src/install/trust.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tempDir(prefix: string): string {
  const d = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  dirs.push(d);
  return d;
}

function treeDigest(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[relative(dir, p)] = `${statSync(p).mode} ${createHash('sha256').update(readFileSync(p)).digest('hex')}`;
    }
  };
  walk(dir);
  return out;
}

const USER_CONFIG = [
  'model = "gpt-5.5"',
  'model_provider = "corp"',
  'model_reasoning_effort = "minimal"',
  'notify = ["notify-send"]',
  'profile = "work"',
  '',
  '[model_providers.corp]',
  'name = "Corp"',
  'base_url = "https://llm.example.com/v1"',
  'env_key = "CORP_KEY"',
  '',
  '[profiles.work]',
  'model = "gpt-5.5-mini"',
  'model_reasoning_effort = "high"',
  '',
  '[mcp_servers.personal]',
  'command = "my-server"',
  '',
  '[projects."/home/me/repo"]',
  'trust_level = "trusted"',
  '',
].join('\n');

/** A user's Codex home with config, login and a personal hook. */
function userHome(): string {
  const home = tempDir('hl-user-codex-');
  writeFileSync(join(home, 'config.toml'), USER_CONFIG);
  writeFileSync(join(home, 'auth.json'), '{"OPENAI_API_KEY":"sk-user"}\n', { mode: 0o600 });
  writeFileSync(join(home, 'hooks.json'), '{"hooks":{"Stop":[{"hooks":[{"type":"command","command":"echo mine"}]}]}}');
  return home;
}

const HOOKS_JSON = {
  hooks: {
    PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: 'node guard.mjs', timeout: 10 }] }],
    PostToolUse: [
      {
        matcher: 'Bash',
        hooks: [
          { type: 'prompt', prompt: 'not run' },
          { type: 'command', command: 'node note.mjs', statusMessage: 'noting' },
        ],
      },
      { hooks: [{ type: 'command', command: 'node any.mjs', async: true }] },
    ],
    UserPromptSubmit: [{ matcher: 'ignored', hooks: [{ type: 'command', command: 'node prompt.mjs' }] }],
    NotAnEvent: [{ hooks: [{ type: 'command', command: 'x' }] }],
  },
};

/** A project with hooks in hooks.json and one TOML-defined hook. */
function project(): string {
  const dir = tempDir('hl-project-');
  mkdirSync(join(dir, '.codex'));
  writeFileSync(join(dir, '.codex/hooks.json'), JSON.stringify(HOOKS_JSON));
  writeFileSync(
    join(dir, '.codex/config.toml'),
    'model_reasoning_effort = "high"\n\n[[hooks.Stop]]\n[[hooks.Stop.hooks]]\ntype = "command"\ncommand = "node stop.mjs"\ntimeout = 5\n',
  );
  return dir;
}

describe('carried user settings', () => {
  it('keeps model access and drops what shapes the agent', () => {
    const picked = pickCarriedSettings(parse(USER_CONFIG) as Record<string, unknown>);
    expect(picked).toEqual({
      // The selected profile's model wins, as in the user's own sessions; its effort does not come along.
      model: 'gpt-5.5-mini',
      model_provider: 'corp',
      model_providers: { corp: { name: 'Corp', base_url: 'https://llm.example.com/v1', env_key: 'CORP_KEY' } },
    });
  });

  it('reads nothing from a home that does not exist', async () => {
    expect(await readCarriedSettings(join(tmpdir(), 'hl-no-such-codex-home'))).toEqual({ toml: '', keys: [], files: [] });
  });

  it('names the file and line of a user config that does not parse', async () => {
    const home = tempDir('hl-user-codex-');
    writeFileSync(join(home, 'config.toml'), 'model = "gpt-5.5"\nmodel_provider = \n');
    const error = await readCarriedSettings(home).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(
      new RegExp(`^${join(home, 'config.toml').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2: cannot read your Codex config`),
    );
  });
});

describe('project hook trust', () => {
  it('hashes every command handler as Codex does, counting skipped handlers in the index', () => {
    expect(hookTrustEntries('.codex/hooks.json', HOOKS_JSON.hooks)).toEqual([
      {
        file: '.codex/hooks.json',
        label: 'pre_tool_use',
        group: 0,
        handler: 0,
        hash: trustedHash('PreToolUse', 'Bash', { type: 'command', command: 'node guard.mjs', timeout: 10 }),
      },
      {
        file: '.codex/hooks.json',
        label: 'post_tool_use',
        group: 0,
        handler: 1,
        hash: trustedHash('PostToolUse', 'Bash', { type: 'command', command: 'node note.mjs', statusMessage: 'noting' }),
      },
      {
        file: '.codex/hooks.json',
        label: 'post_tool_use',
        group: 1,
        handler: 0,
        hash: trustedHash('PostToolUse', undefined, { type: 'command', command: 'node any.mjs', async: true }),
      },
      {
        file: '.codex/hooks.json',
        label: 'user_prompt_submit',
        group: 0,
        handler: 0,
        hash: trustedHash('UserPromptSubmit', undefined, { type: 'command', command: 'node prompt.mjs' }),
      },
    ]);
  });

  it('covers hooks.json and [[hooks.*]] tables in config.toml, and skips files that do not parse', async () => {
    const dir = project();
    const entries = await readProjectHookTrust(dir);
    expect(entries.map((e) => `${e.file}:${e.label}:${e.group}:${e.handler}`)).toEqual([
      '.codex/hooks.json:pre_tool_use:0:0',
      '.codex/hooks.json:post_tool_use:0:1',
      '.codex/hooks.json:post_tool_use:1:0',
      '.codex/hooks.json:user_prompt_submit:0:0',
      '.codex/config.toml:stop:0:0',
    ]);
    expect(entries.at(-1)!.hash).toBe(trustedHash('Stop', undefined, { type: 'command', command: 'node stop.mjs', timeout: 5 }));
    writeFileSync(join(dir, '.codex/hooks.json'), '{ not json');
    expect((await readProjectHookTrust(dir)).map((e) => e.file)).toEqual(['.codex/config.toml']);
  });

  it('renders TOML that keys trust by the exact path, whatever characters it holds', () => {
    const root = '/tmp/a "quoted" \\ dir/ünï\x7f';
    const text = renderProjectTrust(root, [{ file: '.codex/hooks.json', label: 'stop', group: 0, handler: 2, hash: 'sha256:ab' }]);
    expect(parse(text)).toEqual({
      projects: { [root]: { trust_level: 'trusted' } },
      hooks: { state: { [`${root}/.codex/hooks.json:stop:0:2`]: { trusted_hash: 'sha256:ab' } } },
    });
  });
});

describe('prepareIsolatedCodexHome', () => {
  it('trusts the project with its hooks, carries model access and login, and never writes the user home', async () => {
    const user = userHome();
    const before = treeDigest(user);
    const dir = project();
    const prepared = await prepareIsolatedCodexHome({ projectDir: dir, userCodexHome: user });
    dirs.push(prepared.home);
    expect(prepared.env).toEqual({ CODEX_HOME: prepared.home });
    expect(readdirSync(prepared.home).sort()).toEqual(['auth.json', 'config.toml']);
    const config = parse(readFileSync(join(prepared.home, 'config.toml'), 'utf8')) as Record<string, any>;
    expect(Object.keys(config).sort()).toEqual(['hooks', 'model', 'model_provider', 'model_providers', 'projects', 'sandbox_mode']);
    expect(config.projects).toEqual({ [dir]: { trust_level: 'trusted' } });
    expect(Object.keys(config.hooks.state)).toEqual((await readProjectHookTrust(dir)).map((e) => `${dir}/${e.file}:${e.label}:${e.group}:${e.handler}`));
    expect(readFileSync(join(prepared.home, 'auth.json'), 'utf8')).toBe('{"OPENAI_API_KEY":"sk-user"}\n');
    expect(statSync(join(prepared.home, 'auth.json')).mode & 0o777).toBe(0o600);
    expect(statSync(prepared.home).mode & 0o777).toBe(0o700);
    await prepared.cleanup();
    expect(existsSync(prepared.home)).toBe(false);
    expect(treeDigest(user)).toEqual(before);
  });

  it('trusts the real path of a project reached through a symlink, and keeps the home when asked', async () => {
    const dir = project();
    const link = join(tempDir('hl-link-'), 'project');
    symlinkSync(dir, link);
    const prepared = await prepareIsolatedCodexHome({ projectDir: link, userCodexHome: join(tmpdir(), 'hl-no-such-codex-home'), keep: true });
    dirs.push(prepared.home);
    const config = parse(readFileSync(join(prepared.home, 'config.toml'), 'utf8')) as Record<string, any>;
    expect(Object.keys(config.projects)).toEqual([dir]);
    expect(readdirSync(prepared.home)).toEqual(['config.toml']);
    await prepared.cleanup();
    expect(existsSync(join(prepared.home, 'config.toml'))).toBe(true);
  });
});

describe('the codex provider side (live-run plan)', () => {
  it('writes per-run homes equal to prepareIsolatedCodexHome, with the project free to change the sandbox', async () => {
    const user = userHome();
    const ws = project();
    const live = await prepareLiveRuns({ projectDir: ws, userCodexHome: user });
    dirs.push(live.runDir);
    const plan = JSON.parse(readFileSync(live.env[LIVE_RUN_PLAN_ENV]!, 'utf8')) as LiveRunPlan;
    expect(statSync(live.env[LIVE_RUN_PLAN_ENV]!).mode & 0o777).toBe(0o600);
    expect([plan.keep, plan.carriedKeys, plan.copyFiles]).toEqual([false, ['model', 'model_provider', 'model_providers'], [join(user, 'auth.json')]]);

    // The provider (Node built-ins only) fills in the copy's path; an awkward one must survive.
    const provider = (await import(pathToFileURL(join(process.cwd(), 'src/evals/providers/codex-provider.mjs')).href)) as {
      writeRunHome(plan: LiveRunPlan, home: string, root: string): Promise<void>;
      changedHookSources(plan: LiveRunPlan, cwd: string): Promise<string[]>;
    };
    const root = '/tmp/copy "1" \\ ü';
    const home = join(live.runDir, 'home');
    await provider.writeRunHome(plan, home, root);
    const written = readFileSync(join(home, 'config.toml'), 'utf8');
    const hooks = await readProjectHookTrust(ws);
    expect(written).toBe(renderIsolatedConfig((await readCarriedSettings(user)).toml, renderProjectTrust(root, hooks), RUN_DEFAULTS));
    expect((parse(written) as { sandbox_mode?: string }).sandbox_mode).toBe('workspace-write');
    expect(readFileSync(join(home, 'auth.json'), 'utf8')).toBe('{"OPENAI_API_KEY":"sk-user"}\n');

    // A copy whose hooks are not the ones the plan trusted is refused, not run with silently skipped hooks.
    expect(await provider.changedHookSources(plan, ws)).toEqual([]);
    writeFileSync(join(ws, '.codex/hooks.json'), '{"hooks":{}}');
    expect(await provider.changedHookSources(plan, ws)).toEqual(['.codex/hooks.json']);

    await live.cleanup();
    expect(existsSync(live.runDir)).toBe(false);
  });
});
