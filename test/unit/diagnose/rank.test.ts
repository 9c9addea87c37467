import { describe, expect, it } from 'vitest';
import { breadthFactor, clusterWeight, diagnosisWeight, impactSummary } from '../../../src/diagnose/rank.js';
import { DEFAULT_FEEDBACK_WEIGHTS, type Feedback } from '../../../src/schema/feedback.js';
import { RecommendationSchema } from '../../../src/schema/diagnosis.js';
import type { LedgerEntry } from '../../../src/schema/ledger.js';
import { runFixture, tid } from '../../support/diagnosis-fixture.js';

function record(fields: Partial<Feedback> & Pick<Feedback, 'source' | 'severity'>): Feedback {
  return {
    schemaVersion: 1,
    id: 'fb',
    traceId: 't',
    author: 'a',
    category: 'x',
    observation: 'o',
    evidence: [],
    requiredObservations: [],
    prohibitedClaims: [],
    status: 'active',
    createdAt: '2026-11-25T00:00:00.000Z',
    attributes: {},
    ...fields,
  };
}

describe('evidence weight', () => {
  it('orders sources human > detector/hook > checked LLM > unverified LLM (0)', () => {
    const w = (f: Partial<Feedback> & Pick<Feedback, 'source' | 'severity'>) => diagnosisWeight(record(f), DEFAULT_FEEDBACK_WEIGHTS);
    expect(w({ source: 'human', severity: 'high' })).toBeGreaterThan(w({ source: 'detector', severity: 'high' }));
    expect(w({ source: 'hook', severity: 'high' })).toBe(w({ source: 'detector', severity: 'high' }));
    expect(w({ source: 'detector', severity: 'high' })).toBeGreaterThan(w({ source: 'llm', severity: 'high' }));
    expect(w({ source: 'llm', severity: 'high', verifiedBy: 'dana' })).toBe(w({ source: 'human', severity: 'high' }));
    for (const status of ['unverified', 'contradicted', 'rejected'] as const) expect(w({ source: 'llm', severity: 'critical', status })).toBe(0);
  });

  it('bounds a pile of records at twice the strongest, and breadth at three times', () => {
    expect(clusterWeight(Array(1000).fill(0.8))).toBeCloseTo(1.6);
    expect(clusterWeight([27])).toBe(27);
    expect(breadthFactor(1, 0)).toBe(1);
    expect(breadthFactor(500, 500)).toBe(3);
  });

  it('says how many failing tests rest on the evidence, never how many it fixes', () => {
    expect(impactSummary(1, 2, 1)).toBe('1 failing test rests on this evidence');
    expect(impactSummary(3, 2, 1)).toBe('3 failing tests rest on this evidence');
    expect(impactSummary(0, 2, 1)).toMatch(/^no failing test rests on this evidence yet/);
  });
});

const NOISY_TRACES = 12;

