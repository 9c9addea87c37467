// Trace store growth: ingesting 1,000 new sessions into a store of 100,000 traces must cost about
// what it costs into an empty store (the store's id index makes a commit of new traces append-only).
// A section of `npm run bench`; also runnable alone: `npm run build && npx tsx scripts/bench/store.ts`.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'bin/harness-loop.js');
const ROLLOUT = readFileSync(join(ROOT, 'test/fixtures/rollout/shell-fail.jsonl'), 'utf8');
const ROLLOUT_ID = '01a20f5b-0001-7e31-9c64-0113b2a3c401';
const STORE_TRACES = 100_000;
const NEW_SESSIONS = 1_000;
const RUNS = 3;
/** Goal: into the big store at most this much slower than into an empty one. */
const GOAL = 1.5;

const idOf = (prefix: number, i: number) => `01a20f5b-${String(prefix).padStart(4, '0')}-7e31-9c64-${String(i).padStart(12, '0')}`;

function ingest(ws: string, dir: string): number {
  const started = performance.now();
  const r = spawnSync(process.execPath, [CLI, 'ingest', dir, '--all-repos', '-C', ws], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ingest exited ${r.status}: ${r.stderr}`);
  return performance.now() - started;
}

/** The store section: wall time of ingesting 1,000 new sessions, into an empty store and into 100,000 traces. */
export async function benchStore(): Promise<{ title: string; rows: { metric: string; value: string; goal?: string; pass?: boolean }[]; notes: string[] }> {
  const base = mkdtempSync(join(tmpdir(), 'hl-bench-store-'));
  try {
    const sessions = join(base, 'sessions');
    mkdirSync(sessions);
    for (let i = 0; i < NEW_SESSIONS; i++) writeFileSync(join(sessions, `rollout-${idOf(1, i)}.jsonl`), ROLLOUT.replaceAll(ROLLOUT_ID, idOf(1, i)));
    const one = join(base, 'one');
    mkdirSync(one);
    writeFileSync(join(one, `rollout-${idOf(2, 0)}.jsonl`), ROLLOUT.replaceAll(ROLLOUT_ID, idOf(2, 0)));

    // A line of the real trace, cloned under 100,000 ids, is the big store.
    const probe = join(base, 'probe');
    ingest(probe, one);
    const line = readFileSync(join(probe, '.harness-loop/traces/traces.jsonl'), 'utf8').trim();
    const bigLines: string[] = [];
    for (let i = 0; i < STORE_TRACES; i++) bigLines.push(line.replaceAll(idOf(2, 0), idOf(3, i)));
    const bigText = `${bigLines.join('\n')}\n`;

    const empty: number[] = [];
    const big: number[] = [];
    let indexBuild = 0;
    for (let run = 0; run < RUNS; run++) {
      const e = join(base, `empty-${run}`);
      empty.push(ingest(e, sessions));
      const b = join(base, `big-${run}`);
      mkdirSync(join(b, '.harness-loop/traces'), { recursive: true });
      writeFileSync(join(b, '.harness-loop/traces/traces.jsonl'), bigText);
      // A store written before the index existed is indexed once, by the first writer.
      indexBuild = Math.max(indexBuild, ingest(b, one));
      big.push(ingest(b, sessions));
    }
    const bestEmpty = Math.min(...empty);
    const bestBig = Math.min(...big);
    const ratio = bestBig / bestEmpty;
    const mb = statSync(join(base, `big-0`, '.harness-loop/traces/traces.jsonl')).size / 2 ** 20;
    return {
      title: 'Trace store growth',
      rows: [
        { metric: `ingest ${NEW_SESSIONS.toLocaleString('en-US')} new sessions into an empty store`, value: `${(bestEmpty / 1000).toFixed(2)} s` },
        { metric: `ingest ${NEW_SESSIONS.toLocaleString('en-US')} new sessions into a store of ${STORE_TRACES.toLocaleString('en-US')} traces`, value: `${(bestBig / 1000).toFixed(2)} s, ${ratio.toFixed(2)}× the empty store`, goal: `≤ ${GOAL}×`, pass: ratio <= GOAL },
        { metric: 'first write to a store without an index (indexed once)', value: `${(indexBuild / 1000).toFixed(2)} s for ${mb.toFixed(0)} MB` },
      ],
      notes: [`Best of ${RUNS} runs of the built CLI; sessions are the real rollout test/fixtures/rollout/shell-fail.jsonl under distinct ids; the 100,000-trace store is that trace's line under distinct ids.`],
    };
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const section = await benchStore();
  console.log(`## ${section.title}\n\n| metric | value | goal | result |\n| --- | --- | --- | --- |`);
  for (const r of section.rows) console.log(`| ${r.metric} | ${r.value} | ${r.goal ?? ''} | ${r.pass === undefined ? '' : r.pass ? 'pass' : '**FAIL**'} |`);
  console.log(`\n${section.notes.join('\n')}`);
}
