// A loopback OTLP/HTTP receiver for Codex's [otel] exporters (node:http only). Codex sends one
// conversation over many POSTs and ignores a dead receiver, so records are merged per
// conversation in memory and written when the conversation goes quiet, or on close.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from '../schema/config.js';
import type { Trace } from '../schema/trace.js';
import { CodexOtelAssembler } from '../ingest/codex-otel.js';
import { storeTraces } from '../ingest/ingest.js';
import type { OtlpSignal } from '../ingest/otlp-decode.js';
import { workspacePaths } from '../util/workspace.js';
import { RejectedRequest, parseOtlpBody, readEncoding, readRequestBody, type OtlpEncoding } from './request-body.js';

/** How to run the receiver. */
export interface ReceiverOptions {
  /** Workspace root; traces go to `<workspace>/.harness-loop/traces/traces.jsonl`. */
  workspace: string;
  config: Config;
  /** Port to listen on; 0 picks a free one. Default 4318. */
  port?: number;
  /** Address to bind. Default 127.0.0.1. */
  host?: string;
  /** Largest accepted body, before and after gunzip. Default 32 MiB. */
  maxBodyBytes?: number;
  /** A conversation is written after this long without new records. Default 30 s. */
  idleMs?: number;
  /** How long a written conversation stays in memory, so late records rebuild it whole. Default 30 min. */
  retainMs?: number;
  /** Where progress lines go (one per write). Default: nowhere. */
  log?: (line: string) => void;
  /** Clock, for tests. */
  now?: () => number;
}

/** Counts reported when the receiver closes. */
export interface ReceiverSummary {
  /** Requests received, good or bad. */
  requests: number;
  /** Requests refused, by HTTP status. */
  rejected: Record<string, number>;
  logRecords: number;
  spans: number;
  /** Store writes done. */
  writes: number;
  /** Conversation traces written (a conversation written twice counts twice). */
  traces: number;
  storeFile: string;
}

/** A running receiver. */
export interface Receiver {
  /** Base URL, e.g. `http://127.0.0.1:4318`. */
  url: string;
  /** Writes every conversation with unwritten records now; resolves with how many traces were written. */
  flush(): Promise<number>;
  /** Stops accepting, finishes requests in flight, writes everything accepted, and stops. */
  close(): Promise<ReceiverSummary>;
}

const ROUTES: Record<string, OtlpSignal | null> = { '/v1/logs': 'logs', '/v1/traces': 'traces', '/v1/metrics': 'metrics', '/': null };

/** A conversation quiet for this many idle periods is written even with a tool call or model request open. */
const BUSY_FACTOR = 10;
/** Written conversations kept in memory at most. */
const MAX_RETAINED = 200;

interface Tracked {
  lastActivity: number;
  dirty: boolean;
}

