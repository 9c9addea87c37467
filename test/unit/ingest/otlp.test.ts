import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CodexOtelAssembler } from '../../../src/ingest/codex-otel.js';
import { ingest } from '../../../src/ingest/ingest.js';
import { otlpJsonReader, otlpProtobufReader } from '../../../src/ingest/otlp.js';
import { decodeOtlpProtobuf } from '../../../src/ingest/otlp-decode.js';
import { detectReader, readSniffInput } from '../../../src/ingest/readers.js';
import type { Skip, TraceReader } from '../../../src/ingest/source.js';
import { ConfigSchema } from '../../../src/schema/config.js';
import { TraceSchema, type Span, type Trace } from '../../../src/schema/trace.js';

const FIX = 'test/fixtures/codex-otel';
const LOGS_JSON = `${FIX}/json/logs.0004.otlp.json`;
const LOGS_JSON_GZ = `${FIX}/json/logs.0004.otlp.json.gz`;
const TRACES_1 = `${FIX}/json/traces.0001.otlp.json.gz`;
const TRACES_2 = `${FIX}/json/traces.0002.otlp.json.gz`;
const COLLECTOR = `${FIX}/collector/otelcol.jsonl`;
const COLLECTOR_FULL = `${FIX}/collector/otelcol-full.jsonl.gz`;
const LOGS_BIN = `${FIX}/binary/0004-POST-v1_logs.bin`;
const TRACES_BIN = `${FIX}/binary/0002-POST-v1_traces.bin`;
const flat = (name: string) => `${FIX}/flat/${name}/${name === 'logs_only' ? '0001' : '0004'}-POST-v1_logs.otlp.json`;

const CONVERSATION = '01a20f63-8aed-7e62-b154-dea51d1f4246';
const TURN = '01a20f63-8b17-7062-baa3-e8c76ee6a9ac';
const USAGE_ONE_TURN = { inputTokens: 2700, cachedInputTokens: 1300, outputTokens: 50, reasoningOutputTokens: 10, totalTokens: 2750 };

async function readAll(reader: TraceReader, files: string[], maxLineBytes = 32 << 20): Promise<{ traces: Trace[]; skipped: Skip[] }> {
  const skipped: Skip[] = [];
  const traces: Trace[] = [];
  for await (const trace of reader.read(files, { skip: (s) => skipped.push(s), maxLineBytes })) {
    // Every trace a reader produces must satisfy the stored schema.
    traces.push(TraceSchema.parse(trace));
  }
  return { traces, skipped };
}

async function readOne(reader: TraceReader, files: string[]): Promise<Trace> {
  const { traces, skipped } = await readAll(reader, files);
  expect(skipped).toEqual([]);
  expect(traces).toHaveLength(1);
  return traces[0]!;
}

