// The one place harness-loop starts Codex (the critic, `diagnose --llm` and the implement step):
// spawning with the prompt on stdin, one timeout and cancellation policy (SIGTERM, then SIGKILL),
// token and wall-time accounting from the `--json` stream, and structured passes: `--output-schema`,
// the last message read back from `-o` and validated with zod, because Codex does not check it.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import type { z } from 'zod';
import { ExternalCommandError } from '../errors.js';
import { formatZodIssues } from '../util/zod-format.js';

/** How to start Codex: the binary and the extra `-c` overrides. */
export interface CodexSettings {
  /** A command on PATH, or a path; a `.js`/`.mjs`/`.cjs` file runs with this Node. */
  bin: string;
  /** `-c key=value` overrides, passed in order. */
  config: readonly string[];
  /** Environment for Codex (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Kill Codex after this long (default 30 minutes). */
  timeoutMs?: number;
  /** Cancels the run (Ctrl-C of the caller): Codex is stopped as on a timeout. */
  signal?: AbortSignal;
}

/** One pass: what to ask, in which shape, with which model, from which directory. */
export interface StructuredPass<T> {
  prompt: string;
  model: string;
  /** JSON Schema text given to `--output-schema` (strict-mode compatible). */
  schemaText: string;
  /** Validates the answer; the schema above was rendered from it. */
  schema: z.ZodType<T>;
  cwd: string;
}

/** The answer, or why there is none; `text` is the raw answer when Codex wrote one. */
export type StructuredResult<T> = { ok: true; value: T; text: string } | { ok: false; reason: string; text?: string };

const DEFAULT_TIMEOUT_MS = 30 * 60 * 1000;

/**
 * Codex settings for a pass: a `--codex-bin` flag is taken from the current directory, the
 * configured `critic.codexBin` from the workspace; `-c` flags come after `critic.codexConfig`.
 */
export function codexSettingsFor(
  critic: { codexBin: string; codexConfig: readonly string[] },
  workspaceRoot: string,
  options: { codexBin?: string; codexConfig?: readonly string[]; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): CodexSettings {
  return {
    bin: options.codexBin !== undefined ? resolveCodexBin(options.codexBin, process.cwd()) : resolveCodexBin(critic.codexBin, workspaceRoot),
    config: [...critic.codexConfig, ...(options.codexConfig ?? [])],
    env: options.env,
    timeoutMs: options.timeoutMs,
  };
}

/** Resolves a configured binary: bare names go through PATH, paths are taken relative to `base`. */
export function resolveCodexBin(bin: string, base: string): string {
  return bin.includes('/') || bin.includes('\\') ? (isAbsolute(bin) ? bin : resolve(base, bin)) : bin;
}

/** The `codex exec` arguments of a pass (the prompt comes on stdin, as `-`). */
export function buildExecArgs(pass: { model: string }, schemaFile: string, answerFile: string, config: readonly string[]): string[] {
  return [
    'exec',
    '--json',
    // The critic's own session must not land in $CODEX_HOME/sessions, where `ingest` would read
    // it back as a trace of this workspace.
    '--ephemeral',
    '--skip-git-repo-check',
    '--sandbox',
    'read-only',
    '--output-schema',
    schemaFile,
    '-o',
    answerFile,
    '-m',
    pass.model,
    ...config.flatMap((c) => ['-c', c]),
    // A batch can be far larger than one argv string may be (128 KiB on Linux): send it on stdin.
    '-',
  ];
}

/**
 * Runs one pass. Codex failing on this pass (non-zero exit, no answer), an answer that is not
 * JSON (often a truncated one) or not of the schema's shape come back as `ok: false`; only a
 * Codex that cannot be started at all throws (ExternalCommandError, exit 2).
 */
export async function runStructuredPass<T>(codex: CodexSettings, pass: StructuredPass<T>): Promise<StructuredResult<T>> {
  const dir = await mkdtemp(join(tmpdir(), 'harness-loop-codex-'));
  try {
    const schemaFile = join(dir, 'output.schema.json');
    const answerFile = join(dir, 'answer.json');
    await writeFile(schemaFile, pass.schemaText);
    const run = await spawnCodex(codex, buildExecArgs(pass, schemaFile, answerFile, codex.config), pass.prompt, pass.cwd);
    if (run.code !== 0) {
      const how =
        run.stopped === 'timeout'
          ? 'timed out and was stopped'
          : run.stopped === 'cancelled'
            ? 'was cancelled'
            : run.code === null
              ? `was killed (${run.signal ?? 'signal'})`
              : `exited with code ${run.code}`;
      return { ok: false, reason: `codex ${how}: ${describeFailure(run)}` };
    }
    let text: string;
    try {
      text = await readFile(answerFile, 'utf8');
    } catch {
      return { ok: false, reason: `codex wrote no answer: ${describeFailure(run)}` };
    }
    return parseAnswer(text, pass.schema);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Parses and validates an answer text; a parse error usually means the answer was cut off. */
export function parseAnswer<T>(text: string, schema: z.ZodType<T>): StructuredResult<T> {
  if (text.trim() === '') return { ok: false, reason: 'the answer is empty', text };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `the answer is not valid JSON (truncated?): ${(error as Error).message}`, text };
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) return { ok: false, reason: `the answer does not match the output schema:\n${formatZodIssues(parsed.error)}`, text };
  return { ok: true, value: parsed.data, text };
}

export interface CodexRun {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  /** Wall time of the run. */
  wallMs: number;
  /** Tokens the `--json` stream reported (summed over its turns), or null without one. */
  usage: { inputTokens: number; cachedInputTokens: number; outputTokens: number } | null;
  /** Why Codex was stopped, when harness-loop stopped it. */
  stopped?: 'timeout' | 'cancelled';
}

/** Grace between SIGTERM and SIGKILL when a run is stopped. */
const KILL_GRACE_MS = 5000;

/** Sums the `turn.completed` usage of a `--json` stream. */
export function usageOf(stdout: string): CodexRun['usage'] {
  let usage = null as CodexRun['usage'];
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('{"type":"turn.completed"')) continue;
    try {
      const u = (JSON.parse(line) as { usage?: Record<string, unknown> }).usage ?? {};
      const n = (v: unknown) => (typeof v === 'number' ? v : 0);
      const before = usage ?? { inputTokens: 0, cachedInputTokens: 0, outputTokens: 0 };
      usage = {
        inputTokens: before.inputTokens + n(u.input_tokens),
        cachedInputTokens: before.cachedInputTokens + n(u.cached_input_tokens),
        outputTokens: before.outputTokens + n(u.output_tokens),
      };
    } catch {
      // A torn last line: the run was cut off; its usage is unknown.
    }
  }
  return usage;
}

