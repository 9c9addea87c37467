/**
 * What `evals run --provider codex` adds around Promptfoo: a derived config that swaps the replay
 * provider for the codex provider, and, afterwards, ingesting the runs it recorded, so every eval
 * run is a trace the next cycle can learn from.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { resolveCodexBin } from '../codex/runner.js';
import { ingest } from '../ingest/ingest.js';
import type { Skip } from '../ingest/source.js';
import type { Config } from '../schema/config.js';
import { UsageError } from '../errors.js';
import { EvalProviderSchema, type EvalProvider, type EvalsConfig } from '../schema/eval-suite.js';
import { writeFileAtomic } from '../util/atomic.js';
import type { EvalPaths } from './paths.js';
import { createNode, parseSuite, renderSuite } from './suite-yaml.js';
import { protectDeep, unprotectText } from './template-safe.js';
import { layoutPath } from '../workspace/layout.js';
import { readdirIfExists } from '../util/files.js';

/** How to start Codex for the eval runs, as given by the caller (flags). */
export interface CodexRunSettings {
  /** Codex CLI: a bare command (PATH) or a path, relative to the current directory. */
  bin?: string;
  /** `-c key=value` overrides, applied after `evals.codex.codexConfig`. */
  config?: readonly string[];
  /** Model for the runs. */
  model?: string;
  /** Kill one run after this long. */
  timeoutMs?: number;
  /** Keep each run's scratch copy and CODEX_HOME for debugging (`--keep-runs`). */
  keepRuns?: boolean;
}

/** `--provider`, `--codex-bin`, `-c/--codex-config`, `--model` and `--keep-runs` as `runEvals` options. */
export function readEvalProviderFlags(flags: Record<string, unknown>): { provider?: EvalProvider; codex: CodexRunSettings } {
  const raw = flags.provider;
  let provider: EvalProvider | undefined;
  if (raw !== undefined) {
    const parsed = EvalProviderSchema.safeParse(raw);
    if (!parsed.success) throw new UsageError(`--provider must be replay or codex (got "${String(raw)}")`);
    provider = parsed.data;
  }
  const text = (name: string): string | undefined => {
    const value = flags[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`--${name} needs a value`);
    return value;
  };
  const list = flags['codex-config'];
  const config = list === undefined ? [] : (Array.isArray(list) ? list : [list]).map(String);
  const bin = text('codex-bin');
  const model = text('model');
  const keepRuns = flags['keep-runs'] === true;
  return {
    ...(provider ? { provider } : {}),
    codex: { ...(bin !== undefined ? { bin } : {}), ...(model !== undefined ? { model } : {}), config, ...(keepRuns ? { keepRuns } : {}) },
  };
}

/** The provider's config as written into the derived suite. */
export interface CodexProviderConfig {
  /** Absolute path, or a bare command found on PATH. */
  codexBin: string;
  /** `-c key=value` overrides, in order. */
  codexConfig: string[];
  /** `-m`; absent means the Codex default. */
  model?: string;
  /** Kill one run after this long (the provider's default when absent). */
  timeoutMs?: number;
  /** The workspace to copy, relative to the suite folder. */
  workspace: string;
  /** Where runs are recorded for ingest, relative to the suite folder. */
  traceDir: string;
}

/** The derived config's name, beside the suite so its relative paths still resolve. */
export const CODEX_SUITE_FILE = 'promptfooconfig.codex.yaml';