const spansOf = (t: Trace, kind: Span['kind']) => t.spans.filter((s) => s.kind === kind);
const withoutSource = (t: Trace) => ({ ...t, source: null });

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'harness-otlp-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('OTLP/JSON logs body (real codex-cli 0.169.0 capture)', () => {
  it('becomes one trace keyed by conversation.id with task, final answer, model and summed usage', async () => {
    const trace = await readOne(otlpJsonReader, [LOGS_JSON]);
    expect(trace).toMatchObject({
      id: CONVERSATION,
      sessionId: CONVERSATION,
      source: { kind: 'otlp-json', file: LOGS_JSON, line: 0 },
      models: ['gpt-5.5'],
      task: 'Run echo please',
      finalAnswer: 'Done: the command printed hello-from-mock.',
      startTime: '2026-11-24T21:08:31.605Z',
      endTime: '2026-11-24T21:08:31.804Z',
      cwd: null,
    });
    expect(trace.usage).toEqual(USAGE_ONE_TURN);
  });

  it('has one turn span holding two model calls, the tool call and the answer message, in time order', async () => {
    const trace = await readOne(otlpJsonReader, [LOGS_JSON]);
    expect(trace.spans.map((s) => [s.kind, s.id])).toEqual([
      ['turn', TURN],
      ['model_call', 'model-1795554511724587559'],
      ['tool_call', 'call_mock_002'],
      ['model_call', 'model-1795554511801096630'],
      ['message', 'msg_mock_003'],
    ]);
    expect(trace.spans.slice(1).every((s) => s.parentId === TURN)).toBe(true);
    expect(spansOf(trace, 'turn')[0]).toMatchObject({
      input: 'Run echo please',
      output: 'Done: the command printed hello-from-mock.',
      status: 'ok',
      startTime: '2026-11-24T21:08:31.690Z',
    });
    expect(spansOf(trace, 'turn')[0]!.attributes).toMatchObject({ promptLength: 15, ttftMs: 82, otelTraceId: '0c01fa7c311fde6ce67971fa13cd3702' });
  });

  it('reads usage per model call from the response.completed record with counts', async () => {
    const trace = await readOne(otlpJsonReader, [LOGS_JSON]);
    const [first, second] = spansOf(trace, 'model_call');
    expect(first).toMatchObject({
      name: 'gpt-5.5',
      status: 'ok',
      output: { inputTokens: 1200, cachedInputTokens: 100, outputTokens: 30, reasoningOutputTokens: 10, totalTokens: 1230 },
    });
    expect(first!.attributes).toMatchObject({ httpStatus: 200, attempt: 0, endpoint: '/responses', reasoningEffort: 'medium' });
    expect(second!.output).toEqual({ inputTokens: 1500, cachedInputTokens: 1200, outputTokens: 20, reasoningOutputTokens: 0, totalTokens: 1520 });
  });

  it('joins tool_decision and tool_result by call_id into one tool span with arguments, output and exit code', async () => {
    const trace = await readOne(otlpJsonReader, [LOGS_JSON]);
    const [tool] = spansOf(trace, 'tool_call');
    expect(tool).toMatchObject({
      id: 'call_mock_002',
      name: 'exec_command',
      status: 'ok',
      error: null,
      exitCode: 0,
      input: '{"cmd":"echo hello-from-mock"}',
      startTime: '2026-11-24T21:08:31.741Z',
      durationMs: 45,
    });
    expect(tool!.output).toContain('Process exited with code 0\nOriginal token count: 4\nOutput:\nhello-from-mock\n');
    expect(tool!.attributes).toMatchObject({ decision: 'approved', decisionSource: 'Config', success: 'true', outputTruncated: false, agentName: '/root' });
  });

  it('keeps session extras as attributes, counts every event, and leaves exporter noise out', async () => {
    const trace = await readOne(otlpJsonReader, [LOGS_JSON]);
    expect(trace.attributes).toMatchObject({
      'service.name': 'codex_exec',
      'app.version': '0.169.0',
      originator: 'codex_exec',
      env: 'probe',
      'host.name': 'vm',
      provider_name: 'mock',
      approval_policy: 'never',
      sandbox_policy: 'danger-full-access',
      startupMs: { thread_start_create_thread: 28, thread_start_total: 38 },
    });
    expect((trace.attributes.otel as { events: Record<string, number> }).events).toMatchObject({
      'codex.user_prompt': 1,
      'codex.sse_event:response.output_text.delta': 1,
      'codex.sse_event:response.completed': 4,
      'codex.tool_result': 1,
    });
    expect(Object.keys(trace.attributes).some((k) => k.startsWith('telemetry.sdk'))).toBe(false);
  });

  it('reads a gzipped body exactly like the plain one', async () => {
    const plain = await readOne(otlpJsonReader, [LOGS_JSON]);
    const gz = await readOne(otlpJsonReader, [LOGS_JSON_GZ]);
    expect(gz.source).toEqual({ kind: 'otlp-json', file: LOGS_JSON_GZ, line: 0 });
    expect(withoutSource(gz)).toEqual(withoutSource(plain));
  });
});

