// Live eval runs apply the whole harness: the project's .codex/config.toml and hooks reach the real
// Codex binary in each scratch copy (trusted in a CODEX_HOME of its own), so `verify --provider
// codex` measures a config or hook change as it measures an AGENTS.md change. The user's own Codex
// home supplies the model access (here: the mock provider) and is never written.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EvalRunSummary } from '../../src/schema/eval-suite.js';
import type { LedgerEntry } from '../../src/schema/ledger.js';
import type { Trace } from '../../src/schema/trace.js';
import { CLI, runCli } from '../support/cli.js';
import { prepareIsolatedCodexHome } from '../../src/codex/isolated-home.js';
import { codexBin, isolatedEnv, mockProviderArgs, runCodexExec } from '../support/codex.js';
import { promptOf } from '../support/mock-requests.js';
import { startMockResponses, type MockPolicy, type RecordedRequest } from '../support/mock-responses.js';
import { makeFeedback, makeTrace, writeStore } from '../unit/evals/helpers.js';

const RETRIES = 'How many times does the client retry a failed request?';
const TIMEOUT = 'How long does a request wait before it times out?';
const NOTE = 'HOOK-NOTE: name the file you read, e.g. [docs/guide.md].';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Developer messages Codex sent (hook context arrives as one). */
function developerTexts(input: readonly Record<string, unknown>[]): string[] {
  return input
    .filter((i) => i.type === 'message' && i.role === 'developer' && Array.isArray(i.content))
    .map((i) => (i.content as { text?: unknown }[]).map((c) => (typeof c.text === 'string' ? c.text : '')).join('\n'));
}

/**
 * The mock model's quality depends on the harness as a real model's would: it gets the retry count
 * right only when thinking hard (reasoning effort "high"), and cites its source only when a hook
 * told it to after reading the doc.
 */
const harnessSensitiveModel: MockPolicy = ({ input, stepIndex, reasoningEffort }) => {
  const prompt = promptOf(input);
  if (prompt === RETRIES)
    return { answer: reasoningEffort === 'high' ? 'The client retries a failed request 3 times.' : 'The client retries a failed request a few times.' };
  if (prompt === TIMEOUT) {
    if (stepIndex === 0) return { shell: 'cat docs/guide.md' };
    const told = developerTexts(input).some((t) => t.includes(NOTE));
    return { answer: told ? 'A request times out after 30 seconds [docs/guide.md].' : 'A request times out after 30 seconds.' };
  }
  return { answer: `unexpected prompt: ${prompt.slice(0, 80)}` };
};

/** sha256 of every file, link and folder under `dir`, by relative path: "byte-for-byte unchanged". */
function treeDigest(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      const rel = relative(dir, p);
      if (e.isDirectory()) {
        out[`${rel}/`] = `dir ${statSync(p).mode.toString(8)}`;
        walk(p);
      } else out[rel] = `${statSync(p).mode.toString(8)} ${createHash('sha256').update(readFileSync(p)).digest('hex')}`;
    }
  };
  walk(dir);
  return out;
}

function readJsonl<T>(file: string): T[] {
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as T);
}

