// Records the bundled example's Codex sessions by running the real codex binary against the
// scripted mock model. Run after changing a scenario: `npx tsx scripts/record-example.ts`.
import { cpSync, mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { execFileSync } from 'node:child_process';
import fg from 'fast-glob';
import { startMockResponses, scriptedPolicy, type MockStep } from '../test/support/mock-responses.js';
import { isolatedEnv, mockProviderArgs, runCodexExec } from '../test/support/codex.js';
import { BASELINE_SESSIONS, type ExampleSession } from '../examples/docs-qa/scenario.js';

const EXAMPLE = 'examples/docs-qa';
/** Recorded paths are rewritten to this neutral workspace path. */
const NEUTRAL_ROOT = '/home/user/docs-qa';

async function recordSession(session: ExampleSession, outDir: string): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'hl-record-'));
  const repo = join(root, 'docs-qa');
  cpSync(join(EXAMPLE, 'workspace'), repo, { recursive: true });
  execFileSync('git', ['init', '-q'], { cwd: repo });
  execFileSync('git', ['-c', 'user.email=ex@example.com', '-c', 'user.name=example', 'add', '-A'], { cwd: repo });
  execFileSync('git', ['-c', 'user.email=ex@example.com', '-c', 'user.name=example', 'commit', '-qm', 'docs'], { cwd: repo });
  const mock = await startMockResponses(scriptedPolicy(session.steps as MockStep[]));
  try {
    const env = isolatedEnv(root);
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
    console.log(`${session.slug}: ${rel}`);
  } finally {
    await mock.close();
    rmSync(root, { recursive: true, force: true });
  }
}

const target = join(EXAMPLE, 'recorded', 'baseline');
rmSync(target, { recursive: true, force: true });
for (const session of BASELINE_SESSIONS) await recordSession(session, target);
console.log(`recorded ${readdirSync(join(target, 'exec')).length} sessions into ${target}`);
