/**
 * Failed commands that are not problems: the task asked for the failing command, the command is
 * a probe whose non-zero exit is its answer, or the same command succeeded later in the trace.
 * Reporting those as findings would make the suite punish the agent for doing what it was asked.
 */
import type { Span, Trace } from '../../schema/trace.js';
import { spanCommandText } from './common.js';

/** Why a failed command is not a finding. */
export type ExpectedFailureReason = 'asked-by-task' | 'probe' | 'later-succeeded' | 'ignored-pattern';

/** The `detect.ignore` rules (config), all on by default. */
export interface IgnoreRules {
  askedByTask: boolean;
  probes: boolean;
  laterSucceeded: boolean;
  /** Regular expressions (JavaScript source); a failed command matching one is never a finding. */
  commands: readonly string[];
}

export const DEFAULT_IGNORE_RULES: IgnoreRules = { askedByTask: true, probes: true, laterSucceeded: true, commands: [] };

/** A failed command `feedback detect` left out, and why. */
export interface SkippedFinding {
  traceId: string;
  spanId: string;
  detector: string;
  command: string;
  exitCode: number;
  reason: ExpectedFailureReason;
  /** The sentence that explains the skip. */
  detail: string;
}

/** The command a shell wrapper runs: `/bin/bash -lc 'npm test'` → `npm test`. */
export function unwrapShell(command: string): string {
  const m = /^\s*(?:\/\S*\/)?(?:ba|z|da)?sh\s+-l?c\s+(['"])([\s\S]*)\1\s*$/.exec(command);
  if (m) return m[2]!.replace(m[1] === "'" ? /'\\''/g : /\\"/g, m[1]!).trim();
  return command.trim();
}

/** Whitespace-split words with simple quote removal; enough to name a program and its paths. */
function words(command: string): string[] {
  return (command.match(/"[^"]*"|'[^']*'|\S+/g) ?? []).map((w) => w.replace(/^(['"])([\s\S]*)\1$/, '$2'));
}

/** The first simple command of a pipeline or list: `cd x && test -f y` → the part before the first `&&`, `||`, `;` or `|`. */
function simpleCommands(command: string): string[] {
  return command
    .split(/&&|\|\||;|\|/)
    .map((c) => c.trim())
    .filter((c) => c !== '');
}

const SCRIPT_WORD = /(?:\/|\.(?:sh|bash|py|js|mjs|cjs|ts|rb|pl|ps1)$)/;