describe('OTLP/JSON traces bodies joined with the logs', () => {
  it('take exact tool timing, turn duration and cwd from spans, without adding the internal spans', async () => {
    const trace = await readOne(otlpJsonReader, [LOGS_JSON, TRACES_1, TRACES_2]);
    expect(trace.spans).toHaveLength(5);
    expect(trace.cwd).toBe('/home/user/repo');
    expect(spansOf(trace, 'tool_call')[0]).toMatchObject({
      startTime: '2026-11-24T21:08:31.727Z',
      durationMs: 50.458,
      attributes: expect.objectContaining({ toolSource: 'direct', aborted: false }),
    });
    expect(spansOf(trace, 'turn')[0]!.durationMs).toBe(178.77);
    // Of 534 exported spans, the conversation's are codex.exec (53, via turn.id), thread/start (119)
    // and turn/start (339, both via trace id); initialize, session_loop, auth… belong to no conversation.
    expect(trace.attributes.otel).toMatchObject({ spans: 511, errorSpans: 0 });
  });

  it('give the same trace whichever order the files come in', async () => {
    const a = await readOne(otlpJsonReader, [LOGS_JSON, TRACES_1, TRACES_2]);
    const b = await readOne(otlpJsonReader, [TRACES_2, TRACES_1, LOGS_JSON]);
    expect(withoutSource(b)).toEqual(withoutSource(a));
  });

  it('alone give no trace and say why', async () => {
    const { traces, skipped } = await readAll(otlpJsonReader, [TRACES_2]);
    expect(traces).toEqual([]);
    expect(skipped).toEqual([{ file: TRACES_2, line: 1, reason: expect.stringContaining('OTLP spans only') }]);
  });
});

describe('OpenTelemetry Collector file exporter output (JSONL)', () => {
  it('is read line by line, mixing traces, metrics and logs, as source otel-collector', async () => {
    const trace = await readOne(otlpJsonReader, [COLLECTOR]);
    expect(trace).toMatchObject({ id: CONVERSATION, source: { kind: 'otel-collector', file: COLLECTOR, line: 3 }, task: 'Run echo please' });
    expect(trace.usage).toEqual(USAGE_ONE_TURN);
    // traces.0002 (the exit batch) carries session_task.turn: the turn's duration.
    expect(spansOf(trace, 'turn')[0]!.durationMs).toBe(178.77);
  });

  it('gives the same trace as the separate bodies it was assembled from', async () => {
    const fromLines = await readOne(otlpJsonReader, [COLLECTOR_FULL]);
    const fromBodies = await readOne(otlpJsonReader, [LOGS_JSON, TRACES_1, TRACES_2]);
    expect(fromLines.source).toEqual({ kind: 'otel-collector', file: COLLECTOR_FULL, line: 4 });
    expect(withoutSource(fromLines)).toEqual(withoutSource(fromBodies));
  });

  it('counts records and spans once when the same export is read twice (collector file plus raw bodies)', async () => {
    const once = await readOne(otlpJsonReader, [LOGS_JSON, TRACES_1, TRACES_2]);
    const twice = await readOne(otlpJsonReader, [LOGS_JSON, TRACES_1, TRACES_2, COLLECTOR_FULL]);
    expect(twice).toEqual(once);
  });

  it('skips bad lines with file:line and a reason and keeps the rest', async () => {
    const lines = (await readFile(COLLECTOR, 'utf8')).split('\n').filter((l) => l !== '');
    const file = join(dir, 'otelcol.jsonl');
    await writeFile(file, [lines[0], '{"resourceLogs": [', '[1, 2]', '{"other": true}', lines[2], '\u0000\u0001binary'].join('\n') + '\n');
    const { traces, skipped } = await readAll(otlpJsonReader, [file]);
    expect(skipped).toEqual([
      { file, line: 2, reason: 'malformed JSON (truncated line?)' },
      { file, line: 3, reason: 'not a JSON object' },
      { file, line: 4, reason: 'not an OTLP document (no resourceLogs, resourceSpans or resourceMetrics)' },
      { file, line: 6, reason: 'binary data, not JSON' },
    ]);
    expect(traces.map((t) => [t.id, t.finalAnswer])).toEqual([[CONVERSATION, 'Done: the command printed hello-from-mock.']]);
  });

  it('skips a line over the size limit without reading it whole', async () => {
    // Line 1 (traces, 23749 bytes) and line 3 (logs, 24107 bytes) are over; line 2 (metrics) is not.
    const { traces, skipped } = await readAll(otlpJsonReader, [COLLECTOR], 22_000);
    expect(skipped.map((s) => s.line)).toEqual([1, 3]);
    expect(skipped[0]!.reason).toBe('line of 23749 bytes is over the 22000-byte limit');
    expect(traces).toEqual([]);
  });
});

