// Records the bundled example's Codex sessions by running the real codex binary, with
// harness-loop installed in the repository, against the scripted mock model.
// Run after changing a scenario: `npx tsx scripts/record-example.ts` (after `npm run build`).
import { cpSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import fg from 'fast-glob';
import { startMockResponses, type MockPolicy, type MockStep } from '../test/support/mock-responses.js';
import { isolatedEnv, mockProviderArgs, runCodexExec } from '../test/support/codex.js';
import { AFTER_SESSIONS, BASELINE_SESSIONS, type AfterSession, type ExampleSession } from '../examples/docs-qa/scenario.js';

const EXAMPLE = 'examples/docs-qa';
/** Recorded paths are rewritten to this neutral workspace path. */
const NEUTRAL_ROOT = '/home/user/docs-qa';
const CLI = resolve('bin/harness-loop.js');

/** Plays the session's steps in order. */
function baselinePolicy(session: ExampleSession): MockPolicy {
  return ({ stepIndex }) => session.steps[Math.min(stepIndex, session.steps.length - 1)] as MockStep;
}

/** A developer message after the last apply_patch call is the evidence hook's problem list. */
function hookObjected(input: Record<string, unknown>[]): boolean {
  const lastPatch = input.map((i) => i.type === 'custom_tool_call' && i.name === 'apply_patch').lastIndexOf(true);
  return lastPatch !== -1 && input.slice(lastPatch).some((i) => i.type === 'message' && i.role === 'developer');
}

/** Same commands and first answer; when the hook objects, rewrite the answer file, then answer. */
function afterPolicy(session: AfterSession): MockPolicy {
  const commands = session.steps.filter((s): s is { shell: string } => 'shell' in s);
  const firstPatch = session.steps.find((s) => 'patch' in s) as { patch: string };
  const first = (session.steps.at(-1) as { answer: string }).answer;
  const fixPatch = `*** Begin Patch\n*** Update File: answers/${session.slug}.md\n@@\n-${first}\n+${session.fixed}\n*** End Patch\n`;
  let fixed = false;
  return ({ input, stepIndex }) => {
    if (stepIndex < commands.length) return commands[stepIndex]!;
    if (stepIndex === commands.length) return firstPatch;
    if (!fixed && hookObjected(input)) {
      fixed = true;
      return { patch: fixPatch };
    }
    return { answer: fixed ? session.fixed : first };
  };
}

/** What THE change of the first cycle wrote: the evidence check pointed at the answers. */
export const FIRST_CHANGE_CONFIG = readFileSync(join(EXAMPLE, 'change', 'config.yaml'), 'utf8');

async function recordSession(session: ExampleSession, policy: MockPolicy, outDir: string, withChange: boolean): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'hl-record-'));
  const repo = join(root, 'docs-qa');
  cpSync(join(EXAMPLE, 'workspace'), repo, { recursive: true });
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=ex@example.com', '-c', 'user.name=example', ...args], { cwd: repo });
  git('init', '-q');
  const env = isolatedEnv(root);
  execFileSync(process.execPath, [CLI, 'install', '--target', repo, '--trust'], { env: { ...process.env, CODEX_HOME: env.CODEX_HOME }, stdio: 'ignore' });
  if (withChange) writeFileSync(join(repo, '.harness-loop', 'config.yaml'), FIRST_CHANGE_CONFIG);
  git('add', '-A');
  git('commit', '-qm', 'docs');
  const mock = await startMockResponses(policy);
  try {
    const run = await runCodexExec(['--json', ...mockProviderArgs(mock.url), '-m', 'gpt-5.5', '-s', 'workspace-write', session.prompt], { cwd: repo, env });
    if (run.code !== 0) throw new Error(`codex exec failed for ${session.slug}: ${run.stderr}`);
    const rollouts = await fg('sessions/**/rollout-*.jsonl', { cwd: env.CODEX_HOME!, absolute: true });
    if (rollouts.length !== 1) throw new Error(`expected one rollout, found ${rollouts.length}`);
    const neutral = (text: string) => text.split(repo).join(NEUTRAL_ROOT).split(root).join('/home/user');
    const rel = relative(join(env.CODEX_HOME!, 'sessions'), rollouts[0]!);
    mkdirSync(join(outDir, 'sessions', rel, '..'), { recursive: true });
    writeFileSync(join(outDir, 'sessions', rel), neutral(readFileSync(rollouts[0]!, 'utf8')));
    mkdirSync(join(outDir, 'exec'), { recursive: true });
    writeFileSync(join(outDir, 'exec', `${session.slug}.jsonl`), neutral(run.stdout));
    console.log(`${withChange ? 'after' : 'baseline'} ${session.slug}: ${rel} (${mock.requests.length} model requests)`);
  } finally {
    await mock.close();
    rmSync(root, { recursive: true, force: true });
  }
}

for (const [name, sessions, withChange] of [
  ['baseline', BASELINE_SESSIONS, false],
  ['after-cycle-1', AFTER_SESSIONS, true],
] as const) {
  const target = join(EXAMPLE, 'recorded', name);
  rmSync(target, { recursive: true, force: true });
  for (const session of sessions) {
    const policy = withChange ? afterPolicy(session as AfterSession) : baselinePolicy(session);
    await recordSession(session, policy, target, withChange);
  }
}
