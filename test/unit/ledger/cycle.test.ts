import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { abandonCycle, readCycleStatus, startCycle, verify } from '../../../src/ledger/cycle.js';
import { readLedger } from '../../../src/ledger/ledger.js';
import { CycleSchema } from '../../../src/schema/cycle.js';
import type { LedgerEntry } from '../../../src/schema/ledger.js';
import { runCli } from '../../support/cli.js';
import { BASELINE, liveAnswers, makeWorkspace, runSummary, writeRun, writeText, type FixtureTest } from '../../support/ledger-workspace.js';

const cli = (root: string, ...args: string[]) => runCli([...args, '-C', root]);
const cycleFile = (root: string) => join(root, '.harness-loop/cycle.json');
const entries = async (root: string): Promise<LedgerEntry[]> => (await readLedger(join(root, '.harness-loop/ledger.jsonl'))).entries;

/** A workspace with the baseline run and an open cycle for R1. */
async function openCycle(): Promise<string> {
  const root = makeWorkspace();
  writeRun(root, 'run-a', BASELINE);
  const r = await cli(root, 'cycle', 'start');
  expect(r.stderr).toBe('');
  expect(r.exitCode).toBe(0);
  return root;
}

/**
 * Writes the run after the change (created now, so after the cycle started), its answers recorded
 * as live runs under the current harness, and verifies it via the CLI.
 */
async function verifyWith(root: string, tests: FixtureTest[], ...flags: string[]) {
  const file = writeRun(root, `run-${Math.random().toString(36).slice(2, 8)}`, await liveAnswers(root, tests));
  return cli(root, 'verify', '--results', file, ...flags);
}

/** One passing and five failing tests: five fixes are what the sign test needs at 95%. */
const WIDE: FixtureTest[] = [{ id: 't1', pass: true }, ...[2, 3, 4, 5, 6].map((n) => ({ id: `t${n}`, pass: false }))];
const WIDE_FIXED: FixtureTest[] = WIDE.map((t) => ({ id: t.id, pass: true }));

const ALL_PASS: FixtureTest[] = BASELINE.map((t) => ({ id: t.id, pass: true }));

