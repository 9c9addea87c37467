import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HarnessModelSchema } from '../../src/schema/harness.js';
import { runCli } from '../support/cli.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'hl-cli-'));

describe('harness-loop CLI', () => {
  it('lists every command in --help and exits 0', async () => {
    const r = await runCli(['--help']);
    expect(r.exitCode).toBe(0);
    for (const name of ['ingest', 'receive', 'batch', 'demo']) expect(r.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    expect(r.stdout).toContain('Exit codes: 0 ok, 1 a check or gate said no, 2 bad usage or input.');
  });

  it("shows a command's options with <command> --help", async () => {
    const r = await runCli(['ingest', '--help']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('Usage: harness-loop ingest [PATH…] [options]');
    expect(r.stdout).toContain('--last N');
    expect(r.stdout).toContain('--all-repos');
  });

  it('exits 2 on an unknown command, naming the commands', async () => {
    const r = await runCli(['injest']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('unknown command "injest"');
    expect(r.stderr).toContain('ingest');
  });

  it('exits 2 on an unknown flag', async () => {
    const r = await runCli(['ingest', '--lats', '5']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('unknown option --lats');
  });

  it('exits 2 with a clear message when a path does not exist', async () => {
    const r = await runCli(['ingest', '-C', tmp(), '/no/such/trace.jsonl']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toBe('harness-loop ingest: /no/such/trace.jsonl: no such file or directory\n');
  });

  it('exits 2 on a bad --since value', async () => {
    const r = await runCli(['ingest', '-C', tmp(), '--since', 'last tuesday', 'test/fixtures/codex-exec']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('--since must be an ISO date');
  });

  it('reads $CODEX_HOME/sessions when no path is given and says so when it is missing', async () => {
    const home = tmp();
    const r = await runCli(['ingest', '-C', tmp()], { env: { CODEX_HOME: home } });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(join(home, 'sessions'));
  });

  it('runs the demo: a whole cycle on the bundled example with every artefact and an honest verdict; on its workspace the gate says not_measured and refuses exam and non-harness edits', async () => {
    const out = join(tmp(), 'demo');
    const r = await runCli(['demo', '--out', out, '--json']);
    expect(r.exitCode, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as {
      workspace: string;
      artefacts: Record<string, string | string[]>;
      stages: { stage: string }[];
      cycle: {
        verdict: string;
        passRateBefore: number;
        passRateAfter: number;
        fixed: string[];
        regressed: string[];
        change: string;
        rerun: number;
        tests: number;
        why: string;
        closed: boolean;
      };
    };
    expect(result.workspace).toBe(out);
    expect(Object.keys(result.artefacts).sort()).toEqual(['diagnosis', 'evalsConfig', 'feedback', 'handoff', 'ledger', 'report', 'results', 'traces']);
    for (const file of Object.values(result.artefacts).flat()) expect(existsSync(file), file).toBe(true);
    expect(result.stages.map((s) => s.stage)).toEqual([
      'install',
      'ingest',
      'feedback',
      'ingest',
      'detect',
      'batch',
      'critique',
      'evals build',
      'evals run',
      'diagnose',
      'handoff',
      'cycle start',
      'implement',
      'ingest',
      'verify',
      'report',
    ]);
    const traces = readFileSync(result.artefacts.traces as string, 'utf8')
      .trim()
      .split('\n');
    expect(traces).toHaveLength(10);
    expect(readFileSync(result.artefacts.traces as string, 'utf8')).not.toContain('sk-proj-');
    // The planted problem the handoff ranks first is the one the recorded change fixes.
    expect(result.cycle.change).toBe('Check citations mechanically with the check_evidence_coverage hook');
    // The after-change sessions count (their harness differs from the baseline's), but two fixed
    // tests out of four are too few for the sign test: the honest verdict is inconclusive.
    expect(result.cycle).toMatchObject({ verdict: 'inconclusive', passRateBefore: 0, passRateAfter: 0.5, regressed: [], rerun: 4, tests: 4, closed: false });
    expect(result.cycle.why).toContain('--repeat 3');
    expect(result.cycle.fixed).toHaveLength(2);
    const ledger = readFileSync(result.artefacts.ledger as string, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { verdict: string });
    expect(ledger.map((e) => e.verdict)).toEqual(['inconclusive']);
    // What Codex reads, byte for byte, once the time and the eval run id are normalised.
    const handoff = readFileSync(result.artefacts.handoff as string, 'utf8')
      .replace(/^Generated \S+ /m, 'Generated <time> ')
      .replace(/run-\d{8}T\d{6}Z-[0-9a-f]+/g, '<run-id>');
    await expect(handoff).toMatchFileSnapshot('../golden/codex_handoff.md');

    // On the demo workspace: a new cycle whose change has no run under it is not_measured…
    const ws = result.workspace;
    expect((await runCli(['cycle', 'start', '--abandon', '-C', ws])).exitCode).toBe(0);
    appendFileSync(join(ws, 'AGENTS.md'), '\n- Quote the sentence you rely on.\n');
    const unmeasured = await runCli(['verify', '-C', ws]);
    expect(unmeasured.exitCode).toBe(1);
    expect(unmeasured.stdout).toContain(': not_measured');
    expect(unmeasured.stderr).toContain('not_measured: no test was re-run under the changed harness');
    expect(unmeasured.stderr).toContain('ran under the baseline harness');
    expect(unmeasured.stderr).toContain('harness-loop verify --provider codex');
    // …an edited suite is refused by name, and so is an edit outside the harness.
    const suite = join(ws, '.harness-loop/evals/promptfooconfig.yaml');
    const original = readFileSync(suite, 'utf8');
    writeFileSync(suite, original.replace(/\n {4}assert:[\s\S]*?(?=\n {2}- |\n[^ ]|$)/, '\n'));
    const edited = await runCli(['verify', '-C', ws]);
    expect(edited.exitCode).toBe(1);
    expect(edited.stderr).toContain('verify refuses: what the verdict depends on changed during cycle 2');
    expect(edited.stderr).toContain('.harness-loop/evals/promptfooconfig.yaml: modified');
    writeFileSync(suite, original);
    appendFileSync(join(ws, 'docs/pricing.md'), '\nPro now costs $39.\n');
    const outside = await runCli(['verify', '-C', ws]);
    expect(outside.exitCode).toBe(1);
    expect(outside.stderr).toContain('outside the harness changed during cycle 2:\n  - docs/pricing.md (modified)');
  });

  it("harness --json covers every component family, with harness-loop's own marked", async () => {
    const fixture = join(process.cwd(), 'test/fixtures/harness');
    const r = await runCli(['harness', '--json', '-C', join(fixture, 'repo'), '--codex-home', join(fixture, 'codex-home')]);
    expect(r.exitCode, r.stderr).toBe(0);
    const model = HarnessModelSchema.parse(JSON.parse(r.stdout));
    expect(Object.keys(model).sort()).toEqual([
      'agentsMd',
      'codexHome',
      'config',
      'evidenceCheck',
      'hooks',
      'outputSchemas',
      'problems',
      'root',
      'schemaVersion',
      'skills',
      'validation',
    ]);
    for (const family of [model.agentsMd, model.skills, model.hooks, model.config, model.outputSchemas, model.validation])
      expect(family.length).toBeGreaterThan(0);
    expect(
      model.agentsMd.some((a) => a.kind === 'override') &&
        model.agentsMd.some((a) => a.scope === 'user') &&
        model.agentsMd.some((a) => a.directory === 'services/api'),
    ).toBe(true);
    expect(model.skills.find((s) => s.name === 'harness-improvement')!.owner).toBe('harness-loop');
    expect(model.hooks.filter((h) => h.owner === 'harness-loop')).toHaveLength(2);
    const text = await runCli(['harness', '-C', join(fixture, 'repo'), '--codex-home', join(fixture, 'codex-home')]);
    expect(text.stdout).toContain('.codex/config.toml:7: sandbox_workspace_write.network_access = false');
    expect(text.stdout).toContain('.codex/config.toml:9: mcp_servers.issues: npx -y @acme/issues-mcp (env: ISSUES_TOKEN)');
  });

  it('refuses to run the demo over an existing workspace', async () => {
    const out = join(tmp(), 'demo');
    mkdirSync(join(out, '.harness-loop'), { recursive: true });
    const again = await runCli(['demo', '--out', out]);
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toContain('already holds a .harness-loop folder');
  });

  it('says where the demo works and removes a temporary workspace at the end', async () => {
    const r = await runCli(['demo']);
    expect(r.exitCode, r.stderr).toBe(0);
    const dir = /^demo workspace: (\S+) \(a temporary folder, removed at the end; --out DIR keeps it\)$/m.exec(r.stderr)?.[1];
    expect(dir).toBeDefined();
    expect(existsSync(dir!)).toBe(false);
    expect(r.stderr).toContain('demo workspace removed: run `harness-loop demo --out DIR` to keep it');
    expect(r.stdout).toMatch(/^cycle 1: /m);
  });
});
