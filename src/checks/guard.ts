// The edit guard's verdict on one tool call: every path it writes, resolved through `..`, `~`,
// `cd` and symlinks, must be a harness file on the allow-list; anything it cannot resolve is denied.
import { existsSync, lstatSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { matchesAny } from './glob.js';
import { classify, LAYOUT, type Protection } from '../workspace/layout.js';
import type { HookInput } from './hook-runtime.js';
import type { ShellWrite } from './shell-writes.js';
import { toolCallWrites } from './tool-writes.js';

/** What the guard enforces and why it is on. */
export interface GuardPolicy {
  /** Repository root (absolute). */
  root: string;
  /** Globs of the files that may change, repository-relative. */
  allow: string[];
  /** Why the guard is active, for the message: "the cycle is in its implement phase". */
  why: string;
}

/** The verdict: allowed, or denied with a reason the model can act on. */
export interface GuardVerdict {
  allowed: boolean;
  reason: string;
  /** Paths the call writes (repository-relative where inside), for the log. */
  paths: string[];
}

const DEVICES = /^\/dev\/(null|zero|stdout|stderr|stdin|tty|full|random|urandom|fd\/\d+)$|^\/proc\/self\/fd\/\d+$/;
// A name no allow-list glob is written for, so "may everything below this folder change?" can be asked.
const PROBE = '__harness_guard_probe__/__probe__.__probe__';

/** Judges one PreToolUse call. */
export function judgeToolCall(input: HookInput, policy: GuardPolicy, home: string): GuardVerdict {
  const found = toolCallWrites(input, home);
  if (found.kind === 'none') return { allowed: true, reason: 'the call writes no file', paths: [] };
  if (found.kind === 'unreadable') return deny(policy, [], [found.reason]);
  const blocked: string[] = [];
  const paths = found.writes.map((w) => display(w.path, policy.root));
  for (const w of found.writes) {
    const why = checkWrite(w, policy);
    if (why) blocked.push(`${display(w.path, policy.root)} (${w.via}) ${why}`);
    else if (w.linkTo !== undefined) {
      // A link into a non-harness file would let the next write through it change that file.
      const to = checkWrite({ ...w, path: w.linkTo, linkTo: undefined }, policy);
      if (to) blocked.push(`${display(w.path, policy.root)} (${w.via}) would point at ${display(w.linkTo, policy.root)}, which ${to}`);
    }
  }
  if (blocked.length === 0 && found.unknown.length === 0) return { allowed: true, reason: paths.length > 0 ? 'every path written is a harness file' : 'the call writes no file', paths };
  return { ...deny(policy, blocked, found.unknown), paths };
}

/** Why `w` may not be written, or null when it may. */
export function checkWrite(w: ShellWrite, policy: GuardPolicy): string | null {
  if (DEVICES.test(w.path)) return null;
  const real = realPathOf(w.path);
  const realRoot = realPathOf(policy.root);
  const realRel = relative(realRoot, real);
  if (isOutside(realRel)) {
    if (tempRoots().some((t) => !isOutside(relative(t, real)))) return null;
    return 'is outside the repository';
  }
  const rels = [realRel];
  const lexRel = relative(policy.root, w.path);
  if (!isOutside(lexRel) && lexRel !== realRel) rels.unshift(lexRel);
  for (const rel of rels) {
    const posix = rel.split(sep).join('/');
    if (posix === '') return 'is the repository itself';
    // The declared layout outranks the allow-list: loop state, the exam and the guard's own files
    // stay the commands' to write, or an agent could rewrite its baseline, its exam or its guard.
    const why = protectedReason(posix, w.subtree);
    if (why) return why;
    if (!matchesAny(posix, policy.allow)) return rel === realRel && rels.length > 1 ? `is a symlink to ${posix}, which is not a harness file` : 'is not a harness file';
    if (w.subtree && mayBeFolder(real) && !matchesAny(`${posix}/${PROBE}`, policy.allow)) return 'is a folder whose contents are not all harness files';
  }
  return null;
}

/** Why a path (or, for a folder write, anything below it) is out of the agent's reach, or null. */
export function protectedReason(posix: string, subtree: boolean): string | null {
  const entry = classify(posix);
  const below = subtree ? LAYOUT.find((e) => e.protection !== 'harness-config' && (e.path.startsWith(`${posix}/`) || posix === '.' )) : undefined;
  const hit = entry && entry.protection !== 'harness-config' ? entry : below;
  if (!hit) return null;
  return `${hit === below && hit !== entry ? 'holds ' : 'is '}${PROTECTION_WORDS[hit.protection]}`;
}

const PROTECTION_WORDS: Record<Protection, string> = {
  'harness-config': 'harness config',
  'loop-state': 'loop state that only harness-loop commands write',
  exam: 'part of the exam (eval suite, providers, recorded verdicts) the change is judged by',
  guard: "the edit guard's own files",
};

/** The deny answer Codex honours for PreToolUse (codex-hooks.md §7.2): exactly these keys. */
export function renderGuardDeny(reason: string): string {
  return JSON.stringify({ hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: 'deny', permissionDecisionReason: reason } });
}

function deny(policy: GuardPolicy, blocked: string[], unknown: string[]): GuardVerdict {
  const lines = [`harness-loop edit guard: ${policy.why}, so only harness files may change.`];
  for (const b of blocked.slice(0, 8)) lines.push(`- ${b}`);
  if (blocked.length > 8) lines.push(`- … and ${blocked.length - 8} more`);
  for (const u of unknown.slice(0, 4)) lines.push(`- cannot tell what this writes: ${u}`);
  lines.push(`You may edit: ${policy.allow.join(', ')}. Make the change there (for example an AGENTS.md rule or a skill), using apply_patch or a command whose written paths are literal.`);
  return { allowed: false, reason: lines.join('\n'), paths: [] };
}

function display(path: string, root: string): string {
  const rel = relative(root, path);
  return isOutside(rel) ? path : rel.split(sep).join('/') || '.';
}

function isOutside(rel: string): boolean {
  return rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel);
}

/** The real path of `path`, resolving symlinks in the part that exists (the rest may be created). */
export function realPathOf(path: string, depth = 0): string {
  let dir = path;
  const rest: string[] = [];
  for (;;) {
    try {
      // A dangling symlink is where the write would land: follow what it points to.
      if (depth < 40 && lstatSync(dir).isSymbolicLink() && !existsSync(dir)) {
        return join(realPathOf(resolve(dirname(dir), readlinkSync(dir)), depth + 1), ...rest);
      }
      return join(realpathSync(dir), ...rest);
    } catch {
      const up = dirname(dir);
      if (up === dir) return path;
      rest.unshift(basename(dir));
      dir = up;
    }
  }
}

function mayBeFolder(real: string): boolean {
  try {
    return statSync(real).isDirectory();
  } catch {
    return true; // not there yet: `cp -r dir new` creates a folder
  }
}

let temps: string[] | null = null;
function tempRoots(): string[] {
  temps ??= [...new Set(['/tmp', '/var/tmp', '/dev/shm', process.env.TMPDIR ?? '/tmp'].flatMap((t) => (existsSync(t) ? [realpathSync(t)] : [])))];
  return temps;
}
