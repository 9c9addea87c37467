// `evals run --provider codex`: the built CLI runs the real promptfoo, which runs the real Codex
// binary once per test in a scratch copy of the workspace; the only stand-in is the model.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EvalRunSummary } from '../../src/schema/eval-suite.js';
import type { Trace } from '../../src/schema/trace.js';
import { runCli } from '../support/cli.js';
import { codexBin, isolatedEnv, mockProviderArgs } from '../support/codex.js';
import { promptOf } from '../support/mock-requests.js';
import { startMockResponses, type MockPolicy, type MockServer } from '../support/mock-responses.js';
import { makeFeedback, makeTrace, writeStore } from '../unit/evals/helpers.js';

const RETRIES = 'How many times does the client retry a failed request?';
const TIMEOUT = 'How long does a request wait before it times out?';
/** What the mock model answers per task: the first right, the second wrong. */
const ANSWERS: Record<string, string> = {
  [RETRIES]: 'The client retries a failed request 3 times [docs/guide.md].',
  [TIMEOUT]: 'A request times out after 45 seconds [docs/guide.md].',
};

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

interface Setup {
  ws: string;
  env: NodeJS.ProcessEnv;
  mock: MockServer;
  root: string;
}

/** A workspace whose two traces have human feedback that asks for the right numbers. */
async function setUp(policy: MockPolicy): Promise<Setup> {
  const root = mkdtempSync(join(tmpdir(), 'hl-evals-codex-'));
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  const ws = join(root, 'ws');
  mkdirSync(join(ws, 'docs'), { recursive: true });
  writeFileSync(join(ws, 'docs/guide.md'), '# Client\nThe client retries a failed request 3 times.\nRequests time out after 30 seconds.\n');
  writeFileSync(join(ws, 'AGENTS.md'), '# Rules\n- Answer from docs/ and cite the file.\n');
  writeStore(
    ws,
    [makeTrace('old-retries', RETRIES, 'It retries.'), makeTrace('old-timeout', TIMEOUT, 'It waits a while.')],
    [
      makeFeedback({ id: 'fb-retries', traceId: 'old-retries', category: 'accuracy', observation: 'No number given.', requiredObservations: ['"3 times"'] }),
      makeFeedback({ id: 'fb-timeout', traceId: 'old-timeout', category: 'accuracy', observation: 'No number given.', requiredObservations: ['"30 seconds"'] }),
    ],
  );
  const mock = await startMockResponses(policy);
  cleanups.push(() => mock.close());
  const env = isolatedEnv(root);
  const built = await runCli(['evals', 'build', '-C', ws], { env });
  expect(built.exitCode, built.stderr).toBe(0);
  return { ws, env, mock, root };
}

const answerPerTask: MockPolicy = ({ input }) => ({ answer: ANSWERS[promptOf(input)] ?? `unexpected prompt: ${promptOf(input)}` });

