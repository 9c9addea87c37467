// Generates a deterministic corpus of Codex rollout files for `npm run bench`, cloned from the
// real rollout in test/fixtures/codex-exec/rollout.base.jsonl so every record has the real shape.
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { seededRandom } from '../../test/support/random.js';

/** Bumped whenever the generator's output changes, so an old corpus is rebuilt. */
const GENERATOR_VERSION = 1;
const TEMPLATE = 'test/fixtures/codex-exec/rollout.base.jsonl';
const META_FILE = '.corpus.json';
/** Mean rollout size; with 500 MB this gives about 2,000 sessions. */
const MEAN_FILE_BYTES = 200 * 1024;

/** What is on disk, as recorded in bench/corpus/.corpus.json. */
export interface CorpusInfo {
  generator: number;
  seed: number;
  sizeMb: number;
  files: string[];
  bytes: number;
  records: number;
}

type Rec = { timestamp: string; ordinal?: number; type: string; payload: Record<string, unknown> };


/** Reuses the corpus in `dir` when it was built with the same size, seed and generator; else builds it. */
export function ensureCorpus(dir: string, sizeMb: number, seed: number, regen: boolean, log: (s: string) => void): CorpusInfo {
  const metaPath = join(dir, META_FILE);
  if (!regen) {
    try {
      const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as CorpusInfo;
      const onDisk = meta.files.reduce((n, f) => n + statSync(join(dir, f)).size, 0);
      if (meta.generator === GENERATOR_VERSION && meta.seed === seed && meta.sizeMb === sizeMb && onDisk === meta.bytes) {
        log(`corpus: reusing ${dir} (${meta.files.length} files, ${(meta.bytes / 2 ** 20).toFixed(0)} MB)`);
        return meta;
      }
    } catch {
      // missing or unreadable: rebuild
    }
  }
  log(`corpus: generating ~${sizeMb} MB in ${dir} (seed ${seed}) …`);
  for (const entry of safeReaddir(dir)) rmSync(join(dir, entry), { recursive: true, force: true });
  const info = generate(dir, sizeMb, seed);
  writeFileSync(metaPath, `${JSON.stringify(info)}\n`);
  log(`corpus: ${info.files.length} files, ${(info.bytes / 2 ** 20).toFixed(0)} MB, ${info.records.toLocaleString('en-US')} records`);
  return info;
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

function generate(dir: string, sizeMb: number, seed: number): CorpusInfo {
  const rand = seededRandom(seed);
  const templates = readFileSync(TEMPLATE, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Rec);
  const pool = linePool(rand);
  const target = sizeMb * 2 ** 20;
  const info: CorpusInfo = { generator: GENERATOR_VERSION, seed, sizeMb, files: [], bytes: 0, records: 0 };
  let clock = Date.parse('2026-01-05T08:00:00.000Z');
  while (info.bytes < target) {
    clock += Math.floor(600_000 + rand() * 3_000_000);
    // Sizes spread like real sessions: many small ones, a long tail of big ones.
    const fileBytes = Math.min(4 * 2 ** 20, Math.floor(24_000 + -Math.log(1 - rand()) * (MEAN_FILE_BYTES - 24_000)));
    const session = buildSession(templates, pool, rand, clock, fileBytes);
    const day = new Date(clock).toISOString();
    const rel = join(day.slice(0, 4), day.slice(5, 7), day.slice(8, 10), `rollout-${day.slice(0, 19).replaceAll(':', '-')}-${session.id}.jsonl`);
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), session.text);
    info.files.push(rel);
    info.bytes += Buffer.byteLength(session.text);
    info.records += session.records;
  }
  return info;
}

/** Lines that look like shell, test and compiler output, some mentioning tokens and keys. */
function linePool(rand: () => number): string[] {
  const words = [
    'src/ingest/codex-rollout.ts', 'src/util/lines.ts', 'test/unit/batch/pack.test.ts', 'node_modules/.bin/vitest', 'export', 'function', 'const',
    'return', 'await', 'error', 'warning', 'PASS', 'FAIL', 'TypeError:', 'expected', 'received', 'undefined', 'token', 'tokens', 'apiKey',
    'config.yaml', 'readFile', 'JSON.parse', '=>', '{', '}', '(', ')', ';', '42', '1337', '0.25s', '✓', '✗', 'résumé', 'naïve', '—', '日本語',
  ];
  const pool: string[] = [];
  for (let i = 0; i < 4000; i++) {
    const n = 2 + Math.floor(rand() * 14);
    const indent = ' '.repeat(Math.floor(rand() * 4) * 2);
    pool.push(indent + Array.from({ length: n }, () => words[Math.floor(rand() * words.length)]).join(' '));
  }
  // A few real-looking secrets, so redaction has work to do as it would on real traces.
  pool.push('OPENAI_API_KEY=sk-proj-abcdefghijklmnopqrstuvwxyz0123456789', 'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig', '"password": "hunter2-but-longer"');
  return pool;
}