describe('bad OTLP/JSON bodies', () => {
  it('reports a malformed pretty-printed body at file:1 and yields nothing', async () => {
    const text = await readFile(LOGS_JSON, 'utf8');
    const file = join(dir, 'cut.otlp.json');
    await writeFile(file, text.slice(0, 5000));
    const { traces, skipped } = await readAll(otlpJsonReader, [file]);
    expect(traces).toEqual([]);
    expect(skipped).toEqual([{ file, line: 1, reason: expect.stringMatching(/^malformed JSON: /) }]);
  });

  it('refuses a pretty-printed body larger than the limit', async () => {
    const { skipped } = await readAll(otlpJsonReader, [LOGS_JSON], 10_000);
    expect(skipped).toEqual([{ file: LOGS_JSON, line: 1, reason: 'OTLP/JSON document over the 10000-byte limit' }]);
  });
});

describe('OTLP protobuf bodies (real captures, default settings)', () => {
  it('decode to the OTLP/JSON shape: hex ids, int64 as strings', async () => {
    const decoded = decodeOtlpProtobuf(await readFile(LOGS_BIN));
    expect(decoded?.signal).toBe('logs');
    const record = (decoded!.body as any).resourceLogs[0].scopeLogs[0].logRecords[3];
    expect(record).toMatchObject({ traceId: '5fe46676f237504f631cf47a685fa71a', observedTimeUnixNano: expect.stringMatching(/^\d{19}$/) });
    expect(record.attributes).toContainEqual({ key: 'event.name', value: { stringValue: 'codex.user_prompt' } });
    expect(decodeOtlpProtobuf(await readFile(TRACES_BIN))?.signal).toBe('traces');
  });

  it('tell logs from traces without a name hint, and refuse bytes that are neither', async () => {
    expect(decodeOtlpProtobuf(await readFile(TRACES_BIN), 'logs')?.signal).toBe('traces');
    expect(decodeOtlpProtobuf(await readFile(LOGS_BIN), 'traces')?.signal).toBe('logs');
    expect(decodeOtlpProtobuf(Buffer.from('{"resourceLogs":[]}'))).toBeNull();
    expect(decodeOtlpProtobuf(Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]))).toBeNull();
  });

  it('become the same kind of trace: redacted prompt gives no task, the turn id comes from the spans', async () => {
    const trace = await readOne(otlpProtobufReader, [LOGS_BIN, TRACES_BIN]);
    expect(trace).toMatchObject({
      id: '01a20f63-986a-78a2-914e-d903329ed23d',
      source: { kind: 'otlp-protobuf', file: LOGS_BIN, line: 0 },
      task: null,
      finalAnswer: null,
      models: ['gpt-5.5'],
      attributes: expect.objectContaining({ promptsRedacted: true }),
    });
    expect(trace.usage).toEqual(USAGE_ONE_TURN);
    expect(trace.spans.map((s) => s.kind)).toEqual(['turn', 'model_call', 'tool_call', 'model_call']);
    expect(spansOf(trace, 'turn')[0]).toMatchObject({ id: '01a20f63-987f-7f13-bce1-7d75fe69d771', status: 'ok', durationMs: 167.02 });
    expect(spansOf(trace, 'tool_call')[0]).toMatchObject({ id: 'call_mock_002', exitCode: 0, status: 'ok' });
  });

  it('without the traces body fall back to a stable turn id from the prompt record', async () => {
    const trace = await readOne(otlpProtobufReader, [LOGS_BIN]);
    expect(spansOf(trace, 'turn')[0]!.id).toBe('turn-1795554515104244102');
  });
});

