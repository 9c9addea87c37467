import { request } from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { storeTraces } from '../../../src/ingest/ingest.js';
import { otlpJsonReader, otlpProtobufReader } from '../../../src/ingest/otlp.js';
import type { TraceReader } from '../../../src/ingest/source.js';
import { renderCodexOtelConfig, startReceiver, type Receiver, type ReceiverOptions } from '../../../src/receive/server.js';
import { ConfigSchema } from '../../../src/schema/config.js';
import { TraceSchema, type Trace } from '../../../src/schema/trace.js';

const FIX = 'test/fixtures/codex-otel';
const LOGS_JSON = `${FIX}/json/logs.0004.otlp.json`;
const TRACES_1 = `${FIX}/json/traces.0001.otlp.json.gz`;
const TRACES_2 = `${FIX}/json/traces.0002.otlp.json.gz`;
const LOGS_BIN = `${FIX}/binary/0004-POST-v1_logs.bin`;
const TRACES_BIN = `${FIX}/binary/0002-POST-v1_traces.bin`;
const RESUME = `${FIX}/flat/resume/0004-POST-v1_logs.otlp.json`;
const CONVERSATION = '01a20f63-8aed-7e62-b154-dea51d1f4246';
const BINARY_CONVERSATION = '01a20f63-986a-78a2-914e-d903329ed23d';
const config = ConfigSchema.parse({});

interface Reply {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/** One POST (or other method) over loopback; `chunked` sends the body without a content-length. */
function send(url: string, path: string, body: Buffer | string, headers: Record<string, string> = {}, method = 'POST', chunked = false): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const data = typeof body === 'string' ? Buffer.from(body) : body;
    const req = request(
      `${url}${path}`,
      { method, agent: false, headers: chunked ? headers : { 'content-length': String(data.length), ...headers } },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8'), headers: res.headers }));
      },
    );
    req.on('error', reject);
    if (chunked) {
      for (let i = 0; i < data.length; i += 1024) req.write(data.subarray(i, i + 1024));
      req.end();
    } else {
      req.end(data);
    }
  });
}

const json = { 'content-type': 'application/json' };
const protobuf = { 'content-type': 'application/x-protobuf' };

let dir: string;
let receiver: Receiver | null;
let logs: string[];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'harness-receive-'));
  receiver = null;
  logs = [];
});
afterEach(async () => {
  await receiver?.close();
  await rm(dir, { recursive: true, force: true });
});

async function start(options: Partial<ReceiverOptions> = {}): Promise<Receiver> {
  receiver = await startReceiver({ workspace: join(dir, 'ws'), config, port: 0, idleMs: 60_000, log: (l) => logs.push(l), ...options });
  return receiver;
}

