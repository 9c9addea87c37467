// OTLP files holding Codex telemetry: one OTLP/JSON request body (pretty-printed or not, maybe
// gzipped), the OpenTelemetry Collector `file` exporter output (one OTLP/JSON document per line),
// and raw `application/x-protobuf` bodies. All files given together are joined, since one Codex
// conversation arrives over many POSTs; the assembly is in codex-otel.ts.
import { gunzipSync } from 'node:zlib';
import type { SourceKind, Trace } from '../schema/trace.js';
import { openByteStream, readLines } from '../util/lines.js';
import { looksBinary } from './json-lines.js';
import { CodexOtelAssembler } from './codex-otel.js';
import { GenAiSpanCollector } from './genai-spans.js';
import { signalOfBody } from './otlp-body.js';
import { decodeOtlpProtobuf, signalHintFromName } from './otlp-decode.js';
import { isRecord, type ReadContext, type TraceReader } from './source.js';

const OTLP_KEY = /"resource(Logs|Spans|Metrics)"\s*:/;
const PROTOBUF_NAME = /\.(bin|pb|binpb)(\.gz)?$/i;

/** Feeds one OTLP/JSON document to the assembler; returns a skip reason or null. */
function addDocument(asm: CodexOtelAssembler, doc: unknown, source: { kind: SourceKind; file: string; line: number }, seen: Seen): string | null {
  const signal = signalOfBody(doc);
  if (!signal) return isRecord(doc) ? 'not an OTLP document (no resourceLogs, resourceSpans or resourceMetrics)' : 'not a JSON object';
  if (signal === 'logs') seen.logRecords += asm.addLogsRequest(doc, source).records;
  else if (signal === 'traces') {
    seen.spans += asm.addTracesRequest(doc).records;
    seen.agentSpans += seen.generic.add(doc, source);
  }
  return null;
}

interface Seen {
  logRecords: number;
  spans: number;
  /** Spans in the GenAI or OpenInference vocabulary, and where they are gathered. */
  agentSpans: number;
  generic: GenAiSpanCollector;
}

function newSeen(): Seen {
  return { logRecords: 0, spans: 0, agentSpans: 0, generic: new GenAiSpanCollector() };
}

/** Reads a whole file (gunzipped), or null when it is larger than `limit` bytes. */
async function readWhole(file: string, limit: number): Promise<Buffer | null> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of openByteStream(file) as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return null;
    parts.push(chunk);
  }
  return Buffer.concat(parts, size);
}

/**
 * One file of OTLP/JSON. A first line that parses alone means JSONL (collector output, or a
 * compact body on one line); otherwise the file is one pretty-printed body, read whole.
 */
async function readJsonFile(file: string, asm: CodexOtelAssembler, ctx: ReadContext, seen: Seen): Promise<void> {
  let mode: 'lines' | 'whole' | null = null;
  // The first document waits for a second one: only then is the file known to be collector output.
  let pending: { doc: unknown; n: number } | null = null;
  let docs = 0;
  for await (const line of readLines(file, ctx.maxLineBytes)) {
    if (line.tooLong) {
      ctx.skip({ file, line: line.n, reason: `line of ${line.bytes} bytes is over the ${ctx.maxLineBytes}-byte limit` });
      continue;
    }
    if (line.text.trim() === '') continue;
    let doc: unknown;
    try {
      doc = JSON.parse(line.text);
    } catch {
      if (mode === null) {
        mode = 'whole';
        break;
      }
      ctx.skip({ file, line: line.n, reason: looksBinary(line.text) ? 'binary data, not JSON' : 'malformed JSON (truncated line?)' });
      continue;
    }
    mode = 'lines';
    docs++;
    if (docs === 1) {
      pending = { doc, n: line.n };
      continue;
    }
    if (pending) {
      const reason = addDocument(asm, pending.doc, { kind: 'otel-collector', file, line: pending.n }, seen);
      if (reason) ctx.skip({ file, line: pending.n, reason });
      pending = null;
    }
    const reason = addDocument(asm, doc, { kind: 'otel-collector', file, line: line.n }, seen);
    if (reason) ctx.skip({ file, line: line.n, reason });
  }
  if (pending) {
    const reason = addDocument(asm, pending.doc, { kind: 'otlp-json', file, line: 0 }, seen);
    if (reason) ctx.skip({ file, line: pending.n, reason });
  }
  if (mode !== 'whole') return;
  const bytes = await readWhole(file, ctx.maxLineBytes);
  if (!bytes) {
    ctx.skip({ file, line: 1, reason: `OTLP/JSON document over the ${ctx.maxLineBytes}-byte limit` });
    return;
  }
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    ctx.skip({ file, line: 1, reason: `malformed JSON: ${(error as Error).message}` });
    return;
  }
  const reason = addDocument(asm, doc, { kind: 'otlp-json', file, line: 0 }, seen);
  if (reason) ctx.skip({ file, line: 1, reason });
}