describe('Codex scenarios (bodies rebuilt from the real flattened records)', () => {
  it('tool_fail: a command exiting 3 is an error with exit code 3 although success="true"', async () => {
    const trace = await readOne(otlpJsonReader, [flat('tool_fail')]);
    expect(spansOf(trace, 'tool_call')[0]).toMatchObject({
      exitCode: 3,
      status: 'error',
      error: 'command exited with code 3',
      attributes: expect.objectContaining({ success: 'true' }),
    });
    expect(spansOf(trace, 'tool_call')[0]!.output).toContain('oops');
  });

  it('bad_args: a dispatch failure (success="false") is an error without an exit code or a decision', async () => {
    const trace = await readOne(otlpJsonReader, [flat('bad_args')]);
    const [tool] = spansOf(trace, 'tool_call');
    expect(tool).toMatchObject({
      name: 'exec_command',
      status: 'error',
      exitCode: null,
      error: 'failed to parse function arguments: key must be a string at line 1 column 2',
    });
    expect(tool!.attributes.decision).toBeUndefined();
  });

  it('unknown_tool: the unsupported call is an error span named after the tool', async () => {
    const trace = await readOne(otlpJsonReader, [flat('unknown_tool')]);
    expect(spansOf(trace, 'tool_call')[0]).toMatchObject({ name: 'no_such_tool', status: 'error', error: 'unsupported call: no_such_tool' });
  });

  it('api_retry: the HTTP 500 attempt is a failed model call plus an error span; the turn still succeeds', async () => {
    const trace = await readOne(otlpJsonReader, [flat('api_retry')]);
    const calls = spansOf(trace, 'model_call');
    expect(calls.map((c) => [c.status, c.attributes.attempt, c.attributes.httpStatus])).toEqual([
      ['error', 0, 500],
      ['ok', 1, 200],
      ['ok', 0, 200],
    ]);
    expect(calls[0]!.error).toBe('http 500');
    expect(spansOf(trace, 'error')).toEqual([expect.objectContaining({ name: 'codex.api_request', error: 'http 500', status: 'error' })]);
    expect(spansOf(trace, 'turn')[0]!.status).toBe('ok');
    expect(trace.usage).toEqual(USAGE_ONE_TURN);
  });

  it('logs_only: empty trace ids and a redacted prompt still give turns, tools and usage', async () => {
    const trace = await readOne(otlpJsonReader, [flat('logs_only')]);
    expect(trace).toMatchObject({ id: '01a20f64-3655-74f0-bdd4-eae1f055ecd6', task: null, finalAnswer: null });
    expect(trace.spans.map((s) => s.kind)).toEqual(['turn', 'model_call', 'tool_call', 'model_call']);
    expect(spansOf(trace, 'turn')[0]!.id).toMatch(/^turn-\d{19}$/);
    expect(spansOf(trace, 'turn')[0]!.attributes.otelTraceId).toBeUndefined();
    expect(trace.usage).toEqual(USAGE_ONE_TURN);
  });

  it('resume: the second process continues the same conversation as a second turn of one trace', async () => {
    const trace = await readOne(otlpJsonReader, [flat('resume'), LOGS_JSON]);
    expect(trace.id).toBe(CONVERSATION);
    expect(spansOf(trace, 'turn').map((t) => [t.id, t.input])).toEqual([
      [TURN, 'Run echo please'],
      ['01a20f64-22a5-7022-a58b-c7ece3e45eca', 'Second prompt: run echo again'],
    ]);
    expect(trace.task).toBe('Run echo please');
    // The mock reuses call_mock_002 in both turns; the second call must not overwrite the first.
    expect(spansOf(trace, 'tool_call').map((s) => [s.id, s.parentId])).toEqual([
      ['call_mock_002', TURN],
      ['call_mock_002@01a20f64-22a5-7022-a58b-c7ece3e45eca', '01a20f64-22a5-7022-a58b-c7ece3e45eca'],
    ]);
    expect(trace.usage).toEqual({ inputTokens: 5400, cachedInputTokens: 2600, outputTokens: 100, reasoningOutputTokens: 20, totalTokens: 5500 });
  });
});

