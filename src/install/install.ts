import { cliInvocation } from '../util/invocation.js';
import { createHash } from 'node:crypto';
import { access, constants, mkdir, readFile, readdir, rm, rmdir, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { InputError } from '../errors.js';
import { writeFileAtomic } from '../util/atomic.js';
import { readTextIfExists } from '../util/files.js';
import { PROVIDER_FILES } from '../evals/provider-files.js';
import { packageRoot } from '../util/package-root.js';
import { removeAgentsBlock, renderAgentsBlock, upsertAgentsBlock } from './agents-block.js';
import { withOurHooks, withoutOurHooks, type HooksFile, type OwnedGroup } from './hooks-json.js';
import { removeTomlTableIfOurs, setTomlString, parseToml } from './toml-edit.js';
import { trustKey, trustedHash } from './trust.js';
import { HOOK_IDS, INSTALLED, hookBundleFile } from '../workspace/layout.js';
import { repoHookCommand } from './hook-command.js';

export interface InstallOptions {
  /** Repository to install into (ignored with `user`). */
  target: string;
  /** Install into $CODEX_HOME instead of a repository. */
  user: boolean;
  /** Record trusted hashes (and project trust) in $CODEX_HOME/config.toml. */
  trust: boolean;
  codexHome: string;
}

/** What install wrote, so uninstall can remove exactly that. */
interface InstallManifest {
  schemaVersion: 1;
  version: string;
  /** Files install created, with the hash of what it wrote (relative to the root). */
  files: Record<string, string>;
  createdAgentsMd: boolean;
  createdHooksJson: boolean;
  createdConfig: string | null;
  trust: { configToml: string; entries: { path: string[]; key: string; value: string }[] } | null;
}

export interface InstallResult {
  root: string;
  changed: string[];
  unchanged: string[];
  trusted: boolean;
  nextSteps: string[];
}

const TOOL_MATCHER = 'Bash|apply_patch|Edit|Write';
// The guard sees every tool: MCP tools and write_stdin can write too, and it refuses those it cannot
// judge (unless `guard.readOnlyTools` lists them) while it is on; off, it answers at once.
const GUARD_MATCHER = '*';
const sha = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');

interface Layout {
  root: string;
  skillDir: string;
  bundleDir: string;
  hooksJson: string;
  agentsMd: string;
  config: string | null;
  cliCommand: string;
  hookCommand(id: string): string;
}

function layoutFor(options: InstallOptions): Layout {
  if (options.user) {
    const root = resolve(options.codexHome);
    const bundleDir = join(root, 'harness-loop');
    return {
      root,
      skillDir: join(root, 'skills', 'harness-improvement'),
      bundleDir,
      hooksJson: join(root, 'hooks.json'),
      agentsMd: join(root, 'AGENTS.md'),
      config: null,
      cliCommand: `node ${join(bundleDir, 'harness-loop.mjs')}`,
      hookCommand: (id) => `node "${join(bundleDir, hookBundleFile(id))}"`,
    };
  }
  const root = resolve(options.target);
  const inRepo = (rel: string) => join(root, ...rel.split('/'));
  return {
    root,
    skillDir: inRepo(INSTALLED.skillDir),
    bundleDir: inRepo(INSTALLED.bundleDir),
    hooksJson: inRepo(INSTALLED.hooksJson),
    agentsMd: inRepo(INSTALLED.agentsMd),
    config: inRepo(INSTALLED.config),
    cliCommand: `node ${INSTALLED.cli}`,
    hookCommand: repoHookCommand,
  };
}

function ownedGroups(layout: Layout): OwnedGroup[] {
  return [
    { event: 'PreToolUse', matcher: GUARD_MATCHER, handler: { type: 'command', command: layout.hookCommand('edit_guard'), timeout: 10 } },
    { event: 'PostToolUse', matcher: TOOL_MATCHER, handler: { type: 'command', command: layout.hookCommand('check_evidence_coverage'), timeout: 30 } },
  ];
}

function parseHooksJson(text: string | null, file: string): HooksFile {
  if (text === null) return { hooks: {} };
  try {
    const parsed = JSON.parse(text) as unknown;
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('top level is not an object');
    const hooks = (parsed as { hooks?: unknown }).hooks ?? {};
    if (typeof hooks !== 'object' || Array.isArray(hooks)) throw new Error('"hooks" is not an object');
    return { ...(parsed as object), hooks: hooks as HooksFile['hooks'] };
  } catch (error) {
    throw new InputError(`not valid hooks JSON (${(error as Error).message}); fix or move it, then install again`, file, undefined, 'install.hooks-json');
  }
}

/** The files the bundle ships, read from this package: relative path in the target → content. */
async function bundleFiles(layout: Layout): Promise<Map<string, Buffer>> {
  const pkg = packageRoot();
  const files = new Map<string, Buffer>();
  const add = async (from: string, to: string) => {
    try {
      files.set(to, await readFile(from));
    } catch {
      throw new InputError(`missing from this harness-loop package (run npm run build): ${from}`, undefined, undefined, 'install.bundle');
    }
  };
  const skillSrc = join(pkg, 'skills', 'harness-improvement');
  for (const entry of await readdir(skillSrc, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const abs = join(entry.parentPath, entry.name);
    await add(abs, join(layout.skillDir, relative(skillSrc, abs)));
  }
  await add(join(pkg, 'dist', 'standalone', 'harness-loop.mjs'), join(layout.bundleDir, 'harness-loop.mjs'));
  for (const id of HOOK_IDS) await add(join(pkg, 'dist', 'hooks', `${id}.cjs`), join(layout.bundleDir, hookBundleFile(id)));
  // Promptfoo loads these by path when `evals run` uses the replay or codex provider and the grader.
  for (const name of PROVIDER_FILES) await add(join(pkg, 'dist', 'providers', name), join(layout.bundleDir, 'providers', name));
  return files;
}

const DEFAULT_CONFIG = `# harness-loop configuration. Every key is optional; a wrong key or value is reported with its line.
critic:
  model: gpt-5.4-mini
`;

/** Checks the target before anything is written, so a bad target changes nothing. */
async function checkTarget(layout: Layout): Promise<void> {
  const info = await stat(layout.root).catch(() => null);
  if (!info) throw new InputError('target folder does not exist', layout.root, undefined, 'install.target');
  if (!info.isDirectory()) throw new InputError('target is not a folder', layout.root, undefined, 'install.target');
  try {
    await access(layout.root, constants.W_OK);
  } catch {
    throw new InputError('target folder is not writable', layout.root, undefined, 'install.target');
  }
}

/** Copies the bundle into a repository (or $CODEX_HOME); running it twice changes nothing. */
export async function install(options: InstallOptions, version: string): Promise<InstallResult> {
  const layout = layoutFor(options);
  await checkTarget(layout);
  const manifestFile = join(layout.bundleDir, 'install.json');
  const previous = JSON.parse((await readTextIfExists(manifestFile)) ?? 'null') as InstallManifest | null;

  // Plan every write first; nothing touches the disk until all inputs have been read and checked.
  const writes = new Map<string, string | Buffer>();
  for (const [file, content] of await bundleFiles(layout)) writes.set(file, content);

  const hooksText = await readTextIfExists(layout.hooksJson);
  const merged = withOurHooks(parseHooksJson(hooksText, layout.hooksJson), ownedGroups(layout));
  writes.set(layout.hooksJson, `${JSON.stringify(merged.file, null, 2)}\n`);

  const agentsText = await readTextIfExists(layout.agentsMd);
  writes.set(layout.agentsMd, upsertAgentsBlock(agentsText ?? '', renderAgentsBlock(layout.cliCommand)));

  let createdConfig: string | null = previous?.createdConfig ?? null;
  if (layout.config && (await readTextIfExists(layout.config)) === null) {
    writes.set(layout.config, DEFAULT_CONFIG);
    createdConfig = sha(DEFAULT_CONFIG);
  }

  let trust: InstallManifest['trust'] = previous?.trust ?? null;
  const configToml = join(options.codexHome, 'config.toml');
  if (options.trust) {
    const entries = merged.positions.map((p) => ({
      path: ['hooks', 'state', trustKey(layout.hooksJson, p.event, p.group, p.handler)],
      key: 'trusted_hash',
      value: trustedHash(p.event, p.owned.matcher, p.owned.handler),
    }));
    let tomlText = (await readTextIfExists(configToml)) ?? '';
    try {
      parseToml(tomlText);
    } catch (error) {
      throw new InputError(
        `not valid TOML (${(error as Error).message.split('\n')[0]}); fix it, then install again`,
        configToml,
        undefined,
        'install.config-toml',
      );
    }
    const projectTrusted =
      !options.user && (parseToml(tomlText) as { projects?: Record<string, { trust_level?: string }> }).projects?.[layout.root]?.trust_level === 'trusted';
    if (!options.user && !projectTrusted) entries.push({ path: ['projects', layout.root], key: 'trust_level', value: 'trusted' });
    // Keep entries recorded by an earlier install (e.g. project trust) so uninstall still removes them.
    const same = (a: { path: string[] }, b: { path: string[] }) => a.path.join('\0') === b.path.join('\0');
    const earlier = previous?.trust?.entries ?? [];
    const recorded = [...earlier.map((e) => entries.find((n) => same(n, e)) ?? e), ...entries.filter((n) => !earlier.some((e) => same(e, n)))];
    for (const e of entries) tomlText = setTomlString(tomlText, e.path, e.key, e.value);
    writes.set(configToml, tomlText);
    trust = { configToml, entries: recorded };
  }

  const manifest: InstallManifest = {
    schemaVersion: 1,
    version,
    files: Object.fromEntries(
      [...writes].filter(([f]) => f.startsWith(layout.skillDir) || f.startsWith(layout.bundleDir)).map(([f, c]) => [relative(layout.root, f), sha(c)]),
    ),
    createdAgentsMd: previous?.createdAgentsMd ?? agentsText === null,
    createdHooksJson: previous?.createdHooksJson ?? hooksText === null,
    createdConfig,
    trust,
  };
  writes.set(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);

  const changed: string[] = [];
  const unchanged: string[] = [];
  for (const [file, content] of writes) {
    const current = await readFile(file).catch(() => null);
    if (current && current.equals(Buffer.isBuffer(content) ? content : Buffer.from(content))) {
      unchanged.push(file);
      continue;
    }
    await mkdir(dirname(file), { recursive: true });
    await writeFileAtomic(file, content);
    changed.push(file);
  }

  const nextSteps: string[] = [];
  if (!options.trust) {
    nextSteps.push(
      options.user
        ? `Codex runs hooks only once trusted: run '${cliInvocation()} install --user --trust' (or approve them in Codex).`
        : `Codex runs project hooks only once the project and the hooks are trusted: run '${cliInvocation()} install --trust --target ${layout.root}'.`,
    );
  }
  nextSteps.push('In Codex, type $harness-improvement to run a cycle.');
  return { root: layout.root, changed, unchanged, trusted: options.trust, nextSteps };
}

export interface UninstallResult {
  root: string;
  removed: string[];
  kept: { file: string; reason: string }[];
}

/** Removes exactly what install added; files the user changed since are kept and reported. */
export async function uninstall(options: InstallOptions): Promise<UninstallResult> {
  const layout = layoutFor(options);
  await checkTarget(layout);
  const manifestFile = join(layout.bundleDir, 'install.json');
  const text = await readTextIfExists(manifestFile);
  if (text === null) throw new InputError('harness-loop is not installed here (no install.json)', layout.bundleDir, undefined, 'install.missing');
  const manifest = JSON.parse(text) as InstallManifest;
  const removed: string[] = [];
  const kept: { file: string; reason: string }[] = [];

  const hooksText = await readTextIfExists(layout.hooksJson);
  if (hooksText !== null) {
    const stripped = withoutOurHooks(parseHooksJson(hooksText, layout.hooksJson));
    const onlyHooksKey = Object.keys(stripped).length === 1;
    if (manifest.createdHooksJson && Object.keys(stripped.hooks).length === 0 && onlyHooksKey) {
      await rm(layout.hooksJson);
      removed.push(layout.hooksJson);
    } else {
      await writeFileAtomic(layout.hooksJson, `${JSON.stringify(stripped, null, 2)}\n`);
    }
  }

  const agentsText = await readTextIfExists(layout.agentsMd);
  if (agentsText !== null) {
    const rest = removeAgentsBlock(agentsText);
    if (manifest.createdAgentsMd && rest.trim() === '') {
      await rm(layout.agentsMd);
      removed.push(layout.agentsMd);
    } else if (rest !== agentsText) {
      await writeFileAtomic(layout.agentsMd, rest);
    }
  }

  for (const [rel, hash] of Object.entries(manifest.files)) {
    const file = join(layout.root, rel);
    const current = await readFile(file).catch(() => null);
    if (current === null) continue;
    if (sha(current) !== hash) {
      kept.push({ file, reason: 'changed since install' });
      continue;
    }
    await rm(file);
    removed.push(file);
  }

  if (layout.config && manifest.createdConfig) {
    const current = await readTextIfExists(layout.config);
    if (current !== null && sha(current) === manifest.createdConfig) {
      await rm(layout.config);
      removed.push(layout.config);
    } else if (current !== null) {
      kept.push({ file: layout.config, reason: 'changed since install' });
    }
  }

  if (manifest.trust) {
    let toml = (await readTextIfExists(manifest.trust.configToml)) ?? '';
    for (const e of manifest.trust.entries) toml = removeTomlTableIfOurs(toml, e.path, e.key, e.value);
    await writeFileAtomic(manifest.trust.configToml, toml);
  }

  await rm(manifestFile);
  removed.push(manifestFile);
  for (const dir of [
    join(layout.bundleDir, 'hooks'),
    join(layout.bundleDir, 'providers'),
    layout.bundleDir,
    join(layout.skillDir, 'references'),
    layout.skillDir,
    dirname(layout.skillDir),
    dirname(dirname(layout.skillDir)),
    dirname(layout.hooksJson),
    layout.config ? dirname(layout.config) : null,
  ]) {
    if (!dir || dir === layout.root) continue;
    await rmdir(dir).catch(() => undefined); // only empty folders go
  }
  return { root: layout.root, removed, kept };
}
