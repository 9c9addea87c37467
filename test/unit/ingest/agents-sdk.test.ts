import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { agentsSdkReader, normalizeTraceId } from '../../../src/ingest/agents-sdk.js';
import { ingest } from '../../../src/ingest/ingest.js';
import { detectReader, readSniffInput } from '../../../src/ingest/readers.js';
import type { Skip } from '../../../src/ingest/source.js';
import { ConfigSchema } from '../../../src/schema/config.js';
import { TraceSchema, type Trace } from '../../../src/schema/trace.js';

const DIR = 'test/fixtures/agents-sdk';
const SDK_RUN = `${DIR}/sdk-run.jsonl`;
const SDK_FAILURES = `${DIR}/sdk-failures.jsonl`;
const HALO_RUN = `${DIR}/halo-run.jsonl`;
const HALO_COOKBOOK = `${DIR}/halo-trace.example.jsonl`;
const DILIGENCE = '43d9b03619a9d2ed4d2f3e3fd17c8bf4';
const ANSWER = 'Near-term financing risk is elevated: finance reports $2.9M monthly cash burn and 11 months of runway (`financials/p_and_l.csv`).';

async function read(files: string[]): Promise<{ traces: Trace[]; skipped: Skip[] }> {
  const skipped: Skip[] = [];
  const traces: Trace[] = [];
  for await (const t of agentsSdkReader.read(files, { skip: (s) => skipped.push(s), maxLineBytes: 1 << 20 })) traces.push(TraceSchema.parse(t));
  return { traces, skipped };
}

async function readOne(files: string[], id: string): Promise<Trace> {
  const { traces, skipped } = await read(files);
  expect(skipped).toEqual([]);
  const trace = traces.find((t) => t.id === id);
  if (!trace) throw new Error(`no trace ${id} in ${traces.map((t) => t.id).join(', ')}`);
  return trace;
}

const byId = (t: Trace, id: string) => t.spans.find((s) => s.id === id);

describe('Agents SDK reader: detection', () => {
  it.each([SDK_RUN, SDK_FAILURES, HALO_RUN, HALO_COOKBOOK])('is picked by auto-detection for %s', async (file) => {
    expect(detectReader(await readSniffInput(file))).toBe(agentsSdkReader);
  });

  it('does not claim Codex rollouts or exec streams', async () => {
    expect(detectReader(await readSniffInput('test/fixtures/codex-exec/rollout.base.jsonl'))).not.toBe(agentsSdkReader);
    expect(detectReader(await readSniffInput('test/fixtures/codex-exec/exec.base.jsonl'))).not.toBe(agentsSdkReader);
    expect(agentsSdkReader.sniff({ file: 'x', bytes: Buffer.from('{}'), firstRecord: { traceId: 'a', spanId: 'b', startTimeUnixNano: '1' } })).toBe(false);
  });

  it('strips the trace_ prefix from trace ids', () => {
    expect(normalizeTraceId(`trace_${DILIGENCE}`)).toBe(DILIGENCE);
    expect(normalizeTraceId(DILIGENCE)).toBe(DILIGENCE);
  });
});

