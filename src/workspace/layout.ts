// The one declaration of the workspace layout: every path harness-loop reads or writes under
// `.harness-loop/` and every file `install` puts into a repository, with who writes it and how the
// edit guard treats it. Path helpers, the guard's protected set, verify's change detection and
// install/uninstall all derive from this table, so they cannot disagree (an earlier split between
// the guard's defaults and the path helpers is how the eval suite became agent-editable).
// Plain TypeScript with Node's path module only: the hooks import it and must start fast.
import { join, resolve } from 'node:path';
import { matchesAny } from '../checks/glob.js';

/**
 * How the edit guard treats a path in a cycle's implement phase.
 * - `harness-config`: the team's harness; the agent may edit it.
 * - `loop-state`: records harness-loop commands write (traces, feedback, results, ledger, cycle);
 *   an agent that could edit them could rewrite its own baseline.
 * - `exam`: what the change is judged by (suite, providers, recorded verdicts); hashed at
 *   `cycle start`, so `verify` refuses when any of it changed.
 * - `guard`: the guard's own bundle and settings; editing them would switch the guard off.
 */
export type Protection = 'harness-config' | 'loop-state' | 'exam' | 'guard';

/** Who writes a path. */
export type Owner = 'team' | 'commands' | 'hooks' | 'install';

/** One declared path. */
export interface LayoutEntry {
  /** Stable name used by the path helpers (`traceStore`, `suite`, …). */
  id: string;
  /** Repository-relative POSIX path or glob (`**` covers a folder and everything below it). */
  path: string;
  /** Who writes it. */
  owner: Owner;
  /** How the guard treats it. */
  protection: Protection;
  /**
   * For a harness-config file that also holds guard settings: the parts that stay protected
   * (top-level YAML keys of the config, or harness-loop's handlers in hooks.json).
   */
  protectedParts?: { kind: 'yaml-keys'; keys: string[] } | { kind: 'our-hook-handlers' };
  /** What lives there. */
  description: string;
}

/** `.harness-loop/`, the workspace folder. */
export const WORKSPACE_DIR = '.harness-loop';
/** `.codex/harness-loop/`, where install puts the CLI, hook and provider bundles. */
export const BUNDLE_DIR = '.codex/harness-loop';
/** The ids of the hooks harness-loop installs (entry file `<id>.cjs` in the bundle's `hooks/`). */
export const HOOK_IDS = ['edit_guard', 'check_evidence_coverage'] as const;

const W = WORKSPACE_DIR;

/**
 * Every path under `.harness-loop/` and every installed file. Order matters: the first entry whose
 * glob matches a path classifies it, so specific entries come before the folder catch-alls.
 */
