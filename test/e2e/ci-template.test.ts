import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCli } from '../support/cli.js';

interface Step {
  name: string;
  run?: string;
  uses?: string;
  if?: string;
  id?: string;
}

describe('harness-loop ci-template github', () => {
  it('prints a valid workflow: weekly plus manual, loop, verify, then a pull request gated on verify', async () => {
    const r = await runCli(['ci-template', 'github']);
    expect(r.exitCode, r.stderr).toBe(0);
    const wf = parse(r.stdout) as { on: Record<string, unknown>; jobs: Record<string, { steps: Step[] }> };
    expect(wf.on.schedule).toEqual([{ cron: '17 6 * * 1' }]);
    expect(wf.on).toHaveProperty('workflow_dispatch');
    expect(Object.keys(wf.jobs)).toEqual(['improve']);
    const steps = wf.jobs.improve!.steps;
    const names = steps.map((s) => s.name);
    expect(names).toEqual([
      'Check out',
      'Set up Node',
      'Install Codex and Promptfoo',
      'Install the harness-loop bundle',
      'Run the loop and implement the top recommendation',
      'Verify (the gate measures the change with live A/B runs)',
      'Open a pull request',
    ]);
    expect(steps[4]!.run).toContain('loop --implement');
    expect(steps[5]!.run).toContain('$HARNESS_LOOP verify --provider codex');
    // Only a measured improvement becomes a pull request.
    expect(steps[6]!.if).toBe("steps.verify.outcome == 'success' && steps.verify.outputs.verdict == 'improved'");
    expect(steps[6]!.run).toContain('gh pr create --title "harness: $TITLE"');
  });

  it('takes a custom schedule and rejects a malformed one', async () => {
    const ok = await runCli(['ci-template', 'github', '--cron', '0 3 * * 0']);
    expect((parse(ok.stdout) as { on: { schedule: unknown } }).on.schedule).toEqual([{ cron: '0 3 * * 0' }]);
    const bad = await runCli(['ci-template', 'github', '--cron', 'weekly']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('--cron must have five fields');
  });

  it('exits 2 for an unknown provider', async () => {
    const r = await runCli(['ci-template', 'gitlab']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('ci-template takes one provider: github');
  });
});
