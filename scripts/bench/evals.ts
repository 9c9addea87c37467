// The `evals build` section of `npm run bench`: 10,000 feedback records over 2,000 traces.
// Goal: the pure build (cluster, generate, merge, render) within 3× of `yaml.stringify` of the
// same final config alone; end-to-end command time and peak RSS are reported beside it.
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { buildEvalSuite, toTraceInfo, type BuildInput } from '../../src/evals/build.js';
import { ConfigSchema } from '../../src/schema/config.js';
import type { Feedback, FeedbackSource } from '../../src/schema/feedback.js';
import type { Trace } from '../../src/schema/trace.js';
import { seededRandom } from '../../test/support/random.js';

/** A row of the bench table (same shape as scripts/bench.ts). */
export interface EvalsBenchRow {
  metric: string;
  value: string;
  goal?: string;
  pass?: boolean;
}

/** What the section needs from the bench runner. */
export interface EvalsBenchOptions {
  runs: number;
  seed: number;
  traces?: number;
  feedback?: number;
  /** Runs the built CLI in a child and measures it (scripts/bench.ts `measure`); skipped when absent. */
  measureCli?: (args: string[]) => Promise<{ wallMs: number; cpuMs: number; maxRssKb: number; stdout: string }>;
}

const CATEGORIES = ['financial_risk', 'citation_error', 'missing_section', 'security_readiness', 'tool_error', 'instruction_not_followed', 'revenue_quality', 'unsupported_metrics'];
const SOURCES: FeedbackSource[] = ['human', 'llm', 'llm', 'detector', 'hook'];


/** 2,000 traces over 500 distinct tasks and 10,000 feedback records, cookbook-shaped. */
export function generateEvalsCorpus(seed: number, traceCount = 2000, feedbackCount = 10000): { traces: Trace[]; feedback: Feedback[] } {
  const r = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const tasks = Array.from({ length: Math.max(1, Math.floor(traceCount / 4)) }, (_, i) => `Question ${i}: what do runway, burn and ARR bridge ${i} tell us about financing risk?`);
  const traces: Trace[] = Array.from({ length: traceCount }, (_, i) => {
    const time = new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString();
    return {
      schemaVersion: 1,
      id: `trace-${String(i).padStart(5, '0')}`,
      source: { kind: 'codex-rollout', file: `rollout-${i}.jsonl`, line: 1 },
      sessionId: `trace-${i}`,
      startTime: time,
      endTime: time,
      cwd: '/repo',
      models: ['gpt-5.5'],
      task: tasks[i % tasks.length]!,
      finalAnswer: `Runway is ${(i % 24) + 1} months at $${(i % 9) + 1}.9M burn (\`financials/p_and_l.csv\`). `.repeat(8),
      usage: { inputTokens: 1000, cachedInputTokens: 0, outputTokens: 200, reasoningOutputTokens: 50, totalTokens: 1200 },
      spans: [],
      attributes: {},
    };
  });
  const feedback: Feedback[] = Array.from({ length: feedbackCount }, (_, i) => {
    const trace = pick(traces);
    const source = pick(SOURCES);
    const category = pick(CATEGORIES);
    const n = Math.floor(r() * 30) + 1;
    return {
      schemaVersion: 1,
      id: `fb-${String(i).padStart(6, '0')}`,
      traceId: trace.id,
      source,
      author: source === 'human' ? 'reviewer' : `harness-loop/${source}`,
      category,
      severity: pick(['low', 'medium', 'high', 'critical'] as const),
      observation: `Observation ${i}: the answer about ${category} missed ${n} details and cited the wrong file.`,
      evidence: [`financials/file_${n}.csv`],
      requiredObservations: r() < 0.7 ? [`Name the ${n}-month runway`, `Cite \`financials/file_${n}.csv\``, `Tie burn ${i % 50} to near-term financing pressure`] : [],
      prohibitedClaims: r() < 0.6 ? [`Do not claim "${n + 12} months of runway"`, `Do not imply the company is profitable (case ${i % 40})`] : [],
      status: r() < 0.05 ? 'rejected' : source === 'llm' ? 'unverified' : 'active',
      createdAt: new Date(Date.UTC(2026, 1, 1) + i * 1000).toISOString(),
      attributes: category === 'missing_section' ? { missingSections: ['## Summary'] } : {},
    };
  });
  return { traces, feedback };
}

function bestMs(runs: number, fn: () => void): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