/** Starts the receiver; resolves once it is listening. */
export async function startReceiver(options: ReceiverOptions): Promise<Receiver> {
  const now = options.now ?? Date.now;
  const idleMs = options.idleMs ?? 30_000;
  const retainMs = options.retainMs ?? 30 * 60_000;
  const maxBody = options.maxBodyBytes ?? 32 * 1024 * 1024;
  const log = options.log ?? (() => {});
  const storeFile = workspacePaths(options.workspace).traceStore;
  const asm = new CodexOtelAssembler(now);
  const tracked = new Map<string, Tracked>();
  const inFlight = new Set<Promise<void>>();
  const summary: ReceiverSummary = { requests: 0, rejected: {}, logRecords: 0, spans: 0, writes: 0, traces: 0, storeFile };
  let writing: Promise<unknown> = Promise.resolve();
  let baseUrl = '';

  const touch = (ids: string[]) => {
    for (const id of ids) tracked.set(id, { lastActivity: now(), dirty: true });
  };

  /** Builds and stores the given conversations; writes are serialized since each rewrites the store. */
  const write = (ids: string[]): Promise<number> => {
    const traces: Trace[] = [];
    for (const id of ids) {
      const t = tracked.get(id);
      const trace = asm.build(id);
      if (!t || !trace) continue;
      t.dirty = false; // records arriving during the write mark it dirty again
      traces.push(trace);
    }
    if (traces.length === 0) return writing.then(() => 0);
    const job = writing.then(async () => {
      try {
        const stored = await storeTraces(options.workspace, traces, options.config);
        summary.writes++;
        summary.traces += stored.traces;
        const u = stored.update;
        log(
          `receive: wrote ${stored.traces} trace(s), ${stored.spans} span(s) [${traces.map((t) => t.id).join(', ')}] → ${storeFile}: ` +
            `${u.added} added, ${u.updated} updated, ${u.unchanged} unchanged`,
        );
        return stored.traces;
      } catch (error) {
        log(`receive: could not write ${traces.length} trace(s): ${(error as Error).message}; will retry`);
        for (const trace of traces) {
          const t = tracked.get(trace.id);
          if (t) {
            t.dirty = true;
            t.lastActivity = now();
          }
        }
        return 0;
      }
    });
    writing = job;
    return job;
  };

  const sweep = () => {
    const at = now();
    const due: string[] = [];
    const retained: [string, Tracked][] = [];
    for (const [id, t] of tracked) {
      const quiet = at - t.lastActivity;
      if (t.dirty) {
        if (quiet >= idleMs && (!asm.isBusy(id) || quiet >= idleMs * BUSY_FACTOR)) due.push(id);
      } else if (quiet >= retainMs) {
        asm.drop(id);
        tracked.delete(id);
      } else {
        retained.push([id, t]);
      }
    }
    retained.sort(([, a], [, b]) => a.lastActivity - b.lastActivity);
    for (const [id] of retained.slice(0, Math.max(0, retained.length - MAX_RETAINED))) {
      asm.drop(id);
      tracked.delete(id);
    }
    asm.pruneSpans(at - Math.max(retainMs, idleMs * BUSY_FACTOR));
    if (due.length > 0) void write(due);
  };

  const accept = (encoding: OtlpEncoding, raw: Buffer, path: string) => {
    const parsed = parseOtlpBody(encoding, raw, ROUTES[path] ?? null);
    if (!parsed.body) return;
    const source = { kind: encoding === 'json' ? ('otlp-json' as const) : ('otlp-protobuf' as const), file: `${baseUrl}${path}`, line: 0 };
    if (parsed.signal === 'logs') {
      const added = asm.addLogsRequest(parsed.body, source);
      summary.logRecords += added.records;
      touch(added.conversations);
    } else if (parsed.signal === 'traces') {
      const added = asm.addTracesRequest(parsed.body);
      summary.spans += added.records;
      touch(added.conversations);
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    summary.requests++;
    const path = new URL(req.url ?? '/', 'http://receiver').pathname;
    const reply = (status: number, body: string, type: string, headers: Record<string, string> = {}) => {
      if (status >= 400) summary.rejected[status] = (summary.rejected[status] ?? 0) + 1;
      res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), ...headers });
      res.end(body);
    };
    const fail = (status: number, message: string, headers: Record<string, string> = {}) => {
      log(`receive: ${req.method} ${path}: ${status} ${message}`);
      reply(status, JSON.stringify({ error: message }), 'application/json', headers);
    };
    if (!Object.hasOwn(ROUTES, path)) return fail(404, 'not found: POST to /v1/logs, /v1/traces, /v1/metrics or /');
    if (req.method !== 'POST') return fail(405, `method ${req.method} not allowed: use POST`, { allow: 'POST' });
    try {
      const encoding = readEncoding(req.headers['content-type']);
      const raw = await readRequestBody(req, maxBody);
      accept(encoding, raw, path);
      if (encoding === 'json') reply(200, '{}', 'application/json');
      else reply(200, '', 'application/x-protobuf');
    } catch (error) {
      if (error instanceof RejectedRequest) return fail(error.status, error.message, error.status === 413 ? { connection: 'close' } : {});
      if (res.headersSent || req.destroyed) return;
      fail(500, `internal error: ${(error as Error).message}`);
    }
  };

  const server: Server = createServer((req, res) => {
    const done = handle(req, res).catch((error: unknown) => log(`receive: request failed: ${String(error)}`));
    inFlight.add(done);
    void done.finally(() => inFlight.delete(done));
  });
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 4318, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  baseUrl = `http://${host}:${address.port}`;
  const timer = setInterval(sweep, Math.max(10, Math.min(1000, Math.floor(idleMs / 4))));
  timer.unref();

  const flushAll = () => write([...tracked].filter(([, t]) => t.dirty).map(([id]) => id));

  let closing: Promise<ReceiverSummary> | null = null;
  return {
    url: baseUrl,
    flush: flushAll,
    close: () => {
      closing ??= (async () => {
        clearInterval(timer);
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const settle = async () => {
          while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
        };
        await settle();
        // A kept-alive connection may have started another request meanwhile; cut it, let it settle.
        server.closeAllConnections();
        await settle();
        await flushAll();
        await writing;
        await stopped;
        return summary;
      })();
      return closing;
    },
  };
}

/** The `[otel]` block that points Codex at a receiver (prompts and answers on: they are the trace's content). */
export function renderCodexOtelConfig(baseUrl: string): string {
  const url = baseUrl.replace('//0.0.0.0:', '//127.0.0.1:').replace('//[::]:', '//127.0.0.1:');
  return [
    '[otel]',
    'log_user_prompt = true',
    'log_agent_responses = true',
    `exporter = { otlp-http = { endpoint = "${url}/v1/logs", protocol = "json" } }`,
    `trace_exporter = { otlp-http = { endpoint = "${url}/v1/traces", protocol = "json" } }`,
    'metrics_exporter = "none"',
  ].join('\n');
}
