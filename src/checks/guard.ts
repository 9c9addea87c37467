// The edit guard's verdict on one tool call: every path it writes, resolved through `..`, `~`,
// `cd` and symlinks, must be a harness file on the allow-list; anything it cannot resolve is denied.
import { existsSync, lstatSync, readFileSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { matchesAny } from './glob.js';
import { classify, LAYOUT, type Protection } from '../workspace/layout.js';
import type { HookInput } from './hook-runtime.js';
import type { ShellWrite } from './shell-writes.js';
import { toolCallWrites } from './tool-writes.js';
import { applyChunks } from './apply-patch.js';
import { MiniYamlError, parseMiniYaml } from './mini-yaml.js';
import { isOurHandler } from '../install/hooks-json.js';

/** What the guard enforces and why it is on. */
export interface GuardPolicy {
  /** Repository root (absolute). */
  root: string;
  /** Globs of the files that may change, repository-relative. */
  allow: string[];
  /** Why the guard is active, for the message: "the cycle is in its implement phase". */
  why: string;
  /** Tool names (besides Codex's read-only built-ins) that write nothing, from `guard.readOnlyTools`. */
  readOnlyTools?: string[];
  /**
   * When the cycle started (ms since the epoch): a file changed since then must not be run, since
   * what it writes cannot be known. Null when unknown; then only files the same call writes count.
   */
  since?: number | null;
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
  if (found.kind === 'other') {
    if (matchesAny(found.tool, policy.readOnlyTools ?? [])) return { allowed: true, reason: `${found.tool} is listed in guard.readOnlyTools`, paths: [] };
    return deny(
      policy,
      [],
      [
        `${found.tool} is not a shell or apply_patch call, so what it changes cannot be checked (list it in guard.readOnlyTools in .harness-loop/config.yaml if it writes nothing)`,
      ],
    );
  }
  const blocked: string[] = [];
  const paths = found.writes.map((w) => display(w.path, policy.root));
  for (const w of found.writes) {
    const why = checkWrite(w, policy) ?? checkProtectedParts(w, policy, found.writes);
    if (why) blocked.push(`${display(w.path, policy.root)} (${w.via}) ${why}`);
    else if (w.linkTo !== undefined) {
      // A link into a non-harness file would let the next write through it change that file.
      const to = checkWrite({ ...w, path: w.linkTo, linkTo: undefined }, policy);
      if (to) blocked.push(`${display(w.path, policy.root)} (${w.via}) would point at ${display(w.linkTo, policy.root)}, which ${to}`);
    }
  }
  const written = new Set(found.writes.map((w) => realPathOf(w.path)));
  for (const x of found.executes) {
    const why = checkExecute(x.path, policy, written);
    if (why) blocked.push(`${display(x.path, policy.root)} (${x.via}) ${why}`);
  }
  if (blocked.length === 0 && found.unknown.length === 0)
    return { allowed: true, reason: paths.length > 0 ? 'every path written is a harness file' : 'the call writes no file', paths };
  return { ...deny(policy, blocked, found.unknown), paths };
}

/**
 * Why running `path` is refused, or null: a file created or changed in this cycle (or by this very
 * call) could write anything, and the guard cannot see what.
 */
export function checkExecute(path: string, policy: GuardPolicy, writtenByCall: Set<string>): string | null {
  const real = realPathOf(path);
  if (writtenByCall.has(real)) return 'is written by this same call and then run; what it writes cannot be known';
  let ctime: number;
  try {
    const st = statSync(real);
    if (!st.isFile()) return null;
    ctime = Math.max(st.ctimeMs, st.mtimeMs);
  } catch {
    return null; // not there: the shell will fail to run it
  }
  if (policy.since !== null && policy.since !== undefined && ctime >= policy.since)
    return 'was created or changed during this cycle; running it could write anything, so it is refused';
  return null;
}

/**
 * For harness-config files that also hold the guard's own settings (the config's `guard` key,
 * harness-loop's handlers in hooks.json): the edit is allowed only when that part stays the same,
 * which needs the file's content after the call, known only for apply_patch.
 */
function checkProtectedParts(w: ShellWrite, policy: GuardPolicy, all: ShellWrite[]): string | null {
  const rel = relative(realPathOf(policy.root), realPathOf(w.path)).split(sep).join('/');
  const entry = classify(rel);
  const parts = entry?.protectedParts;
  if (!parts) return null;
  const what = parts.kind === 'yaml-keys' ? `the guard's settings (${parts.keys.map((k) => `\`${k}\``).join(', ')})` : "harness-loop's hook entries";
  if (all.filter((x) => realPathOf(x.path) === realPathOf(w.path)).length > 1)
    return `is changed twice in one call, so the guard cannot tell whether ${what} stay the same; change it once`;
  let before: string | null;
  try {
    before = readFileSync(w.path, 'utf8');
  } catch {
    before = null;
  }
  let after: string | null;
  if (w.op === 'delete') after = null;
  else if (!w.patch) return `holds ${what}; edit it with apply_patch so the guard can check that they stay the same`;
  else if (w.patch.hunk.op === 'add') after = w.patch.hunk.contents;
  else if (w.patch.hunk.op === 'update') {
    let source: string;
    try {
      source = readFileSync(w.patch.source, 'utf8');
    } catch {
      return null; // Codex fails the patch: nothing is written
    }
    after = applyChunks(source, w.patch.hunk.chunks);
    if (after === null) return null; // Codex fails the patch: nothing is written
  } else after = null;
  const same = parts.kind === 'yaml-keys' ? sameYamlKeys(before, after, parts.keys) : sameOurHandlers(before, after);
  return same ? null : `would change ${what}, which are not agent-editable`;
}

function sameYamlKeys(before: string | null, after: string | null, keys: string[]): boolean {
  const pick = (text: string | null): string | null => {
    if (text === null) return JSON.stringify(keys.map(() => null));
    try {
      const doc = parseMiniYaml(text) as Record<string, unknown> | null;
      return JSON.stringify(keys.map((k) => (doc && typeof doc === 'object' ? (doc[k] ?? null) : null)));
    } catch (error) {
      if (error instanceof MiniYamlError) return null;
      throw error;
    }
  };
  const a = pick(after);
  return a !== null && a === pick(before);
}

function sameOurHandlers(before: string | null, after: string | null): boolean {
  const ours = (text: string | null): string | null => {
    if (text === null) return '[]';
    try {
      const file = JSON.parse(text) as { hooks?: Record<string, { matcher?: string; hooks?: { command?: unknown }[] }[]> };
      const found: unknown[] = [];
      for (const [event, groups] of Object.entries(file?.hooks ?? {})) {
        if (!Array.isArray(groups)) continue;
        groups.forEach((g, gi) =>
          (Array.isArray(g?.hooks) ? g.hooks : []).forEach((h, hi) => isOurHandler(h ?? {}) && found.push([event, gi, hi, g.matcher ?? null, h])),
        );
      }
      return JSON.stringify(found);
    } catch {
      return null;
    }
  };
  const a = ours(after);
  return a !== null && a === ours(before);
}

/** Why `w` may not be written, or null when it may. */
export function checkWrite(w: ShellWrite, policy: GuardPolicy): string | null {
  if (DEVICES.test(w.path)) return null;
  const real = realPathOf(w.path);
  const realRoot = realPathOf(policy.root);
  const realRel = relative(realRoot, real);
  // Everything outside the repository is refused, temp folders included: a repository (or an eval's
  // scratch copy) may itself live in /tmp, where `../x` would otherwise reach its neighbours.
  if (isOutside(realRel)) return 'is outside the repository';
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
    if (!matchesAny(posix, policy.allow))
      return rel === realRel && rels.length > 1 ? `is a symlink to ${posix}, which is not a harness file` : 'is not a harness file';
    if (w.subtree && mayBeFolder(real) && !matchesAny(`${posix}/${PROBE}`, policy.allow)) return 'is a folder whose contents are not all harness files';
  }
  return null;
}

/** Why a path (or, for a folder write, anything below it) is out of the agent's reach, or null. */
export function protectedReason(posix: string, subtree: boolean): string | null {
  const entry = classify(posix);
  const below = subtree ? LAYOUT.find((e) => e.protection !== 'harness-config' && (e.path.startsWith(`${posix}/`) || posix === '.')) : undefined;
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
  lines.push(
    `You may edit: ${policy.allow.join(', ')}. Make the change there (for example an AGENTS.md rule or a skill), using apply_patch or a command whose written paths are literal.`,
  );
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