describe('log record handling', () => {
  const body = async () => JSON.parse(await readFile(LOGS_JSON, 'utf8'));
  const source = { kind: 'otlp-json' as const, file: 'test', line: 0 };

  it('drops user.email and user.account_id from resource and records', async () => {
    const doc = await body();
    doc.resourceLogs[0].resource.attributes.push({ key: 'user.email', value: { stringValue: 'dev@example.com' } });
    for (const r of doc.resourceLogs[0].scopeLogs[0].logRecords) {
      r.attributes.push({ key: 'user.email', value: { stringValue: 'dev@example.com' } }, { key: 'user.account_id', value: { stringValue: 'acct-123' } });
    }
    const asm = new CodexOtelAssembler();
    asm.addLogsRequest(doc, source);
    const text = JSON.stringify(asm.take(CONVERSATION));
    expect(text).not.toContain('dev@example.com');
    expect(text).not.toContain('acct-123');
  });

  it('ignores records without event.name or conversation.id', async () => {
    const asm = new CodexOtelAssembler();
    const added = asm.addLogsRequest(await body(), source);
    // 21 codex.* records plus the DEBUG "flushing OTEL metrics" record.
    expect(added).toEqual({ conversations: [CONVERSATION], records: 22, ignored: 1 });
  });

  it('prefers a real timeUnixNano over event.timestamp', async () => {
    const doc = await body();
    const prompt = doc.resourceLogs[0].scopeLogs[0].logRecords[3];
    prompt.timeUnixNano = '1795554511000000000';
    const asm = new CodexOtelAssembler();
    asm.addLogsRequest(doc, source);
    expect(asm.take(CONVERSATION)!.startTime).toBe('2026-11-24T21:08:31.000Z');
  });

  it('reads numbers sent as strings or as numbers alike', async () => {
    const doc = await body();
    for (const r of doc.resourceLogs[0].scopeLogs[0].logRecords) {
      for (const kv of r.attributes) if (/_token_count$/.test(kv.key) && kv.value.stringValue) kv.value = { intValue: Number(kv.value.stringValue) };
    }
    const asm = new CodexOtelAssembler();
    asm.addLogsRequest(doc, source);
    expect(asm.take(CONVERSATION)!.usage).toEqual(USAGE_ONE_TURN);
  });

  it('says a conversation is busy between a tool decision and its result', async () => {
    const doc = await body();
    const records = doc.resourceLogs[0].scopeLogs[0].logRecords;
    const asm = new CodexOtelAssembler();
    asm.addLogsRequest(
      { resourceLogs: [{ ...doc.resourceLogs[0], scopeLogs: [{ ...doc.resourceLogs[0].scopeLogs[0], logRecords: records.slice(0, 12) }] }] },
      source,
    );
    expect(asm.isBusy(CONVERSATION)).toBe(true);
    asm.addLogsRequest(
      { resourceLogs: [{ ...doc.resourceLogs[0], scopeLogs: [{ ...doc.resourceLogs[0].scopeLogs[0], logRecords: records.slice(12) }] }] },
      source,
    );
    expect(asm.isBusy(CONVERSATION)).toBe(false);
  });
});

describe('auto-detection', () => {
  it('picks the JSON reader for bodies, gzipped bodies and collector files, and the protobuf reader for .bin', async () => {
    for (const file of [LOGS_JSON, LOGS_JSON_GZ, TRACES_1, COLLECTOR, COLLECTOR_FULL, flat('api_retry')]) {
      expect(detectReader(await readSniffInput(file))?.name, file).toBe('otlp');
    }
    for (const file of [LOGS_BIN, TRACES_BIN]) expect(detectReader(await readSniffInput(file))?.name, file).toBe('otlp-protobuf');
  });

  it('leaves rollouts and exec streams to their readers, and random bytes to nobody', async () => {
    for (const file of ['test/fixtures/codex-exec/rollout.base.jsonl', 'test/fixtures/codex-exec/exec.base.jsonl']) {
      const head = await readSniffInput(file);
      expect(otlpJsonReader.sniff(head)).toBe(false);
      expect(otlpProtobufReader.sniff(head)).toBe(false);
    }
    const junk = join(dir, 'junk.bin');
    await writeFile(junk, Buffer.from([0x0a, 0x05, 0xff, 0xfe, 0x00, 0x01]));
    expect(otlpProtobufReader.sniff(await readSniffInput(junk))).toBe(false);
  });
});

describe('ingest stage with OTLP files', () => {
  it('stores the joined trace and is idempotent', async () => {
    const ws = join(dir, 'ws');
    const run = () => ingest({ workspace: ws, paths: [LOGS_JSON, TRACES_1, TRACES_2], from: 'auto', allRepos: true, config: ConfigSchema.parse({}) });
    const first = await run();
    expect(first).toMatchObject({ files: 3, filesByFormat: { 'otlp-json': 3 }, traces: 1, spans: 5, skipped: [] });
    expect(first.store).toMatchObject({ added: 1, total: 1 });
    const second = await run();
    expect(second.store).toMatchObject({ added: 0, unchanged: 1, total: 1 });
    const stored = (await readFile(first.storeFile, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(stored.map((t) => [t.id, t.task, t.usage.totalTokens])).toEqual([[CONVERSATION, 'Run echo please', 2750]]);
  });

  it('keeps the gzip fixture in step with the plain body', async () => {
    expect(gunzipSync(await readFile(LOGS_JSON_GZ)).equals(await readFile(LOGS_JSON))).toBe(true);
  });
});
