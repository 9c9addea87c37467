/**
 * Findings and praise on real rollouts, through the real Promptfoo: detector findings become
 * trace assertions (never rubrics) whose failure names the offending call, and praise becomes a
 * keep test that passes on the praised answer. One workspace, steps in order (each Promptfoo start
 * costs seconds).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli.js';
import { EvalRunSummarySchema, type EvalRunSummary } from '../../../src/schema/eval-suite.js';
import { workspaceWith } from '../feedback/helpers.js';
import { captureOutput } from './helpers.js';

const FIX = 'test/fixtures/expected-failures';
const ASKED = '01a20f5c-0001-7e31-9c64-0113b2a3c401';
const RETRY = '01a20f5c-0003-7e31-9c64-0113b2a3c401';
const HOOK = 'test/fixtures/feedback/rollout.hook_block.jsonl';

let ws: string;
const cli = (...argv: string[]) => captureOutput(() => main([...argv, '-C', ws]));
type Test = {
  description: string;
  metadata: { testId: string; category: string; polarity?: string; traceIds: string[] };
  assert: { type: string; value?: unknown; config?: Record<string, unknown> }[];
};
const suite = () => (parse(readFileSync(join(ws, '.harness-loop/evals/promptfooconfig.yaml'), 'utf8')) as { tests: Test[] }).tests;

beforeAll(async () => {
  ws = await workspaceWith([`${FIX}/asked.jsonl`, `${FIX}/probes.jsonl`, `${FIX}/retry.jsonl`, HOOK]);
});

describe('findings and praise become the checks that can see them', () => {
  let run: EvalRunSummary;

  it('builds trace assertions (no rubric) for detector findings and a keep test for praise', async () => {
    expect((await cli('feedback', 'detect')).result).toBe(0);
    const praise = await cli(
      'feedback',
      'add',
      '--positive',
      '--trace',
      ASKED,
      '--observation',
      'Explains the failure: says "exits 3" and names `scripts/flaky.sh`',
    );
    expect(praise.stdout).toMatch(/added fb_[0-9a-f]{16} \(human, positive, praised, medium\)/);
    const built = await cli('evals', 'build');
    expect(built.result).toBe(0);
    const tests = suite();
    const fromDetectors = tests.filter((t) => ['failed_command', 'hook_block', 'tool_error', 'errored_turn'].includes(t.metadata.category));
    expect(fromDetectors.length).toBeGreaterThanOrEqual(2);
    for (const t of fromDetectors) {
      expect(t.assert.map((a) => a.type)).not.toContain('llm-rubric');
      expect(t.assert.every((a) => a.type === 'javascript' && String(a.value).startsWith('file://providers/trace-assert.mjs:'))).toBe(true);
    }
    const lint = tests.find((t) => t.metadata.category === 'failed_command')!;
    expect(lint.assert).toEqual([
      { type: 'javascript', value: 'file://providers/trace-assert.mjs:noFailedCommands', config: { command: 'npm run lint' }, metric: 'process', weight: 0.8 },
    ]);
    const keep = tests.find((t) => t.metadata.polarity === 'positive')!;
    expect(keep.description).toMatch(/^keep praised: Explains the failure/);
    expect(keep.assert.map((a) => [a.type, a.value])).toEqual([
      ['icontains', 'exits 3'],
      ['contains', 'scripts/flaky.sh'],
      ['llm-rubric', expect.stringMatching(/^The answer keeps what a reviewer praised in an earlier answer to the same task: Explains the failure/)],
    ]);
    // Praise is a human verdict on the praised answer, recorded once.
    const verdicts = readFileSync(join(ws, '.harness-loop/evals/rubric-verdicts.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(verdicts).toEqual([
      expect.objectContaining({ testId: keep.metadata.testId, grader: 'human', pass: true, traceId: ASKED, answerHash: expect.stringMatching(/^ah-/) }),
    ]);
    await cli('evals', 'build');
    expect(readFileSync(join(ws, '.harness-loop/evals/rubric-verdicts.jsonl'), 'utf8').trim().split('\n')).toHaveLength(1);
  });

  it('runs them with the real Promptfoo: the failing call is named, the keep test passes on the praised answer', async () => {
    const { result } = await cli('evals', 'run', '--grader', 'replay');
    expect(result).toBe(1);
    const dir = join(ws, '.harness-loop/results');
    const file = (await import('node:fs')).readdirSync(dir).find((f) => f.endsWith('.json'))!;
    run = EvalRunSummarySchema.parse(JSON.parse(readFileSync(join(dir, file), 'utf8')));
    const lint = run.tests.find((t) => t.traceId === RETRY && t.category === 'failed_command')!;
    expect(lint.status).toBe('fail');
    expect(lint.failedAssertions).toEqual([
      { type: 'javascript', value: 'file://providers/trace-assert.mjs:noFailedCommands', reason: 'call call_shell_4: `npm run lint` exited with code 2' },
    ]);
    const blocked = run.tests.find((t) => t.category === 'hook_block')!;
    expect(blocked.status).toBe('fail');
    expect(blocked.reasons.join(' ')).toMatch(/PreToolUse hook blocked at call_shell_1: `shell commands are not allowed during review`/);
    const keep = run.tests.find((t) => t.traceId === ASKED && t.category === 'praised')!;
    expect(keep).toMatchObject({ status: 'pass', pass: true });
    // The provider returned what the agent did beside the answer.
    const row = (
      run.raw as {
        results: { results: { vars: { trace_id: string }; response: { metadata: { agentTrace: { toolCalls: unknown[]; tokens: { total: number } } } } }[] };
      }
    ).results.results.find((r) => r.vars.trace_id === RETRY)!;
    expect(row.response.metadata.agentTrace.toolCalls).toEqual([
      {
        id: 'call_shell_1',
        tool: 'exec_command',
        command: 'npm test',
        exitCode: 1,
        status: 'error',
        error: 'command exited with code 1',
        durationMs: expect.any(Number),
      },
      { id: 'call_shell_2', tool: 'exec_command', command: "sed -i 's/a - b/a + b/' src/add.ts", exitCode: 0, status: 'ok', durationMs: expect.any(Number) },
      { id: 'call_shell_3', tool: 'exec_command', command: 'npm test', exitCode: 0, status: 'ok', durationMs: expect.any(Number) },
      {
        id: 'call_shell_4',
        tool: 'exec_command',
        command: 'npm run lint',
        exitCode: 2,
        status: 'error',
        error: 'command exited with code 2',
        durationMs: expect.any(Number),
      },
    ]);
    expect(row.response.metadata.agentTrace.tokens.total).toBe(3666);
  });
});
