// The closed loop with the real Codex binary: a repository with harness-loop installed by the built
// CLI (`install --trust`, so Codex runs our hooks on the strength of our trust hashes), Codex
// sessions against the loopback mock model, and every stage run as a user runs it.
import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { renderImplementPrompt } from '../../src/loop/implement.js';
import type { Cycle } from '../../src/schema/cycle.js';
import type { Diagnosis } from '../../src/schema/diagnosis.js';
import type { EvalRunSummary } from '../../src/schema/eval-suite.js';
import type { LedgerEntry } from '../../src/schema/ledger.js';
import type { Span, Trace } from '../../src/schema/trace.js';
import { CLI, runCli } from '../support/cli.js';
import { codexBin, isolatedEnv, mockProviderArgs, runCodexExec } from '../support/codex.js';
import { agentsMdOf, promptOf, skillInjectionsOf } from '../support/mock-requests.js';
import { startMockResponses, type MockPolicy, type MockServer } from '../support/mock-responses.js';

/** Hard limit per Codex session: a hung run fails the test instead of the whole suite. */
const CODEX_TIMEOUT_MS = 30_000;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Repo {
  root: string;
  repo: string;
  env: NodeJS.ProcessEnv;
}

/** A git repository with a doc, AGENTS.md, and the bundle installed and trusted in an isolated CODEX_HOME. */
async function makeRepo(agentsMd = '# Rules\n- Answer in one sentence.\n'): Promise<Repo> {
  const root = mkdtempSync(join(tmpdir(), 'hl-codex-loop-'));
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  // Codex reports real paths (macOS /tmp is a symlink), and trust is keyed by path.
  const repo = join(realpathSync(root), 'repo');
  mkdirSync(join(repo, 'docs'), { recursive: true });
  writeFileSync(join(repo, 'docs/retry.md'), '# Retries\nThe client retries a failed request 3 times.\nRequests time out after 30 seconds.\n');
  writeFileSync(join(repo, 'AGENTS.md'), agentsMd);
  const env = isolatedEnv(root);
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: repo });
  git('init', '-q');
  const installed = await runCli(['install', '--target', repo, '--trust'], { env: { CODEX_HOME: env.CODEX_HOME } });
  expect(installed.exitCode, installed.stderr).toBe(0);
  git('add', '-A');
  git('commit', '-qm', 'repo with harness-loop');
  return { root, repo, env };
}

async function startMock(policy: MockPolicy): Promise<MockServer> {
  const mock = await startMockResponses(policy);
  cleanups.push(() => mock.close());
  return mock;
}

/** One `codex exec --json` session in the repository, against the mock. */
async function codexExec(r: Repo, mock: MockServer, prompt: string, extra: string[] = []) {
  const run = await runCodexExec(['--json', ...mockProviderArgs(mock.url), ...extra, '-m', 'gpt-5.5', '-s', 'workspace-write', prompt], {
    cwd: r.repo,
    env: r.env,
    timeoutMs: CODEX_TIMEOUT_MS,
  });
  expect(run.code, run.stderr).toBe(0);
  return run;
}

/** The built CLI in the repository, with the isolated Codex environment. */
const cli = (r: Repo, ...args: string[]) => runCli([...args, '-C', r.repo], { env: r.env });

function readJsonl<T>(file: string): T[] {
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as T);
}

const toolSpans = (t: Trace) => t.spans.filter((s) => s.kind === 'tool_call');

const RETRIES = 'How many times does the client retry a failed request?';
const TIMEOUT = 'How long does a request wait before it times out?';
const RULE = '- Always name the file you used, e.g. [docs/retry.md].';
const ANSWER = {
  retriesUncited: 'The client retries a failed request 3 times.',
  retriesCited: 'The client retries a failed request 3 times [docs/retry.md].',
  timeout: 'Requests time out after 30 seconds.',
};
const patch = (path: string, body: string) => `*** Begin Patch\n*** Update File: ${path}\n@@\n${body}\n*** End Patch\n`;

/**
 * The mock model decides from what Codex sends it, as a real model would: its answer cites the
 * file only when the AGENTS.md it was given has the rule. As the implementing agent it first tries
 * to edit the docs (the guard says no), then adds the rule; once the rule is there, it removes it.
 */