describe('cycle start', () => {
  it('records the baseline, the rank-1 recommendation and file hashes in cycle.json, in the implement phase', async () => {
    const root = await openCycle();
    const cycle = CycleSchema.parse(JSON.parse(readFileSync(cycleFile(root), 'utf8')));
    expect(cycle.phase).toBe('implement');
    expect(cycle.cycle).toBe(1);
    expect(cycle.recommendation).toEqual({ id: 'R1', title: 'Require citations in AGENTS.md', files: ['AGENTS.md'] });
    expect(cycle.baseline).toMatchObject({ runId: 'run-a', file: '.harness-loop/results/run-a.json', passRate: 2 / 3 });
    expect(cycle.baseline.tests).toEqual([
      { id: 't1', pass: true, score: 1 },
      { id: 't2', pass: false, score: 0 },
      { id: 't3', pass: true, score: 1 },
    ]);
    expect(Object.keys(cycle.harnessHashes)).toEqual(['AGENTS.md', 'skills/docs/SKILL.md']);
    expect(Object.keys(cycle.workspaceHashes)).toEqual(['src/app.js']);
    expect(existsSync(join(root, '.harness-loop/cycle-snapshot/AGENTS.md'))).toBe(true);
  });

  it('takes the newest run as the baseline and --recommendation to pick another recommendation', async () => {
    const root = makeWorkspace();
    writeRun(root, 'run-old', BASELINE, '2025-01-01T00:00:00.000Z');
    writeRun(root, 'run-new', ALL_PASS, '2025-02-01T00:00:00.000Z');
    const r = await cli(root, 'cycle', 'start', '--recommendation', 'R2');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('recommendation R2 "Teach the docs skill to quote"');
    const cycle = CycleSchema.parse(JSON.parse(readFileSync(cycleFile(root), 'utf8')));
    expect(cycle.baseline.runId).toBe('run-new');
  });

  it('refuses an unknown recommendation id with exit 2, listing the known ones', async () => {
    const root = makeWorkspace();
    writeRun(root, 'run-a', BASELINE);
    const r = await cli(root, 'cycle', 'start', '--recommendation', 'R9');
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('no recommendation "R9" in the diagnosis (known: R1, R2)');
    expect(existsSync(cycleFile(root))).toBe(false);
  });

  it('exits 2 and names `harness-loop diagnose` when there are no recommendations', async () => {
    const root = makeWorkspace({ recommendations: false });
    writeRun(root, 'run-a', BASELINE);
    const r = await cli(root, 'cycle', 'start');
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('no recommendations yet; run `harness-loop diagnose` first');
    expect(r.stderr).not.toContain('    at ');
  });

  it('exits 2 and names `harness-loop evals run` when there are no eval results', async () => {
    const r = await cli(makeWorkspace(), 'cycle', 'start');
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('run `harness-loop evals run` first');
  });

  it('exits 2 when the newest run has no test results', async () => {
    const root = makeWorkspace();
    const file = writeRun(root, 'run-a', []);
    const r = await cli(root, 'cycle', 'start');
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(`${file}: the run has no test results; build the suite and run \`harness-loop evals run\` first`);
  });

  it('reports a corrupt results file at file:line', async () => {
    const root = makeWorkspace();
    const text = JSON.stringify(runSummary('run-a', BASELINE, '2025-01-01T00:00:00.000Z'), null, 2).replace('"pass": true', '"pass": "yes"');
    const line = text.split('\n').findIndex((l) => l.includes('"pass": "yes"')) + 1;
    const file = writeText(root, '.harness-loop/results/run-a.json', text);
    const r = await cli(root, 'cycle', 'start');
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(`${file}:${line}: not a valid eval results file`);
    expect(r.stderr).toContain('→ at tests.0.pass');
  });

  it('reports a results file that is not JSON at file:line', async () => {
    const root = makeWorkspace();
    const file = writeText(root, '.harness-loop/results/run-a.json', '{\n  "runId": "run-a",\n  "tests": [,]\n}\n');
    const r = await cli(root, 'cycle', 'start');
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(`${file}:3: not valid JSON`);
  });

  it('refuses a second start while a cycle is open, and leaves the open one alone', async () => {
    const root = await openCycle();
    const before = readFileSync(cycleFile(root), 'utf8');
    const r = await cli(root, 'cycle', 'start');
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('cycle 1 (recommendation R1) is still open');
    expect(r.stderr).toContain('harness-loop cycle abandon');
    expect(readFileSync(cycleFile(root), 'utf8')).toBe(before);
  });
});