const fmt = (n: number, digits = 1) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** The section: pure build vs yaml.stringify, a rebuild over the existing suite, and the command end to end. */
export async function benchEvalsBuild(options: EvalsBenchOptions): Promise<{ title: string; rows: EvalsBenchRow[]; notes: string[] }> {
  const traceCount = options.traces ?? 2000;
  const feedbackCount = options.feedback ?? 10000;
  const { traces, feedback } = generateEvalsCorpus(options.seed, traceCount, feedbackCount);
  const config = ConfigSchema.parse({ feedback: { requiredSections: ['## Summary'] } });
  const input = (fb: readonly Feedback[], existing: string | null): BuildInput => ({
    feedback: fb,
    traces: traces.map(toTraceInfo),
    existing,
    prunedIds: new Set(),
    cycle: 1,
    config,
    rubricThreshold: 0.8,
    file: 'promptfooconfig.yaml',
  });
  const runs = Math.max(3, options.runs);
  // Warm up both code paths once so the comparison is of steady-state work.
  const first = buildEvalSuite(input(feedback, null));
  const finalConfig = parse(first.text, { customTags: ['timestamp'] }) as Record<string, unknown>;
  stringify(finalConfig);
  const buildMs = bestMs(runs, () => buildEvalSuite(input(feedback, null)));
  const stringifyMs = bestMs(runs, () => stringify(finalConfig));
  const ratio = buildMs / stringifyMs;

  // A rebuild: the suite exists, 10% more feedback arrives (new clusters and new checks in old ones).
  const extra = generateEvalsCorpus(options.seed + 1, traceCount, Math.floor(feedbackCount / 10)).feedback.map((f) => ({ ...f, id: `${f.id}-new` }));
  const more = [...feedback, ...extra];
  const rebuilt = buildEvalSuite(input(more, first.text));
  const rebuildMs = bestMs(runs, () => buildEvalSuite(input(more, first.text)));
  const rebuildConfig = parse(rebuilt.text, { customTags: ['timestamp'] }) as Record<string, unknown>;
  const rebuildStringifyMs = bestMs(runs, () => stringify(rebuildConfig));
  const rebuildRatio = rebuildMs / rebuildStringifyMs;

  const s = first.summary;
  const assertions = Object.values(s.assertions).reduce((a, b) => a + b, 0);
  const rows: EvalsBenchRow[] = [
    { metric: 'input', value: `${feedbackCount.toLocaleString('en-US')} feedback records over ${traceCount.toLocaleString('en-US')} traces → ${s.tests.total.toLocaleString('en-US')} tests, ${assertions.toLocaleString('en-US')} assertions, suite ${fmt(Buffer.byteLength(first.text) / 2 ** 20)} MB` },
    { metric: 'baseline: yaml.stringify of the final config', value: `${fmt(stringifyMs, 0)} ms` },
    { metric: 'evals build (pure: cluster, generate, render)', value: `${fmt(buildMs, 0)} ms` },
    { metric: 'evals build / yaml.stringify', value: `${fmt(ratio, 2)}×`, goal: '≤ 3×', pass: ratio <= 3 },
    { metric: `rebuild over the existing suite (+${extra.length.toLocaleString('en-US')} records, ${rebuilt.summary.tests.added} new tests, ${rebuilt.summary.tests.updated} updated)`, value: `${fmt(rebuildMs, 0)} ms; ${fmt(rebuildRatio, 2)}× yaml.stringify of its result (${fmt(rebuildStringifyMs, 0)} ms)` },
  ];
  const notes = [`Best of ${runs} in-process runs after one warm-up; generated corpus (seed ${options.seed}): 500 distinct tasks, 8 categories, sources human/llm/detector/hook, 5% rejected.`];

  if (options.measureCli) {
    const ws = mkdtempSync(join(tmpdir(), 'hl-bench-evals-'));
    try {
      mkdirSync(join(ws, '.harness-loop/traces'), { recursive: true });
      mkdirSync(join(ws, '.harness-loop/feedback'), { recursive: true });
      writeFileSync(join(ws, '.harness-loop/traces/traces.jsonl'), traces.map((t) => `${JSON.stringify(t)}\n`).join(''));
      writeFileSync(join(ws, '.harness-loop/feedback/feedback.jsonl'), feedback.map((f) => `${JSON.stringify(f)}\n`).join(''));
      writeFileSync(join(ws, '.harness-loop/config.yaml'), 'feedback:\n  requiredSections: ["## Summary"]\n');
      let best: Awaited<ReturnType<NonNullable<EvalsBenchOptions['measureCli']>>> | undefined;
      let peakKb = 0;
      for (let i = 0; i < options.runs; i++) {
        rmSync(join(ws, '.harness-loop/evals'), { recursive: true, force: true });
        const m = await options.measureCli(['evals', 'build', '-C', ws, '--json']);
        peakKb = Math.max(peakKb, m.maxRssKb);
        if (!best || m.wallMs < best.wallMs) best = m;
      }
      const storeMb = statSync(join(ws, '.harness-loop/traces/traces.jsonl')).size / 2 ** 20;
      rows.push(
        { metric: '`harness-loop evals build` end to end (read stores, build, write)', value: `${fmt(best!.wallMs / 1000, 2)} s wall, ${fmt(best!.cpuMs / 1000, 2)} s CPU (trace store ${fmt(storeMb)} MB)` },
        { metric: '`harness-loop evals build` peak RSS', value: `${fmt(peakKb / 1024, 0)} MB` },
      );
      notes.push(`End to end: best of ${options.runs} fresh builds of the built CLI in a child process; peak RSS is the largest over all runs.`);
    } finally {
      rmSync(ws, { recursive: true, force: true });
    }
  }
  return { title: 'Evals build', rows, notes };
}
