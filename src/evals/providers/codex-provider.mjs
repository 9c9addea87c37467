// @ts-check
/**
 * Promptfoo provider shipped with harness-loop: runs the test's task through the real agent,
 * `codex exec --json`, in a scratch copy of the workspace, so the suite scores what Codex does with
 * the harness as it is now (AGENTS.md, skills, config). Each run is recorded as a trace: the
 * session's rollout (which carries the task) or, when it cannot be found, the `--json` stream is
 * written to `.harness-loop/traces/incoming/<test-id>-<thread-id>.jsonl`, which `evals run`
 * ingests into the trace store afterwards, so every eval run feeds the next cycle.
 *
 * Config (paths relative to the suite folder, .harness-loop/evals/, unless absolute):
 *   codexBin: codex           command on PATH or a path; a .js/.mjs/.cjs file runs with this Node
 *   codexConfig: []           `-c key=value` overrides, in order
 *   model: gpt-5.5            `-m`; default: the user's Codex default
 *   timeoutMs: 600000         the run is killed after this long
 *   workspace: ../..          the workspace to copy
 *   traceDir: ../traces/incoming
 *   env: {}                   extra environment; the rest (HOME, keys; CODEX_HOME without a plan) is inherited
 *
 * Codex applies a project's `.codex/config.toml` and hooks only to trusted projects, and keeps
 * trust in $CODEX_HOME/config.toml. So when `evals run` names a plan in HARNESS_LOOP_LIVE_RUN_PLAN
 * (src/codex/live-runs.ts), each run gets its own CODEX_HOME beside its copy, in which the copy is
 * trusted with its hooks' hashes and the user's model access is carried over: the run applies the
 * whole harness, and the user's own CODEX_HOME is never written. Without a plan (a plain
 * `promptfoo eval`), the copy is an untrusted folder in the user's CODEX_HOME: AGENTS.md and
 * skills apply, the project's config and hooks do not.
 *
 * `evals run --provider codex` copies this file to .harness-loop/evals/providers/ and names it in
 * a derived config. It imports only Node built-ins so the copy runs alone.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, copyFile, lstat, mkdir, mkdtemp, readFile, readdir, readlink, realpath, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execEvents, summarizeExecStream } from './trace-process.mjs';

/** The suite folder: this file lives in its providers/ subfolder. */
const SUITE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_TIMEOUT_MS = 10 * 60 * 1000;
/** Never copied: version control and dependencies are not the harness, and can be huge. */
const SKIP_ANYWHERE = new Set(['.git', 'node_modules']);

/** Reverses harness-loop's template protection (vars and config reach providers unrendered). @param {string} text */
function unprotect(text) {
  if (!text.includes('{{ "')) return text;
  const body = text.startsWith('{{ "" }}') ? text.slice('{{ "" }}'.length) : text;
  return body.replace(/\{\{ "([{#])" \}\}/g, '$1');
}

/** @param {unknown} value */
function text(value) {
  return typeof value === 'string' ? unprotect(value) : undefined;
}

/**
 * Copies the workspace without .git, node_modules and the loop's own state (.harness-loop/ except
 * its config.yaml, which the hooks read). Symlinks are copied as links.
 * @param {string} from @param {string} to @param {boolean} top
 */
async function copyWorkspace(from, to, top = true) {
  await mkdir(to, { recursive: true });
  for (const entry of await readdir(from, { withFileTypes: true })) {
    if (SKIP_ANYWHERE.has(entry.name)) continue;
    const source = join(from, entry.name);
    const target = join(to, entry.name);
    if (top && entry.name === '.harness-loop') {
      const config = join(source, 'config.yaml');
      if ((await lstat(config).catch(() => null))?.isFile()) {
        await mkdir(target, { recursive: true });
        await copyFile(config, join(target, 'config.yaml'));
      }
      continue;
    }
    if (entry.isSymbolicLink()) await symlink(await readlink(source), target);
    else if (entry.isDirectory()) await copyWorkspace(source, target, false);
    else if (entry.isFile()) await copyFile(source, target);
  }
}

