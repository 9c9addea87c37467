// Runs the real `codex` binary (the pinned @openai/codex devDependency) against the mock model.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** Path of the codex launcher shipped by @openai/codex. */
export function codexBin(): string {
  const pkg = require.resolve('@openai/codex/package.json');
  return join(dirname(pkg), 'bin', 'codex.js');
}

export interface CodexRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Provider overrides that point Codex at the mock server. */
export function mockProviderArgs(mockUrl: string): string[] {
  return [
    '-c',
    'model_provider=mock',
    '-c',
    `model_providers.mock={name="mock", base_url="${mockUrl}", wire_api="responses", env_key="MOCK_KEY", supports_websockets=false, request_max_retries=0, stream_max_retries=0}`,
  ];
}

/** Isolated environment: own CODEX_HOME and HOME, no real credentials. */
export function isolatedEnv(root: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const codexHome = join(root, 'codex-home');
  const home = join(root, 'home');
  mkdirSync(codexHome, { recursive: true });
  mkdirSync(home, { recursive: true });
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, CODEX_HOME: codexHome, HOME: home, MOCK_KEY: 'dummy', LANG: 'C.UTF-8', ...extra };
  return env;
}

/** `codex exec --json …` with stdin closed and a hard timeout. */
export function runCodexExec(args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number }): Promise<CodexRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [codexBin(), 'exec', ...args], { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
