// The review app's HTTP server (node:http). Local and private by construction: it binds to
// 127.0.0.1, every API call carries the per-run token, the Host header must name this server
// (DNS rebinding), writes must be same-origin JSON, and static assets come from memory only.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getQueue, getSource, getTrace, getVerdicts, postCritique, postFeedback, postVerdict, type ApiResponse, type ReviewContext } from './api.js';

/** The front end, bundled by scripts/build.ts into the CLI (absent when run from source). */
declare const REVIEW_WEB_ASSETS: { js: string; css: string } | undefined;

/** Largest accepted request body. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** A running review server. */
export interface ReviewServer {
  /** The URL to open, token included. */
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/** Options for `startReviewServer`. */
export interface ReviewServerOptions {
  context: ReviewContext;
  host?: string;
  port?: number;
  /** Fixed token (tests); default: 32 random bytes. */
  token?: string;
  assets?: { js: string; css: string };
  log?: (line: string) => void;
}

const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const INDEX_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><title>harness-loop review</title><link rel="stylesheet" href="/app.css"></head>
<body><div id="app"><p class="boot">Loading…</p></div><script src="/app.js"></script></body></html>
`;

function bundledAssets(): { js: string; css: string } {
  if (typeof REVIEW_WEB_ASSETS !== 'undefined' && REVIEW_WEB_ASSETS) return REVIEW_WEB_ASSETS;
  return { js: 'document.getElementById("app").textContent = "The review front end is not built: run npm run build.";', css: '' };
}

function sameToken(given: string | null | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Host header values that name this server: loopback names (and the bound host) with its port. */
export function allowedHosts(host: string, port: number): Set<string> {
  const names = new Set(['127.0.0.1', 'localhost', '[::1]']);
  if (host !== '0.0.0.0' && host !== '::') names.add(host.includes(':') ? `[${host}]` : host);
  return new Set([...names].map((n) => `${n}:${port}`));
}

/** Why a request is refused before routing, or null when it may proceed. Pure, for tests. */
export function checkRequest(
  req: { method: string; pathname: string; headers: Record<string, string | string[] | undefined>; queryToken: string | null },
  hosts: Set<string>,
  token: string,
): { status: number; error: string } | null {
  const host = String(req.headers.host ?? '').toLowerCase();
  if (!hosts.has(host)) return { status: 421, error: 'unexpected Host header (open the URL the command printed)' };
  if (!req.pathname.startsWith('/api/')) return req.method === 'GET' || req.method === 'HEAD' ? null : { status: 405, error: 'method not allowed' };
  const headerToken = req.headers['x-review-token'];
  const given = typeof headerToken === 'string' ? headerToken : req.method === 'GET' ? req.queryToken : null;
  if (!sameToken(given, token)) return { status: 403, error: 'missing or wrong review token (open the URL the command printed)' };
  if (req.method === 'GET') return null;
  if (req.method !== 'POST') return { status: 405, error: 'method not allowed' };
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `http://${host}`) return { status: 403, error: 'cross-origin writes are refused' };
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return { status: 403, error: 'cross-site writes are refused' };
  const type = String(req.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim()
    .toLowerCase();
  if (type !== 'application/json') return { status: 415, error: 'writes must be application/json' };
  return null;
}

function send(res: ServerResponse, status: number, type: string, body: string, method = 'GET'): void {
  res.writeHead(status, {
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'content-security-policy': CSP,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-resource-policy': 'same-origin',
  });
  res.end(method === 'HEAD' ? undefined : body);
}

function sendJson(res: ServerResponse, r: ApiResponse): void {
  send(res, r.status, 'application/json; charset=utf-8', JSON.stringify(r.body));
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown> | ApiResponse> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return { status: 413, body: { error: 'request body too large' } };
    chunks.push(chunk as Buffer);
  }
  try {
    const value = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return { status: 400, body: { error: 'expected a JSON object' } };
    return value as Record<string, unknown>;
  } catch {
    return { status: 400, body: { error: 'malformed JSON body' } };
  }
}

function isResponse(value: unknown): value is ApiResponse {
  return typeof value === 'object' && value !== null && 'status' in value && 'body' in value && typeof (value as ApiResponse).status === 'number';
}

/** Starts the server; resolves once it listens. */
export async function startReviewServer(options: ReviewServerOptions): Promise<ReviewServer> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? randomBytes(32).toString('base64url');
  const assets = options.assets ?? bundledAssets();
  const ctx = options.context;
  let hosts = new Set<string>();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = req.method ?? 'GET';
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://review.invalid');
    } catch {
      return send(res, 400, 'text/plain; charset=utf-8', 'bad request');
    }
    const refused = checkRequest({ method, pathname: url.pathname, headers: req.headers, queryToken: url.searchParams.get('token') }, hosts, token);
    if (refused) {
      if (url.pathname.startsWith('/api/')) return sendJson(res, { status: refused.status, body: { error: refused.error } });
      return send(res, refused.status, 'text/plain; charset=utf-8', refused.error);
    }
    // Static assets: exact names, from memory; a request path never reaches the file system.
    if (url.pathname === '/' || url.pathname === '/index.html') return send(res, 200, 'text/html; charset=utf-8', INDEX_HTML, method);
    if (url.pathname === '/app.js') return send(res, 200, 'text/javascript; charset=utf-8', assets.js, method);
    if (url.pathname === '/app.css') return send(res, 200, 'text/css; charset=utf-8', assets.css, method);
    if (!url.pathname.startsWith('/api/')) return send(res, 404, 'text/plain; charset=utf-8', 'not found', method);

    const route = `${method} ${url.pathname}`;
    if (route === 'GET /api/queue') return sendJson(res, await getQueue(ctx, url.searchParams));
    if (route === 'GET /api/trace') return sendJson(res, await getTrace(ctx, url.searchParams));
    if (route === 'GET /api/source') return sendJson(res, await getSource(ctx, url.searchParams));
    if (route === 'GET /api/verdicts') return sendJson(res, await getVerdicts(ctx));
    if (method === 'POST' && (url.pathname === '/api/feedback' || url.pathname === '/api/critique' || url.pathname === '/api/verdict')) {
      const body = await readBody(req);
      if (isResponse(body)) return sendJson(res, body);
      if (url.pathname === '/api/verdict') return sendJson(res, await postVerdict(ctx, body));
      return sendJson(res, url.pathname === '/api/feedback' ? await postFeedback(ctx, body) : await postCritique(ctx, body));
    }
    return sendJson(res, { status: 404, body: { error: 'no such API route' } });
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      options.log?.(`harness-loop review: ${(error as Error)?.stack ?? String(error)}`);
      if (!res.headersSent) sendJson(res, { status: 500, body: { error: (error as Error).message } });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  hosts = allowedHosts(host, port);
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}/?token=${token}`,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
