// `loop --implement`: Codex implements THE change of the handoff inside an open cycle, so the edit
// guard is on while it works and `verify` can judge the result against the recorded baseline.
import { readFile } from 'node:fs/promises';
import { describeFailure, resolveCodexBin, spawnCodex } from '../codex/runner.js';
import { ExternalCommandError } from '../errors.js';
import { handoffFile } from '../handoff/handoff.js';
import { startCycle } from '../ledger/cycle.js';
import type { Config } from '../schema/config.js';
import type { Cycle } from '../schema/cycle.js';

export interface ImplementOptions {
  workspace: string;
  config: Config;
  /** Codex binary (default `critic.codexBin`). */
  codexBin?: string;
  /** `-c` overrides, after `critic.codexConfig`. */
  codexConfig?: readonly string[];
  /** Model for the implementing agent (default: the user's Codex default). */
  model?: string;
  env?: NodeJS.ProcessEnv;
}

/** The prompt: the skill, THE change section of the handoff, and the rules. */
export function renderImplementPrompt(handoff: string, cycle: Cycle): string {
  const start = handoff.indexOf('### THE change for this cycle');
  const end = start === -1 ? -1 : handoff.indexOf('\n### ', start + 1);
  const theChange = start === -1 ? handoff : handoff.slice(start, end === -1 ? undefined : end);
  return [
    'Use $harness-improvement. A harness-loop cycle is open and its edit guard is on.',
    `Implement exactly this one recommendation (${cycle.recommendation.id}) from .harness-loop/codex_handoff.md, touching only these files: ${cycle.recommendation.files.join(', ')}.`,
    'Do not edit application code, the documents the agent answers from, or tests. Do not run `harness-loop verify`; it runs after you finish.',
    'When done, reply with one sentence naming what you changed.',
    '',
    theChange.trim(),
  ].join('\n');
}

/** Starts the cycle, then runs `codex exec` on THE change. The cycle stays open for verify. */
export async function implementTheChange(options: ImplementOptions): Promise<{ cycle: Cycle; answer: string }> {
  const handoff = await readFile(handoffFile(options.workspace), 'utf8');
  const { cycle } = await startCycle({ workspace: options.workspace });
  // A --codex-bin flag is relative to where the command runs; critic.codexBin to the workspace (as the config documents).
  const bin =
    options.codexBin !== undefined ? resolveCodexBin(options.codexBin, process.cwd()) : resolveCodexBin(options.config.critic.codexBin, options.workspace);
  const overrides = [...options.config.critic.codexConfig, ...(options.codexConfig ?? [])];
  // --ephemeral: this session is the loop's own work, not the team's agent at work; left in
  // $CODEX_HOME/sessions, the next `ingest` would read it back as a trace of this repository.
  const args = [
    'exec',
    '--json',
    '--ephemeral',
    '--sandbox',
    'workspace-write',
    ...(options.model ? ['-m', options.model] : []),
    ...overrides.flatMap((c) => ['-c', c]),
    '-',
  ];
  const run = await spawnCodex({ bin, config: overrides, env: options.env }, args, renderImplementPrompt(handoff, cycle), options.workspace);
  if (run.code !== 0) {
    throw new ExternalCommandError(
      `codex could not implement the change (${describeFailure(run)}); cycle ${cycle.cycle} is still open: fix and run \`harness-loop verify\`, or \`harness-loop cycle abandon\``,
      'external.codex-failed',
    );
  }
  let answer = '';
  for (const line of run.stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const event = JSON.parse(line) as { type?: string; item?: { type?: string; text?: string } };
      if (event.type === 'item.completed' && event.item?.type === 'agent_message') answer = event.item.text ?? answer;
    } catch {
      // not an event
    }
  }
  return { cycle, answer };
}
