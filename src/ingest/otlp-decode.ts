// OTLP/HTTP protobuf bodies (`application/x-protobuf`) → the OTLP/JSON object shape.
// Field numbers from open-telemetry/opentelemetry-proto v1 (collector/{logs,trace}/v1, common,
// resource); only the messages Codex sends. @opentelemetry/otlp-transformer cannot decode
// requests, so protobufjs parses this subset at runtime (verified on codex-cli 0.169.0 bodies).
import protobuf from 'protobufjs';

const OTLP_PROTO = `
syntax = "proto3";
package otlp;
message AnyValue {
  oneof value {
    string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4;
    ArrayValue array_value = 5; KeyValueList kvlist_value = 6; bytes bytes_value = 7;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }
message InstrumentationScope { string name = 1; string version = 2; repeated KeyValue attributes = 3; uint32 dropped_attributes_count = 4; }
message Resource { repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2; }
message LogRecord {
  fixed64 time_unix_nano = 1; int32 severity_number = 2; string severity_text = 3; AnyValue body = 5;
  repeated KeyValue attributes = 6; uint32 dropped_attributes_count = 7; fixed32 flags = 8;
  bytes trace_id = 9; bytes span_id = 10; fixed64 observed_time_unix_nano = 11; string event_name = 12;
}
message ScopeLogs { InstrumentationScope scope = 1; repeated LogRecord log_records = 2; string schema_url = 3; }
message ResourceLogs { Resource resource = 1; repeated ScopeLogs scope_logs = 2; string schema_url = 3; }
message ExportLogsServiceRequest { repeated ResourceLogs resource_logs = 1; }
message Status { string message = 2; int32 code = 3; }
message SpanEvent { fixed64 time_unix_nano = 1; string name = 2; repeated KeyValue attributes = 3; uint32 dropped_attributes_count = 4; }
message SpanLink { bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; repeated KeyValue attributes = 4; uint32 dropped_attributes_count = 5; fixed32 flags = 6; }
message Span {
  bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; bytes parent_span_id = 4; string name = 5;
  int32 kind = 6; fixed64 start_time_unix_nano = 7; fixed64 end_time_unix_nano = 8; repeated KeyValue attributes = 9;
  uint32 dropped_attributes_count = 10; repeated SpanEvent events = 11; uint32 dropped_events_count = 12;
  repeated SpanLink links = 13; uint32 dropped_links_count = 14; Status status = 15; fixed32 flags = 16;
}
message ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; string schema_url = 3; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; string schema_url = 3; }
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
`;

/** Which OTLP signal a request body carries. */
export type OtlpSignal = 'logs' | 'traces' | 'metrics';

/** A decoded protobuf request, in OTLP/JSON shape (hex ids, int64 as decimal strings). */
export interface DecodedOtlp {
  signal: 'logs' | 'traces';
  body: Record<string, unknown>;
}

let types: { logs: protobuf.Type; traces: protobuf.Type } | undefined;

function loadTypes(): { logs: protobuf.Type; traces: protobuf.Type } {
  if (!types) {
    const root = protobuf.parse(OTLP_PROTO, { keepCase: false }).root;
    types = { logs: root.lookupType('otlp.ExportLogsServiceRequest'), traces: root.lookupType('otlp.ExportTraceServiceRequest') };
  }
  return types;
}

const ID_KEYS = new Set(['traceId', 'spanId', 'parentSpanId']);

/** Byte-array ids → lowercase hex, as OTLP/JSON spells them; everything else as decoded. */
function hexIds(value: unknown, key?: string): unknown {
  if (Array.isArray(value)) {
    if (key && ID_KEYS.has(key)) return Buffer.from(value as number[]).toString('hex');
    return value.map((v) => hexIds(v));
  }
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = hexIds(v, k);
    return out;
  }
  return value;
}

