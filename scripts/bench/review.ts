// `harness-loop review` with 10,000 traces: how long until the server answers, and how long the
// first queue page and a trace view take. A section of `npm run bench`.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { serializeTrace } from '../../src/ingest/store.js';
import { generateEvalsCorpus } from './evals.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'bin/harness-loop.js');
const TRACES = 10_000;
/** The issue's bar for the first page: well under a second. */
const FIRST_PAGE_GOAL_MS = 1000;
const RUNS = 5;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function timeGet(url: string, token: string): Promise<{ ms: number; bytes: number; body: unknown }> {
  const started = performance.now();
  const res = await fetch(url, { headers: { 'x-review-token': token } });
  const text = await res.text();
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status} ${text.slice(0, 200)}`);
  return { ms: performance.now() - started, bytes: text.length, body: JSON.parse(text) as unknown };
}

export async function benchReview(): Promise<{ title: string; rows: { metric: string; value: string; goal?: string; pass?: boolean }[]; notes: string[] }> {
  const ws = mkdtempSync(join(tmpdir(), 'hl-bench-review-'));
  try {
    const { traces, feedback } = generateEvalsCorpus(7, TRACES, TRACES * 2);
    mkdirSync(join(ws, '.harness-loop/traces'), { recursive: true });
    mkdirSync(join(ws, '.harness-loop/feedback'), { recursive: true });
    writeFileSync(join(ws, '.harness-loop/traces/traces.jsonl'), traces.map((t) => `${serializeTrace(t)}\n`).join(''));
    writeFileSync(join(ws, '.harness-loop/feedback/feedback.jsonl'), feedback.map((f) => `${JSON.stringify(f)}\n`).join(''));

    const started = performance.now();
    const child = spawn(process.execPath, [CLI, 'review', '-C', ws, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const url = await new Promise<string>((resolveUrl, reject) => {
      let out = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(out);
        if (m) resolveUrl(m[1]!);
      });
      child.on('exit', (code) => reject(new Error(`review exited with ${code}`)));
    });
    const readyMs = performance.now() - started;
    try {
      const base = new URL(url);
      const token = base.searchParams.get('token')!;
      const pages: number[] = [];
      const views: number[] = [];
      let first: { body: unknown; bytes: number } | null = null;
      for (let i = 0; i < RUNS; i++) {
        const page = await timeGet(`${base.origin}/api/queue?offset=0&limit=100`, token);
        pages.push(page.ms);
        first ??= page;
        const items = (page.body as { items: { traceId: string }[] }).items;
        views.push((await timeGet(`${base.origin}/api/trace?id=${encodeURIComponent(items[i]!.traceId)}`, token)).ms);
      }
      const deep = await timeGet(`${base.origin}/api/queue?offset=9900&limit=100`, token);
      const ms = (x: number) => `${x.toFixed(0)} ms`;
      return {
        title: 'Review app (10,000 traces)',
        rows: [
          { metric: 'server start to first answer (loads traces, feedback, results)', value: ms(readyMs) },
          { metric: `first queue page (100 of ${TRACES.toLocaleString('en-US')}, ${(first!.bytes / 1024).toFixed(0)} KB)`, value: ms(median(pages)), goal: `< ${FIRST_PAGE_GOAL_MS} ms`, pass: median(pages) < FIRST_PAGE_GOAL_MS },
          { metric: 'last queue page (offset 9,900)', value: ms(deep.ms) },
          { metric: 'trace view', value: ms(median(views)) },
        ],
        notes: [`Generated store of ${TRACES.toLocaleString('en-US')} traces and ${(TRACES * 2).toLocaleString('en-US')} feedback records; medians of ${RUNS} requests over loopback to the built CLI. The page renders only the rows in view.`],
      };
    } finally {
      child.kill('SIGTERM');
    }
  } finally {
    rmSync(ws, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const section = await benchReview();
  for (const r of section.rows) console.log(`${r.metric}: ${r.value}${r.goal ? ` (goal ${r.goal}: ${r.pass ? 'pass' : 'FAIL'})` : ''}`);
}
