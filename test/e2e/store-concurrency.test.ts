// Many writers, one trace store: `receive` taking OTLP posts while eight `ingest` processes (25
// sessions each) write into the same workspace, one of them killed with SIGKILL in the middle and
// run again. Every trace must be stored exactly once, every line whole.
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI } from '../support/cli.js';

const ROLLOUT = readFileSync('test/fixtures/rollout/shell-fail.jsonl', 'utf8');
const ROLLOUT_ID = '01a20f5b-0001-7e31-9c64-0113b2a3c401';
const OTEL = 'test/fixtures/codex-otel';
const OTLP_IDS = ['01a20f63-8aed-7e62-b154-dea51d1f4246', '01a20f63-986a-78a2-914e-d903329ed23d'];

const base = mkdtempSync(join(tmpdir(), 'hl-store-conc-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

function sessionId(writer: number, i: number): string {
  return `01a20f5b-${String(writer).padStart(4, '0')}-7e31-9c64-${String(i).padStart(12, '0')}`;
}

function run(args: string[]): { child: ChildProcess; done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> } {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stderr })),
  );
  return { child, done };
}

function post(url: string, body: Buffer, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent: false, headers: { 'content-length': String(body.length), ...headers } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('the trace store with many writers', () => {
  it('keeps every trace once, with receive and 8 ingests writing and one ingest killed mid-way', async () => {
    const ws = join(base, 'ws');
    mkdirSync(ws, { recursive: true });
    const expected = new Set(OTLP_IDS);
    for (let w = 0; w < 8; w++) {
      const dir = join(base, `sessions-${w}`);
      mkdirSync(dir, { recursive: true });
      for (let i = 0; i < 25; i++) {
        const id = sessionId(w, i);
        writeFileSync(join(dir, `rollout-2026-11-24T20-58-02-${id}.jsonl`), ROLLOUT.replaceAll(ROLLOUT_ID, id));
        expected.add(id);
      }
    }

    const receive = run(['receive', '--port', '0', '--idle-ms', '200', '-C', ws]);
    const url = await new Promise<string>((resolve, reject) => {
      let text = '';
      receive.child.stderr!.on('data', (c: Buffer) => {
        text += c.toString();
        const m = /listening on (http:\/\/\S+)/.exec(text);
        if (m) resolve(m[1]!);
      });
      void receive.done.then((r) => reject(new Error(`receive exited early: ${r.stderr}`)));
    });

    const ingests = Array.from({ length: 8 }, (_, w) => run(['ingest', join(base, `sessions-${w}`), '--all-repos', '-C', ws]));
    const json = { 'content-type': 'application/json' };
    expect(await post(`${url}/v1/logs`, readFileSync(`${OTEL}/json/logs.0004.otlp.json`), json)).toBe(200);
    expect(await post(`${url}/v1/logs`, readFileSync(`${OTEL}/binary/0004-POST-v1_logs.bin`), { 'content-type': 'application/x-protobuf' })).toBe(200);
    // SIGKILL one ingest while the others run (it may be reading, staging, or holding the lock).
    await new Promise((r) => setTimeout(r, 900));
    ingests[3]!.child.kill('SIGKILL');

    const results = await Promise.all(ingests.map((i) => i.done));
    results.forEach((r, w) => {
      if (w === 3) expect(r.code === 0 || r.signal === 'SIGKILL').toBe(true);
      else expect(r.code, r.stderr).toBe(0);
    });
    // The killed ingest is simply run again, as a user would.
    const again = await run(['ingest', join(base, 'sessions-3'), '--all-repos', '-C', ws]).done;
    expect(again.code, again.stderr).toBe(0);
    await new Promise((r) => setTimeout(r, 500));
    receive.child.kill('SIGTERM');
    expect((await receive.done).code).toBe(0);

    const text = readFileSync(join(ws, '.harness-loop/traces/traces.jsonl'), 'utf8');
    expect(text.endsWith('\n'), 'no torn last line').toBe(true);
    const ids = text
      .trimEnd()
      .split('\n')
      .map((line) => (JSON.parse(line) as { id: string }).id);
    expect(ids.length, 'no trace duplicated').toBe(new Set(ids).size);
    expect(new Set(ids)).toEqual(expected);
  });
});