describe('verify', () => {
  it('refuses to run without a started cycle: exit 2, naming `harness-loop cycle start`', async () => {
    const root = makeWorkspace();
    const r = await cli(root, 'verify', '--results', writeRun(root, 'run-b', ALL_PASS));
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('no cycle is open');
    expect(r.stderr).toContain('run `harness-loop cycle start` first');
    expect(existsSync(join(root, '.harness-loop/ledger.jsonl'))).toBe(false);
  });

  it('closes the cycle on an improvement: exit 0, verdict improved, line stats for the harness file', async () => {
    const root = makeWorkspace();
    writeRun(root, 'run-a', WIDE);
    expect((await cli(root, 'cycle', 'start')).exitCode).toBe(0);
    appendFileSync(join(root, 'AGENTS.md'), 'Cite a file for every claim.\n');
    const r = await verifyWith(root, WIDE_FIXED);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('cycle 1 closed (improved; commit the change as "harness: Require citations in AGENTS.md"); the edit guard is off');
    const [entry] = await entries(root);
    expect(entry).toMatchObject({
      cycle: 1,
      kind: 'verify',
      recommendation: { id: 'R1', title: 'Require citations in AGENTS.md' },
      baselineRunId: 'run-a',
      filesChanged: [{ path: 'AGENTS.md', change: 'modified', added: 1, removed: 0, harness: true }],
      passRateBefore: 1 / 6,
      passRateAfter: 1,
      testsFixed: ['t2', 't3', 't4', 't5', 't6'],
      testsRegressed: [],
      verdict: 'improved',
      closed: true,
    });
    expect(entry!.measurement).toMatchObject({
      coverage: { rerun: 6, total: 6 },
      passRateBefore: { passes: 1, runs: 6 },
      passRateAfter: { passes: 6, runs: 6, high: 1 },
      signTest: { gains: 5, losses: 0, pGain: 1 / 32 },
      agentModels: ['mock-model'],
      cost: { tokens: 660 },
    });
    expect(entry!.measurement!.fingerprints.after).toHaveLength(1);
    expect(entry!.measurement!.fingerprints.baseline).not.toContain(entry!.measurement!.fingerprints.after[0]);
    expect(entry!.oneChangeBreach).toBeUndefined();
    expect(existsSync(cycleFile(root))).toBe(false);
    expect(existsSync(join(root, '.harness-loop/cycle-snapshot'))).toBe(false);
  });

  it('records an unchanged run and closes the cycle', async () => {
    const root = await openCycle();
    appendFileSync(join(root, 'AGENTS.md'), 'Be brief.\n');
    const r = await verifyWith(root, BASELINE);
    expect(r.exitCode).toBe(0);
    expect((await entries(root))[0]).toMatchObject({ verdict: 'unchanged', testsFixed: [], testsRegressed: [], closed: true });
  });

  it('fails the gate on a regression: exit 1 naming the test, entry recorded, cycle left open', async () => {
    const root = await openCycle();
    appendFileSync(join(root, 'AGENTS.md'), 'Never cite.\n');
    const r = await verifyWith(root, [
      { id: 't1', pass: false, reasons: ['no citation in the answer'] },
      { id: 't2', pass: true },
      { id: 't3', pass: true },
    ]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('regressed: 1 test(s) passed every baseline run and failed every run under the change: t1');
    expect(r.stderr).toContain('  - t1: no citation in the answer; passed 1/1 baseline run(s), 0/1 under the change');
    expect(r.stderr).toContain('harness-loop verify --accept-regression "reason"');
    expect((await entries(root))[0]).toMatchObject({ verdict: 'regressed', testsRegressed: ['t1'], testsFixed: ['t2'], closed: false });
    expect(existsSync(cycleFile(root))).toBe(true);

    // The ratchet only moves with an explicit, recorded decision.
    const accepted = await verifyWith(
      root,
      [
        { id: 't1', pass: false },
        { id: 't2', pass: true },
        { id: 't3', pass: true },
      ],
      '--accept-regression',
      't1 expected the old wording',
    );
    expect(accepted.exitCode).toBe(0);
    const all = await entries(root);
    expect(all).toHaveLength(2);
    expect(all[1]).toMatchObject({ cycle: 1, verdict: 'regressed', acceptedRegression: { reason: 't1 expected the old wording' }, closed: true });
    expect(existsSync(cycleFile(root))).toBe(false);
  });

  it('refuses --accept-regression without a reason', async () => {
    const root = await openCycle();
    const r = await verifyWith(root, ALL_PASS, '--accept-regression', ' ');
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('--accept-regression needs a reason');
  });

  it('refuses, naming them, when files outside the harness changed: exit 1, no entry, --accept-breach does not help', async () => {
    const root = await openCycle();
    appendFileSync(join(root, 'AGENTS.md'), 'Cite.\n');
    appendFileSync(join(root, 'src/app.js'), 'console.log("patched");\n');
    const r = await verifyWith(root, ALL_PASS);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('verify refuses: 1 file(s) outside the harness changed during cycle 1:\n  - src/app.js (modified)');
    const accepted = await verifyWith(root, ALL_PASS, '--accept-breach', 'the fixture needed a log line');
    expect(accepted.exitCode).toBe(1);
    expect(await entries(root)).toEqual([]);
    expect(existsSync(cycleFile(root))).toBe(true);
  });

  it('is not_measured (exit 1, how to measure) when every answer predates the change, and lists each test', async () => {
    const root = await openCycle();
    appendFileSync(join(root, 'AGENTS.md'), 'Cite.\n');
    // Replay of answers recorded before the change: no trace under the changed harness.
    const r = await cli(root, 'verify', '--results', writeRun(root, 'run-replay', ALL_PASS));
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('not_measured: no test was re-run under the changed harness');
    expect(r.stderr).toContain('  - t2: no trace behind its answer');
    expect(r.stderr).toContain('harness-loop verify --provider codex');
    expect(r.stderr).toContain('harness-loop ingest');
    const [entry] = await entries(root);
    expect(entry).toMatchObject({ verdict: 'not_measured', closed: false, measurement: { coverage: { rerun: 0, total: 3 } } });
    expect(existsSync(cycleFile(root))).toBe(true);
  });

  it('does not count answers from runs under the baseline harness', async () => {
    const root = makeWorkspace();
    writeRun(root, 'run-a', WIDE);
    expect((await cli(root, 'cycle', 'start')).exitCode).toBe(0);
    // Live runs made before any edit ran under the baseline harness files.
    const early = await liveAnswers(root, WIDE_FIXED);
    appendFileSync(join(root, 'AGENTS.md'), 'Cite.\n');
    const r = await cli(root, 'verify', '--results', writeRun(root, 'run-early', early));
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('ran under the baseline harness');
  });

  it('is inconclusive (exit 1, the repeats needed) when too few tests moved', async () => {
    const root = await openCycle();
    appendFileSync(join(root, 'AGENTS.md'), 'Cite.\n');
    const r = await verifyWith(root, ALL_PASS);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('inconclusive: 1 run pair(s) gained against 0 lost');
    expect(r.stderr).toContain('--repeat 5');
    expect((await entries(root))[0]).toMatchObject({ verdict: 'inconclusive', closed: false, measurement: { repeatsNeeded: 5 } });
  });

  it('allows appends to an append-only exam file (a new recorded verdict)', async () => {
    const root = makeWorkspace();
    writeText(root, '.harness-loop/evals/promptfooconfig.yaml', 'tests:\n  - description: t1\n');
    writeText(root, '.harness-loop/evals/rubric-verdicts.jsonl', '{"testId":"t2","pass":false,"score":0,"reason":"no"}\n');
    writeRun(root, 'run-a', BASELINE);
    expect((await cli(root, 'cycle', 'start')).exitCode).toBe(0);
    appendFileSync(join(root, 'AGENTS.md'), 'Cite.\n');
    // Appending a verdict is allowed; rewriting one is not; the suite may not change at all.
    appendFileSync(join(root, '.harness-loop/evals/rubric-verdicts.jsonl'), '{"testId":"t3","pass":true,"score":1,"reason":"ok"}\n');
    expect((await verifyWith(root, BASELINE)).exitCode).toBe(0);
  });

  it("refuses when a trace stored at cycle start was altered, and names the guard's settings", async () => {
    const root = makeWorkspace();
    const answers = await liveAnswers(root, BASELINE);
    writeRun(root, 'run-a', answers);
    writeText(root, '.harness-loop/config.yaml', 'guard:\n  allow: ["**/AGENTS.md", "skills/**", ".harness-loop/config.yaml"]\n');
    expect((await cli(root, 'cycle', 'start')).exitCode).toBe(0);
    const store = join(root, '.harness-loop/traces/traces.jsonl');
    writeFileSync(store, readFileSync(store, 'utf8').replace('"finalAnswer":"wrong"', '"finalAnswer":"right"'));
    writeText(root, '.harness-loop/config.yaml', 'guard:\n  allow: ["**"]\n');
    const status = await cli(root, 'cycle', 'status');
    expect(status.stdout).toContain(
      'exam changed (verify will refuse): .harness-loop/traces/traces.jsonl: 1 trace(s) stored at cycle start changed or vanished: live-t2-',
    );
    const r = await verifyWith(root, ALL_PASS);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('.harness-loop/traces/traces.jsonl: 1 trace(s) stored at cycle start changed or vanished');
    expect(r.stderr).toContain("`guard` settings or harness-loop's handlers in .codex/hooks.json: modified");
  });

  it('refuses an edited suite, a rewritten verdict file and an edited baseline result by name', async () => {
    const root = makeWorkspace();
    writeText(root, '.harness-loop/evals/promptfooconfig.yaml', 'tests:\n  - description: t1\n');
    writeText(root, '.harness-loop/evals/rubric-verdicts.jsonl', '{"testId":"t2","pass":false,"score":0,"reason":"no"}\n');
    writeRun(root, 'run-a', BASELINE);
    expect((await cli(root, 'cycle', 'start')).exitCode).toBe(0);
    writeText(root, '.harness-loop/evals/promptfooconfig.yaml', 'tests: []\n');
    writeText(root, '.harness-loop/evals/rubric-verdicts.jsonl', '{"testId":"t2","pass":true,"score":1,"reason":"yes"}\n');
    writeText(
      root,
      '.harness-loop/results/run-a.json',
      readFileSync(join(root, '.harness-loop/results/run-a.json'), 'utf8').replace('"pass": false', '"pass": true'),
    );
    const r = await verifyWith(root, ALL_PASS);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('verify refuses: what the verdict depends on changed during cycle 1');
    expect(r.stderr).toContain('.harness-loop/evals/promptfooconfig.yaml: modified');
    expect(r.stderr).toContain('.harness-loop/evals/rubric-verdicts.jsonl: rewritten');
    expect(r.stderr).toContain('.harness-loop/results/run-a.json: modified');
    expect(await entries(root)).toEqual([]);
  });

  it("flags edits to another recommendation's files as a one-change breach", async () => {
    const root = await openCycle();
    appendFileSync(join(root, 'AGENTS.md'), 'Cite.\n');
    appendFileSync(join(root, 'skills/docs/SKILL.md'), 'Quote the docs.\n');
    writeText(root, 'skills/docs/references/quotes.md', 'one\ntwo\n');
    const r = await verifyWith(root, ALL_PASS);
    expect(r.exitCode).toBe(1);
    const reason =
      "2 harness file(s) outside recommendation R1's files changed: skills/docs/SKILL.md, skills/docs/references/quotes.md (they belong to recommendation R2: one recommendation per cycle)";
    expect(r.stderr).toContain(reason);
    const [entry] = await entries(root);
    expect(entry!.oneChangeBreach).toEqual({ reasons: [reason] });
    expect(entry!.filesChanged).toContainEqual({ path: 'skills/docs/references/quotes.md', change: 'added', added: 2, removed: 0, harness: true });
  });

  it('refuses to judge the baseline run itself or a run older than the cycle', async () => {
    const root = await openCycle();
    const same = await cli(root, 'verify', '--results', join(root, '.harness-loop/results/run-a.json'));
    expect(same.exitCode).toBe(2);
    expect(same.stderr).toContain("run run-a is the cycle's baseline");
    const stale = await cli(root, 'verify', '--results', writeRun(root, 'run-old', ALL_PASS, '2020-01-01T00:00:00.000Z'));
    expect(stale.exitCode).toBe(2);
    expect(stale.stderr).toContain('before cycle 1 started');
    expect(await entries(root)).toEqual([]);
  });

  it('re-runs the suite through an injected runner', async () => {
    const root = makeWorkspace();
    writeRun(root, 'run-a', WIDE);
    await startCycle({ workspace: root });
    appendFileSync(join(root, 'AGENTS.md'), 'Cite.\n');
    const calls: string[] = [];
    const answers = await liveAnswers(root, WIDE_FIXED);
    const outcome = await verify({
      workspace: root,
      repeat: 2,
      runSuite: async ({ workspace }) => {
        calls.push(workspace);
        return { runId: `run-b${calls.length}`, createdAt: new Date().toISOString(), tests: answers.map((t) => ({ ...t, status: 'pass' })) };
      },
    });
    expect(calls).toEqual([root, root]);
    expect(outcome.decision).toEqual({ passed: true, failures: [] });
    expect(outcome.entry).toMatchObject({ afterRunId: 'run-b2', verdict: 'improved', testsFixed: ['t2', 't3', 't4', 't5', 't6'], measurement: { repeat: 2 } });
    expect(outcome.entry.measurement!.tests.find((t) => t.id === 't2')).toEqual({ id: 't2', before: { passes: 0, runs: 1 }, after: { passes: 2, runs: 2 } });
  });
});

describe('grader changes', () => {
  it('re-grades the baseline answers with the current grader and records it', async () => {
    const root = makeWorkspace();
    writeRun(root, 'run-a', WIDE);
    await startCycle({ workspace: root });
    appendFileSync(join(root, 'AGENTS.md'), 'Cite.\n');
    const answers = await liveAnswers(root, WIDE_FIXED);
    const calls: { regradeBaseline?: boolean }[] = [];
    const outcome = await verify({
      workspace: root,
      runSuite: async (ctx) => {
        calls.push({ regradeBaseline: ctx.regradeBaseline });
        // The new grader passes the old answers of t2..t6 too: the change itself did nothing.
        if (ctx.regradeBaseline)
          return {
            runId: 'run-regraded',
            createdAt: new Date().toISOString(),
            grader: 'openai:judge',
            tests: WIDE_FIXED.map((t) => ({ ...t, status: 'pass' })),
          };
        return { runId: 'run-b', createdAt: new Date().toISOString(), grader: 'openai:judge', tests: answers.map((t) => ({ ...t, status: 'pass' })) };
      },
    });
    expect(calls).toEqual([{ regradeBaseline: undefined }, { regradeBaseline: true }]);
    expect(outcome.entry.verdict).toBe('unchanged');
    expect(outcome.entry.measurement!.grader).toEqual({ baseline: 'replay', after: 'openai:judge', regraded: true });
  });

  it('refuses to judge a results file graded by another grader than the baseline', async () => {
    const root = await openCycle();
    const file = writeRun(root, 'run-graded', await liveAnswers(root, ALL_PASS));
    writeFileSync(file, readFileSync(file, 'utf8').replace('"grader": "replay"', '"grader": "openai:judge"'));
    const r = await cli(root, 'verify', '--results', file);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('the baseline was graded by replay and run-graded by openai:judge');
  });
});

describe('abandon', () => {
  it('`cycle abandon` writes an abandon entry and turns the guard off', async () => {
    const root = await openCycle();
    appendFileSync(join(root, 'AGENTS.md'), 'half-done\n');
    const r = await cli(root, 'cycle', 'abandon');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('cycle 1 abandoned');
    expect(r.stdout).toContain('AGENTS.md (modified, +1 -0)');
    expect((await entries(root))[0]).toMatchObject({
      cycle: 1,
      kind: 'abandon',
      verdict: 'abandoned',
      afterRunId: null,
      passRateAfter: null,
      filesChanged: [{ path: 'AGENTS.md', change: 'modified', added: 1, removed: 0, harness: true }],
      closed: true,
    });
    expect(existsSync(cycleFile(root))).toBe(false);
    const again = await cli(root, 'cycle', 'abandon');
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toContain('no cycle is open');
  });

  it('`cycle start --abandon` ends the open cycle with an entry and starts the next', async () => {
    const root = await openCycle();
    const r = await cli(root, 'cycle', 'start', '--abandon', '--recommendation', 'R2');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('cycle 1 abandoned');
    expect(r.stdout).toContain('cycle 2 started: recommendation R2');
    expect((await entries(root)).map((e) => [e.cycle, e.kind])).toEqual([[1, 'abandon']]);
    expect(CycleSchema.parse(JSON.parse(readFileSync(cycleFile(root), 'utf8'))).cycle).toBe(2);
  });
});

describe('crash recovery and the recorded best', () => {
  it('treats a cycle.json the ledger already closed as leftover from a crash', async () => {
    const root = makeWorkspace();
    writeRun(root, 'run-a', BASELINE);
    await startCycle({ workspace: root });
    const leftover = readFileSync(cycleFile(root), 'utf8');
    await abandonCycle({ workspace: root });
    // As if the process died after the ledger append but before removing cycle.json.
    writeFileSync(cycleFile(root), leftover);
    expect(await readCycleStatus({ workspace: root })).toBeNull();
    expect(existsSync(cycleFile(root))).toBe(false);
    const { cycle } = await startCycle({ workspace: root });
    expect(cycle.cycle).toBe(2);
  });

  it('warns at start when the latest run lost tests that passed after the last closed cycle', async () => {
    const root = makeWorkspace();
    writeRun(root, 'run-a', BASELINE, '2025-01-01T00:00:00.000Z');
    await startCycle({ workspace: root, now: () => new Date('2025-01-02T00:00:00.000Z') });
    appendFileSync(join(root, 'AGENTS.md'), 'Be brief.\n');
    const v = await verify({ workspace: root, resultsFile: writeRun(root, 'run-b', await liveAnswers(root, BASELINE), '2025-01-03T00:00:00.000Z') });
    expect(v.entry).toMatchObject({ verdict: 'unchanged', closed: true });
    writeRun(
      root,
      'run-c',
      [
        { id: 't1', pass: false },
        { id: 't2', pass: false },
        { id: 't3', pass: true },
      ],
      '2025-01-04T00:00:00.000Z',
    );
    const { warnings, cycle } = await startCycle({ workspace: root });
    expect(cycle.baseline.runId).toBe('run-c');
    expect(warnings).toEqual([
      'the latest run run-c fails 1 test(s) that passed after cycle 1 (run run-b): t1; this cycle is judged against the latest run, so fix them first if the loss is real',
    ]);
  });
});

describe('ledger command', () => {
  it('prints entries, and --json prints them as an array', async () => {
    const root = await openCycle();
    await cli(root, 'cycle', 'abandon');
    const text = await cli(root, 'ledger');
    expect(text.exitCode).toBe(0);
    expect(text.stdout).toContain('cycle 1 abandon');
    const json = await cli(root, 'ledger', '--json');
    expect((JSON.parse(json.stdout) as LedgerEntry[]).map((e) => e.kind)).toEqual(['abandon']);
  });

  it('reports a damaged line at file:line and exits 2, still printing the rest', async () => {
    const root = await openCycle();
    await cli(root, 'cycle', 'abandon');
    const file = join(root, '.harness-loop/ledger.jsonl');
    appendFileSync(file, 'not json\n');
    const r = await cli(root, 'ledger');
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(`${file}:2: malformed JSON`);
    expect(r.stdout).toContain('cycle 1 abandon');
    // And nothing builds on a damaged ledger.
    writeRun(root, 'run-z', BASELINE);
    const start = await cli(root, 'cycle', 'start');
    expect(start.exitCode).toBe(2);
    expect(start.stderr).toContain(`${file}:2: malformed JSON`);
  });

  it('exits 2 naming `harness-loop cycle start` when there is no ledger yet', async () => {
    const r = await cli(makeWorkspace(), 'ledger');
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('run `harness-loop cycle start`');
  });
});

const hasGit = (() => {
  try {
    execFileSync('git', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe.runIf(hasGit)('in a git repository', () => {
  it('lists files with git ls-files and takes line stats from git diff --numstat', async () => {
    const root = makeWorkspace();
    execFileSync('git', ['init', '-q'], { cwd: root });
    writeText(root, '.gitignore', 'build/\n');
    writeText(root, 'build/out.js', 'ignored\n');
    writeRun(root, 'run-a', BASELINE);
    const { cycle } = await startCycle({ workspace: root });
    expect(cycle.listing).toBe('git');
    expect(Object.keys(cycle.workspaceHashes)).toEqual(['.gitignore', 'src/app.js']);
    // Swapped lines: git counts them (+2 -2) where the fallback's multiset count would see nothing.
    writeFileSync(join(root, 'AGENTS.md'), 'Answer from the docs.\n\n# Agents\n');
    const outcome = await verify({ workspace: root, resultsFile: writeRun(root, 'run-b', ALL_PASS) });
    expect(outcome.entry.filesChanged).toEqual([{ path: 'AGENTS.md', change: 'modified', added: 2, removed: 2, harness: true }]);
  });
});