/** One file holding one protobuf `Export{Logs,Trace}ServiceRequest`. */
async function readProtobufFile(file: string, asm: CodexOtelAssembler, ctx: ReadContext, seen: Seen): Promise<void> {
  let bytes = await readWhole(file, ctx.maxLineBytes);
  if (!bytes) {
    ctx.skip({ file, line: 1, reason: `protobuf body over the ${ctx.maxLineBytes}-byte limit` });
    return;
  }
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes, { maxOutputLength: ctx.maxLineBytes });
    } catch (error) {
      ctx.skip({ file, line: 1, reason: `bad gzip data: ${(error as Error).message}` });
      return;
    }
  }
  const decoded = decodeOtlpProtobuf(bytes, signalHintFromName(file));
  if (!decoded) {
    ctx.skip({ file, line: 1, reason: 'not an OTLP ExportLogsServiceRequest or ExportTraceServiceRequest' });
    return;
  }
  addDocument(asm, decoded.body, { kind: 'otlp-protobuf', file, line: 0 }, seen);
}

/** Yields every assembled conversation, or explains once why a set of files gave none. */
function* drain(asm: CodexOtelAssembler, files: string[], ctx: ReadContext, seen: Seen): Generator<Trace> {
  const ids = asm.conversations();
  if (ids.length === 0 && files.length > 0 && seen.agentSpans === 0 && (seen.logRecords > 0 || seen.spans > 0)) {
    ctx.skip({
      file: files[0]!,
      line: 1,
      reason:
        seen.logRecords > 0
          ? 'no Codex log records (event.name codex.* with conversation.id)'
          : 'OTLP spans only, with no gen_ai.* or openinference.* attributes: Codex puts its conversations in its logs; pass the logs export too',
    });
  }
  for (const id of ids) {
    const trace = asm.take(id);
    if (trace) yield trace;
  }
  yield* seen.generic.traces();
}

/** OTLP/JSON bodies and Collector `file` exporter JSONL. */
export const otlpJsonReader: TraceReader = {
  kind: 'otlp-json',
  name: 'otlp',
  sniff: ({ bytes, firstRecord }) => {
    if (signalOfBody(firstRecord)) return true;
    const text = bytes.toString('utf8');
    return /^\s*\{/.test(text) && OTLP_KEY.test(text);
  },
  async *read(files, ctx) {
    const asm = new CodexOtelAssembler();
    const seen = newSeen();
    for (const file of files) await readJsonFile(file, asm, ctx, seen);
    yield* drain(asm, files, ctx, seen);
  },
};

/** Raw OTLP/HTTP protobuf request bodies (`.bin`, `.pb`, `.binpb`). */
export const otlpProtobufReader: TraceReader = {
  kind: 'otlp-protobuf',
  name: 'otlp-protobuf',
  sniff: ({ file, bytes }) => {
    if (bytes.length === 0) return false;
    const binary = PROTOBUF_NAME.test(file) || !isUtf8(bytes);
    if (!binary) return false;
    // Both request types start with field 1 (resource_logs / resource_spans), length-delimited.
    if (bytes[0] !== 0x0a) return false;
    // The head is at most 64 KiB: a whole body must decode; a cut one is taken on its name.
    return decodeOtlpProtobuf(bytes, signalHintFromName(file)) !== null || (bytes.length >= 64 * 1024 && PROTOBUF_NAME.test(file));
  },
  async *read(files, ctx) {
    const asm = new CodexOtelAssembler();
    const seen = newSeen();
    for (const file of files) await readProtobufFile(file, asm, ctx, seen);
    yield* drain(asm, files, ctx, seen);
  },
};

/** True when the bytes are UTF-8 text; a head cut inside a multi-byte character still counts. */
function isUtf8(bytes: Buffer): boolean {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for (let cut = 0; cut <= Math.min(3, bytes.length - 1); cut++) {
    try {
      decoder.decode(bytes.subarray(0, bytes.length - cut));
      return true;
    } catch {
      // try without the last byte or two: a character cut at the head's end
    }
  }
  return false;
}
