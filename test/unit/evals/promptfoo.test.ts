/**
 * The suite through the real promptfoo 0.121.9 (no stand-ins): validate, a failing run, a
 * passing run, and promptfoo crashing. Each promptfoo start costs ~2 s, so the runs are few and
 * the steps share one workspace, in order.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli.js';
import { promptfooEnv, resolvePromptfooCommand } from '../../../src/evals/run.js';
import { answerHash } from '../../../src/evals/verdicts.js';
import { readResults } from '../../../src/ledger/results.js';
import { EvalRunSummarySchema, PruneLogEntrySchema, type EvalRunSummary } from '../../../src/schema/eval-suite.js';
import { captureOutput, cookbookTraces, makeFeedback, makeTrace, makeWorkspace } from './helpers.js';

const SECRET = 's3cr3t-value-that-must-not-leak';
const SOC2 = 'b7e1f0c2a9d84e5f8a1b2c3d4e5f6a7b';
const RUNWAY = '43d9b03619a9d2ed4d2f3e3fd17c8bf4';
const RISKS = 'c0ffee00c0ffee00c0ffee00c0ffee00';

const traces = [...cookbookTraces(), makeTrace('inj-1', 'Summarize {{ env.HL_EVALS_TEST_SECRET }} {% raw %}', 'A plain answer.')];
const feedback = [
  makeFeedback({
    id: 'fb-soc2',
    traceId: SOC2,
    category: 'security',
    requiredObservations: ['Cite `security/security_overview.md`'],
    prohibitedClaims: ['"); process.exit(1); //'],
  }),
  makeFeedback({ id: 'fb-runway', traceId: RUNWAY, category: 'citations', requiredObservations: ['Cite `financials/arr_bridge.csv`'] }),
  makeFeedback({ id: 'fb-risks', traceId: RISKS, category: 'clarity', requiredObservations: ['Explain each risk in plain words'] }),
  makeFeedback({ id: 'fb-inj', traceId: 'inj-1', category: 'leak', prohibitedClaims: ['{{ env.HL_EVALS_TEST_SECRET }}', '"{% raw %}"', 'file:///etc/passwd'] }),
];

let ws: string;
const cli = (...argv: string[]) => captureOutput(() => main([...argv, '-C', ws]));
const resultFiles = () =>
  existsSync(join(ws, '.harness-loop/results'))
    ? readdirSync(join(ws, '.harness-loop/results'))
        .filter((f) => f.endsWith('.json'))
        .sort()
    : [];
const readRun = (name: string): EvalRunSummary => EvalRunSummarySchema.parse(JSON.parse(readFileSync(join(ws, '.harness-loop/results', name), 'utf8')));
const byTrace = (run: EvalRunSummary, traceId: string) => run.tests.find((t) => t.traceId === traceId)!;

beforeAll(() => {
  ws = makeWorkspace(traces, feedback);
  process.env.HL_EVALS_TEST_SECRET = SECRET;
});
afterAll(() => {
  delete process.env.HL_EVALS_TEST_SECRET;
});

describe('evals with the real promptfoo', () => {
  let firstRun: EvalRunSummary;

  it('builds a suite that `promptfoo validate config` accepts, flagging the rubric-only test', async () => {
    const { result, stdout } = await cli('evals', 'build');
    expect(result).toBe(0);
    expect(stdout).toMatch(/4 test\(s\) in .*promptfooconfig\.yaml \(4 added, 0 updated, 0 kept\)/);
    expect(stdout).toMatch(/1 test\(s\) have only llm-rubric assertions[^\n]*\n\s+ev-[0-9a-f]{16}  clarity: Something was wrong\./);
    const suite = join(ws, '.harness-loop/evals/promptfooconfig.yaml');
    const pf = resolvePromptfooCommand();
    const validate = spawnSync(pf.file, [...pf.args, 'validate', 'config', '-c', suite], {
      cwd: join(ws, '.harness-loop/evals'),
      env: promptfooEnv(process.env, join(ws, '.harness-loop/promptfoo')),
      encoding: 'utf8',
    });
    expect(validate.status, validate.stdout + validate.stderr).toBe(0);
    expect(validate.stdout).toContain('Configuration is valid.');
  });

  it('runs offline: failures exit 1 with their reasons, a rubric without verdict is unjudged apart; injected text stays data', async () => {
    const { result, stdout, stderr } = await cli('evals', 'run', '--grader', 'replay');
    expect(result).toBe(1);
    expect(stderr).toMatch(/1 of 4 test\(s\) did not pass \(1 failed, 0 errored\)/);
    const files = resultFiles();
    expect(files).toHaveLength(1);
    firstRun = readRun(files[0]!);
    expect(firstRun.promptfoo).toMatchObject({ version: '0.121.9', exitCode: 100 });
    expect(stdout).toMatch(/evals run: 2 passed, 1 failed, 0 errored, 1 unjudged of 4/);
    expect(stdout).toContain('1 test(s) wait for 1 rubric verdict(s); they are left out of the pass rate and never count as failures.');
    // The cycle gate (src/ledger) reads the same file.
    const gate = await readResults(join(ws, '.harness-loop/results', files[0]!));
    expect(gate.tests.map((t) => [t.id, t.pass])).toEqual(firstRun.tests.map((t) => [t.id, t.pass]));
    expect(firstRun.totals).toEqual({ tests: 4, passed: 2, failed: 1, errors: 0, unjudged: 1 });
    expect(byTrace(firstRun, SOC2).status).toBe('pass');
    expect(byTrace(firstRun, 'inj-1').status).toBe('pass');
    expect(byTrace(firstRun, RUNWAY).failedAssertions).toEqual([
      { type: 'contains', value: 'financials/arr_bridge.csv', reason: 'Expected output to contain "financials/arr_bridge.csv"' },
    ]);
    const rubric = byTrace(firstRun, RISKS);
    expect(rubric).toMatchObject({ status: 'unjudged', pass: false, failedAssertions: [], reasons: [] });
    expect(gate.tests.find((t) => t.id === rubric.id)).toMatchObject({ unjudged: true });
    expect(firstRun.missingVerdicts).toEqual([
      {
        testId: rubric.id,
        rubricHash: expect.stringMatching(/^rb-/) as unknown as string,
        traceId: RISKS,
        answerHash: answerHash(cookbookTraces().find((t) => t.id === RISKS)!.finalAnswer!),
        rubric: expect.stringContaining('Explain each risk in plain words') as unknown as string,
      },
    ]);
    expect(stdout).toMatch(/^PASS +ev-/m);
    expect(stdout).toMatch(/^UNJUDGED +ev-/m);
    expect(stdout).toMatch(/^FAIL +ev-.*\n +✗ contains "financials\/arr_bridge\.csv": Expected output to contain/m);
    // The prompt Promptfoo rendered is the task as written: no env value, no template evaluation.
    const raw = JSON.stringify(firstRun.raw);
    expect(raw).not.toContain(SECRET);
    const injRow = (firstRun.raw as { results: { results: { prompt: { raw: string }; vars: { trace_id: string } }[] } }).results.results.find(
      (r) => r.vars.trace_id === 'inj-1',
    )!;
    expect(injRow.prompt.raw).toBe('Summarize {{ env.HL_EVALS_TEST_SECRET }} {% raw %}');
  });

  it('lists what waits for a verdict, with the answer to judge', async () => {
    const { result, stdout } = await cli('evals', 'verdicts', '--json');
    expect(result).toBe(0);
    const { pending } = JSON.parse(stdout) as { pending: Record<string, unknown>[] };
    const risks = cookbookTraces().find((t) => t.id === RISKS)!;
    expect(pending).toEqual([
      expect.objectContaining({
        testId: byTrace(firstRun, RISKS).id,
        traceId: RISKS,
        category: 'clarity',
        answer: risks.finalAnswer,
        answerHash: answerHash(risks.finalAnswer!),
        runId: firstRun.runId,
      }),
    ]);
    expect((await cli('evals', 'verdicts')).stdout).toMatch(/evals verdicts: 1 rubric verdict\(s\) wait/);
  });

  it('passes (exit 0) once the failing test is pruned and the verdict is recorded; the prune is logged', async () => {
    const failing = byTrace(firstRun, RUNWAY).id;
    const pruned = await cli('evals', 'prune', '--id', failing, '--reason', 'the citation rule moved to a hook');
    expect(pruned.result).toBe(0);
    const log = readFileSync(join(ws, '.harness-loop/evals/prune-log.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => PruneLogEntrySchema.parse(JSON.parse(l)));
    expect(log).toEqual([
      expect.objectContaining({
        testId: failing,
        reason: 'the citation rule moved to a hook',
        prunedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) as unknown as string,
        cycle: 1,
      }),
    ]);
    const { rubric: _text, ...missing } = firstRun.missingVerdicts[0]!;
    appendFileSync(
      join(ws, '.harness-loop/evals/rubric-verdicts.jsonl'),
      `${JSON.stringify({ ...missing, grader: 'human', pass: true, score: 0.9, reason: 'each risk is explained' })}\n`,
    );
    // A rebuild does not bring the pruned test back.
    const rebuilt = await cli('evals', 'build');
    expect(rebuilt.stdout).toContain('1 cluster(s) not regenerated because their test was pruned');
    const { result, stdout } = await cli('evals', 'run', '--grader', 'replay');
    expect(result).toBe(0);
    expect(stdout).toMatch(/evals run: 3 passed, 0 failed, 0 errored of 3/);
    const second = readRun(resultFiles()[1]!);
    expect(byTrace(second, RISKS)).toMatchObject({ status: 'pass', score: 0.9 });
    expect(second.missingVerdicts).toEqual([]);
    expect((await cli('evals', 'verdicts')).stdout).toContain('no rubric waits for a verdict');
  });

  it('reports a promptfoo crash (broken provider path) as "promptfoo failed", exit 2, not as test failures', async () => {
    const suite = join(ws, '.harness-loop/evals/promptfooconfig.yaml');
    writeFileSync(suite, readFileSync(suite, 'utf8').replace('file://providers/replay-provider.mjs', 'file://providers/missing-provider.mjs'));
    const before = resultFiles();
    const { result, stderr } = await cli('evals', 'run', '--grader', 'replay');
    expect(result).toBe(2);
    expect(stderr).toMatch(/^harness-loop evals: promptfoo failed \(exit 1\); no tests were graded\./);
    expect(stderr).not.toMatch(/did not pass/);
    expect(resultFiles()).toEqual(before);
  });

  it('reports a --promptfoo-bin that cannot start as exit 2', async () => {
    const { result, stderr } = await cli('evals', 'run', '--grader', 'replay', '--promptfoo-bin', join(ws, 'no-such-promptfoo'));
    expect(result).toBe(2);
    expect(stderr).toMatch(/promptfoo failed to start .*no-such-promptfoo.*ENOENT/);
  });
});
