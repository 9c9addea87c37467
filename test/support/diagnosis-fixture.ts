// A small repository with its harness files, Codex sessions generated from real rollout lines
// (rollout-gen.ts), feedback and failing tests: one planted harness defect per fixture. Runs the
// real ingest, the harness model and the ranker.
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { rankRecommendations, type RankedDiagnosis } from '../../src/diagnose/rank.js';
import { readHarnessModel } from '../../src/harness/model.js';
import { ingest } from '../../src/ingest/ingest.js';
import { readTraceStore } from '../../src/ingest/store.js';
import { readHarnessGlobs } from '../../src/ledger/harness-files.js';
import { ConfigSchema } from '../../src/schema/config.js';
import { DEFAULT_FEEDBACK_WEIGHTS, FEEDBACK_SCHEMA_VERSION, FeedbackSchema, type Feedback } from '../../src/schema/feedback.js';
import type { LedgerEntry } from '../../src/schema/ledger.js';
import type { Trace } from '../../src/schema/trace.js';
import type { TestOutcomeForDiagnosis } from '../../src/diagnose/clusters.js';
import { generateRollout, type SessionSpec } from './rollout-gen.js';

export interface FixtureSpec {
  /** Repository files (harness and code), path → text. */
  files: Record<string, string>;
  sessions: SessionSpec[];
  /** Extra real rollout files to ingest as they are. */
  realRollouts?: string[];
  feedback: (Partial<Feedback> & Pick<Feedback, 'traceId' | 'source' | 'category' | 'severity' | 'observation'>)[];
  tests?: TestOutcomeForDiagnosis[];
  ledger?: LedgerEntry[];
}

export interface Fixture {
  root: string;
  traces: Trace[];
  feedback: Feedback[];
  result: RankedDiagnosis;
}

/** A thread id for fixture session `n` of fixture `f`. */
export function tid(f: number, n: number): string {
  return `01a2f${String(f).padStart(3, '0')}-${String(n).padStart(4, '0')}-7000-8000-000000000000`;
}

let counter = 0;

export async function runFixture(spec: FixtureSpec): Promise<Fixture> {
  const root = await mkdtemp(join(tmpdir(), 'hl-diag-fixture-'));
  for (const [path, text] of Object.entries(spec.files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), text);
  }
  const sessions = join(root, '..', `${root.split('/').pop()}-sessions`);
  await mkdir(sessions, { recursive: true });
  for (const s of spec.sessions) await writeFile(join(sessions, `rollout-${s.id}.jsonl`), generateRollout({ cwd: root, ...s }));
  const config = ConfigSchema.parse({});
  await ingest({ workspace: root, paths: [sessions, ...(spec.realRollouts ?? [])], from: 'auto', allRepos: true, config });
  const traces: Trace[] = [];
  for await (const t of readTraceStore(join(root, '.harness-loop', 'traces', 'traces.jsonl'))) traces.push(t);
  const feedback = spec.feedback.map((f) =>
    FeedbackSchema.parse({
      schemaVersion: FEEDBACK_SCHEMA_VERSION,
      id: `fb_${(++counter).toString(16).padStart(16, '0')}`,
      author: f.source === 'human' ? 'reviewer' : `harness-loop/${f.category}`,
      evidence: [],
      requiredObservations: [],
      prohibitedClaims: [],
      status: 'active',
      createdAt: '2026-12-01T10:00:00.000Z',
      attributes: {},
      ...f,
    }),
  );
  const harness = await readHarnessModel({ root, config, codexHome: null });
  const result = rankRecommendations({
    traces,
    feedback,
    tests: spec.tests ?? [],
    harness,
    weights: DEFAULT_FEEDBACK_WEIGHTS,
    allow: readHarnessGlobs(config),
    ledger: spec.ledger ?? [],
  });
  return { root, traces, feedback, result };
}
