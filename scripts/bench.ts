// `npm run bench`: throughput and memory of the pipeline on a generated ~500 MB Codex corpus.
// Each section is a function returning table rows (ingest, batch, evals build, hooks, review);
// add new ones to SECTIONS. Options: --size-mb N (default 500), --seed N, --regen, --runs N (default 3, best
// of N), --profile (a CPU profile of ingest; also taken whenever ingest misses a goal), --only NAME,…
// (ingest, zst, batch, evals, hooks, review).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import minimist from 'minimist';
import { ensureCorpus, type CorpusInfo } from './bench/corpus.js';
import { benchEvalsBuild } from './bench/evals.js';
import { summariseProfile } from './bench/profile.js';
import { benchHooks } from './bench/hooks.js';
import { benchReview } from './bench/review.js';
import { benchStore } from './bench/store.js';
import { benchVerify } from './bench/verify.js';

const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'bin/harness-loop.js');
const RESULTS = join(ROOT, 'bench/results.md');
const MIB = 2 ** 20;
/** One folder per size and seed, so a quick `--size-mb 20` run keeps the full corpus. */
let CORPUS_DIR = '';

interface Options {
  sizeMb: number;
  seed: number;
  regen: boolean;
  profile: boolean;
  runs: number;
}

/** One line of the results table. */
interface Row {
  metric: string;
  value: string;
  goal?: string;
  pass?: boolean;
}

interface SectionResult {
  title: string;
  rows: Row[];
  notes: string[];
}

/** What the sections share: the corpus, and what earlier sections left for later ones. */
interface BenchContext {
  options: Options;
  corpus: CorpusInfo;
  corpusFiles: string[];
  /** Workspace whose store the ingest section filled, for the batch section. */
  workspace?: string;
  ingestFailed?: boolean;
  /** readline + JSON.parse over the plain corpus, the baseline compressed ingest is held to. */
  plainBaselineMbps?: number;
}

type Section = (ctx: BenchContext) => Promise<SectionResult>;

/** A child process's wall time, peak RSS and output. */
interface Measured {
  wallMs: number;
  /** User plus system CPU time of the child. */
  cpuMs: number;
  maxRssKb: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

const log = (s: string) => process.stderr.write(`${s}\n`);

/** GNU time when it works here, else a --require hook that reports the child's own maxRSS. */
const HAVE_GNU_TIME = (() => {
  const r = spawnSync('/usr/bin/time', ['-v', 'true'], { encoding: 'utf8' });
  return r.status === 0 && /Maximum resident set size/.test(r.stderr);
})();

async function measure(nodeArgs: string[], env: NodeJS.ProcessEnv = process.env): Promise<Measured> {
  const dir = mkdtempSync(join(tmpdir(), 'hl-bench-run-'));
  const rssFile = join(dir, 'rss.txt');
  let cmd: string;
  let args: string[];
  if (HAVE_GNU_TIME) {
    cmd = '/usr/bin/time';
    args = ['-v', '-o', rssFile, process.execPath, ...nodeArgs];
  } else {
    const hook = join(dir, 'rss-hook.cjs');
    writeFileSync(
      hook,
      `process.on('exit', () => { const u = process.resourceUsage(); require('node:fs').writeFileSync(${JSON.stringify(rssFile)}, ` +
        "'Maximum resident set size (kbytes): ' + u.maxRSS + '\\nUser time (seconds): ' + u.userCPUTime / 1e6 + '\\nSystem time (seconds): ' + u.systemCPUTime / 1e6); });\n",
    );
    cmd = process.execPath;
    args = ['--require', hook, ...nodeArgs];
  }
  const started = performance.now();
  const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((res) => child.on('close', res));
  const wallMs = performance.now() - started;
  const report = readFileSync(rssFile, 'utf8');
  const field = (name: string) => Number(new RegExp(`${name}: ([\\d.]+)`).exec(report)?.[1] ?? 0);
  rmSync(dir, { recursive: true, force: true });
  if (code !== 0) throw new Error(`${nodeArgs.join(' ')} exited ${code}:\n${stderr.slice(-2000)}`);
  const cpuMs = (field('User time \\(seconds\\)') + field('System time \\(seconds\\)')) * 1000;
  return { wallMs, cpuMs, maxRssKb: field('Maximum resident set size \\(kbytes\\)'), code, stdout, stderr };
}

/** Keeps the fastest of several runs, and the largest peak RSS seen over all of them. */
class Best {
  private best: Measured | undefined;
  private peakKb = 0;

