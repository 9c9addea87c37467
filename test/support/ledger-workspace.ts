// Builds small workspaces for cycle and ledger tests: harness files, a diagnosis and eval runs.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { EvalRunSummary } from '../../src/schema/eval-suite.js';

/** One test outcome as a results file holds it. */
export interface FixtureTest {
  id: string;
  pass: boolean;
  reasons?: string[];
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