describe('Agents SDK reader: span.export() shape', () => {
  it('reads a run: trace id without prefix, workflow, group as session, models, task, final answer, usage', async () => {
    const t = await readOne([SDK_RUN], DILIGENCE);
    expect(t).toMatchObject({
      id: DILIGENCE,
      source: { kind: 'agents-sdk', file: SDK_RUN, line: 1 },
      sessionId: 'group_0123456789abcdef01234567',
      models: ['gpt-4.1'],
      task: 'What do runway and burn tell us about near-term financing risk?',
      finalAnswer: ANSWER,
      startTime: '2026-05-01T10:00:00.123Z',
      endTime: '2026-05-01T10:02:10.654Z',
      cwd: null,
      attributes: { sdkTraceId: `trace_${DILIGENCE}`, workflowName: 'diligence', metadata: { notebook_trace_id: 'trace-01' } },
    });
    expect(t.usage).toEqual({ inputTokens: 2700, cachedInputTokens: 0, outputTokens: 140, reasoningOutputTokens: 0, totalTokens: 2840 });
  });

  it('maps agent → turn, generation → model_call, function → tool_call, with parents and durations', async () => {
    const t = await readOne([SDK_RUN], DILIGENCE);
    expect(t.spans.map((s) => [s.id, s.kind, s.name, s.parentId, s.status])).toEqual([
      ['0f1e2d3c4b5a69788796a5b4', 'turn', 'Diligence analyst', null, 'ok'],
      ['aa0000000000000000000001', 'model_call', 'gpt-4.1', '0f1e2d3c4b5a69788796a5b4', 'ok'],
      ['1a2b3c4d5e6f708192a3b4c5', 'tool_call', 'check_evidence_coverage', '0f1e2d3c4b5a69788796a5b4', 'ok'],
      ['aa0000000000000000000002', 'model_call', 'gpt-4.1', '0f1e2d3c4b5a69788796a5b4', 'ok'],
    ]);
    const tool = byId(t, '1a2b3c4d5e6f708192a3b4c5')!;
    expect(tool).toMatchObject({ input: '{"claims_json": "outputs/claims.json"}', output: '{"passed": true}', durationMs: 250 });
    expect(byId(t, '0f1e2d3c4b5a69788796a5b4')!.attributes).toMatchObject({
      tools: ['check_evidence_coverage', 'validate_output_contract'],
      output_type: 'str',
    });
  });

  it('maps failures: span error, triggered guardrail, failed tool; handoff, MCP listing and custom spans', async () => {
    const t = await readOne([SDK_FAILURES], '5f0c2b7e9a1d4c3b8e6f0a9d2c4b6e81');
    expect(t.task).toBe('Refund order 1234 for the customer');
    expect(t.finalAnswer).toBeNull();
    expect(t.sessionId).toBeNull();
    expect(t.usage).toEqual({ inputTokens: 900, cachedInputTokens: 100, outputTokens: 40, reasoningOutputTokens: 12, totalTokens: 940 });
    expect(byId(t, 'bb0000000000000000000002')).toMatchObject({ kind: 'turn', name: 'Triage', status: 'error', error: 'Max turns (1) exceeded' });
    expect(byId(t, 'bb0000000000000000000003')).toMatchObject({ kind: 'hook', name: 'no_pii', status: 'error', error: 'guardrail "no_pii" triggered' });
    expect(byId(t, 'bb0000000000000000000004')).toMatchObject({ kind: 'model_call', name: 'response', status: 'ok', attributes: { response_id: 'resp_123' } });
    expect(byId(t, 'bb0000000000000000000005')).toMatchObject({
      kind: 'tool_call',
      name: 'lookup_order',
      status: 'error',
      error: 'Error running tool: order service timed out',
      input: '{"order_id": "1234"}',
      attributes: { errorData: { tool_name: 'lookup_order' } },
    });
    expect(byId(t, 'bb0000000000000000000006')).toMatchObject({ kind: 'message', name: 'handoff', input: 'Triage', output: 'Billing' });
    expect(byId(t, 'bb0000000000000000000007')).toMatchObject({
      kind: 'tool_call',
      name: 'mcp_tools',
      input: { server: 'billing' },
      output: ['refund', 'lookup_invoice'],
    });
    expect(byId(t, 'bb0000000000000000000008')).toMatchObject({ kind: 'message', name: 'sandbox_workspace', attributes: { data: { path: '/tmp/ws' } } });
    // The SDK's task span (exported as custom "task") is the root turn; its usage is not counted twice.
    expect(byId(t, 'bb0000000000000000000001')).toMatchObject({ kind: 'turn', name: 'task', parentId: null });
  });
});