  add(m: Measured): void {
    this.peakKb = Math.max(this.peakKb, m.maxRssKb);
    if (!this.best || m.wallMs < this.best.wallMs) this.best = m;
  }

  get result(): Measured {
    return { ...this.best!, maxRssKb: this.peakKb };
  }
}

const BASELINE = `
import { createReadStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
const files = JSON.parse(readFileSync(process.argv[1], 'utf8'));
let lines = 0;
for (const file of files) {
  const rl = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const line of rl) if (line !== '') { JSON.parse(line); lines++; }
}
process.stdout.write(JSON.stringify({ lines }));
`;

const mbps = (bytes: number, ms: number) => bytes / MIB / (ms / 1000);
const fmt = (n: number, digits = 1) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

const secs = (ms: number) => `${fmt(ms / 1000, 2)} s`;

/** (a) readline + JSON.parse over the corpus, (b) `harness-loop ingest` on it, runs interleaved. */
const benchIngest: Section = async (ctx) => {
  const listDir = mkdtempSync(join(tmpdir(), 'hl-bench-'));
  const listFile = join(listDir, 'files.json');
  writeFileSync(listFile, JSON.stringify(ctx.corpusFiles));
  log('warming the page cache …');
  for (const f of ctx.corpusFiles) readFileSync(f);

  const base = new Best();
  const ingest = new Best();
  let ws = '';
  for (let i = 1; i <= ctx.options.runs; i++) {
    log(`run ${i}/${ctx.options.runs}: baseline (readline + JSON.parse) …`);
    base.add(await measure(['--input-type=module', '-e', BASELINE, listFile]));
    if (ws) rmSync(ws, { recursive: true, force: true });
    ws = mkdtempSync(join(tmpdir(), 'hl-bench-ws-'));
    log(`run ${i}/${ctx.options.runs}: harness-loop ingest …`);
    ingest.add(await measure([CLI, 'ingest', CORPUS_DIR, '--all-repos', '-C', ws, '--json']));
  }
  ctx.workspace = ws;
  rmSync(listDir, { recursive: true, force: true });
  const b = base.result;
  const m = ingest.result;
  const baseLines = (JSON.parse(b.stdout) as { lines: number }).lines;
  const result = JSON.parse(m.stdout) as { traces: number; spans: number; skipped: unknown[] };

  const baseMbps = mbps(ctx.corpus.bytes, b.wallMs);
  const ingestMbps = mbps(ctx.corpus.bytes, m.wallMs);
  const ratio = ingestMbps / baseMbps;
  const rssMb = m.maxRssKb / 1024;
  ctx.ingestFailed = ratio < 0.5 || rssMb > 256;
  ctx.plainBaselineMbps = baseMbps;
  const storeBytes = statSync(join(ws, '.harness-loop/traces/traces.jsonl')).size;
  return {
    title: 'Ingest',
    rows: [
      {
        metric: 'baseline: readline + JSON.parse',
        value: `${fmt(baseMbps)} MB/s (${secs(b.wallMs)} wall, ${secs(b.cpuMs)} CPU, ${baseLines.toLocaleString('en-US')} lines, peak RSS ${fmt(b.maxRssKb / 1024, 0)} MB)`,
      },
      { metric: 'ingest throughput', value: `${fmt(ingestMbps)} MB/s (${secs(m.wallMs)} wall, ${secs(m.cpuMs)} CPU)` },
      { metric: 'ingest throughput / baseline', value: `${fmt(ratio, 2)}× (CPU time ratio ${fmt(b.cpuMs / m.cpuMs, 2)}×)`, goal: '≥ 0.5×', pass: ratio >= 0.5 },
      { metric: 'ingest peak RSS', value: `${fmt(rssMb, 0)} MB`, goal: '≤ 256 MB', pass: rssMb <= 256 },
      {
        metric: 'ingest output',
        value: `${result.traces.toLocaleString('en-US')} traces, ${result.spans.toLocaleString('en-US')} spans, ${result.skipped.length} skipped lines; store ${fmt(storeBytes / MIB)} MB`,
      },
    ],
    notes: [`Best of ${ctx.options.runs} run(s) each, baseline and ingest alternating; peak RSS is the largest over all runs.`],
  };
};

/** fzstd alone, fed as src/util/zstd.ts feeds it (1 MiB reads, output copied out of its window). */
const ZSTD_DECODE = `
import { createReadStream, readFileSync } from 'node:fs';
import { Decompress } from ${JSON.stringify(pathToFileURL(join(ROOT, 'node_modules/fzstd/esm/index.mjs')).href)};
const files = JSON.parse(readFileSync(process.argv[1], 'utf8'));
let bytes = 0;
for (const file of files) {
  const d = new Decompress((data) => { bytes += Buffer.from(data).length; });
  for await (const c of createReadStream(file, { highWaterMark: 1 << 20 })) d.push(c);
  d.push(new Uint8Array(0), true);
}
process.stdout.write(JSON.stringify({ bytes }));
`;

/** Wall time of a non-node command (the zstd CLI), best of `runs`. */
function timeCommand(cmd: string, args: string[], runs: number): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    if (r.status !== 0) throw new Error(`${cmd} ${args.slice(0, 3).join(' ')} … exited ${r.status}: ${r.stderr?.toString().slice(-500)}`);
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

/**
 * The same corpus compressed as Codex compresses idle rollouts (.jsonl.zst): the zstd CLI's own
 * decompression, fzstd's (the in-process fallback), and ingest of the compressed files, whose
 * goals are the plain ones (against the plain readline + JSON.parse baseline of the ingest section).
 */
const benchCompressedIngest: Section = async (ctx) => {
  const title = 'Ingest of compressed rollouts (.jsonl.zst)';
  if (spawnSync('zstd', ['--version'], { stdio: 'ignore' }).status !== 0) {
    return {
      title,
      rows: [],
      notes: ['Skipped: the `zstd` program is not installed here (it makes the compressed corpus and is the reference decoder); `apt-get install zstd`.'],
    };
  }
  const dir = join(ROOT, 'bench/corpus', `${basename(CORPUS_DIR)}-zst`);
  const zstFiles = ctx.corpusFiles.map((f) => join(dir, `${f.slice(CORPUS_DIR.length + 1)}.zst`));
  if (!zstFiles.every((f) => existsSync(f))) {
    log('compressing the corpus with zstd -3 …');
    for (const [i, f] of ctx.corpusFiles.entries()) {
      mkdirSync(dirname(zstFiles[i]!), { recursive: true });
      const r = spawnSync('zstd', ['-q', '-3', '-f', f, '-o', zstFiles[i]!]);
      if (r.status !== 0) throw new Error(`zstd failed on ${f}`);
    }
  }
  const zstBytes = zstFiles.reduce((n, f) => n + statSync(f).size, 0);
  const listDir = mkdtempSync(join(tmpdir(), 'hl-bench-'));
  const listFile = join(listDir, 'files.json');
  writeFileSync(listFile, JSON.stringify(zstFiles));
  for (const f of zstFiles) readFileSync(f);

  log('zstd CLI decompression …');
  const cliMs = timeCommand('zstd', ['-dcq', ...zstFiles], ctx.options.runs);
  const js = new Best();
  const zstIngest = new Best();
  let ws = '';
  for (let i = 1; i <= ctx.options.runs; i++) {
    log(`run ${i}/${ctx.options.runs}: fzstd decoding, then ingest of the .zst corpus …`);
    js.add(await measure(['--input-type=module', '-e', ZSTD_DECODE, listFile]));
    if (ws) rmSync(ws, { recursive: true, force: true });
    ws = mkdtempSync(join(tmpdir(), 'hl-bench-ws-'));
    zstIngest.add(await measure([CLI, 'ingest', dir, '--all-repos', '-C', ws, '--json']));
  }
  rmSync(ws, { recursive: true, force: true });
  rmSync(listDir, { recursive: true, force: true });
  const plain = ctx.corpus.bytes;
  const decoded = (JSON.parse(js.result.stdout) as { bytes: number }).bytes;
  const cliMbps = mbps(plain, cliMs);
  const jsMbps = mbps(decoded, js.result.wallMs);
  const baseMbps = ctx.plainBaselineMbps ?? NaN;
  const m = zstIngest.result;
  const traces = (JSON.parse(m.stdout) as { traces: number }).traces;
  const rate = mbps(plain, m.wallMs);
  const ratio = rate / baseMbps;
  const rss = m.maxRssKb / 1024;
  return {
    title,
    rows: [
      { metric: 'compressed corpus', value: `${fmt(zstBytes / MIB)} MB (zstd -3) for ${fmt(plain / MIB)} MB of text` },
      { metric: 'zstd CLI decompression (reference)', value: `${fmt(cliMbps)} MB/s (${secs(cliMs)} wall, to /dev/null)` },
      { metric: 'fzstd streaming decoding in Node', value: `${fmt(jsMbps)} MB/s (${secs(js.result.wallMs)} wall), ${fmt(jsMbps / cliMbps, 2)}× the zstd CLI` },
      {
        metric: 'ingest of .zst',
        value: `${fmt(rate)} MB/s of decompressed text (${secs(m.wallMs)} wall, ${secs(m.cpuMs)} CPU), ${traces.toLocaleString('en-US')} traces`,
      },
      { metric: 'ingest of .zst / plain baseline', value: `${fmt(ratio, 2)}×`, goal: '≥ 0.5×', pass: ratio >= 0.5 },
      { metric: 'ingest of .zst: peak RSS', value: `${fmt(rss, 0)} MB`, goal: '≤ 256 MB', pass: rss <= 256 },
    ],
    notes: [
      `Best of ${ctx.options.runs} run(s). The plain baseline is the ingest section's readline + JSON.parse rate (${fmt(baseMbps)} MB/s). ` +
        'Ingest decodes with fzstd on its main thread; the zstd program is the reference only.',
    ],
  };
};

/** (c) `harness-loop batch` on the store the ingest section wrote. */
const benchBatch: Section = async (ctx) => {
  if (!ctx.workspace) throw new Error('the batch section needs the ingest section first');
  const store = join(ctx.workspace, '.harness-loop/traces/traces.jsonl');
  const storeBytes = statSync(store).size;
  const best = new Best();
  for (let i = 1; i <= ctx.options.runs; i++) {
    log(`run ${i}/${ctx.options.runs}: harness-loop batch …`);
    best.add(await measure([CLI, 'batch', '-C', ctx.workspace, '--json']));
  }
  const run = best.result;
  const manifest = JSON.parse(run.stdout) as {
    maxTokens: number;
    totals: { batches: number; traces: number; tokens: number; elided: number; overBudget: number };
  };
  const t = manifest.totals;
  return {
    title: 'Batch',
    rows: [
      {
        metric: 'batch throughput',
        value: `${fmt(mbps(storeBytes, run.wallMs))} MB/s of store, ${fmt(t.traces / (run.wallMs / 1000), 0)} traces/s (${secs(run.wallMs)} wall, ${secs(run.cpuMs)} CPU)`,
      },
      { metric: 'batch peak RSS', value: `${fmt(run.maxRssKb / 1024, 0)} MB` },
      {
        metric: 'batch output',
        value: `${t.batches} batches of ≤ ${manifest.maxTokens.toLocaleString('en-US')} tokens, ${t.traces.toLocaleString('en-US')} traces, ${t.tokens.toLocaleString('en-US')} tokens, ${t.elided.toLocaleString('en-US')} with elided text, ${t.overBudget} over budget`,
      },
    ],
    notes: [`Best of ${ctx.options.runs} run(s) on the store the ingest section wrote (${fmt(storeBytes / MIB)} MB).`],
  };
};

/** Functions whose inclusive time shows where ingest goes, in pipeline order. */
const INGEST_STEPS: [string, string][] = [
  ['readSniffInput', 'format detection (first bytes of each file)'],
  ['readLines', 'line splitting and UTF-8 decoding'],
  ['readRolloutFile', 'reading rollouts: lines, JSON.parse, trace building'],
  ['redact', 'secret redaction (src/redact/redact.ts)'],
  ['serializeTrace', 'JSON.stringify of each trace'],
  ['contentHash', 'SHA-256 of each serialized trace (same-content check)'],
  ['write', 'stream writes (string → UTF-8 Buffer, syscalls)'],
  ['commit', 'store commit (copy/merge pass)'],
  ['(garbage collector)', 'garbage collection'],
  ['(idle)', 'idle: waiting for file I/O and fsync'],
];

/** CPU profile of one ingest run: where the time goes. */
const profileIngest: Section = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hl-bench-prof-'));
  const ws = mkdtempSync(join(tmpdir(), 'hl-bench-ws-'));
  log('profiling ingest (node --cpu-prof) …');
  await measure(['--cpu-prof', `--cpu-prof-dir=${dir}`, CLI, 'ingest', CORPUS_DIR, '--all-repos', '-C', ws]);
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'))!;
  const summary = summariseProfile(
    join(dir, file),
    INGEST_STEPS.map(([name]) => name),
    10,
  );
  rmSync(ws, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
  const pct = (ms: number) => `${fmt((100 * ms) / summary.totalMs)}%`;
  const what = new Map(INGEST_STEPS);
  return {
    title: 'Where ingest spends its time',
    rows: [
      ...summary.groups.map((g) => ({ metric: `${what.get(g.name)} — \`${g.name}\``, value: `${fmt(g.totalMs, 0)} ms (${pct(g.totalMs)})` })),
      ...summary.bySelf.map((s) => ({
        metric: `self time: \`${s.name.length > 90 ? `${s.name.slice(0, 90)}…` : s.name}\``,
        value: `${fmt(s.selfMs, 0)} ms (${pct(s.selfMs)})`,
      })),
    ],
    notes: [
      `One profiled run (${secs(summary.totalMs)} sampled; the profiler slows the run down). First rows: inclusive time of each ` +
        'step (steps nest: readLines is inside readRolloutFile, write inside the store writer); then the functions with the most self time.',
    ],
  };
};

/** (d) `harness-loop evals build`: 10,000 feedback records over 2,000 traces (scripts/bench/evals.ts). */
const benchEvals: Section = (ctx) => benchEvalsBuild({ runs: ctx.options.runs, seed: ctx.options.seed, measureCli: (args) => measure([CLI, ...args]) });

/** (g) `harness-loop verify`: the gate's own cost beyond the eval run, on the demo (scripts/bench/verify.ts). */
const benchGate: Section = (ctx) => benchVerify({ runs: ctx.options.runs });

/** Sections in run order; later ones may use what earlier ones left in the context. */
const SECTIONS: Record<string, Section> = {
  ingest: benchIngest,
  zst: benchCompressedIngest,
  batch: benchBatch,
  evals: benchEvals,
  hooks: benchHooks,
  review: benchReview,
  store: benchStore,
  gate: benchGate,
};

function renderTable(rows: Row[]): string {
  const lines = ['| metric | value | goal | result |', '| --- | --- | --- | --- |'];
  for (const r of rows)
    lines.push(`| ${r.metric.replaceAll('|', '\\|')} | ${r.value} | ${r.goal ?? ''} | ${r.pass === undefined ? '' : r.pass ? 'pass' : '**FAIL**'} |`);
  return lines.join('\n');
}

function machine(loadBefore: number[]): string[] {
  const cpu = cpus();
  const load = (l: number[]) => l.map((x) => fmt(x, 2)).join(', ');
  return [
    `- CPU: ${cpu[0]?.model.trim() ?? 'unknown'}, ${cpu.length} cores`,
    `- Memory: ${fmt(totalmem() / 2 ** 30)} GB`,
    `- Node: ${process.version} (${process.platform} ${process.arch})`,
    `- Load average (1, 5, 15 min) before: ${load(loadBefore)}; after: ${load(loadavg())} — other work on the machine slows wall times`,
    `- Peak RSS measured with ${HAVE_GNU_TIME ? '`/usr/bin/time -v`' : "the child's `process.resourceUsage().maxRSS`"}`,
  ];
}

async function main(): Promise<void> {
  const argv = minimist(process.argv.slice(2), { boolean: ['regen', 'profile'], default: { 'size-mb': 500, seed: 1, runs: 3 } });
  const options: Options = {
    sizeMb: Number(argv['size-mb']),
    seed: Number(argv.seed),
    regen: argv.regen === true,
    profile: argv.profile === true,
    runs: Math.max(1, Number(argv.runs)),
  };
  const loadBefore = loadavg();
  CORPUS_DIR = join(ROOT, 'bench/corpus', `${options.sizeMb}mb-seed${options.seed}`);
  const corpus = ensureCorpus(CORPUS_DIR, options.sizeMb, options.seed, options.regen, log);
  const ctx: BenchContext = { options, corpus, corpusFiles: corpus.files.map((f) => join(CORPUS_DIR, f)).sort() };
  const results: SectionResult[] = [];
  // --only ingest,zst runs some sections (in their usual order); zst and batch need ingest.
  const only = typeof argv.only === 'string' ? new Set(argv.only.split(',')) : null;
  for (const [name, section] of Object.entries(SECTIONS)) if (!only || only.has(name)) results.push(await section(ctx));
  if (options.profile || ctx.ingestFailed) results.push(await profileIngest(ctx));
  if (ctx.workspace) rmSync(ctx.workspace, { recursive: true, force: true });

  const date = new Date().toISOString();
  const md = [
    '# harness-loop benchmarks',
    '',
    `Written by \`npm run bench\` on ${date}. MB = 2^20 bytes; wall times include process start-up.`,
    '',
    '## Machine',
    '',
    ...machine(loadBefore),
    '',
    '## Corpus',
    '',
    `${corpus.files.length.toLocaleString('en-US')} generated Codex rollout files in bench/corpus/${basename(CORPUS_DIR)}/, ${fmt(corpus.bytes / MIB)} MB, ` +
      `${corpus.records.toLocaleString('en-US')} records (seed ${corpus.seed}, generator v${corpus.generator}), cloned from ` +
      'test/fixtures/codex-exec/rollout.base.jsonl: session_meta, turn_context, world_state, messages, reasoning, ' +
      'exec_command and apply_patch calls with outputs from 100 B to 400 KB, token counts, task_complete.',
    '',
    ...results.flatMap((r) => [`## ${r.title}`, '', renderTable(r.rows), ...(r.notes.length ? ['', ...r.notes] : []), '']),
  ].join('\n');
  writeFileSync(RESULTS, md);
  process.stdout.write(`${md}\n`);
  log(`wrote ${RESULTS}`);
}

await main();