export const LAYOUT: readonly LayoutEntry[] = [
  // --- the workspace ---
  {
    id: 'config',
    path: `${W}/config.yaml`,
    owner: 'team',
    protection: 'harness-config',
    protectedParts: { kind: 'yaml-keys', keys: ['guard'] },
    description: "workspace config; every key but `guard` is the harness's own",
  },
  { id: 'traceStore', path: `${W}/traces/traces.jsonl`, owner: 'commands', protection: 'loop-state', description: 'the trace store, one trace per line' },
  {
    id: 'traceIndex',
    path: `${W}/traces/traces.jsonl.idx`,
    owner: 'commands',
    protection: 'loop-state',
    description: 'offset, length and content hash of each stored trace',
  },
  {
    id: 'traceLock',
    path: `${W}/traces/traces.jsonl.lock`,
    owner: 'commands',
    protection: 'loop-state',
    description: 'the lock writers of the trace store take (a folder)',
  },
  {
    id: 'traceIncoming',
    path: `${W}/traces/incoming/**`,
    owner: 'commands',
    protection: 'loop-state',
    description: 'sessions recorded by live eval runs, before ingest',
  },
  { id: 'traces', path: `${W}/traces/**`, owner: 'commands', protection: 'loop-state', description: 'everything the trace store keeps' },
  { id: 'batchManifest', path: `${W}/batches/manifest.json`, owner: 'commands', protection: 'loop-state', description: 'which traces each batch holds' },
  { id: 'batches', path: `${W}/batches/**`, owner: 'commands', protection: 'loop-state', description: 'token-bounded batches for the LLM passes' },
  { id: 'feedbackStore', path: `${W}/feedback/feedback.jsonl`, owner: 'commands', protection: 'loop-state', description: 'append-only feedback store' },
  {
    id: 'hookFeedback',
    path: `${W}/feedback/hooks.jsonl`,
    owner: 'hooks',
    protection: 'loop-state',
    description: 'findings the hooks record (blocked calls, uncited claims)',
  },
  { id: 'feedback', path: `${W}/feedback/**`, owner: 'commands', protection: 'loop-state', description: 'feedback records' },
  { id: 'critique', path: `${W}/critique/**`, owner: 'commands', protection: 'loop-state', description: "the LLM critic's answered batches" },
  { id: 'suite', path: `${W}/evals/promptfooconfig.yaml`, owner: 'commands', protection: 'exam', description: 'the generated, ratcheted eval suite' },
  { id: 'providers', path: `${W}/evals/providers/**`, owner: 'commands', protection: 'exam', description: 'copies of the shipped Promptfoo providers' },
  {
    id: 'verdicts',
    path: `${W}/evals/rubric-verdicts.jsonl`,
    owner: 'commands',
    protection: 'exam',
    description: 'recorded llm-rubric verdicts for offline grading',
  },
  { id: 'pruneLog', path: `${W}/evals/prune-log.jsonl`, owner: 'commands', protection: 'exam', description: 'tests removed by `evals prune`' },
  { id: 'evals', path: `${W}/evals/**`, owner: 'commands', protection: 'exam', description: 'everything the suite is built from' },
  { id: 'results', path: `${W}/results/**`, owner: 'commands', protection: 'loop-state', description: 'eval results, one `<run-id>.json` per run' },
  {
    id: 'promptfooHome',
    path: `${W}/promptfoo/**`,
    owner: 'commands',
    protection: 'loop-state',
    description: "PROMPTFOO_CONFIG_DIR: Promptfoo's database and logs",
  },
  { id: 'cycle', path: `${W}/cycle.json`, owner: 'commands', protection: 'loop-state', description: 'the open cycle; phase "implement" switches the guard on' },
  { id: 'snapshot', path: `${W}/cycle-snapshot/**`, owner: 'commands', protection: 'loop-state', description: 'harness files as they were at cycle start' },
  { id: 'ledger', path: `${W}/ledger.jsonl`, owner: 'commands', protection: 'loop-state', description: 'append-only history of cycles' },
  {
    id: 'recommendations',
    path: `${W}/diagnosis/recommendations.json`,
    owner: 'commands',
    protection: 'loop-state',
    description: 'what `diagnose` recommends',
  },
  {
    id: 'diagnosis',
    path: `${W}/diagnosis/**`,
    owner: 'commands',
    protection: 'loop-state',
    description: 'diagnosis output, including answered `--llm` batches',
  },
  { id: 'handoff', path: `${W}/codex_handoff.md`, owner: 'commands', protection: 'loop-state', description: 'the handoff for the implement step' },
  { id: 'report', path: `${W}/report.html`, owner: 'commands', protection: 'loop-state', description: 'the HTML report' },
  { id: 'guardLog', path: `${W}/guard.jsonl`, owner: 'hooks', protection: 'guard', description: 'every edit guard decision' },
  { id: 'hookErrors', path: `${W}/hook-errors.log`, owner: 'hooks', protection: 'guard', description: 'hook failures' },
  { id: 'workspace', path: `${W}/**`, owner: 'commands', protection: 'loop-state', description: "anything else under .harness-loop/ is the loop's" },
  // --- installed into a repository ---
  { id: 'bundle', path: `${BUNDLE_DIR}/**`, owner: 'install', protection: 'guard', description: 'CLI, hook and provider bundles plus install.json' },
  {
    id: 'hooksJson',
    path: '.codex/hooks.json',
    owner: 'install',
    protection: 'harness-config',
    protectedParts: { kind: 'our-hook-handlers' },
    description: "Codex hooks; harness-loop's handlers in it are the guard's",
  },
  { id: 'skill', path: '.agents/skills/harness-improvement/**', owner: 'install', protection: 'harness-config', description: 'the harness-improvement skill' },
  { id: 'agentsMd', path: 'AGENTS.md', owner: 'install', protection: 'harness-config', description: 'root AGENTS.md; install adds one marked block' },
];

/** Repository-relative install locations (repository install; `--user` installs into $CODEX_HOME). */
export const INSTALLED = {
  bundleDir: BUNDLE_DIR,
  cli: `${BUNDLE_DIR}/harness-loop.mjs`,
  manifest: `${BUNDLE_DIR}/install.json`,
  hooksDir: `${BUNDLE_DIR}/hooks`,
  providersDir: `${BUNDLE_DIR}/providers`,
  hooksJson: '.codex/hooks.json',
  skillDir: '.agents/skills/harness-improvement',
  agentsMd: 'AGENTS.md',
  config: `${W}/config.yaml`,
} as const;

/** The bundle file of one hook, relative to the bundle folder. */
export function hookBundleFile(id: string): string {
  return `hooks/${id}.cjs`;
}

/** The layout entry that classifies a repository-relative POSIX path, or null (not declared). */
export function classify(path: string): LayoutEntry | null {
  const p = path.replace(/^\.\//, '');
  for (const e of LAYOUT) if (matchesAny(p, [e.path])) return e;
  return null;
}

/** The protection class of a path; undeclared paths are null (the allow-list decides). */
export function protectionOf(path: string): Protection | null {
  return classify(path)?.protection ?? null;
}

/** Globs of every path of one protection class. */
export function globsOf(protection: Protection): string[] {
  return LAYOUT.filter((e) => e.protection === protection).map((e) => e.path);
}

/** Whether the whole path is out of the agent's reach (loop state, exam or guard). */
export function isProtected(path: string): boolean {
  const p = protectionOf(path);
  return p !== null && p !== 'harness-config';
}

/** Whether a path is loop state or exam under `.harness-loop/` (changes with every command, never a harness change). */
export function isLoopState(path: string): boolean {
  return path.startsWith(`${W}/`) && isProtected(path);
}

/** Globs hashed at `cycle start` so that `verify` can refuse when the exam changed. */
export function examGlobs(): string[] {
  return [...globsOf('exam'), ...globsOf('guard')];
}

/** Absolute path of a declared single file (not a glob) in a workspace. */
export function layoutPath(root: string, id: string): string {
  const e = LAYOUT.find((x) => x.id === id);
  if (!e) throw new Error(`no layout entry "${id}"`);
  const rel = e.path.endsWith('/**') ? e.path.slice(0, -3) : e.path;
  return join(resolve(root), ...rel.split('/'));
}
