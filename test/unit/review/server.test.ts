import { describe, expect, it } from 'vitest';
import { allowedHosts, checkRequest } from '../../../src/review/server.js';

const TOKEN = 'a'.repeat(43);
const hosts = allowedHosts('127.0.0.1', 5123);
const req = (over: Partial<Parameters<typeof checkRequest>[0]> & { headers?: Record<string, string> } = {}) => ({
  method: 'GET',
  pathname: '/api/queue',
  queryToken: null,
  ...over,
  headers: { host: '127.0.0.1:5123', 'x-review-token': TOKEN, ...over.headers },
});

describe('checkRequest', () => {
  it('lets a loopback request with the token through', () => {
    expect(checkRequest(req(), hosts, TOKEN)).toBeNull();
    expect(checkRequest(req({ headers: { host: 'localhost:5123' } }), hosts, TOKEN)).toBeNull();
  });

  it('refuses a Host that is not this server (DNS rebinding), even on static pages', () => {
    expect(checkRequest(req({ headers: { host: 'attacker.example:5123' } }), hosts, TOKEN)?.status).toBe(421);
    expect(checkRequest(req({ headers: { host: '127.0.0.1:80' } }), hosts, TOKEN)?.status).toBe(421);
    expect(checkRequest(req({ pathname: '/', headers: { host: 'attacker.example' } }), hosts, TOKEN)?.status).toBe(421);
  });

  it('refuses a missing or wrong token; the query token counts for GETs only', () => {
    expect(checkRequest(req({ headers: { 'x-review-token': '' } }), hosts, TOKEN)?.status).toBe(403);
    expect(checkRequest(req({ headers: { 'x-review-token': `${TOKEN}b` } }), hosts, TOKEN)?.status).toBe(403);
    const noHeader = { method: 'GET', pathname: '/api/queue', headers: { host: '127.0.0.1:5123' } };
    expect(checkRequest({ ...noHeader, queryToken: TOKEN }, hosts, TOKEN)).toBeNull();
    expect(checkRequest({ ...noHeader, queryToken: 'nope' }, hosts, TOKEN)?.status).toBe(403);
    expect(
      checkRequest({ ...noHeader, method: 'POST', queryToken: TOKEN, headers: { ...noHeader.headers, 'content-type': 'application/json' } }, hosts, TOKEN)
        ?.status,
    ).toBe(403);
  });

  it('accepts same-origin JSON writes and refuses cross-origin, cross-site or non-JSON ones', () => {
    const post = (headers: Record<string, string>) =>
      checkRequest(req({ method: 'POST', pathname: '/api/feedback', headers: { 'content-type': 'application/json', ...headers } }), hosts, TOKEN);
    expect(post({})).toBeNull();
    expect(post({ origin: 'http://127.0.0.1:5123', 'sec-fetch-site': 'same-origin' })).toBeNull();
    expect(post({ origin: 'http://evil.example' })?.status).toBe(403);
    expect(post({ origin: 'http://localhost:5123' })?.status).toBe(403);
    expect(post({ 'sec-fetch-site': 'cross-site' })?.status).toBe(403);
    expect(post({ 'content-type': 'text/plain' })?.status).toBe(415);
    expect(post({ 'content-type': 'application/x-www-form-urlencoded' })?.status).toBe(415);
  });

  it('serves static pages without the token but allows only GET and HEAD there', () => {
    expect(checkRequest({ method: 'GET', pathname: '/app.js', queryToken: null, headers: { host: '127.0.0.1:5123' } }, hosts, TOKEN)).toBeNull();
    expect(checkRequest({ method: 'POST', pathname: '/', queryToken: null, headers: { host: '127.0.0.1:5123' } }, hosts, TOKEN)?.status).toBe(405);
  });
});