describe('Agents SDK reader: HALO flat shape', () => {
  it('reads a HALO run: flattened and JSON messages, token counts, status errors, metadata', async () => {
    const t = await readOne([HALO_RUN], '7c1e4f2a9b3d5e6f8a0b1c2d3e4f5a6b');
    expect(t).toMatchObject({
      sessionId: 'group_aaaaaaaaaaaaaaaaaaaaaaaa',
      models: ['gpt-4.1-mini'],
      task: 'Where is my parcel 99?',
      finalAnswer: 'Sorry, tracking is down right now; please try again in an hour.',
      startTime: '2026-05-03T08:00:00.000Z',
      endTime: '2026-05-03T08:00:04.000Z',
      attributes: {
        workflowName: 'support',
        projectId: 'example-project',
        metadata: { ticket: 'T-77' },
        resource: { 'service.name': 'example-support-agent' },
      },
    });
    expect(t.usage).toMatchObject({ inputTokens: 1500, outputTokens: 50, totalTokens: 1550 });
    expect(t.spans.map((s) => [s.kind, s.name, s.status])).toEqual([
      ['turn', 'Support', 'ok'],
      ['model_call', 'gpt-4.1-mini', 'ok'],
      ['tool_call', 'track_parcel', 'error'],
      ['hook', 'tone_check', 'ok'],
      ['model_call', 'gpt-4.1-mini', 'ok'],
    ]);
    expect(byId(t, 'c0c0c0c0c0c0c0c0c0c0c003')).toMatchObject({
      input: '{"parcel": 99}',
      output: 'tracking service unavailable',
      error: 'tracking service unavailable',
      durationMs: 500,
    });
    expect(byId(t, 'c0c0c0c0c0c0c0c0c0c0c002')!.input).toEqual([
      { role: 'system', content: 'You help customers.' },
      { role: 'user', content: 'Where is my parcel 99?' },
    ]);
    // Trace-wide attributes live on the trace, not on every span.
    expect(Object.keys(byId(t, 'c0c0c0c0c0c0c0c0c0c0c003')!.attributes)).not.toContain('agent.workflow.name');
  });

  it('keeps synthetic cookbook spans (feedback, eval results) as message spans with their attributes', async () => {
    const t = await readOne([HALO_COOKBOOK], DILIGENCE);
    const feedback = byId(t, 'b552708bac8be4ad')!;
    expect(feedback).toMatchObject({
      kind: 'message',
      name: 'human_feedback.comment',
      attributes: { feedbackKind: 'HUMAN_FEEDBACK', 'feedback.id': 'human-trace-01' },
    });
    expect(feedback.attributes['feedback.summary']).toBe('State the 11-month runway and the burn as near-term financing risk.');
    expect(byId(t, '2878653ce4582199')).toMatchObject({
      kind: 'message',
      name: 'eval_gate.result',
      attributes: { feedbackKind: 'EVAL_RESULT', 'eval.passed': true },
    });
    // Feedback written minutes later does not stretch the run's time range.
    expect(t.endTime).toBe('2026-05-01T10:02:10.654Z');
  });

  it('flags a trace made only of synthetic spans', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'harness-agents-'));
    try {
      const line = (await readFile(HALO_COOKBOOK, 'utf8')).split('\n')[2]!.replaceAll(DILIGENCE, 'bbc0adba2de07230dc56f46b708ff434');
      const file = join(dir, 'config-only.jsonl');
      await writeFile(file, `${line}\n`);
      const t = await readOne([file], 'bbc0adba2de07230dc56f46b708ff434');
      expect(t.attributes.syntheticOnly).toBe(true);
      expect(t.startTime).toBe('2026-05-01T10:05:00.000Z');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('Agents SDK reader: grouping by trace id across files and shapes', () => {
  it('joins SDK export spans and HALO lines of the same trace, once per span', async () => {
    const { traces, skipped } = await read([SDK_RUN, HALO_COOKBOOK]);
    expect(skipped).toEqual([]);
    expect(traces.map((t) => t.id)).toEqual([DILIGENCE]);
    const t = traces[0]!;
    // The HALO agent and function lines are the same spans as the SDK ones (span_ prefix dropped).
    expect(t.spans.map((s) => s.id)).toEqual([
      '0f1e2d3c4b5a69788796a5b4',
      'aa0000000000000000000001',
      '1a2b3c4d5e6f708192a3b4c5',
      'aa0000000000000000000002',
      'b552708bac8be4ad',
      '2878653ce4582199',
    ]);
    expect(t.source.file).toBe(SDK_RUN);
    expect(t.finalAnswer).toBe(ANSWER);
    expect(t.usage.totalTokens).toBe(2840);
  });

  it('gives the same trace whichever file comes first', async () => {
    const a = await readOne([SDK_RUN, HALO_COOKBOOK], DILIGENCE);
    const b = await readOne([HALO_COOKBOOK, SDK_RUN], DILIGENCE);
    const shape = (t: Trace) => ({ ...t, source: null, spans: t.spans.map((s) => ({ id: s.id, kind: s.kind, status: s.status })) });
    expect(shape(b)).toMatchObject({ ...shape(a), attributes: expect.anything() });
    expect(b.task).toBe(a.task);
    expect(b.finalAnswer).toBe(a.finalAnswer);
  });

  it('keeps traces apart by id and reads them all from several files', async () => {
    const { traces } = await read([SDK_RUN, SDK_FAILURES, HALO_RUN, HALO_COOKBOOK]);
    expect(traces.map((t) => t.id).sort()).toEqual([DILIGENCE, '5f0c2b7e9a1d4c3b8e6f0a9d2c4b6e81', '7c1e4f2a9b3d5e6f8a0b1c2d3e4f5a6b'].sort());
  });

  it('joins spans of one trace split over two files (SDK records in end order)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'harness-agents-'));
    try {
      const lines = (await readFile(SDK_RUN, 'utf8')).trim().split('\n');
      const first = join(dir, 'part-1.jsonl');
      const second = join(dir, 'part-2.jsonl');
      await writeFile(first, `${lines.slice(0, 3).join('\n')}\n`);
      await writeFile(second, `${lines.slice(3).join('\n')}\n`);
      const joined = await readOne([first, second], DILIGENCE);
      const whole = await readOne([SDK_RUN], DILIGENCE);
      expect({ ...joined, source: null }).toEqual({ ...whole, source: null });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('ingests all agents files together into the store, one line per trace', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'harness-agents-'));
    try {
      const result = await ingest({ workspace: dir, paths: [DIR], from: 'auto', allRepos: false, config: ConfigSchema.parse({}) });
      expect(result.filesByFormat).toEqual({ 'agents-sdk': 4 });
      expect(result.skipped).toEqual([]);
      const stored = (await readFile(result.storeFile, 'utf8'))
        .trim()
        .split('\n')
        .map((l) => TraceSchema.parse(JSON.parse(l)));
      expect(stored.map((t) => t.id).sort()).toEqual([DILIGENCE, '5f0c2b7e9a1d4c3b8e6f0a9d2c4b6e81', '7c1e4f2a9b3d5e6f8a0b1c2d3e4f5a6b'].sort());
      expect(stored.find((t) => t.id === DILIGENCE)!.spans).toHaveLength(6);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('Agents SDK reader: bad lines', () => {
  it('skips unusable lines with file:line and a reason, and keeps the rest', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'harness-agents-'));
    try {
      const good = (await readFile(SDK_RUN, 'utf8')).trim().split('\n');
      const file = join(dir, 'mixed.jsonl');
      await writeFile(
        file,
        [
          good[0],
          '{"object":"trace.span","id":"span_x","parent_id":null,"span_data":{"type":"agent"}}',
          '{"object":"trace.span","id":"span_y","trace_id":"trace_1","span_data":{}}',
          '{"trace_id":"abc","name":"no span id"}',
          '[1,2,3]',
          '{"hello":"world"}',
          ...good.slice(1),
          '{"object":"trace.span","id":"span_z","trace_',
        ].join('\n'),
      );
      const { traces, skipped } = await read([file]);
      expect(skipped).toEqual([
        { file, line: 2, reason: 'trace.span without "trace_id"' },
        { file, line: 3, reason: 'trace.span without "span_data.type"' },
        { file, line: 4, reason: 'span line without "span_id"' },
        { file, line: 5, reason: 'not a JSON object' },
        { file, line: 6, reason: 'not an Agents SDK span or trace record (no "object", "trace_id" or "span_id")' },
        { file, line: 11, reason: 'malformed JSON (truncated line?)' },
      ]);
      expect(traces.map((t) => t.id)).toEqual([DILIGENCE]);
      expect(traces[0]!.spans).toHaveLength(4);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
