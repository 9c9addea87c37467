// `harness-loop receive` as a user runs it: the built CLI on a free port, real captured Codex
// bodies POSTed over loopback, SIGTERM, then the trace store.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { request } from 'node:http';
import { mkdtempSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, runCli } from '../support/cli.js';

const FIX = 'test/fixtures/codex-otel';

interface Running {
  child: ChildProcessWithoutNullStreams;
  url: string;
  stderr: () => string;
  exited: Promise<number | null>;
}

const children: ChildProcessWithoutNullStreams[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** Starts the CLI and resolves once it prints the URL it listens on. */
function startCli(args: string[]): Promise<Running> {
  const child = spawn(process.execPath, [CLI, 'receive', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  return new Promise((resolve, reject) => {
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      const m = /listening on (http:\/\/\S+)/.exec(stderr);
      if (m) resolve({ child, url: m[1]!, stderr: () => stderr, exited });
    });
    void exited.then((code) => reject(new Error(`receive exited ${code} before listening:\n${stderr}`)));
  });
}

function post(url: string, body: Buffer, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent: false, headers: { 'content-length': String(body.length), ...headers } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('harness-loop receive (built CLI)', () => {
  it('accepts real Codex bodies, prints the config snippet, and writes the traces on SIGTERM', async () => {
    const ws = mkdtempSync(join(tmpdir(), 'hl-receive-'));
    dirs.push(ws);
    const run = await startCli(['--port', '0', '--idle-ms', '600000', '-C', ws]);
    expect(run.stderr()).toContain(`exporter = { otlp-http = { endpoint = "${run.url}/v1/logs", protocol = "json" } }`);

    const json = { 'content-type': 'application/json' };
    const protobuf = { 'content-type': 'application/x-protobuf' };
    expect(await post(`${run.url}/v1/logs`, readFileSync(`${FIX}/json/logs.0004.otlp.json`), json)).toEqual({ status: 200, body: '{}' });
    expect((await post(`${run.url}/v1/traces`, readFileSync(`${FIX}/json/traces.0002.otlp.json.gz`), { ...json, 'content-encoding': 'gzip' })).status).toBe(
      200,
    );
    expect(await post(`${run.url}/v1/logs`, readFileSync(`${FIX}/binary/0004-POST-v1_logs.bin`), protobuf)).toEqual({ status: 200, body: '' });
    expect((await post(`${run.url}/v1/traces`, readFileSync(`${FIX}/binary/0002-POST-v1_traces.bin`), protobuf)).status).toBe(200);
    expect((await post(`${run.url}/v1/logs`, Buffer.from('{oops'), json)).status).toBe(400);

    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    expect(run.stderr()).toMatch(/receive: wrote 2 trace\(s\), \d+ span\(s\)/);
    expect(run.stderr()).toContain('5 request(s) (1 rejected)');

    const stored = readFileSync(join(ws, '.harness-loop', 'traces', 'traces.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(stored.map((t) => [t.id, t.source.kind, t.task, t.usage.totalTokens]).sort()).toEqual([
      ['01a20f63-8aed-7e62-b154-dea51d1f4246', 'otlp-json', 'Run echo please', 2750],
      ['01a20f63-986a-78a2-914e-d903329ed23d', 'otlp-protobuf', null, 2750],
    ]);
  });

  it('exits 2 with a hint when the port is taken', async () => {
    const ws = mkdtempSync(join(tmpdir(), 'hl-receive-'));
    dirs.push(ws);
    const first = await startCli(['--port', '0', '-C', ws]);
    const port = new URL(first.url).port;
    const second = await runCli(['receive', '--port', port, '-C', ws]);
    expect(second.exitCode).toBe(2);
    expect(second.stderr).toContain(`cannot listen on 127.0.0.1:${port}: the port is in use`);
    first.child.kill('SIGINT');
    expect(await first.exited).toBe(0);
  });
});
