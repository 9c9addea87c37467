// `harness-loop harness`: every harness component of the repository and of $CODEX_HOME, with file
// and line, so that diagnosis reads rule status from the harness itself and only ever proposes
// changes to files a change may touch.
import { readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import fg from 'fast-glob';
import { matchesAny } from '../checks/glob.js';
import { readHarnessGlobs } from '../ledger/harness-files.js';
import type { Config } from '../schema/config.js';
import {
  HARNESS_MODEL_SCHEMA_VERSION,
  HarnessModelSchema,
  type AgentsFile,
  type CodexConfigFile,
  type HarnessModel,
  type HookEntry,
  type OutputSchemaFile,
  type Skill,
  type ValidationScript,
} from '../schema/harness.js';
import { readTextIfExists } from '../util/files.js';
import { parseAgentsRules } from './agents-md.js';
import { parseCodexConfig } from './codex-config.js';
import { parse as parseToml } from 'smol-toml';
import { parseHooksJson, tomlHooks } from './hooks-file.js';
import { parseSkillFile } from './skill-file.js';
import { packageScripts, preCommitHooks, workflowSteps } from './validation.js';

/** Never part of the team's harness: dependencies, VCS, harness-loop's state and bundle. */
const IGNORE = ['**/node_modules/**', '**/.git/**', '.harness-loop/**', '.codex/harness-loop/**'];

export interface HarnessModelOptions {
  root: string;
  config: Config;
  /** $CODEX_HOME for the user layer; omitted or missing means none. */
  codexHome?: string | null;
}

/** harness-loop's own skill, wherever it was installed. */
export function isHarnessLoopSkill(path: string, name: string | null): boolean {
  return name === 'harness-improvement' || /(^|\/)harness-improvement\/SKILL\.md$/.test(path);
}

const posix = (p: string) => p.split(sep).join('/');

export async function readHarnessModel(options: HarnessModelOptions): Promise<HarnessModel> {
  const { root } = options;
  const home = options.codexHome ?? null;
  const allow = readHarnessGlobs(options.config);
  const problems: string[] = [];
  const editable = (rel: string) => matchesAny(rel, allow);
  const repoFiles = async (globs: string[]) => (await fg(globs, { cwd: root, dot: true, ignore: IGNORE })).map(posix).sort();
  const homeFiles = async (globs: string[]) =>
    home ? (await fg(globs, { cwd: home, dot: true, ignore: ['**/node_modules/**', 'sessions/**'] })).map((f) => join(home, f)).sort() : [];
  const read = async (file: string) => readTextIfExists(file.startsWith('/') ? file : join(root, file));
  const guard = <T>(file: string, fn: () => T): T | null => {
    try {
      return fn();
    } catch (error) {
      problems.push(`${file}: ${(error as Error).message.split('\n')[0]}`);
      return null;
    }
  };

  const agentsMd: AgentsFile[] = [];
  for (const file of await homeFiles(['AGENTS.md', 'AGENTS.override.md'])) {
    const text = (await read(file)) ?? '';
    agentsMd.push({
      file,
      scope: 'user',
      kind: file.endsWith('override.md') ? 'override' : 'agents',
      directory: '~',
      owner: 'team',
      editable: false,
      rules: parseAgentsRules(text),
    });
  }
  for (const file of await repoFiles(['**/AGENTS.md', '**/AGENTS.override.md'])) {
    const text = (await read(file)) ?? '';
    const dir = file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : '.';
    agentsMd.push({
      file,
      scope: 'repo',
      kind: file.endsWith('override.md') ? 'override' : 'agents',
      directory: dir,
      owner: 'team',
      editable: editable(file),
      rules: parseAgentsRules(text),
    });
  }

  const skills: Skill[] = [];
  const addSkill = async (file: string, scope: Skill['scope'], rel: string | null) => {
    const text = (await read(file)) ?? '';
    const parsed = parseSkillFile(text);
    if (!parsed.ok) return void problems.push(`${file}: ${parsed.reason}`);
    const name = parsed.name ?? file.split('/').slice(-2, -1)[0]!;
    const owner: Skill['owner'] = isHarnessLoopSkill(file, name) ? 'harness-loop' : 'team';
    const { ok: _ok, name: _n, ...rest } = parsed;
    const body = text
      .split(/\r?\n/)
      .slice(parsed.bodyStartLine - 1)
      .join('\n');
    const rules = parseAgentsRules(body).map((r) => ({ ...r, line: r.line + parsed.bodyStartLine - 1, owner }));
    skills.push({ name, ...rest, scope, file, owner, editable: rel !== null && owner === 'team' && editable(rel), rules });
  };
  for (const file of await repoFiles(['**/.agents/skills/**/SKILL.md', '**/.codex/skills/**/SKILL.md'])) await addSkill(file, 'repo', file);
  for (const file of await homeFiles(['skills/**/SKILL.md'])) await addSkill(file, file.includes('/skills/.system/') ? 'system' : 'user', null);

  const hooks: HookEntry[] = [];
  const config: CodexConfigFile[] = [];
  const layers: [string, string | null][] = [['.codex', '.codex'], ...(home ? ([[home, null]] as [string, null][]) : [])];
  for (const [dir, rel] of layers) {
    const hooksFile = rel ? `${rel}/hooks.json` : join(dir, 'hooks.json');
    const hooksText = await read(hooksFile);
    if (hooksText !== null)
      hooks.push(...(guard(hooksFile, () => parseHooksJson(hooksText, { file: hooksFile, editable: rel !== null && editable(hooksFile) })) ?? []));
    const tomlFile = rel ? `${rel}/config.toml` : join(dir, 'config.toml');
    const tomlText = await read(tomlFile);
    if (tomlText !== null) {
      const parsed = guard(tomlFile, () =>
        parseCodexConfig(tomlText, { file: tomlFile, scope: rel ? 'repo' : 'user', editable: rel !== null && editable(tomlFile) }),
      );
      if (parsed) {
        config.push(parsed);
        // Hooks may be defined in config.toml too ([[hooks.PreToolUse]]); both sources add up.
        hooks.push(
          ...tomlHooks((parseToml(tomlText) as { hooks?: unknown }).hooks, tomlText, { file: tomlFile, editable: rel !== null && editable(tomlFile) }),
        );
      }
    }
  }

  const validation: ValidationScript[] = [];
  const pkg = await read('package.json');
  if (pkg !== null) validation.push(...(guard('package.json', () => packageScripts(pkg, { file: 'package.json', editable: editable('package.json') })) ?? []));
  for (const file of await repoFiles(['.pre-commit-config.yaml', '.pre-commit-config.yml']))
    validation.push(...preCommitHooks((await read(file)) ?? '', { file, editable: editable(file) }));
  for (const file of await repoFiles(['.github/workflows/*.yml', '.github/workflows/*.yaml']))
    validation.push(...workflowSteps((await read(file)) ?? '', { file, editable: editable(file) }));

  const referenced = validation.flatMap((v) => [...v.command.matchAll(/--output-schema[= ]+["']?([^\s"']+)/g)].map((m) => m[1]!));
  const outputSchemas: OutputSchemaFile[] = [];
  for (const file of new Set([
    ...(await repoFiles(['**/*output-schema*.json', '**/*output_schema*.json', '.codex/**/*.schema.json'])),
    ...referenced.filter((f) => !f.startsWith('/') && !f.includes('..')),
  ])) {
    const text = await read(file);
    if (text === null) continue;
    const doc = guard(file, () => JSON.parse(text) as { required?: unknown });
    if (!doc) continue;
    outputSchemas.push({ file, required: Array.isArray(doc.required) ? doc.required.map(String) : [], owner: 'team', editable: editable(file) });
  }

  const yamlFile = '.harness-loop/config.yaml';
  const yamlText = (await read(yamlFile)) ?? '';
  const evidenceLine = yamlText.split(/\r?\n/).findIndex((l) => /^evidence:/.test(l));
  const ev = options.config.evidence;
  const model: HarnessModel = {
    schemaVersion: HARNESS_MODEL_SCHEMA_VERSION,
    root,
    codexHome: home,
    agentsMd,
    skills,
    hooks,
    config,
    outputSchemas,
    validation,
    evidenceCheck: {
      file: yamlFile,
      line: evidenceLine === -1 ? null : evidenceLine + 1,
      outputGlobs: ev.outputGlobs,
      sourceRoots: ev.sourceRoots,
      minCoverage: ev.minCoverage,
      hookInstalled: hooks.some((h) => /check_evidence_coverage/.test(h.command)),
    },
    problems,
  };
  return HarnessModelSchema.parse(model);
}

/** Repository-relative path of a harness file, for display. */
export function displayHarnessPath(root: string, file: string): string {
  return file.startsWith('/') ? (file.startsWith(root) ? posix(relative(root, file)) : file) : file;
}