const closedLoopModel: MockPolicy = ({ input, stepIndex }) => {
  const prompt = promptOf(input);
  const hasRule = agentsMdOf(input).includes(RULE);
  if (prompt.startsWith('Use $harness-improvement. A harness-loop cycle is open')) {
    if (hasRule) return stepIndex === 0 ? { patch: patch('AGENTS.md', ` - Answer in one sentence.\n-${RULE}`) } : { answer: 'Tidied AGENTS.md.' };
    const steps = [
      { patch: patch('docs/retry.md', '-The client retries a failed request 3 times.\n+The client retries a failed request 5 times.') },
      { patch: patch('AGENTS.md', ` - Answer in one sentence.\n+${RULE}`) },
      { answer: 'Added a rule to AGENTS.md: always name the file used.' },
    ];
    return steps[Math.min(stepIndex, steps.length - 1)]!;
  }
  if (prompt === RETRIES) return { answer: hasRule ? ANSWER.retriesCited : ANSWER.retriesUncited };
  if (prompt === TIMEOUT) return { answer: ANSWER.timeout };
  return { answer: `unexpected prompt: ${prompt.slice(0, 80)}` };
};

describe('Codex with harness-loop installed (real binary, mock model)', () => {
  it('injects the SKILL.md text when the prompt names $harness-improvement', async () => {
    const r = await makeRepo();
    const mock = await startMock(() => ({ answer: 'Nothing to improve yet.' }));
    await codexExec(r, mock, 'Use $harness-improvement to review the last sessions.');

    const skillFile = join(r.repo, '.agents/skills/harness-improvement/SKILL.md');
    const skill = readFileSync(skillFile, 'utf8');
    expect(skill).toBe(readFileSync('skills/harness-improvement/SKILL.md', 'utf8'));
    const injected = skillInjectionsOf(mock.requests[0]!.body.input ?? []);
    expect(injected).toHaveLength(1);
    expect(injected[0]).toMatch(
      new RegExp(`^<skill>\\n<name>harness-improvement</name>\\n<path>${skillFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}</path>\\n`),
    );
    expect(injected[0]).toContain(skill.trim());
    // The AGENTS.md block install added reaches the model too.
    expect(agentsMdOf(mock.requests[0]!.body.input ?? [])).toContain('use the `$harness-improvement` skill');
  });

  it.each(['json', 'binary'] as const)('yields the same trace from the rollout (ingest) and the OTel export (receive, %s)', async (protocol) => {
    const r = await makeRepo();
    const otelWs = join(r.root, 'otel-ws');
    mkdirSync(otelWs);
    const receiver = await startReceiver(otelWs);
    const mock = await startMock(
      ({ stepIndex }) =>
        [{ shell: 'echo checking; exit 3' }, { shell: 'cat docs/retry.md' }, { answer: 'The client retries 3 times [docs/retry.md].' }][
          Math.min(stepIndex, 2)
        ]!,
    );
    const otel = [
      '-c',
      `otel.exporter={otlp-http={endpoint="${receiver.url}/v1/logs", protocol="${protocol}"}}`,
      '-c',
      `otel.trace_exporter={otlp-http={endpoint="${receiver.url}/v1/traces", protocol="${protocol}"}}`,
      '-c',
      'otel.metrics_exporter="none"',
      '-c',
      'otel.log_user_prompt=true',
      '-c',
      'otel.log_agent_responses=true',
    ];
    const task = 'How many retries does the client make?';
    await codexExec(r, mock, task, otel);
    expect(await receiver.stop()).toBe(0);

    const ingested = await cli(r, 'ingest');
    expect(ingested.exitCode, ingested.stderr).toBe(0);
    const [fromRollout, ...moreRollouts] = readJsonl<Trace>(join(r.repo, '.harness-loop/traces/traces.jsonl'));
    const [fromOtel, ...moreOtel] = readJsonl<Trace>(join(otelWs, '.harness-loop/traces/traces.jsonl'));
    expect([moreRollouts, moreOtel]).toEqual([[], []]);

    expect(fromRollout!.source.kind).toBe('codex-rollout');
    expect(fromOtel!.source.kind).toBe(protocol === 'json' ? 'otlp-json' : 'otlp-protobuf');
    expect(fromRollout!.id).toBe(mock.requests[0]!.headers['session-id']);
    expect([fromRollout!.task, fromRollout!.finalAnswer, fromRollout!.cwd]).toEqual([task, 'The client retries 3 times [docs/retry.md].', r.repo]);
    expect(toolSpans(fromRollout!).map((s) => [s.name, s.exitCode, s.status])).toEqual([
      ['exec_command', 3, 'error'],
      ['exec_command', 0, 'ok'],
    ]);
    // Everything both sources carry agrees (times come from different clocks inside Codex, so not those).
    const common = (t: Trace) => ({ id: t.id, sessionId: t.sessionId, cwd: t.cwd, models: t.models, task: t.task, finalAnswer: t.finalAnswer, usage: t.usage });
    const tool = (s: Span) => ({
      id: s.id,
      parentId: s.parentId,
      name: s.name,
      input: s.input,
      output: s.output,
      status: s.status,
      error: s.error,
      exitCode: s.exitCode,
    });
    expect(common(fromOtel!)).toEqual(common(fromRollout!));
    expect(toolSpans(fromOtel!).map(tool)).toEqual(toolSpans(fromRollout!).map(tool));
    expect(fromOtel!.spans.filter((s) => s.kind === 'model_call')).toHaveLength(fromRollout!.spans.filter((s) => s.kind === 'model_call').length);
  });

  it('closes the loop: feedback → failing codex eval → diagnosis → Codex adds the rule → improved; removing it → regressed; no new runs → not_measured; an irrelevant change → unchanged; an edited suite → refused', async () => {
    const r = await makeRepo();
    const mock = await startMock(closedLoopModel);
    const codexFlags = ['--codex-bin', codexBin(), ...mockProviderArgs(mock.url), '--model', 'gpt-5.5'];

    // Two sessions of the team's agent; the harness has no citation rule, so the first answer names no file.
    await codexExec(r, mock, RETRIES);
    await codexExec(r, mock, TIMEOUT);
    const ingested = await cli(r, 'ingest');
    expect(ingested.exitCode, ingested.stderr).toBe(0);
    const traces = readJsonl<Trace>(join(r.repo, '.harness-loop/traces/traces.jsonl'));
    expect(traces.map((t) => [t.task, t.finalAnswer]).sort()).toEqual(
      [
        [RETRIES, ANSWER.retriesUncited],
        [TIMEOUT, ANSWER.timeout],
      ].sort(),
    );
    const traceFor = (task: string) => traces.find((t) => t.task === task)!.id;

    // A reviewer's feedback: the one on the retries answer becomes a deterministic `contains` check.
    const feedbackFile = join(r.root, 'review.jsonl');
    writeFileSync(
      feedbackFile,
      [
        {
          trace_id: traceFor(RETRIES),
          category: 'instruction_not_followed',
          severity: 'high',
          observation: 'The answer does not name the file it used.',
          required_observations: ['Cite `docs/retry.md`'],
        },
        { trace_id: traceFor(TIMEOUT), category: 'accuracy', severity: 'low', observation: 'Keep the exact timeout.', required_observations: ['"30 seconds"'] },
      ]
        .map((f) => JSON.stringify(f))
        .join('\n'),
    );
    expect((await cli(r, 'feedback', 'import', feedbackFile)).exitCode).toBe(0);
    expect((await cli(r, 'evals', 'build')).exitCode).toBe(0);

    const baseline = await cli(r, 'evals', 'run', '--provider', 'codex', ...codexFlags, '--json');
    expect(baseline.exitCode, baseline.stderr).toBe(1);
    const baselineRun = JSON.parse(baseline.stdout) as EvalRunSummary;
    const retriesTest = baselineRun.tests.find((t) => t.description?.startsWith('instruction_not_followed'))!;
    const timeoutTest = baselineRun.tests.find((t) => t.description?.startsWith('accuracy'))!;
    expect([retriesTest.status, timeoutTest.status]).toEqual(['fail', 'pass']);
    expect(retriesTest.failedAssertions).toEqual([{ type: 'contains', value: 'docs/retry.md', reason: 'Expected output to contain "docs/retry.md"' }]);

    // Diagnosis ranks the AGENTS.md rule first, and the handoff makes it THE change.
    expect((await cli(r, 'diagnose')).exitCode).toBe(0);
    const diagnosis = JSON.parse(readFileSync(join(r.repo, '.harness-loop/diagnosis/recommendations.json'), 'utf8')) as Diagnosis;
    const top = diagnosis.recommendations[0]!;
    expect([top.rank, top.category, top.target, top.files, top.evidence.failingTestIds]).toEqual([
      1,
      'instruction_not_followed',
      'agents-md-rule',
      ['AGENTS.md'],
      [retriesTest.id],
    ]);
    expect((await cli(r, 'handoff')).exitCode).toBe(0);
    const handoff = readFileSync(join(r.repo, '.harness-loop/codex_handoff.md'), 'utf8');
    expect(handoff).toContain(`### THE change for this cycle: ${top.title}`);
    expect(handoff).toContain(`- Recommendation: \`${top.id}\` (rank 1`);

    // Cycle 1: Codex gets the handoff with the edit guard on; the guard stops its edit of the docs
    // and lets the AGENTS.md rule through.
    expect((await cli(r, 'cycle', 'start')).exitCode).toBe(0);
    const cycle = JSON.parse(readFileSync(join(r.repo, '.harness-loop/cycle.json'), 'utf8')) as Cycle;
    await codexExec(r, mock, renderImplementPrompt(handoff, cycle), ['--ephemeral']);
    expect(readFileSync(join(r.repo, 'AGENTS.md'), 'utf8')).toContain(RULE);
    expect(readFileSync(join(r.repo, 'docs/retry.md'), 'utf8')).not.toContain('5 times');
    const guard = readJsonl<{ tool: string; decision: string; paths: string[] }>(join(r.repo, '.harness-loop/guard.jsonl'));
    expect(guard.map((d) => [d.tool, d.decision, d.paths])).toEqual([
      ['apply_patch', 'deny', ['docs/retry.md']],
      ['apply_patch', 'allow', ['AGENTS.md']],
    ]);

    // One fixed test is one run pair per repeat: five repeats of the A/B make it significant.
    const improved = await cli(r, 'verify', '--provider', 'codex', '--repeat', '5', ...codexFlags);
    expect(improved.exitCode, improved.stderr).toBe(0);
    expect(improved.stdout).toContain('cycle 1 closed (improved; commit the change as');
    const first = readJsonl<LedgerEntry>(join(r.repo, '.harness-loop/ledger.jsonl')).at(-1)!;
    expect([first.cycle, first.verdict, first.testsFixed, first.testsRegressed, first.closed]).toEqual([1, 'improved', [retriesTest.id], [], true]);
    expect(first.measurement).toMatchObject({
      provider: 'codex',
      repeat: 5,
      abBaseline: true,
      coverage: { rerun: 2, total: 2 },
      signTest: { gains: 5, losses: 0 },
    });
    expect(first.filesChanged.map((f) => [f.path, f.change, f.harness])).toEqual([['AGENTS.md', 'modified', true]]);

    // Cycle 2 through `loop --implement`: this time the model drops the rule while "tidying" AGENTS.md.
    const loop = await cli(r, 'loop', '--implement', '--skip-verify', '--provider', 'codex', ...codexFlags);
    expect(loop.exitCode, loop.stderr).toBe(0);
    expect(loop.stdout).toMatch(/^evals run +2 of 2 test\(s\) pass; 2 codex run\(s\) recorded as trace\(s\)/m);
    expect(loop.stdout).toMatch(/^implement +cycle 2: /m);
    expect(readFileSync(join(r.repo, 'AGENTS.md'), 'utf8')).not.toContain(RULE);
    expect(
      readJsonl<{ tool: string; decision: string; paths: string[] }>(join(r.repo, '.harness-loop/guard.jsonl'))
        .slice(2)
        .map((d) => [d.tool, d.decision, d.paths]),
    ).toEqual([['apply_patch', 'allow', ['AGENTS.md']]]);

    const worse = await cli(r, 'verify', '--provider', 'codex', ...codexFlags);
    expect(worse.exitCode).toBe(1);
    expect(worse.stderr).toContain(`regressed: 1 test(s) passed every baseline run and failed every run under the change: ${retriesTest.id}`);
    expect(worse.stderr).toContain(
      `  - ${retriesTest.id}: contains "docs/retry.md": Expected output to contain "docs/retry.md"; passed 1/1 baseline run(s), 0/1 under the change`,
    );
    const second = readJsonl<LedgerEntry>(join(r.repo, '.harness-loop/ledger.jsonl')).at(-1)!;
    expect([second.cycle, second.verdict, second.testsRegressed, second.closed]).toEqual([2, 'regressed', [retriesTest.id], false]);

    // Every eval run fed the store: the production session, the baseline run, 5 + 5 A/B runs of
    // cycle 1, the loop's run, 1 + 1 A/B runs of cycle 2; each A/B side under its own harness.
    const stored = readJsonl<Trace>(join(r.repo, '.harness-loop/traces/traces.jsonl')).filter((t) => t.task === RETRIES);
    const count = (answer: string) => stored.filter((t) => t.finalAnswer === answer).length;
    expect([count(ANSWER.retriesUncited), count(ANSWER.retriesCited)]).toEqual([8, 7]);
    expect(stored.filter((t) => t.harness?.derivedFrom === 'run')).toHaveLength(14);

    // Cycle 3: the rule is back (outside any cycle), and the change is irrelevant to the answers.
    expect((await cli(r, 'cycle', 'abandon')).exitCode).toBe(0);
    writeFileSync(
      join(r.repo, 'AGENTS.md'),
      readFileSync(join(r.repo, 'AGENTS.md'), 'utf8').replace('- Answer in one sentence.\n', `- Answer in one sentence.\n${RULE}\n`),
    );
    expect((await cli(r, 'cycle', 'start')).exitCode).toBe(0);
    writeFileSync(join(r.repo, 'AGENTS.md'), `${readFileSync(join(r.repo, 'AGENTS.md'), 'utf8')}\n- Be polite.\n`);
    // No run under this harness yet: replay finds only answers from other harnesses.
    const unmeasured = await cli(r, 'verify');
    expect(unmeasured.exitCode).toBe(1);
    expect(unmeasured.stderr).toContain('not_measured: no test was re-run under the changed harness');
    expect(unmeasured.stderr).toContain('ran under the baseline harness');
    const irrelevant = await cli(r, 'verify', '--provider', 'codex', ...codexFlags);
    expect(irrelevant.exitCode, irrelevant.stderr).toBe(0);
    expect(irrelevant.stdout).toContain('cycle 3 closed (unchanged; do not commit');
    const third = readJsonl<LedgerEntry>(join(r.repo, '.harness-loop/ledger.jsonl')).at(-1)!;
    expect([third.cycle, third.verdict, third.closed, third.measurement?.coverage]).toEqual([3, 'unchanged', true, { rerun: 2, total: 2 }]);

    // Cycle 4: an edited suite is refused before anything runs.
    expect((await cli(r, 'cycle', 'start')).exitCode).toBe(0);
    const suite = join(r.repo, '.harness-loop/evals/promptfooconfig.yaml');
    writeFileSync(suite, readFileSync(suite, 'utf8').replace('docs/retry.md', 'docs'));
    const refused = await cli(r, 'verify', '--provider', 'codex', ...codexFlags);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('verify refuses: what the verdict depends on changed during cycle 4');
    expect(refused.stderr).toContain('.harness-loop/evals/promptfooconfig.yaml: modified');
  }, 180_000);
});

interface Receiver {
  url: string;
  /** SIGTERM, then the exit code once everything received is written. */
  stop(): Promise<number | null>;
}

/** `harness-loop receive --port 0` from the built CLI; resolves once it prints its URL. */
function startReceiver(workspace: string): Promise<Receiver> {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [CLI, 'receive', '--port', '0', '--idle-ms', '600000', '-C', workspace], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  cleanups.push(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  let stderr = '';
  return new Promise((resolve, reject) => {
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      const m = /listening on (http:\/\/\S+)/.exec(stderr);
      if (m) {
        resolve({
          url: m[1]!,
          stop: () => {
            child.kill('SIGTERM');
            return exited;
          },
        });
      }
    });
    void exited.then((code) => reject(new Error(`receive exited ${code} before listening:\n${stderr}`)));
  });
}