function decodeAs(type: protobuf.Type, buf: Uint8Array): Record<string, unknown> {
  const message = type.decode(buf);
  const object = type.toObject(message, { longs: String, bytes: Array, enums: Number, defaults: false, arrays: true, oneofs: false });
  return hexIds(object) as Record<string, unknown>;
}

/** Counts records so a wrong-type decode (which protobuf often "succeeds" at) can be told apart. */
function countRecords(signal: 'logs' | 'traces', body: Record<string, unknown>): number {
  const resources = body[signal === 'logs' ? 'resourceLogs' : 'resourceSpans'];
  if (!Array.isArray(resources)) return 0;
  let n = 0;
  for (const r of resources as Record<string, unknown>[]) {
    const scopes = r[signal === 'logs' ? 'scopeLogs' : 'scopeSpans'];
    if (!Array.isArray(scopes)) continue;
    for (const s of scopes as Record<string, unknown>[]) {
      const records = s[signal === 'logs' ? 'logRecords' : 'spans'];
      if (Array.isArray(records)) n += records.length;
    }
  }
  return n;
}

/** True when every record of a decode has the fields its signal always carries. */
function looksValid(signal: 'logs' | 'traces', body: Record<string, unknown>): boolean {
  const resources = body[signal === 'logs' ? 'resourceLogs' : 'resourceSpans'] as Record<string, unknown>[] | undefined;
  for (const r of resources ?? []) {
    for (const s of (r[signal === 'logs' ? 'scopeLogs' : 'scopeSpans'] as Record<string, unknown>[] | undefined) ?? []) {
      for (const rec of (s[signal === 'logs' ? 'logRecords' : 'spans'] as Record<string, unknown>[] | undefined) ?? []) {
        if (signal === 'traces') {
          // Every real span has a name and a 16-hex span id; a logs body read as traces has neither.
          if (typeof rec.name !== 'string' || typeof rec.spanId !== 'string' || rec.spanId.length !== 16) return false;
        } else if (rec.attributes === undefined && rec.body === undefined) {
          return false;
        }
      }
    }
  }
  return true;
}

/**
 * Decodes an `ExportLogsServiceRequest` or `ExportTraceServiceRequest`. The two share field 1, so
 * both are tried (the `hint` first) and the decode that yields well-formed records wins. A
 * well-formed request without records is returned under the hint. Returns null when neither fits.
 */
export function decodeOtlpProtobuf(buf: Uint8Array, hint?: 'logs' | 'traces'): DecodedOtlp | null {
  if (buf.length === 0) return { signal: hint ?? 'logs', body: {} };
  const t = loadTypes();
  const order: ('logs' | 'traces')[] = hint === 'traces' ? ['traces', 'logs'] : ['logs', 'traces'];
  let empty: DecodedOtlp | null = null;
  for (const signal of order) {
    let body: Record<string, unknown>;
    try {
      body = decodeAs(t[signal], buf);
    } catch {
      continue;
    }
    const records = countRecords(signal, body);
    if (records > 0 && looksValid(signal, body)) return { signal, body };
    if (records === 0 && empty === null && isProtobufWire(buf)) empty = { signal, body };
  }
  return empty;
}

/** True when `buf` parses as protobuf wire format to its last byte (any message type). */
export function isProtobufWire(buf: Uint8Array): boolean {
  const reader = protobuf.Reader.create(buf);
  try {
    while (reader.pos < reader.len) {
      const tag = reader.uint32();
      if (tag >>> 3 === 0) return false;
      reader.skipType(tag & 7);
    }
    return reader.pos === reader.len;
  } catch {
    return false;
  }
}

/** Guesses the signal from a file name or URL path ("…logs…", "…traces…"). */
export function signalHintFromName(name: string): 'logs' | 'traces' | undefined {
  const base = name.toLowerCase();
  if (/logs?/.test(base.slice(base.lastIndexOf('/') + 1))) return 'logs';
  if (/traces?|spans?/.test(base.slice(base.lastIndexOf('/') + 1))) return 'traces';
  return undefined;
}