/** Runs codex with the prompt on stdin; a codex that cannot start is an ExternalCommandError. */
export function spawnCodex(codex: CodexSettings, args: string[], prompt: string, cwd: string): Promise<CodexRun> {
  const viaNode = /\.[cm]?js$/.test(codex.bin);
  const command = viaNode ? process.execPath : codex.bin;
  const argv = viaNode ? [codex.bin, ...args] : args;
  const started = Date.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, argv, { cwd, env: codex.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let stopped: CodexRun['stopped'];
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-64 * 1024)));
    const stop = (why: NonNullable<CodexRun['stopped']>) => {
      if (stopped || child.exitCode !== null) return;
      stopped = why;
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS).unref();
    };
    const timer = setTimeout(() => stop('timeout'), codex.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const onAbort = () => stop('cancelled');
    if (codex.signal?.aborted) onAbort();
    codex.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      codex.signal?.removeEventListener('abort', onAbort);
      const hint = error.code === 'ENOENT' ? ' (not found; install @openai/codex, or pass --codex-bin or set critic.codexBin)' : '';
      reject(new ExternalCommandError(`cannot run codex "${codex.bin}"${hint}: ${error.message}`, 'external.codex-missing', { cause: error }));
    });
    // Codex may exit before reading all of a long prompt; that shows up as its exit code.
    child.stdin.on('error', () => {});
    child.stdin.end(prompt);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      codex.signal?.removeEventListener('abort', onAbort);
      resolvePromise({ code, signal, stdout, stderr, wallMs: Date.now() - started, usage: usageOf(stdout), ...(stopped ? { stopped } : {}) });
    });
  });
}

/** The most telling line of a failed run: Codex's own error event, else the end of stderr. */
export function describeFailure(run: CodexRun): string {
  const messages: string[] = [];
  for (const line of run.stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const event = JSON.parse(line) as { type?: string; message?: string; error?: { message?: string } };
      if (event.type === 'turn.failed' && event.error?.message) messages.push(event.error.message);
      else if (event.type === 'error' && event.message) messages.push(event.message);
    } catch {
      // Not an event line.
    }
  }
  if (messages.length > 0) return messages[messages.length - 1]!;
  const tail = run.stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('WARNING: proceeding, even though we could not create PATH aliases'));
  return tail.slice(-3).join(' | ') || 'no error message';
}