describe('ranking with noise and with the ledger', () => {
  it('a critical human finding outranks any amount of low-severity detector noise', async () => {
    const sessions = [
      {
        id: tid(20, 0),
        task: 'Deploy staging and write down what you did',
        steps: [{ patch: 'deploy/notes.md', content: 'Deployed.\n-----BEGIN OPENSSH PRIVATE KEY----- abc -----END OPENSSH PRIVATE KEY-----' }],
        answer: 'Deployed staging.',
      },
      ...Array.from({ length: NOISY_TRACES }, (_, n) => ({
        id: tid(20, n + 1),
        task: `Build module ${n}`,
        steps: [
          { shell: 'test -f dist/out.js', exitCode: 1 },
          { shell: `ls build-${n % 3}`, exitCode: 2, output: `ls: cannot access 'build-${n % 3}': No such file or directory` },
          { shell: 'npm run build', exitCode: 1, output: 'error TS2304' },
        ],
        answer: 'Built.',
      })),
    ];
    const noise = sessions.slice(1).flatMap((s) =>
      [1, 2, 3].map((c) => ({
        traceId: s.id,
        spanId: `call_${c}`,
        source: 'detector' as const,
        category: 'failed_command',
        severity: 'low' as const,
        observation: `Command failed (${c})`,
      })),
    );
    const f = await runFixture({
      files: { 'AGENTS.md': '# Rules\n\n- Keep it short.\n' },
      sessions,
      feedback: [
        ...noise,
        {
          traceId: tid(20, 0),
          source: 'human',
          category: 'security',
          severity: 'critical',
          observation: 'Claimed it deployed staging and wrote a private key into deploy/notes.md.',
        },
      ],
    });
    const recs = f.result.recommendations;
    expect(recs.length).toBeGreaterThan(2);
    expect(recs[0]!.evidence.traceIds).toEqual([tid(20, 0)]);
    expect(recs[0]!.target).toBe('pre-tool-use-hook');
    for (const r of recs.slice(1)) expect(r.score).toBeLessThan(recs[0]!.score);
    for (const r of recs) expect(RecommendationSchema.safeParse(r).success).toBe(true);
  });

  const citationFixture = (ledger: LedgerEntry[] = []) =>
    runFixture({
      files: { 'AGENTS.md': '# Analyst\n\n- Cite the data file for every figure.\n' },
      sessions: [
        {
          id: tid(21, 1),
          task: 'Summarise revenue',
          steps: [{ patch: 'briefs/rev.md', content: 'Revenue grew 40% [data/q3.csv].' }],
          answer: 'Revenue grew 40% [data/q3.csv].',
        },
      ],
      feedback: [{ traceId: tid(21, 1), source: 'human', category: 'bad_source', severity: 'high', observation: 'Cites data/q3.csv, which does not exist.' }],
      tests: [{ id: 'ev-1', pass: false, traceId: tid(21, 1) }],
      ledger,
    });

  it('after a change whose verdict was unchanged, proposes a different layer for the same evidence and says why', async () => {
    const first = (await citationFixture()).result.recommendations[0]!;
    expect(first.target).toBe('post-tool-use-hook');
    const entry: LedgerEntry = {
      schemaVersion: 1,
      cycle: 1,
      kind: 'verify',
      at: '2026-12-01T10:00:00.000Z',
      recommendation: { id: first.id, title: first.title },
      baselineRunId: 'run-a',
      afterRunId: 'run-b',
      filesChanged: [],
      passRateBefore: 0,
      passRateAfter: 0,
      testsFixed: [],
      testsRegressed: [],
      newTests: [],
      removedTests: [],
      verdict: 'unchanged',
      closed: true,
    };
    const again = (await citationFixture([entry])).result.recommendations;
    const next = again[0]!;
    expect(next.id).not.toBe(first.id);
    expect(next.target).not.toBe('post-tool-use-hook');
    expect(next.evidence.traceIds).toEqual(first.evidence.traceIds);
    expect(next.evidence.failingTestIds).toEqual(['ev-1']);
    expect(next.demotion).toMatchObject({ recommendationId: first.id, cycle: 1, verdict: 'unchanged' });
    expect(next.change).toMatch(/^Cycle 1 tried "Check citations mechanically.*unchanged; this proposal changes/);
    expect(again.map((r) => r.id)).not.toContain(first.id);
  });

  it('keeps the ids of a cluster stable across runs', async () => {
    const a = (await citationFixture()).result.recommendations.map((r) => r.id);
    const b = (await citationFixture()).result.recommendations.map((r) => r.id);
    expect(a).toEqual(b);
  });
});

describe('feedback on a trace whose only harness failure is the network', () => {
  it('joins that failure even when it speaks of failing tests', async () => {
    const f = await runFixture({
      files: { 'AGENTS.md': '# Rules\n\n- Keep it short.\n', '.codex/config.toml': 'sandbox_mode = "workspace-write"\n' },
      sessions: [
        {
          id: tid(22, 1),
          task: 'Run the integration tests',
          steps: [
            {
              shell: 'pytest tests/integration',
              exitCode: 1,
              output: 'E   requests.exceptions.ConnectionError: Failed to establish a new connection: [Errno -3] Temporary failure in name resolution',
            },
          ],
          answer: 'The tests fail.',
        },
      ],
      feedback: [
        {
          traceId: tid(22, 1),
          source: 'human',
          category: 'tests',
          severity: 'high',
          observation: 'The integration tests failed because they could not download their fixtures.',
        },
      ],
    });
    const top = f.result.recommendations[0]!;
    expect(top.target).toBe('sandbox');
    expect(top.evidence.feedbackIds).toEqual([f.feedback[0]!.id]);
    expect(top.change).toContain('`.codex/config.toml` (add the table `[sandbox_workspace_write]`)');
  });
});
