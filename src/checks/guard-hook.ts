// The edit guard as a PreToolUse hook: decides whether the guard is on (a cycle in its implement
// phase, or guard.always), judges the call, logs the decision, and answers. It fails closed: while
// the guard is on, anything it cannot read or decide is denied with the reason.
import { readFileSync, statSync } from 'node:fs';
import { DEFAULT_GUARD, HookConfigError, readHookConfig, type HookRedactionPattern } from './hook-config.js';
import { judgeToolCall, renderGuardDeny, type GuardVerdict } from './guard.js';
import {
  appendJsonLines,
  findRepoRoot,
  hookFeedbackFile,
  hookFeedbackRecord,
  logHookError,
  parseHookInput,
  type HookEnv,
  type HookInput,
} from './hook-runtime.js';
import { layoutPath } from '../workspace/layout.js';

const HOOK = 'edit_guard';

/** Whether the guard is on in a repository, and with which allow-list. */
export type GuardState =
  | { active: false; configError?: string }
  | { active: true; why: string; allow: string[]; redaction: HookRedactionPattern[]; error?: string; readOnlyTools?: string[]; since?: number | null };

/** Reads `.harness-loop/cycle.json` and the config; an unreadable cycle file keeps the guard on. */
export function readGuardState(root: string): GuardState {
  let phase: 'implement' | 'other' | 'none' = 'none';
  let cycleError: string | undefined;
  let cycleId = '';
  let since: number | null = null;
  try {
    const cycle = JSON.parse(readFileSync(layoutPath(root, 'cycle'), 'utf8')) as { phase?: unknown; id?: unknown } | null;
    phase = cycle !== null && typeof cycle === 'object' && cycle.phase === 'implement' ? 'implement' : 'other';
    if (phase === 'implement' && typeof cycle?.id === 'string') cycleId = ` ${cycle.id}`;
    const started = Date.parse(String((cycle as { startedAt?: unknown } | null)?.startedAt ?? ''));
    if (Number.isFinite(started)) since = started;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') cycleError = error instanceof SyntaxError ? 'is not valid JSON' : `cannot be read (${code ?? (error as Error).message})`;
  }
  let config;
  try {
    config = readHookConfig(root);
  } catch (error) {
    if (!(error instanceof HookConfigError)) throw error;
    if (phase !== 'implement' && !cycleError) return { active: false, configError: error.message };
    return { active: true, why: 'the guard is on', allow: DEFAULT_GUARD.allow, redaction: [], error: `${error.message}; fix it by hand` };
  }
  const { allow, readOnlyTools } = config.guard;
  const common = { allow, readOnlyTools, redaction: config.redaction, since };
  if (cycleError)
    return { active: true, why: 'a harness-loop cycle file exists', ...common, error: `.harness-loop/cycle.json ${cycleError}; fix it or finish the cycle` };
  if (phase === 'implement') return { active: true, why: `cycle${cycleId} is in its implement phase`, ...common };
  if (config.guard.always) return { active: true, why: 'guard.always is set in .harness-loop/config.yaml', ...common };
  return { active: false };
}

/** Runs the guard on one stdin payload; returns what to print (empty: allow silently). */
export function runEditGuard(stdin: string, env: HookEnv): string {
  const now = env.now ?? new Date();
  let root = findRepoRoot(env.cwd);
  let input: HookInput | null = null;
  let inputError: unknown = null;
  try {
    input = parseHookInput(stdin);
    if (typeof input.cwd === 'string' && input.cwd !== '') root = findRepoRoot(input.cwd);
  } catch (error) {
    inputError = error;
  }
  let state: GuardState;
  try {
    state = readGuardState(root);
  } catch (error) {
    logHookError(root, HOOK, error, now);
    state = {
      active: true,
      why: 'the guard could not read its state',
      allow: DEFAULT_GUARD.allow,
      redaction: [],
      error: `reading the guard state failed: ${(error as Error).message}`,
    };
  }
  if (!state.active) {
    if (state.configError) logHookError(root, HOOK, `${state.configError} (guard.always could not be read; the guard stays off outside a cycle)`, now);
    if (inputError) logHookError(root, HOOK, `malformed hook input: ${(inputError as Error).message}`, now);
    return '';
  }
  let verdict: GuardVerdict;
  if (inputError || !input) {
    logHookError(root, HOOK, `malformed hook input: ${(inputError as Error).message}`, now);
    verdict = refuse(state, `cannot read the hook payload (${(inputError as Error).message})`);
  } else if (state.error) {
    verdict = refuse(state, state.error);
  } else {
    try {
      verdict = judgeToolCall(
        input,
        { root, allow: state.allow, why: state.why, readOnlyTools: state.readOnlyTools ?? [], since: state.since ?? transcriptStart(input) },
        env.home,
      );
    } catch (error) {
      logHookError(root, HOOK, error, now);
      verdict = refuse(state, `the guard failed (${(error as Error).message})`);
    }
  }
  record(root, input, verdict, state, now);
  return verdict.allowed ? '' : renderGuardDeny(verdict.reason);
}

function refuse(state: { why: string; allow: string[] }, problem: string): GuardVerdict {
  return {
    allowed: false,
    reason: `harness-loop edit guard: ${state.why}, and ${problem}. The guard fails closed, so this call is refused. You may edit: ${state.allow.join(', ')}.`,
    paths: [],
  };
}

function record(root: string, input: HookInput | null, verdict: GuardVerdict, state: Extract<GuardState, { active: true }>, now: Date): void {
  try {
    appendJsonLines(layoutPath(root, 'guardLog'), [
      {
        time: now.toISOString(),
        sessionId: input?.session_id ?? null,
        turnId: input?.turn_id ?? null,
        toolUseId: input?.tool_use_id ?? null,
        tool: input?.tool_name ?? null,
        decision: verdict.allowed ? 'allow' : 'deny',
        reason: verdict.reason,
        paths: verdict.paths,
      },
    ]);
    if (verdict.allowed) return;
    const command = typeof input?.tool_input?.command === 'string' ? input.tool_input.command : JSON.stringify(input?.tool_input ?? null);
    const bullets = verdict.reason.split('\n').filter((l) => l.startsWith('- '));
    const finding = {
      hook: HOOK,
      category: 'hook_block',
      severity: 'medium' as const,
      observation: `The edit guard blocked a ${input?.tool_name ?? 'tool'} call because ${state.why}: ${bullets[0]?.slice(2) ?? verdict.reason.split('\n')[0]}`,
      evidence: [
        `command: ${command.length > 400 ? `${command.slice(0, 400)}… [${command.length - 400} more characters]` : command}`,
        ...bullets.map((b) => b.slice(2)),
      ],
      attributes: { hookEvent: 'PreToolUse', paths: verdict.paths },
    };
    appendJsonLines(hookFeedbackFile(root), [hookFeedbackRecord(input ?? {}, finding, state.redaction, now)]);
  } catch (error) {
    logHookError(root, HOOK, error, now);
  }
}

/** Outside a cycle (guard.always), the session's start stands in for the cycle's: the rollout file is created with the session. */
function transcriptStart(input: HookInput): number | null {
  if (typeof input.transcript_path !== 'string' || input.transcript_path === '') return null;
  try {
    const st = statSync(input.transcript_path);
    return st.birthtimeMs > 0 ? st.birthtimeMs : null;
  } catch {
    return null;
  }
}