/**
 * Runs codex with stdin closed (the prompt is an argument), killing it after `timeoutMs`.
 * @param {string} bin @param {string[]} args @param {string} cwd @param {NodeJS.ProcessEnv} env @param {number} timeoutMs
 * @returns {Promise<{ code: number | null, signal: string | null, stdout: string, stderr: string, timedOut: boolean, spawnError?: string }>}
 */
function runCodex(bin, args, cwd, env, timeoutMs) {
  const viaNode = /\.[cm]?js$/.test(bin);
  return new Promise((resolvePromise) => {
    const child = spawn(viaNode ? process.execPath : bin, viaNode ? [bin, ...args] : args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (c) => (stdout += c.toString()));
    child.stderr.on('data', (c) => (stderr = (stderr + c.toString()).slice(-64 * 1024)));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      resolvePromise({ code: null, signal: null, stdout, stderr, timedOut, spawnError: error.message });
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr, timedOut });
    });
  });
}

/**
 * What the `--json` stream says: the thread id, the last agent message, the failure if any, usage.
 * @param {string} stdout
 */
export function parseExecStream(stdout) {
  /** @type {{ threadId: string | null, answer: string | null, failure: string | null, usage: Record<string, number> | null }} */
  const out = { threadId: null, answer: null, failure: null, usage: null };
  for (const event of execEvents(stdout)) {
    if (event?.type === 'thread.started' && typeof event.thread_id === 'string') out.threadId = event.thread_id;
    else if (event?.type === 'item.completed' && event.item?.type === 'agent_message' && typeof event.item.text === 'string') out.answer = event.item.text;
    else if (event?.type === 'turn.failed') out.failure = event.error?.message ?? 'the turn failed';
    else if (event?.type === 'error' && typeof event.message === 'string') out.failure = event.message;
    else if (event?.type === 'turn.completed' && event.usage && typeof event.usage === 'object') {
      const u = /** @type {Record<string, number>} */ (event.usage);
      const sum = out.usage ?? { prompt: 0, completion: 0, cached: 0, total: 0 };
      sum.prompt += u.input_tokens ?? 0;
      sum.completion += u.output_tokens ?? 0;
      sum.cached += u.cached_input_tokens ?? 0;
      sum.total += (u.input_tokens ?? 0) + (u.output_tokens ?? 0);
      out.usage = sum;
    }
  }
  return out;
}

/** `YYYY/MM/DD` folders a session that ran between the two times may be filed under (UTC and local). @param {Date[]} times */
function dayFolders(times) {
  const pad = (/** @type {number} */ n) => String(n).padStart(2, '0');
  const folders = new Set();
  for (const t of times) {
    folders.add(join(String(t.getUTCFullYear()), pad(t.getUTCMonth() + 1), pad(t.getUTCDate())));
    folders.add(join(String(t.getFullYear()), pad(t.getMonth() + 1), pad(t.getDate())));
  }
  return [...folders];
}

/**
 * The session's rollout in $CODEX_HOME/sessions, or null: Codex files it under the day it started,
 * so look there first and search the whole folder only when that fails.
 * @param {NodeJS.ProcessEnv} env @param {string} threadId @param {Date} started @param {Date} ended
 */
async function findRollout(env, threadId, started, ended) {
  const sessions = join(env.CODEX_HOME || join(env.HOME || homedir(), '.codex'), 'sessions');
  const suffix = `-${threadId}.jsonl`;
  for (const day of dayFolders([started, ended])) {
    const names = await readdir(join(sessions, day)).catch(() => []);
    const hit = names.find((n) => n.startsWith('rollout-') && n.endsWith(suffix));
    if (hit) return join(sessions, day, hit);
  }
  const all = await readdir(sessions, { recursive: true }).catch(() => []);
  const hit = all.find((n) => n.endsWith(suffix));
  return hit ? join(sessions, hit) : null;
}

/** Writes through a temporary name, so a reader never sees half a file. @param {string} file @param {string | null} from @param {string} [content] */
async function writeRecord(file, from, content) {
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  if (from !== null) await copyFile(from, tmp);
  else await writeFile(tmp, content ?? '');
  await rename(tmp, file);
}