/** Flags over `evals.codex` over `critic.codexBin`; paths from the config are relative to the workspace. */
export function resolveCodexProviderConfig(paths: EvalPaths, config: Config, evals: EvalsConfig, settings: CodexRunSettings = {}): CodexProviderConfig {
  const bin =
    settings.bin !== undefined ? resolveCodexBin(settings.bin, process.cwd()) : resolveCodexBin(evals.codex?.codexBin ?? config.critic.codexBin, paths.root);
  const model = settings.model ?? evals.codex?.model;
  const timeoutMs = settings.timeoutMs ?? evals.codex?.timeoutMs;
  return {
    codexBin: bin,
    codexConfig: [...(evals.codex?.codexConfig ?? []), ...(settings.config ?? [])],
    ...(model !== undefined ? { model } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    // Relative to the suite folder, where the provider resolves them: the suite stays portable.
    workspace: '../..',
    traceDir: '../traces/incoming',
  };
}

/** The suite with its providers replaced by the codex provider; tests, grader and options unchanged. */
export function renderCodexSuite(suiteText: string, suiteFile: string, provider: CodexProviderConfig): string {
  const doc = parseSuite(suiteText, suiteFile);
  // Config strings (a `-c` override, a path) are data to Promptfoo's env pass, never templates.
  doc.set('providers', createNode(doc, [{ id: 'file://providers/codex-provider.mjs', label: 'codex', config: protectDeep(provider) }]));
  doc.commentBefore = ' Written by `harness-loop evals run --provider codex` from promptfooconfig.yaml on every run; edit that file, not this one.';
  return renderSuite(doc);
}

/** Writes the derived config and returns its path. */
export async function writeCodexSuite(paths: EvalPaths, suiteText: string, provider: CodexProviderConfig): Promise<string> {
  const file = join(paths.evals, CODEX_SUITE_FILE);
  await writeFileAtomic(file, renderCodexSuite(suiteText, paths.suite, provider));
  return file;
}

interface RawRow {
  vars?: Record<string, unknown>;
  testCase?: { vars?: Record<string, unknown> };
  response?: { metadata?: Record<string, unknown> } | null;
}

/** Trace id → the test's task (undefined when the test has none), for every row the codex provider recorded a trace for. */
export function recordedTasks(raw: unknown): Map<string, string | undefined> {
  const root = (raw ?? {}) as { results?: { results?: RawRow[]; outputs?: RawRow[] } };
  const tasks = new Map<string, string | undefined>();
  for (const row of root.results?.results ?? root.results?.outputs ?? []) {
    const traceId = row.response?.metadata?.traceId;
    const task = row.vars?.task ?? row.testCase?.vars?.task;
    if (typeof traceId === 'string') tasks.set(traceId, typeof task === 'string' ? unprotectText(task) : undefined);
  }
  return tasks;
}

/** What ingesting the recorded runs did. */
export interface RecordedIngest {
  /** Files read from `traces/incoming/`. */
  files: number;
  /** Traces stored (or already there). */
  traces: number;
  /** New traces in the store. */
  added: number;
  /** Lines that could not be read. */
  skipped: Skip[];
}

/**
 * Ingests `.harness-loop/traces/incoming/` (runs of any earlier run that stopped before this step
 * included), filling in the task of `--json` streams from the tests, then removes the files: the
 * store now holds them, redacted, and the raw rollout stays in $CODEX_HOME/sessions. With
 * `harnessFiles` (the harness files of the copy the runs used) each trace's fingerprint covers them.
 */
export async function ingestRecordedRuns(
  paths: EvalPaths,
  config: Config,
  raw: unknown,
  harnessFiles?: Readonly<Record<string, string>>,
): Promise<RecordedIngest> {
  const dir = layoutPath(paths.root, 'traceIncoming');
  const names = (await readdirIfExists(dir)).filter((n) => n.endsWith('.jsonl'));
  if (names.length === 0) return { files: 0, traces: 0, added: 0, skipped: [] };
  const tasks = recordedTasks(raw);
  const files = names.map((n) => join(dir, n));
  // The runs happened in scratch copies outside the workspace, so the cwd filter must not drop them.
  const result = await ingest({
    workspace: paths.root,
    paths: files,
    from: 'auto',
    allRepos: true,
    config,
    taskFor: (t) => tasks.get(t.id),
    ...(harnessFiles ? { harnessFiles } : {}),
  });
  for (const file of files) await rm(file, { force: true });
  return { files: files.length, traces: result.traces, added: result.store.added, skipped: result.skipped };
}