async function readStore(ws = join(dir, 'ws')): Promise<Trace[]> {
  try {
    const text = await readFile(join(ws, '.harness-loop', 'traces', 'traces.jsonl'), 'utf8');
    return text
      .trim()
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => TraceSchema.parse(JSON.parse(l)));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** What ingesting the same captures as files stores (redacted like the receiver's writes). */
async function storedFromFiles(reader: TraceReader, files: string[]): Promise<Trace[]> {
  const traces: Trace[] = [];
  for await (const t of reader.read(files, { skip: (s) => expect.fail(`skipped ${s.file}:${s.line}: ${s.reason}`), maxLineBytes: 32 << 20 })) traces.push(t);
  const ws = join(dir, 'from-files');
  await storeTraces(ws, traces, config);
  return readStore(ws);
}

const withoutSource = (traces: Trace[]) => traces.map((t) => ({ ...t, source: null }));

async function waitFor<T>(check: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 500; i++) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe('receiver: accepting Codex exports', () => {
  it('answers 200 {} to OTLP/JSON, gzip included, and writes the same trace as ingesting the files on close', async () => {
    const r = await start();
    expect(await send(r.url, '/v1/logs', await readFile(LOGS_JSON), json)).toMatchObject({ status: 200, body: '{}' });
    for (const file of [TRACES_1, TRACES_2]) {
      expect(await send(r.url, '/v1/traces', await readFile(file), { ...json, 'content-encoding': 'gzip' })).toMatchObject({ status: 200, body: '{}' });
    }
    expect(await readStore()).toEqual([]);
    const summary = await r.close();
    expect(summary).toMatchObject({ requests: 3, rejected: {}, logRecords: 22, spans: 534, writes: 1, traces: 1 });
    const stored = await readStore();
    expect(stored.map((t) => [t.id, t.source, t.task, t.usage.totalTokens])).toEqual([
      [CONVERSATION, { kind: 'otlp-json', file: `${r.url}/v1/logs`, line: 0 }, 'Run echo please', 2750],
    ]);
    expect(withoutSource(stored)).toEqual(withoutSource(await storedFromFiles(otlpJsonReader, [LOGS_JSON, TRACES_1, TRACES_2])));
  });

  it('answers 200 with an empty body to protobuf and writes the same trace as ingesting the .bin files', async () => {
    const r = await start();
    const traces = await send(r.url, '/v1/traces', await readFile(TRACES_BIN), protobuf);
    expect(traces).toMatchObject({ status: 200, body: '' });
    expect(traces.headers['content-type']).toBe('application/x-protobuf');
    expect((await send(r.url, '/v1/logs', await readFile(LOGS_BIN), protobuf)).status).toBe(200);
    await r.close();
    const stored = await readStore();
    expect(stored.map((t) => [t.id, t.source.kind, t.spans[0]!.id])).toEqual([[BINARY_CONVERSATION, 'otlp-protobuf', '01a20f63-987f-7f13-bce1-7d75fe69d771']]);
    expect(withoutSource(stored)).toEqual(withoutSource(await storedFromFiles(otlpProtobufReader, [LOGS_BIN, TRACES_BIN])));
  });

  it('sniffs bodies posted to / (an endpoint without a path) and accepts and ignores metrics', async () => {
    const r = await start();
    const metrics = await readFile(`${FIX}/collector/otelcol.jsonl`, 'utf8').then((t) => t.split('\n')[1]!);
    expect((await send(r.url, '/', metrics, json)).status).toBe(200);
    expect((await send(r.url, '/v1/metrics', metrics, json)).status).toBe(200);
    expect((await send(r.url, '/', await readFile(TRACES_BIN), protobuf)).status).toBe(200);
    expect((await send(r.url, '/', await readFile(LOGS_BIN), protobuf)).status).toBe(200);
    expect((await send(r.url, '/', await readFile(LOGS_JSON), json)).status).toBe(200);
    const summary = await r.close();
    expect(summary).toMatchObject({ requests: 5, rejected: {}, logRecords: 22 + 21, traces: 2 });
    expect((await readStore()).map((t) => t.id).sort()).toEqual([CONVERSATION, BINARY_CONVERSATION]);
  });

  it('writes a conversation once it has been idle, and rebuilds it whole when a resumed run adds a turn', async () => {
    const r = await start({ idleMs: 40 });
    await send(r.url, '/v1/logs', await readFile(LOGS_JSON), json);
    const first = await waitFor(async () => (await readStore()).find((t) => t.id === CONVERSATION), 'the first write');
    expect(first.spans.filter((s) => s.kind === 'turn')).toHaveLength(1);
    await send(r.url, '/v1/logs', await readFile(RESUME), json);
    const second = await waitFor(async () => (await readStore()).find((t) => t.spans.filter((s) => s.kind === 'turn').length === 2), 'the second write');
    expect(second.usage).toEqual({ inputTokens: 5400, cachedInputTokens: 2600, outputTokens: 100, reasoningOutputTokens: 20, totalTokens: 5500 });
    expect(second.task).toBe('Run echo please');
    expect(await readStore()).toHaveLength(1);
    // The new store is visible a moment before the write returns (the index and lock come after it).
    const wrote = await waitFor(async () => {
      const n = logs.filter((l) => l.startsWith('receive: wrote 1 trace(s)')).length;
      return n >= 2 ? n : undefined;
    }, 'the second write to be logged');
    expect(wrote).toBe(2);
  });

  it('holds a quiet conversation with an open tool call (a long command) until ten idle periods pass', async () => {
    let clock = 0;
    const r = await start({ idleMs: 40, now: () => clock });
    const doc = JSON.parse(await readFile(LOGS_JSON, 'utf8'));
    // The first 12 records end with the tool_decision of call_mock_002; its tool_result is not sent.
    doc.resourceLogs[0].scopeLogs = [{ ...doc.resourceLogs[0].scopeLogs[0], logRecords: doc.resourceLogs[0].scopeLogs[0].logRecords.slice(0, 12) }];
    await send(r.url, '/v1/logs', JSON.stringify(doc), json);
    await send(r.url, '/v1/logs', await readFile(LOGS_BIN), protobuf);
    clock += 100;
    // Both are quiet past the idle time and are looked at in the same sweep; only the finished one is written.
    await waitFor(async () => ((await readStore()).length > 0 ? true : undefined), 'the first write');
    expect((await readStore()).map((t) => t.id)).toEqual([BINARY_CONVERSATION]);
    clock += 1000;
    const held = await waitFor(async () => (await readStore()).find((t) => t.id === CONVERSATION), 'the held conversation');
    const tool = held.spans.find((s) => s.kind === 'tool_call');
    expect(tool).toMatchObject({ id: 'call_mock_002', status: 'unset' });
    expect(tool).not.toHaveProperty('output');
  });

  it('takes a retried POST (the same records again) as one delivery', async () => {
    const r = await start();
    const body = await readFile(LOGS_JSON);
    for (let i = 0; i < 2; i++) expect((await send(r.url, '/v1/logs', body, json)).status).toBe(200);
    await r.close();
    expect(withoutSource(await readStore())).toEqual(withoutSource(await storedFromFiles(otlpJsonReader, [LOGS_JSON])));
  });

  it('flush() writes what has arrived without waiting for the idle time', async () => {
    const r = await start();
    await send(r.url, '/v1/logs', await readFile(LOGS_JSON), json);
    expect(await r.flush()).toBe(1);
    expect((await readStore()).map((t) => t.id)).toEqual([CONVERSATION]);
    expect(await r.flush()).toBe(0);
  });
});

describe('receiver: bad requests', () => {
  it('refuses malformed, oversized and unsupported requests with 400/413/415/404/405 and keeps serving', async () => {
    const r = await start({ maxBodyBytes: 4096 });
    const small = JSON.stringify({ resourceLogs: [] });
    const cases: [string, Promise<Reply>, number][] = [
      ['bad JSON', send(r.url, '/v1/logs', '{"resourceLogs": [', json), 400],
      ['JSON that is not an object', send(r.url, '/v1/logs', '[1]', json), 400],
      ['resourceLogs not an array', send(r.url, '/v1/logs', '{"resourceLogs": 3}', json), 400],
      ['undecodable protobuf', send(r.url, '/v1/logs', Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]), protobuf), 400],
      ['bad gzip', send(r.url, '/v1/logs', 'not gzip at all', { ...json, 'content-encoding': 'gzip' }), 400],
      ['body over --max-body', send(r.url, '/v1/logs', await readFile(LOGS_JSON), json), 413],
      ['chunked body over --max-body', send(r.url, '/v1/logs', await readFile(LOGS_JSON), json, 'POST', true), 413],
      ['gzip that inflates over --max-body', send(r.url, '/v1/logs', gzipSync(Buffer.alloc(100_000, 32)), { ...json, 'content-encoding': 'gzip' }), 413],
      ['real body, 2.6 KB gzipped, 61 KB inflated', send(r.url, '/v1/logs', gzipSync(await readFile(LOGS_JSON)), { ...json, 'content-encoding': 'gzip' }), 413],
      ['text/plain', send(r.url, '/v1/logs', small, { 'content-type': 'text/plain' }), 415],
      ['no content type', send(r.url, '/v1/logs', small), 415],
      ['brotli', send(r.url, '/v1/logs', small, { ...json, 'content-encoding': 'br' }), 415],
      ['unknown path', send(r.url, '/v1/other', small, json), 404],
      ['GET', send(r.url, '/v1/logs', '', {}, 'GET'), 405],
    ];
    for (const [what, reply, status] of cases) expect((await reply).status, what).toBe(status);
    expect((await send(r.url, '/v1/logs', small, json)).status).toBe(200);
    const summary = await r.close();
    expect(summary.rejected).toEqual({ '400': 5, '404': 1, '405': 1, '413': 4, '415': 3 });
    expect(logs.some((l) => l.includes('400 malformed JSON'))).toBe(true);
  });

  it('still accepts good data after bad requests and writes it', async () => {
    const r = await start();
    await send(r.url, '/v1/logs', 'garbage', json);
    await send(r.url, '/v1/traces', Buffer.from([0xff, 0x00, 0x13]), protobuf);
    expect((await send(r.url, '/v1/logs', await readFile(LOGS_JSON), json)).status).toBe(200);
    await r.close();
    expect((await readStore()).map((t) => t.finalAnswer)).toEqual(['Done: the command printed hello-from-mock.']);
  });
});

describe('receiver: Codex config snippet', () => {
  it('points the logs and trace exporters at the receiver and turns metrics off', () => {
    expect(renderCodexOtelConfig('http://127.0.0.1:4318')).toBe(
      [
        '[otel]',
        'log_user_prompt = true',
        'log_agent_responses = true',
        'exporter = { otlp-http = { endpoint = "http://127.0.0.1:4318/v1/logs", protocol = "json" } }',
        'trace_exporter = { otlp-http = { endpoint = "http://127.0.0.1:4318/v1/traces", protocol = "json" } }',
        'metrics_exporter = "none"',
      ].join('\n'),
    );
    expect(renderCodexOtelConfig('http://0.0.0.0:9999')).toContain('"http://127.0.0.1:9999/v1/logs"');
  });
});
