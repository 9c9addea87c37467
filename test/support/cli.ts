// Spawns the built CLI the way a user would, and returns what they would see.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

export interface CliResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
}

export const CLI = resolve('bin/harness-loop.js');

export function runCli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: options.cwd, env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (exitCode) => resolvePromise({ exitCode, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}