/**
 * The plan `evals run` wrote for this run (src/codex/live-runs.ts `LiveRunPlan`), or null.
 * @param {NodeJS.ProcessEnv} env
 * @returns {Promise<{ runDir: string, keep: boolean, configTemplate: string, projectRootToken: string, copyFiles: string[], carriedKeys: string[], hookSources: Record<string, string | null> } | null>}
 */
async function readPlan(env) {
  const file = env.HARNESS_LOOP_LIVE_RUN_PLAN;
  if (!file) return null;
  const plan = JSON.parse(await readFile(file, 'utf8'));
  if (plan?.version !== 1 || typeof plan.runDir !== 'string' || typeof plan.configTemplate !== 'string')
    throw new Error(`${file}: not a live-run plan this provider reads`);
  return plan;
}

/**
 * The hook files of the copy that differ from those the plan's trust was computed from: their
 * handlers would be untrusted, and Codex skips untrusted hooks without a word.
 * @param {NonNullable<Awaited<ReturnType<typeof readPlan>>>} plan @param {string} cwd
 */
export async function changedHookSources(plan, cwd) {
  const changed = [];
  for (const [rel, expected] of Object.entries(plan.hookSources ?? {})) {
    const data = await readFile(join(cwd, rel)).catch(() => null);
    const actual = data === null ? null : createHash('sha256').update(data).digest('hex');
    if (actual !== expected) changed.push(rel);
  }
  return changed;
}

/**
 * The run's own CODEX_HOME: the plan's config with the copy's real path filled in (TOML-escaped),
 * and the user's files copied (never linked: Codex may rewrite auth.json when it refreshes a login).
 * @param {NonNullable<Awaited<ReturnType<typeof readPlan>>>} plan @param {string} home @param {string} projectRoot
 */
export async function writeRunHome(plan, home, projectRoot) {
  await mkdir(home, { recursive: true, mode: 0o700 });
  const escaped = JSON.stringify(projectRoot).slice(1, -1).replace(/\x7f/g, '\\u007f');
  await writeFile(join(home, 'config.toml'), plan.configTemplate.split(plan.projectRootToken).join(escaped), { mode: 0o600 });
  for (const file of plan.copyFiles) {
    const target = join(home, basename(file));
    await copyFile(file, target);
    await chmod(target, 0o600);
  }
}

/** @param {string} base @param {string} path */
function resolveFrom(base, path) {
  return isAbsolute(path) ? path : resolve(base, path);
}

export default class CodexProvider {
  /** @param {{ id?: string, config?: Record<string, unknown> }} [options] */
  constructor(options = {}) {
    const config = options.config ?? {};
    this.providerId = options.id || 'harness-loop:codex';
    this.workspace = resolveFrom(SUITE_DIR, text(config.workspace) ?? '../..');
    this.traceDir = resolveFrom(SUITE_DIR, text(config.traceDir) ?? '../traces/incoming');
    const bin = text(config.codexBin) ?? 'codex';
    // Bare names go through PATH; paths are relative to the workspace, as in the harness-loop config.
    this.codexBin = bin.includes('/') || bin.includes('\\') ? resolveFrom(this.workspace, bin) : bin;
    this.codexConfig = Array.isArray(config.codexConfig) ? config.codexConfig.map((c) => text(c)).filter((c) => c !== undefined) : [];
    this.model = text(config.model);
    this.timeoutMs = typeof config.timeoutMs === 'number' && config.timeoutMs > 0 ? config.timeoutMs : DEFAULT_TIMEOUT_MS;
    /** @type {Record<string, string>} */
    this.env = {};
    if (config.env && typeof config.env === 'object') for (const [k, v] of Object.entries(config.env)) if (typeof v === 'string') this.env[k] = unprotect(v);
  }

  id() {
    return this.providerId;
  }

