// Walking OTLP/JSON request bodies (open-telemetry/opentelemetry-proto docs/specification.md):
// lowerCamelCase keys, hex ids, int64 as decimal strings or numbers, unknown fields ignored.
// Decoded protobuf bodies (otlp-decode.ts) have the same shape, so both go through here.
import { isRecord } from './source.js';
import type { OtlpSignal } from './otlp-decode.js';

/** One OTLP log record with its attributes flattened, plus its resource and scope. */
export interface OtlpLogRecord {
  record: Record<string, unknown>;
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
  scope: string;
}

/** One OTLP span with its attributes flattened. */
export interface OtlpSpan {
  span: Record<string, unknown>;
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
  scope: string;
}

/** Which signal a body carries, from its top-level key; null when it has none of them. */
export function signalOfBody(body: unknown): OtlpSignal | null {
  if (!isRecord(body)) return null;
  if (Array.isArray(body.resourceLogs)) return 'logs';
  if (Array.isArray(body.resourceSpans)) return 'traces';
  if (Array.isArray(body.resourceMetrics)) return 'metrics';
  return null;
}

/**
 * `AnyValue` → a plain value. `intValue` becomes a number when it fits exactly (else the decimal
 * string), so `{"intValue":"200"}` and `{"intValue":200}` read the same.
 */
export function readAnyValue(value: unknown): unknown {
  if (!isRecord(value)) return value ?? null;
  if ('stringValue' in value) return value.stringValue;
  if ('boolValue' in value) return value.boolValue;
  if ('intValue' in value) {
    const raw = value.intValue;
    const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^-?\d+$/.test(raw) ? Number(raw) : NaN;
    return Number.isSafeInteger(n) ? n : raw;
  }
  if ('doubleValue' in value) return typeof value.doubleValue === 'string' ? Number(value.doubleValue) : value.doubleValue;
  if ('arrayValue' in value) {
    const values = isRecord(value.arrayValue) && Array.isArray(value.arrayValue.values) ? value.arrayValue.values : [];
    return values.map(readAnyValue);
  }
  if ('kvlistValue' in value) {
    return readAttributes(isRecord(value.kvlistValue) ? value.kvlistValue.values : undefined);
  }
  if ('bytesValue' in value) return value.bytesValue;
  return null;
}

/** `[{key, value: AnyValue}]` → `{key: value}`; malformed entries are ignored. */
export function readAttributes(list: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!Array.isArray(list)) return out;
  for (const kv of list) {
    if (isRecord(kv) && typeof kv.key === 'string') out[kv.key] = readAnyValue(kv.value);
  }
  return out;
}

function arrayOf(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

function scopeName(scope: unknown): string {
  return isRecord(scope) && typeof scope.name === 'string' ? scope.name : '';
}

/** Every log record of a logs body, in body order. */
export function* iterateLogRecords(body: unknown): Generator<OtlpLogRecord> {
  if (!isRecord(body)) return;
  for (const rl of arrayOf(body.resourceLogs)) {
    const resource = readAttributes(isRecord(rl.resource) ? rl.resource.attributes : undefined);
    for (const sl of arrayOf(rl.scopeLogs)) {
      const scope = scopeName(sl.scope);
      for (const record of arrayOf(sl.logRecords)) {
        yield { record, attributes: readAttributes(record.attributes), resource, scope };
      }
    }
  }
}

/** Every span of a traces body, in body order. */
export function* iterateSpans(body: unknown): Generator<OtlpSpan> {
  if (!isRecord(body)) return;
  for (const rs of arrayOf(body.resourceSpans)) {
    const resource = readAttributes(isRecord(rs.resource) ? rs.resource.attributes : undefined);
    for (const ss of arrayOf(rs.scopeSpans)) {
      const scope = scopeName(ss.scope);
      for (const span of arrayOf(ss.spans)) {
        yield { span, attributes: readAttributes(span.attributes), resource, scope };
      }
    }
  }
}

/** OTLP nanoseconds (decimal string or number) → bigint; 0n when absent or unparsable. */
export function readNanos(value: unknown): bigint {
  if (typeof value === 'string' && /^\d+$/.test(value)) return BigInt(value);
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return BigInt(Math.floor(value));
  return 0n;
}