function readStore(ws: string): Trace[] {
  return readFileSync(join(ws, '.harness-loop/traces/traces.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Trace);
}

async function runCodexEvals(s: Setup, bin: string) {
  const run = await runCli(
    ['evals', 'run', '--provider', 'codex', '--codex-bin', bin, ...mockProviderArgs(s.mock.url), '--model', 'gpt-5.5', '--json', '-C', s.ws],
    { env: s.env },
  );
  return { ...run, summary: JSON.parse(run.stdout || '{}') as EvalRunSummary };
}

describe('evals run --provider codex (real promptfoo, real Codex, mock model)', () => {
  it('scores fresh Codex answers per test and records each run as a trace with its task', async () => {
    const s = await setUp(answerPerTask);
    const { exitCode, stderr, summary } = await runCodexEvals(s, codexBin());

    expect(exitCode, stderr).toBe(1);
    expect(stderr).toMatch(/1 of 2 test\(s\) did not pass \(1 failed, 0 errored\)/);
    expect(stderr).toContain('evals run: recorded 2 codex run(s) as trace(s) (2 new)');
    expect(summary.provider).toBe('codex');
    expect(summary.config).toBe('.harness-loop/evals/promptfooconfig.codex.yaml');
    expect(s.mock.requests.map((r) => promptOf(r.body.input ?? [])).sort()).toEqual([TIMEOUT, RETRIES].sort());

    const stored = readStore(s.ws);
    const fresh = stored.filter((t) => !t.id.startsWith('old-'));
    expect(fresh.map((t) => [t.source.kind, t.task, t.finalAnswer, t.models]).sort()).toEqual(
      [
        ['codex-rollout', RETRIES, ANSWERS[RETRIES], ['gpt-5.5']],
        ['codex-rollout', TIMEOUT, ANSWERS[TIMEOUT], ['gpt-5.5']],
      ].sort(),
    );
    expect(summary.recordedTraces).toEqual(fresh.map((t) => t.id).sort());
    // With each answer the provider returned what the agent did, for the trace assertions.
    const raw = JSON.parse(readFileSync(join(s.ws, '.harness-loop/results', `${summary.runId}.json`), 'utf8')) as {
      raw: {
        results: {
          results: {
            response: { metadata: { agentTrace: { traceId: string; source: string; toolCalls: unknown[]; tokens: { total: number }; durationMs: number } } };
          }[];
        };
      };
    };
    const processes = raw.raw.results.results.map((r) => r.response.metadata.agentTrace);
    expect(processes.map((p) => p.traceId).sort()).toEqual(fresh.map((t) => t.id).sort());
    for (const p of processes)
      expect(p).toMatchObject({ source: 'codex', toolCalls: [], tokens: { total: expect.any(Number) }, durationMs: expect.any(Number) });
    // Each test names the run it scored, so diagnosis links a failure to the answer that failed.
    const byTask = new Map(fresh.map((t) => [t.task, t.id]));
    const outcome = summary.tests.map((t) => [t.description, t.status, t.traceId]);
    expect(outcome.sort()).toEqual(
      [
        ['accuracy: No number given.', 'pass', byTask.get(RETRIES)],
        ['accuracy: No number given.', 'fail', byTask.get(TIMEOUT)],
      ].sort(),
    );
    const failed = summary.tests.find((t) => t.status === 'fail')!;
    expect(failed.failedAssertions).toEqual([{ type: 'icontains', value: '30 seconds', reason: `Expected output to contain "30 seconds"` }]);
    // The raw recordings are in the store now; nothing waits in incoming/.
    expect(readdirSync(join(s.ws, '.harness-loop/traces/incoming'))).toEqual([]);

    // The next build learns from the run: each test now replays the newest answer to its task.
    const rebuilt = await runCli(['evals', 'build', '--json', '-C', s.ws], { env: s.env });
    expect(rebuilt.exitCode, rebuilt.stderr).toBe(0);
    expect(JSON.parse(rebuilt.stdout).tests.refreshedTraces).toBe(2);
    const replay = await runCli(['evals', 'run', '--json', '-C', s.ws], { env: s.env });
    expect(replay.exitCode).toBe(1);
    expect((JSON.parse(replay.stdout) as EvalRunSummary).tests.map((t) => [t.status, t.traceId]).sort()).toEqual(
      [
        ['fail', byTask.get(TIMEOUT)],
        ['pass', byTask.get(RETRIES)],
      ].sort(),
    );
  });

  it('falls back to the --json stream when the session left no rollout, taking the task from the test', async () => {
    const s = await setUp(answerPerTask);
    // The real binary, run with --ephemeral so it writes no rollout.
    const wrapper = join(s.root, 'codex-ephemeral.mjs');
    writeFileSync(
      wrapper,
      [
        "import { spawnSync } from 'node:child_process';",
        `const [sub, ...rest] = process.argv.slice(2);`,
        `const run = spawnSync(process.execPath, [${JSON.stringify(codexBin())}, sub, '--ephemeral', ...rest], { stdio: 'inherit' });`,
        'process.exit(run.status ?? 1);',
      ].join('\n'),
    );
    const { exitCode, stderr, summary } = await runCodexEvals(s, wrapper);
    expect(exitCode, stderr).toBe(1);
    expect(existsSync(join(s.env.CODEX_HOME!, 'sessions'))).toBe(false);
    const fresh = readStore(s.ws).filter((t) => !t.id.startsWith('old-'));
    expect(fresh.map((t) => [t.source.kind, t.task, t.finalAnswer]).sort()).toEqual(
      [
        ['codex-exec-json', RETRIES, ANSWERS[RETRIES]],
        ['codex-exec-json', TIMEOUT, ANSWERS[TIMEOUT]],
      ].sort(),
    );
    expect(summary.tests.map((t) => t.status).sort()).toEqual(['fail', 'pass']);
  });

  it('reports a Codex that cannot start as errored tests, not as failures', async () => {
    const s = await setUp(answerPerTask);
    const { exitCode, summary } = await runCodexEvals(s, join(s.root, 'no-such-codex'));
    expect(exitCode).toBe(1);
    expect(summary.totals).toEqual({ tests: 2, passed: 0, failed: 0, errors: 2, unjudged: 0 });
    expect(summary.tests[0]!.reasons[0]).toMatch(/^error: cannot run codex ".*no-such-codex": spawn .* ENOENT/);
    expect(s.mock.requests).toHaveLength(0);
  });
});