describe('live eval runs apply the project config and hooks (real promptfoo, real Codex, mock model)', () => {
  it('measures a reasoning-effort change and a new PostToolUse hook with verify --provider codex, leaving the user CODEX_HOME untouched', async () => {
    const root = realpathSync(mkdtempSync(join(tmpdir(), 'hl-live-harness-')));
    cleanups.push(() => rmSync(root, { recursive: true, force: true }));
    const mock = await startMockResponses(harnessSensitiveModel);
    cleanups.push(() => mock.close());
    const tmp = join(root, 'tmp');
    mkdirSync(tmp);
    const env = isolatedEnv(root, { TMPDIR: tmp });
    const userHome = env.CODEX_HOME!;
    // The user's own Codex home: the model provider (the mock), a login, and personal settings a
    // live run must not pick up (their own effort and a hook of theirs).
    writeFileSync(
      join(userHome, 'config.toml'),
      [
        'model = "gpt-5.5"',
        'model_provider = "mock"',
        'model_reasoning_effort = "minimal"',
        '',
        '[model_providers.mock]',
        'name = "mock"',
        `base_url = "${mock.url}"`,
        'wire_api = "responses"',
        'env_key = "MOCK_KEY"',
        'supports_websockets = false',
        'request_max_retries = 0',
        'stream_max_retries = 0',
        '',
      ].join('\n'),
    );
    writeFileSync(join(userHome, 'auth.json'), '{"OPENAI_API_KEY":"sk-test-not-a-real-key"}\n', { mode: 0o600 });
    writeFileSync(
      join(userHome, 'hooks.json'),
      JSON.stringify({ hooks: { PostToolUse: [{ hooks: [{ type: 'command', command: 'echo USER-HOOK', timeout: 5 }] }] } }),
    );
    const before = treeDigest(userHome);

    const ws = join(root, 'ws');
    mkdirSync(join(ws, 'docs'), { recursive: true });
    mkdirSync(join(ws, '.codex', 'hooks'), { recursive: true });
    writeFileSync(join(ws, 'docs/guide.md'), '# Client\nThe client retries a failed request 3 times.\nRequests time out after 30 seconds.\n');
    writeFileSync(join(ws, 'AGENTS.md'), '# Rules\n- Answer from docs/.\n');
    writeFileSync(join(ws, '.codex/config.toml'), 'model_reasoning_effort = "low"\n');
    writeStore(
      ws,
      [makeTrace('old-retries', RETRIES, 'It retries.'), makeTrace('old-timeout', TIMEOUT, 'It waits a while.')],
      [
        makeFeedback({ id: 'fb-retries', traceId: 'old-retries', category: 'accuracy', observation: 'No number given.', requiredObservations: ['"3 times"'] }),
        makeFeedback({
          id: 'fb-timeout',
          traceId: 'old-timeout',
          category: 'instruction_not_followed',
          observation: 'No source named.',
          requiredObservations: ['Cite `docs/guide.md`'],
        }),
      ],
    );
    const cli = (...args: string[]) => runCli([...args, '-C', ws], { env });
    const codexFlags = ['--provider', 'codex', '--codex-bin', codexBin()];
    expect((await cli('evals', 'build')).exitCode).toBe(0);

    const baseline = await cli('evals', 'run', ...codexFlags, '--json');
    expect(baseline.exitCode, baseline.stderr).toBe(1);
    const baseRun = JSON.parse(baseline.stdout) as EvalRunSummary;
    const testOf = (category: string) => baseRun.tests.find((t) => t.description?.startsWith(category))!.id;
    const [retriesTest, timeoutTest] = [testOf('accuracy'), testOf('instruction_not_followed')];
    expect(baseRun.tests.map((t) => t.status)).toEqual(['fail', 'fail']);
    // The project's effort, not Codex's default ("medium") nor the user's own ("minimal").
    const efforts = (from: number) => [...new Set(mock.requests.slice(from).map((r) => (r.body.reasoning as { effort?: string }).effort))];
    expect(efforts(0)).toEqual(['low']);
    // No -s flag: the sandbox comes from the run's config layer, where the project could override it.
    const sandboxes = new Set(mock.requests.map((r) => (JSON.parse(String(r.headers['x-codex-turn-metadata'])) as { sandbox_mode?: string }).sandbox_mode));
    expect([...sandboxes]).toEqual(['workspace-write']);
    const hookNotes = (requests: RecordedRequest[]) => requests.filter((r) => developerTexts(r.body.input ?? []).some((t) => t.includes(NOTE))).length;
    expect(hookNotes(mock.requests)).toBe(0);

    mkdirSync(join(ws, '.harness-loop/diagnosis'), { recursive: true });
    writeFileSync(
      join(ws, '.harness-loop/diagnosis/recommendations.json'),
      JSON.stringify({
        recommendations: [
          { id: 'rec-effort', rank: 1, title: 'Think harder on numeric questions', files: ['.codex/config.toml'] },
          { id: 'rec-hook', rank: 2, title: 'Remind the agent to cite after reading a doc', files: ['.codex/hooks.json', '.codex/hooks'] },
        ],
      }),
    );

    // Cycle 1: a config change.
    expect((await cli('cycle', 'start', '--recommendation', 'rec-effort')).exitCode).toBe(0);
    writeFileSync(join(ws, '.codex/config.toml'), 'model_reasoning_effort = "high"\n');
    let from = mock.requests.length;
    // One fixed test needs five gained run pairs before the sign test calls it an improvement.
    const effortUp = await cli('verify', ...codexFlags, '--repeat', '5');
    expect(effortUp.exitCode, effortUp.stderr).toBe(0);
    // A/B: the baseline side runs under the cycle-start config, the changed side under the new one.
    expect(efforts(from).sort()).toEqual(['high', 'low']);
    const ledger = () => readJsonl<LedgerEntry>(join(ws, '.harness-loop/ledger.jsonl')).at(-1)!;
    expect([ledger().verdict, ledger().testsFixed, ledger().testsRegressed]).toEqual(['improved', [retriesTest], []]);

    // Cycle 2: a new PostToolUse hook; its note reaches the request after the shell call.
    expect((await cli('cycle', 'start', '--recommendation', 'rec-hook')).exitCode).toBe(0);
    writeFileSync(
      join(ws, '.codex/hooks/cite-note.mjs'),
      `process.stdin.resume();\nprocess.stdin.on('end', () => process.stdout.write(JSON.stringify({ hookSpecificOutput: { hookEventName: 'PostToolUse', additionalContext: ${JSON.stringify(NOTE)} } })));\n`,
    );
    writeFileSync(
      join(ws, '.codex/hooks.json'),
      JSON.stringify(
        { hooks: { PostToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: 'node .codex/hooks/cite-note.mjs', timeout: 10 }] }] } },
        null,
        2,
      ),
    );
    from = mock.requests.length;
    const hookAdded = await cli('verify', ...codexFlags, '--repeat', '5');
    expect(hookAdded.exitCode, hookAdded.stderr).toBe(0);
    // Five changed-side runs of the task that reads a doc through the shell; the baseline side has no hook.
    expect(hookNotes(mock.requests.slice(from))).toBe(5);
    expect([ledger().verdict, ledger().testsFixed, ledger().testsRegressed]).toEqual(['improved', [timeoutTest], []]);
    // The user's own hook never ran: its output would have reached the model the same way.
    expect(mock.requests.some((r) => JSON.stringify(r.body.input).includes('USER-HOOK'))).toBe(false);

    // Cycle 3: lowering the effort again is a regression.
    expect((await cli('cycle', 'start', '--recommendation', 'rec-effort')).exitCode).toBe(0);
    writeFileSync(join(ws, '.codex/config.toml'), 'model_reasoning_effort = "low"\n');
    const effortDown = await cli('verify', ...codexFlags);
    expect(effortDown.exitCode).toBe(1);
    expect([ledger().verdict, ledger().testsRegressed]).toEqual(['regressed', [retriesTest]]);

    // Each recorded run says which harness it applied; the config change shows in the fingerprint.
    const runs = readJsonl<Trace>(join(ws, '.harness-loop/traces/traces.jsonl')).filter((t) => !t.id.startsWith('old-'));
    // 2 baseline runs, then per verify tests × repeats × both sides: 2×5×2 + 2×5×2 + 2×1×2.
    expect(runs).toHaveLength(46);
    for (const t of runs) expect(t.harness?.derivedFrom).toBe('run');
    const configHash = (t: Trace) => t.harness!.components['file:.codex/config.toml'];
    const sha = (text: string) => createHash('sha256').update(text).digest('hex');
    expect(new Set(runs.map(configHash))).toEqual(new Set([sha('model_reasoning_effort = "low"\n'), sha('model_reasoning_effort = "high"\n')]));
    expect(new Set(runs.map((t) => t.harness!.fingerprint)).size).toBe(4);
    expect(runs.filter((t) => t.harness!.components['file:.codex/hooks.json'] !== undefined)).toHaveLength(14);

    // Nothing was written to the user's Codex home, and no run folder was left behind.
    expect(treeDigest(userHome)).toEqual(before);
    expect(readdirSync(tmp).filter((n) => n.startsWith('harness-loop-'))).toEqual([]);

    // --keep-runs leaves each run's copy and home for debugging: the home trusts that copy and its hook.
    const kept = await cli('evals', 'run', ...codexFlags, '--keep-runs');
    expect(kept.exitCode, kept.stderr).toBe(1);
    const runDir = /kept each run's scratch copy and CODEX_HOME in (\S+)/.exec(kept.stderr)?.[1];
    expect(runDir?.startsWith(join(tmp, 'harness-loop-run-'))).toBe(true);
    const perTest = readdirSync(runDir!, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => join(runDir!, e.name));
    expect(perTest).toHaveLength(2);
    for (const dir of perTest) {
      const config = readFileSync(join(dir, 'codex-home/config.toml'), 'utf8');
      expect(config).toContain(`[projects.${JSON.stringify(join(dir, 'workspace'))}]\ntrust_level = "trusted"`);
      expect(config).toContain(`[hooks.state.${JSON.stringify(join(dir, 'workspace/.codex/hooks.json:post_tool_use:0:0'))}]`);
      expect(readdirSync(join(dir, 'codex-home/sessions'), { recursive: true }).some((n) => String(n).endsWith('.jsonl'))).toBe(true);
    }
    expect(treeDigest(userHome)).toEqual(before);
  }, 180_000);

  it('prepareIsolatedCodexHome: a hook defined in the project config.toml runs and the project config applies, with the real binary', async () => {
    const root = realpathSync(mkdtempSync(join(tmpdir(), 'hl-live-home-')));
    cleanups.push(() => rmSync(root, { recursive: true, force: true }));
    const env = isolatedEnv(root);
    const before = treeDigest(env.CODEX_HOME!);
    const mock = await startMockResponses(({ stepIndex }) => (stepIndex === 0 ? { shell: 'echo hi' } : { answer: 'done' }));
    cleanups.push(() => mock.close());
    const project = join(root, 'project');
    mkdirSync(join(project, '.codex'), { recursive: true });
    writeFileSync(
      join(project, 'note.mjs'),
      `process.stdin.resume();\nprocess.stdin.on('end', () => process.stdout.write(JSON.stringify({ hookSpecificOutput: { hookEventName: 'PostToolUse', additionalContext: ${JSON.stringify(NOTE)} } })));\n`,
    );
    writeFileSync(
      join(project, '.codex/config.toml'),
      [
        'model_reasoning_effort = "high"',
        '',
        '[[hooks.PostToolUse]]',
        'matcher = "Bash"',
        '[[hooks.PostToolUse.hooks]]',
        'type = "command"',
        'command = "node note.mjs"',
        'timeout = 10',
        '',
      ].join('\n'),
    );
    const home = await prepareIsolatedCodexHome({ projectDir: project, userCodexHome: env.CODEX_HOME });
    cleanups.push(() => home.cleanup());
    const run = await runCodexExec(['--json', '--skip-git-repo-check', ...mockProviderArgs(mock.url), '-m', 'gpt-5.5', 'say hi'], {
      cwd: project,
      env: { ...env, ...home.env },
      timeoutMs: 60_000,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(mock.requests.map((r) => (r.body.reasoning as { effort?: string }).effort)).toEqual(['high', 'high']);
    expect(developerTexts(mock.requests[1]!.body.input ?? []).filter((t) => t === NOTE)).toHaveLength(1);
    expect(run.stderr).not.toContain('Untrusted project-local configuration');
    expect(treeDigest(env.CODEX_HOME!)).toEqual(before);
  }, 120_000);

  it('removes the run folder, with its copy of the login, when the run is interrupted', async () => {
    const root = realpathSync(mkdtempSync(join(tmpdir(), 'hl-live-interrupt-')));
    cleanups.push(() => rmSync(root, { recursive: true, force: true }));
    const tmp = join(root, 'tmp');
    mkdirSync(tmp);
    const env = isolatedEnv(root, { TMPDIR: tmp });
    writeFileSync(join(env.CODEX_HOME!, 'auth.json'), '{"OPENAI_API_KEY":"sk-test-not-a-real-key"}\n');
    const ws = join(root, 'ws');
    mkdirSync(ws);
    writeStore(ws, [makeTrace('old-retries', RETRIES, 'It retries.')], [makeFeedback({ traceId: 'old-retries', requiredObservations: ['"3 times"'] })]);
    expect((await runCli(['evals', 'build', '-C', ws], { env })).exitCode).toBe(0);
    // A Codex that never answers, so the run is still going when the user presses Ctrl-C.
    const stuck = join(root, 'stuck-codex.mjs');
    writeFileSync(stuck, 'setTimeout(() => {}, 120_000);\n');

    // Its own process group, as a terminal gives a command: Ctrl-C reaches promptfoo and Codex too.
    const child = spawn(process.execPath, [CLI, 'evals', 'run', '--provider', 'codex', '--codex-bin', stuck, '-C', ws], {
      env: { ...process.env, ...env },
      detached: true,
      stdio: 'ignore',
    });
    const closed = new Promise<number | null>((resolve) => child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : null))));
    cleanups.push(() => {
      if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
    });
    const runHome = () =>
      readdirSync(tmp)
        .filter((n) => n.startsWith('harness-loop-run-'))
        .flatMap((d) => readdirSync(join(tmp, d), { recursive: true }).map(String))
        .find((p) => p.endsWith('codex-home/auth.json'));
    for (let i = 0; i < 1200 && !runHome(); i++) await new Promise((r) => setTimeout(r, 100));
    expect(runHome()).toBeDefined();
    process.kill(-child.pid!, 'SIGINT');
    await closed;
    // Promptfoo and the provider wind down after the CLI is gone: wait until the whole group has
    // exited, so nothing they do afterwards goes unseen.
    const groupAlive = () => {
      try {
        process.kill(-child.pid!, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 600 && groupAlive(); i++) await new Promise((r) => setTimeout(r, 100));
    expect(groupAlive()).toBe(false);
    expect(readdirSync(tmp).filter((n) => n.startsWith('harness-loop-'))).toEqual([]);
  }, 180_000);
});