function text(pool: string[], rand: () => number, bytes: number): string {
  const lines: string[] = [];
  let n = 0;
  while (n < bytes) {
    const line = pool[Math.floor(rand() * pool.length)]!;
    lines.push(line);
    n += line.length + 1;
  }
  return lines.join('\n');
}

/** Tool output sizes: mostly small, sometimes large, rarely huge. */
function outputBytes(rand: () => number): number {
  const r = rand();
  if (r < 0.6) return 100 + Math.floor(rand() * 1_900);
  if (r < 0.9) return 2_000 + Math.floor(rand() * 18_000);
  if (r < 0.98) return 20_000 + Math.floor(rand() * 80_000);
  return 100_000 + Math.floor(rand() * 300_000);
}

function uuid(rand: () => number): string {
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(rand() * 16).toString(16)).join('');
  return `${hex(8)}-${hex(4)}-7${hex(3)}-${hex(4)}-${hex(12)}`;
}

const TASKS = [
  'Fix the failing test in test/unit/batch/pack.test.ts',
  'Add a --since flag to the ingest command and document it',
  'Why does the build break on Node 20? Find the cause and fix it',
  'Refactor the redactor so it walks each trace once',
  'Write a README section about batching',
];

function buildSession(templates: Rec[], pool: string[], rand: () => number, start: number, targetBytes: number): { id: string; text: string; records: number } {
  const id = uuid(rand);
  const cwd = `/home/user/repo-${Math.floor(rand() * 8)}`;
  const t = (type: string, payloadType?: string) => structuredClone(templates.find((r) => r.type === type && (payloadType === undefined || r.payload.type === payloadType))!);
  const out: string[] = [];
  let bytes = 0;
  let clock = start;
  let ordinal = 0;
  const usage = { input_tokens: 0, cached_input_tokens: 0, cache_write_input_tokens: 0, output_tokens: 0, reasoning_output_tokens: 0, total_tokens: 0 };
  const push = (rec: Rec) => {
    clock += Math.floor(rand() * 900);
    rec.timestamp = new Date(clock).toISOString();
    rec.ordinal = ordinal++;
    const line = JSON.stringify(rec);
    out.push(line);
    bytes += line.length + 1;
  };

  /** An item_completed event cloned from the template's item of that type. */
  const itemDone = (type: string, item: Record<string, unknown>): Rec => {
    const rec = structuredClone(templates.find((r) => r.payload.type === 'item_completed' && (r.payload.item as { type?: unknown }).type === type)!);
    Object.assign(rec.payload, { thread_id: id, turn_id: turnIdNow, started_at_ms: clock, completed_at_ms: clock + Math.floor(rand() * 200) });
    rec.payload.item = { ...(rec.payload.item as object), ...item };
    return rec;
  };
  let turnIdNow = '';
  const meta = t('session_meta');
  Object.assign(meta.payload, { id, session_id: id, timestamp: new Date(start).toISOString(), cwd, runtime_workspace_roots: [cwd] });
  push(meta);
  let call = 0;
  const turns = 1 + Math.floor(rand() * 3);
  for (let turn = 0; turn < turns; turn++) {
    const turnId = uuid(rand);
    turnIdNow = turnId;
    const started = t('event_msg', 'task_started');
    Object.assign(started.payload, { turn_id: turnId, root_turn_id: turnId, started_at: Math.floor(clock / 1000) });
    push(started);
    if (turn === 0) for (const rec of templates.filter((r) => r.type === 'response_item' && r.payload.type === 'message' && r.payload.role !== 'assistant').slice(0, 2)) push(structuredClone(rec));
    push(t('world_state'));
    const ctx = t('turn_context');
    Object.assign(ctx.payload, { turn_id: turnId, root_turn_id: turnId, cwd });
    push(ctx);
    const task = `${TASKS[Math.floor(rand() * TASKS.length)]} (session ${id.slice(0, 8)}, turn ${turn + 1})`;
    const user = t('response_item', 'message');
    Object.assign(user.payload, { id: `msg_${uuid(rand)}`, role: 'user', content: [{ type: 'input_text', text: task }], internal_chat_message_metadata_passthrough: { turn_id: turnId } });
    push(user);
    push(itemDone('UserMessage', { id: uuid(rand), content: [{ type: 'text', text: task, text_elements: [] }] }));
    // Tool calls until this turn's share of the file is written.
    const turnTarget = (targetBytes * (turn + 1)) / turns;
    while (bytes < turnTarget) {
      const callId = `call_${id.slice(0, 8)}_${call++}`;
      push(itemDone('Reasoning', { id: `rs_${callId}` }));
      const reasoning = t('response_item', 'reasoning');
      Object.assign(reasoning.payload, { id: `rs_${callId}`, internal_chat_message_metadata_passthrough: { turn_id: turnId } });
      push(reasoning);
      const size = outputBytes(rand);
      const failed = rand() < 0.12;
      const exitCode = failed ? [1, 2, 127][Math.floor(rand() * 3)]! : 0;
      const body = text(pool, rand, size);
      if (rand() < 0.8) {
        const cmd = `npm test -- --grep part-${call}`;
        const fc = t('response_item', 'function_call');
        Object.assign(fc.payload, { id: `fc_${callId}`, call_id: callId, arguments: JSON.stringify({ cmd, yield_time_ms: 10000 }), internal_chat_message_metadata_passthrough: { turn_id: turnId } });
        push(fc);
        usageRecord(t, push, id, turnId, callId, usage, rand);
        const done = itemDone('CommandExecution', { id: callId, command: ['/bin/bash', '-lc', cmd], cwd: `file://${cwd}`, aggregated_output: body, exit_code: exitCode, status: failed ? 'failed' : 'completed' });
        push(done);
        const fco = t('response_item', 'function_call_output');
        Object.assign(fco.payload, { id: `fco_${callId}`, call_id: callId, output: `Chunk ID: ${callId.slice(-6)}\nWall time: 0.1200 seconds\nProcess exited with code ${exitCode}\nOriginal token count: ${Math.ceil(size / 4)}\nOutput:\n${body}`, internal_chat_message_metadata_passthrough: { turn_id: turnId } });
        push(fco);
      } else {
        const patch = `*** Begin Patch\n*** Update File: src/file-${call}.ts\n${body.split('\n').slice(0, 40).map((l) => `+${l}`).join('\n')}\n*** End Patch\n`;
        const ctc = t('response_item', 'custom_tool_call');
        Object.assign(ctc.payload, { id: `ctc_${callId}`, call_id: callId, input: patch, internal_chat_message_metadata_passthrough: { turn_id: turnId } });
        push(ctc);
        usageRecord(t, push, id, turnId, callId, usage, rand);
        const done = itemDone('FileChange', { id: callId, changes: { [`${cwd}/src/file-${call}.ts`]: { type: 'update', unified_diff: patch } }, status: failed ? 'failed' : 'completed' });
        push(done);
        const out2 = t('response_item', 'custom_tool_call_output');
        Object.assign(out2.payload, { id: `ctco_${callId}`, call_id: callId, output: failed ? 'apply_patch verification failed: context not found' : `Exit code: 0\nWall time: 0 seconds\nOutput:\nSuccess. Updated the following files:\nM src/file-${call}.ts\n`, internal_chat_message_metadata_passthrough: { turn_id: turnId } });
        push(out2);
      }
      const count = t('event_msg', 'token_count');
      (count.payload.info as Record<string, unknown>).total_token_usage = { ...usage };
      push(count);
    }
    const answer = `Done with turn ${turn + 1}: ${text(pool, rand, 200 + Math.floor(rand() * 800))}`;
    const msg = templates.find((r) => r.type === 'response_item' && r.payload.role === 'assistant')!;
    const reply = structuredClone(msg);
    Object.assign(reply.payload, { id: `msg_${uuid(rand)}`, content: [{ type: 'output_text', text: answer, annotations: [] }], internal_chat_message_metadata_passthrough: { turn_id: turnId } });
    push(itemDone('AgentMessage', { id: `msg_${uuid(rand)}`, content: [{ type: 'Text', text: answer }] }));
    push(reply);
    const complete = t('event_msg', 'task_complete');
    Object.assign(complete.payload, { turn_id: turnId, root_turn_id: turnId, last_agent_message: answer, duration_ms: Math.floor(rand() * 90_000) });
    push(complete);
  }
  return { id, text: `${out.join('\n')}\n`, records: out.length };
}

function usageRecord(t: (type: string) => Rec, push: (r: Rec) => void, id: string, turnId: string, callId: string, usage: Record<string, number>, rand: () => number): void {
  const input = 2_000 + Math.floor(rand() * 30_000);
  const output = 20 + Math.floor(rand() * 600);
  for (const [k, v] of Object.entries({ input_tokens: input, cached_input_tokens: Math.floor(input * 0.8), output_tokens: output, reasoning_output_tokens: Math.floor(output / 3), total_tokens: input + output })) usage[k] = (usage[k] ?? 0) + v;
  const rec = t('token_usage_record');
  const u = { input_tokens: input, cached_input_tokens: Math.floor(input * 0.8), cache_write_input_tokens: 0, output_tokens: output, reasoning_output_tokens: Math.floor(output / 3), total_tokens: input + output };
  Object.assign(rec.payload, { thread_id: id, session_id: id, turn_id: turnId, root_turn_id: turnId, response_id: `resp_${callId}`, usage: u, turn_token_usage: u, thread_token_usage: { ...usage } });
  push(rec);
}
