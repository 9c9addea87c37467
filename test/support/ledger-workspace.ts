// Builds small workspaces for cycle and ledger tests: harness files, a diagnosis and eval runs.
import { appendFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DEFAULT_GUARD } from '../../src/checks/hook-config.js';
import { runFingerprint } from '../../src/ingest/harness-fingerprint.js';
import { serializeTrace } from '../../src/ingest/store.js';
import { hashWorkspace } from '../../src/ledger/harness-files.js';
import type { EvalRunSummary } from '../../src/schema/eval-suite.js';
import type { Trace } from '../../src/schema/trace.js';

/** One test outcome as a results file holds it. */
export interface FixtureTest {
  id: string;
  pass: boolean;
  reasons?: string[];
  /** Trace whose answer was scored. */
  traceId?: string;
}

/** Two recommendations: R1 touches AGENTS.md, R2 the skill folder. */
export const RECOMMENDATIONS = {
  recommendations: [
    { id: 'R1', rank: 1, title: 'Require citations in AGENTS.md', target: 'agents-md', files: ['AGENTS.md'] },
    { id: 'R2', rank: 2, title: 'Teach the docs skill to quote', target: 'skill', files: ['skills/docs/'] },
  ],
};

/** A workspace with harness files, one source file and a diagnosis; no eval runs yet. */
export function makeWorkspace(options: { recommendations?: boolean } = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'hl-ledger-'));
  writeText(root, 'AGENTS.md', '# Agents\n\nAnswer from the docs.\n');
  writeText(root, 'skills/docs/SKILL.md', '---\nname: docs\n---\nRead the docs first.\n');
  writeText(root, 'src/app.js', 'console.log("app");\n');
  if (options.recommendations !== false) writeText(root, '.harness-loop/diagnosis/recommendations.json', JSON.stringify(RECOMMENDATIONS, null, 2));
  return root;
}

/** A results file as `harness-loop evals run` writes it (EvalRunSummarySchema), trimmed to a few tests. */
export function runSummary(runId: string, tests: FixtureTest[], createdAt: string): EvalRunSummary {
  const passed = tests.filter((t) => t.pass).length;
  return {
    schemaVersion: 1,
    runId,
    createdAt,
    startedAt: createdAt,
    cycle: 1,
    config: '.harness-loop/evals/promptfooconfig.yaml',
    provider: 'replay',
    grader: 'replay',
    promptfoo: { command: ['promptfoo', 'eval'], exitCode: passed === tests.length ? 0 : 100 },
    totals: { tests: tests.length, passed, failed: tests.length - passed, errors: 0 },
    tests: tests.map((t) => ({
      id: t.id,
      ...(t.traceId ? { traceId: t.traceId } : {}),
      status: t.pass ? 'pass' : 'fail',
      pass: t.pass,
      score: t.pass ? 1 : 0,
      reasons: t.reasons ?? [],
      failedAssertions: (t.reasons ?? []).map((reason) => ({ type: 'llm-rubric', reason })),
    })),
    missingVerdicts: [],
    raw: {},
  };
}

/** Writes `.harness-loop/results/<runId>.json`; createdAt defaults to now. Returns the file. */
export function writeRun(root: string, runId: string, tests: FixtureTest[], createdAt = new Date().toISOString()): string {
  return writeText(root, `.harness-loop/results/${runId}.json`, `${JSON.stringify(runSummary(runId, tests, createdAt), null, 2)}\n`);
}

/** Writes a workspace file, creating folders. Returns the absolute path. */
export function writeText(root: string, path: string, text: string): string {
  const file = join(root, path);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
}

/** The baseline most tests start from: t1 and t3 pass, t2 fails. */
export const BASELINE: FixtureTest[] = [
  { id: 't1', pass: true },
  { id: 't2', pass: false, reasons: ['answer has no citation'] },
  { id: 't3', pass: true },
];

/**
 * Answers as the codex provider records them: one trace per test in the workspace's trace store,
 * fingerprinted with the harness files as they are now (a live run under the current harness).
 */
export async function liveAnswers(root: string, tests: FixtureTest[]): Promise<FixtureTest[]> {
  const files = (await hashWorkspace(root, DEFAULT_GUARD.allow)).harness;
  const harness = runFingerprint(null, files)!;
  const stamp = Math.random().toString(36).slice(2, 8);
  const lines = tests.map((t) => {
    const trace: Trace = {
      schemaVersion: 1,
      id: `live-${t.id}-${stamp}`,
      source: { kind: 'codex-exec-json', file: 'incoming.jsonl', line: 1 },
      sessionId: null,
      startTime: new Date().toISOString(),
      endTime: null,
      cwd: null,
      models: ['mock-model'],
      task: `task of ${t.id}`,
      finalAnswer: t.pass ? 'right' : 'wrong',
      usage: { inputTokens: 100, cachedInputTokens: 0, outputTokens: 10, reasoningOutputTokens: 0, totalTokens: 110 },
      spans: [],
      harness,
      attributes: {},
    };
    return serializeTrace(trace);
  });
  const store = join(root, '.harness-loop/traces/traces.jsonl');
  mkdirSync(dirname(store), { recursive: true });
  appendFileSync(store, `${lines.join('\n')}\n`);
  return tests.map((t) => ({ ...t, traceId: `live-${t.id}-${stamp}` }));
}