  /** @param {string} prompt @param {{ vars?: Record<string, unknown> }} [context] */
  async callApi(prompt, context) {
    const testId = (text(context?.vars?.test_id) ?? 'test').replace(/[^A-Za-z0-9._-]/g, '_');
    const env = { ...process.env, ...this.env };
    let plan;
    try {
      plan = await readPlan(env);
    } catch (error) {
      return { error: `cannot read the live-run plan: ${error instanceof Error ? error.message : String(error)}` };
    }
    const scratch = await mkdtemp(plan ? join(plan.runDir, `${testId}-`) : join(tmpdir(), 'harness-loop-eval-'));
    try {
      const cwd = join(scratch, 'workspace');
      try {
        await copyWorkspace(this.workspace, cwd);
      } catch (error) {
        return { error: `cannot copy the workspace ${this.workspace}: ${error instanceof Error ? error.message : String(error)}` };
      }
      const args = [
        // With a plan the run's config.toml sets the sandbox, so the project's own setting can win.
        'exec',
        '--json',
        '--skip-git-repo-check',
        ...(plan ? [] : ['-s', 'workspace-write']),
        ...this.codexConfig.flatMap((c) => ['-c', c]),
        ...(this.model ? ['-m', this.model] : []),
        // `--` so a task that starts with "-" is not read as a flag.
        '--',
        prompt,
      ];
      if (plan) {
        // Trust is keyed by the real path, as Codex resolves the cwd.
        const root = await realpath(cwd);
        const changed = await changedHookSources(plan, cwd);
        if (changed.length > 0) return { error: `${changed.join(' and ')} changed after the eval run started, so its hooks would run untrusted; run again` };
        const home = join(scratch, 'codex-home');
        try {
          await writeRunHome(plan, home, root);
        } catch (error) {
          return { error: `cannot prepare the run's CODEX_HOME ${home}: ${error instanceof Error ? error.message : String(error)}` };
        }
        env.CODEX_HOME = home;
      }
      const started = new Date();
      const run = await runCodex(this.codexBin, args, cwd, env, this.timeoutMs);
      if (run.spawnError) return { error: `cannot run codex "${this.codexBin}": ${run.spawnError} (install @openai/codex, or pass --codex-bin)` };
      const parsed = parseExecStream(run.stdout);
      // agentTrace: what the agent did, for the trace assertions (trace-assert.mjs).
      /** @type {Record<string, unknown>} */
      const metadata = { agentTrace: summarizeExecStream(run.stdout, Date.now() - started.getTime()) };
      if (parsed.threadId) {
        const rollout = await findRollout(env, parsed.threadId, started, new Date());
        const file = join(this.traceDir, `${testId}-${parsed.threadId}.jsonl`);
        try {
          await writeRecord(file, rollout, run.stdout);
          Object.assign(metadata, { traceId: parsed.threadId, traceFile: file, traceFormat: rollout ? 'rollout' : 'exec' });
        } catch (error) {
          return {
            error: `codex ran (thread ${parsed.threadId}) but its trace could not be written to ${file}: ${error instanceof Error ? error.message : String(error)}`,
          };
        }
      }
      const tokenUsage = parsed.usage ? { ...parsed.usage, numRequests: 1 } : undefined;
      if (run.code !== 0 || parsed.answer === null) {
        const why = run.timedOut
          ? `codex was killed after ${this.timeoutMs} ms`
          : run.code !== 0
            ? `codex exited with ${run.code === null ? `signal ${run.signal}` : `code ${run.code}`}`
            : 'codex gave no final answer';
        const detail =
          parsed.failure ??
          run.stderr
            .trim()
            .split('\n')
            .filter((l) => !l.startsWith('WARNING: proceeding'))
            .slice(-3)
            .join(' | ');
        return { error: `${why}${detail ? `: ${detail}` : ''}`, metadata, ...(tokenUsage ? { tokenUsage } : {}) };
      }
      return { output: parsed.answer, metadata, ...(tokenUsage ? { tokenUsage } : {}) };
    } finally {
      if (!plan?.keep) await rm(scratch, { recursive: true, force: true });
    }
  }
}
