// Reading and decoding one OTLP/HTTP request body: size limit, gzip, content type, and the
// OTLP/JSON or protobuf payload. Failures carry the HTTP status the receiver answers with.
import type { IncomingMessage } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { signalOfBody } from '../ingest/otlp-body.js';
import { decodeOtlpProtobuf, isProtobufWire, type OtlpSignal } from '../ingest/otlp-decode.js';
import { isRecord } from '../ingest/source.js';

/** A request the receiver refuses, with its HTTP status. */
export class RejectedRequest extends Error {
  constructor(
    readonly status: 400 | 413 | 415,
    message: string,
  ) {
    super(message);
  }
}

/** The two OTLP/HTTP encodings. */
export type OtlpEncoding = 'json' | 'protobuf';

/** A decoded request: its signal and an OTLP/JSON-shaped body (null for metrics, which are not kept). */
export interface OtlpRequest {
  encoding: OtlpEncoding;
  signal: OtlpSignal | null;
  body: Record<string, unknown> | null;
}

/** `application/json; charset=utf-8` → 'json'; anything but JSON or protobuf is a 415. */
export function readEncoding(contentType: string | undefined): OtlpEncoding {
  const media = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (media === 'application/json') return 'json';
  if (media === 'application/x-protobuf') return 'protobuf';
  throw new RejectedRequest(415, `unsupported content type "${media || '(none)'}": send application/json or application/x-protobuf`);
}

/** Reads the body, refusing (without reading further) anything over `maxBytes`. */
export async function readRequestBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const encoding = String(req.headers['content-encoding'] ?? 'identity')
    .trim()
    .toLowerCase();
  if (encoding !== 'identity' && encoding !== 'gzip' && encoding !== '') {
    throw new RejectedRequest(415, `unsupported content encoding "${encoding}": send gzip or no encoding`);
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw new RejectedRequest(413, `body of ${declared} bytes is over the ${maxBytes}-byte limit`);
  const raw = await new Promise<Buffer>((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    const stop = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    // Not `for await`: leaving that loop early destroys the socket before the 413 can be sent.
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) {
        parts.push(chunk);
        return;
      }
      stop();
      req.pause();
      reject(new RejectedRequest(413, `body is over the ${maxBytes}-byte limit`));
    };
    const onEnd = () => {
      stop();
      resolve(Buffer.concat(parts, size));
    };
    const onError = (error: Error) => {
      stop();
      reject(error);
    };
    // A client that hangs up mid-body ends the request with 'close' and no 'end'.
    const onClose = () => {
      stop();
      reject(new Error('client closed the connection before the body ended'));
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
  if (encoding !== 'gzip') return raw;
  try {
    return gunzipSync(raw, { maxOutputLength: maxBytes });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new RejectedRequest(413, `gunzipped body is over the ${maxBytes}-byte limit`);
    throw new RejectedRequest(400, `bad gzip data: ${(error as Error).message}`);
  }
}

/**
 * Parses a body posted to `route` ('logs', 'traces', 'metrics', or null for `/`, where the body
 * says what it is). Metrics are checked for well-formedness and then dropped.
 */
export function parseOtlpBody(encoding: OtlpEncoding, raw: Buffer, route: OtlpSignal | null): OtlpRequest {
  if (encoding === 'json') {
    let doc: unknown;
    try {
      doc = JSON.parse(raw.toString('utf8'));
    } catch (error) {
      throw new RejectedRequest(400, `malformed JSON: ${(error as Error).message}`);
    }
    if (!isRecord(doc)) throw new RejectedRequest(400, 'body is not a JSON object');
    for (const key of ['resourceLogs', 'resourceSpans', 'resourceMetrics']) {
      if (doc[key] !== undefined && !Array.isArray(doc[key])) throw new RejectedRequest(400, `"${key}" is not an array`);
    }
    // An empty object is a valid empty request; a body's own key wins over the path it came to.
    const signal = signalOfBody(doc) ?? route;
    return { encoding, signal, body: signal === 'metrics' ? null : doc };
  }
  if (route === 'metrics') {
    if (!isProtobufWire(raw)) throw new RejectedRequest(400, 'undecodable protobuf body');
    return { encoding, signal: 'metrics', body: null };
  }
  const decoded = decodeOtlpProtobuf(raw, route ?? undefined);
  if (decoded) return { encoding, signal: decoded.signal, body: decoded.body };
  // At `/` a metrics body is neither logs nor traces; this subset does not decode metrics.
  if (route === null && isProtobufWire(raw)) return { encoding, signal: 'metrics', body: null };
  throw new RejectedRequest(400, 'undecodable protobuf body: not an OTLP logs or traces request');
}