/** Paths and script names a command runs, which a task would name when it asks for the run; with `stems`, also `flaky` for `flaky.sh`. */
function namedTargets(command: string, stems: boolean): string[] {
  const out = new Set<string>();
  for (const w of words(command)) {
    if (!SCRIPT_WORD.test(w) || w.startsWith('-')) continue;
    const path = w.replace(/^\.\//, '');
    out.add(path);
    const base = path.split('/').at(-1)!;
    if (base.length >= 3) out.add(base);
    const stem = base.replace(/\.[A-Za-z0-9]+$/, '');
    if (stems && stem.length >= 4 && stem !== base) out.add(stem);
  }
  return [...out];
}

// "reproduce the error", "run the failing script", "show me the failure", "why does X fail": the failure is the point.
const REPRODUCE =
  /\b(?:reproduce|repro)\b|\b(?:run|show|see|confirm|demonstrate)\b[^.?!]{0,40}\b(?:fail|fails|failing|failure|error|errors|broken)\b|\bwhy\b[^.?!]{0,40}\b(?:fail|fails|failing|errors?|breaks?)\b|\bexpected to fail\b/i;

const RUN_VERB = /\b(?:run|rerun|execute|launch|invoke)\b/;
const FILLER_WORDS = new Set(['run', 'do', 'the', 'script', 'scripts', 'bin', 'sh']);

/** "Run the test script" for `./run-tests.sh`: every word of a script's name is in the task (tests ≈ test). */
function scriptDescribed(command: string, task: string): boolean {
  const taskWords = task.match(/[a-z0-9]+/g) ?? [];
  return namedTargets(command, false)
    .filter((t) => !t.includes('/'))
    .some((base) => {
      const parts = base
        .replace(/\.[a-z0-9]+$/, '')
        .split(/[-_.]+/)
        .filter((w) => w.length >= 3 && !FILLER_WORDS.has(w));
      return parts.length > 0 && parts.every((w) => taskWords.some((t) => t.startsWith(w.slice(0, Math.max(4, w.length - 1)))));
    });
}

/** True when the task names the command, or a script it runs, or asks to reproduce a failure of its program. */
export function askedByTask(task: string | null, command: string): boolean {
  if (!task) return false;
  const text = task.toLowerCase();
  const cmd = unwrapShell(command).toLowerCase();
  if (cmd.length >= 4 && text.includes(cmd)) return true;
  const names = (stems: boolean) => namedTargets(cmd, stems).some((t) => new RegExp(`(?<![\\w/.-])${escapeRegExp(t)}(?![\\w-])`).test(text));
  if (names(false)) return true;
  if (RUN_VERB.test(text) && scriptDescribed(cmd, text)) return true;
  if (!REPRODUCE.test(text)) return false;
  if (names(true)) return true;
  // "reproduce the failing npm test": the program or its subcommand is named.
  const [program, sub] = words(simpleCommands(cmd)[0] ?? '');
  return [program, sub].some((w) => w !== undefined && w.length >= 3 && !w.startsWith('-') && new RegExp(`\\b${escapeRegExp(w)}\\b`).test(text));
}

/** Probes answer a yes/no question with their exit code; 1 is "no", not a failure. */
export function probeKind(command: string, exitCode: number, later: readonly Span[]): string | null {
  const first = simpleCommands(unwrapShell(command))[0];
  if (!first) return null;
  const w = words(first).filter((x, i) => i > 0 || !/^\w+=/.test(x));
  const [program, ...args] = w;
  if (program === undefined) return null;
  if (exitCode === 1) {
    if (program === 'test' || program === '[' || program === '[[') return `\`${program}\` answers a condition with its exit code`;
    if ((program === 'grep' || program === 'egrep' || program === 'fgrep' || program === 'rg') && args.some((a) => /^-[A-Za-z]*q|^--quiet$|^--silent$/.test(a)))
      return `\`${program} -q\` exits 1 when nothing matches`;
    if (
      program === 'git' &&
      (args[0] === 'diff' || args[0] === 'diff-index' || args[0] === 'diff-files') &&
      args.some((a) => a === '--quiet' || a === '--exit-code')
    )
      return '`git diff --quiet` exits 1 when there are changes';
    if (program === 'which' || program === 'type' || program === 'hash') return `\`${program}\` exits 1 when the program is not installed`;
    if (program === 'command' && (args[0] === '-v' || args[0] === '-V')) return '`command -v` exits 1 when the program is not installed';
  }
  if (program === 'ls' || program === 'stat' || (program === 'test' && exitCode === 1)) {
    const paths = args.filter((a) => !a.startsWith('-'));
    if (paths.length > 0 && paths.every((p) => createdLater(p, later))) return `\`${program}\` of a path the agent then created`;
  }
  return null;
}

/** True when a later span writes the path (a patch, a file change, a shell write) or a later listing of it succeeds. */
function createdLater(path: string, later: readonly Span[]): boolean {
  const clean = path.replace(/^\.\//, '').replace(/\/$/, '');
  if (clean === '' || clean === '.') return false;
  const mentions = new RegExp(`(?<![\\w.-])(?:\\./)?${escapeRegExp(clean)}(?![\\w-])`);
  for (const span of later) {
    if (span.kind !== 'tool_call') continue;
    const input = typeof span.input === 'string' ? span.input : JSON.stringify(span.input ?? '');
    const command = spanCommandText(span) ?? '';
    if (/apply_patch|file_change|write|edit/i.test(span.name) && (mentions.test(input) || mentions.test(JSON.stringify(span.attributes)))) return true;
    if (/\*\*\* (?:Add|Update) File: /.test(input) && mentions.test(input)) return true;
    if (span.exitCode === 0 && mentions.test(command) && /(?:>|\b(?:touch|mkdir|cp|mv|tee|install|ln)\b|\bls\b|\btest\b)/.test(command)) return true;
  }
  return false;
}

/** The normalized text two runs of the same command share. */
function sameCommandKey(command: string): string {
  return unwrapShell(command).replace(/\s+/g, ' ').trim();
}

/** Why this failed command span is expected, or null when it is a finding. */
export function expectedFailure(trace: Trace, index: number, rules: IgnoreRules): { reason: ExpectedFailureReason; detail: string } | null {
  const span = trace.spans[index]!;
  const exitCode = span.exitCode ?? 0;
  const command = spanCommandText(span) ?? span.name;
  for (const source of rules.commands) {
    if (safeRegExp(source)?.test(unwrapShell(command))) return { reason: 'ignored-pattern', detail: `matches detect.ignore.commands pattern /${source}/` };
  }
  const later = trace.spans.slice(index + 1);
  if (rules.probes) {
    const probe = probeKind(command, exitCode, later);
    if (probe) return { reason: 'probe', detail: `a probe: ${probe}` };
  }
  if (rules.laterSucceeded) {
    const key = sameCommandKey(command);
    const retry = later.find((s) => s.kind === 'tool_call' && s.exitCode === 0 && sameCommandKey(spanCommandText(s) ?? s.name) === key);
    if (retry) return { reason: 'later-succeeded', detail: `the same command succeeded later (span ${retry.id})` };
  }
  if (rules.askedByTask && askedByTask(trace.task, command))
    return { reason: 'asked-by-task', detail: 'the task asked for this command (or to reproduce its failure)' };
  return null;
}

function safeRegExp(source: string): RegExp | null {
  try {
    return new RegExp(source);
  } catch {
    return null;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
