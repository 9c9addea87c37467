// What a shell command line writes: every redirection and every command that the rules in
// shell-rules.ts know to write, followed through wrappers (`bash -c`, `env`, `xargs`, `find -exec`),
// `cd`, variables and here-docs. What it cannot follow becomes an `unknown` reason, never a guess.
import { statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { parseShell, ShellParseError, type Command, type Redirect, type Script, type SimpleCommand, type Word } from './shell-parse.js';
import { copyScope, expandWord, resolveArg, type Arg, type ShellScope } from './shell-words.js';
import { ruleFor, KEYWORDS } from './shell-rules.js';
import type { PatchHunk } from './apply-patch.js';

/** One path a command writes (or removes), absolute and normalised, not yet symlink-resolved. */
export interface ShellWrite {
  path: string;
  /** The command or redirection that writes, for messages: `sed -i`, `redirection >`. */
  via: string;
  op: 'write' | 'delete';
  /** When `path` is (or becomes) a folder, everything below it changes too (`rm -r`, `cp -r`, `tar -x -C`). */
  subtree: boolean;
  /** For links made by `ln`: the absolute path the link points to (writing through it writes there). */
  linkTo?: string;
  /** For apply_patch: the hunk that writes this path and the absolute file it reads (so the result can be computed). */
  patch?: { hunk: PatchHunk; source: string };
}

/** A file a command runs as a program (`./x`, `bash x.sh`, `node x.js`, `source x`). */
export interface ShellExec {
  path: string;
  via: string;
}

/** The writes found, plus the reasons a write could not be determined. */
export interface ShellAnalysis {
  writes: ShellWrite[];
  unknown: string[];
  /** Files run as programs: what they write cannot be known from the command line. */
  executes: ShellExec[];
}

/** Where a command's standard input comes from. */
export type Stdin = { kind: 'none' | 'pipe' } | { kind: 'file'; from?: Arg } | { kind: 'text'; text: string | null; raw: string };

/** What a rule sees and may do. */
export interface RuleContext {
  scope: ShellScope;
  stdin: Stdin;
  /** Set inside `xargs` / `find -exec`, which add arguments the guard cannot see. */
  appendedBy: string | null;
  /** Records a write of `arg` (resolved against `base`, default the cwd). */
  write(arg: Arg, via: string, op?: 'write' | 'delete', subtree?: boolean, base?: string | null, patch?: PatchHunk): void;
  /** Records that `arg` is run as a program. */
  execute(arg: Arg, via: string): void;
  /** Records a link `link` made by ln pointing at `target` (symbolic: relative to the link's folder). */
  link(link: Arg, target: Arg, symbolic: boolean): void;
  /** Records that the guard cannot tell what happens, and why. */
  unknown(reason: string): void;
  /** Runs an argument vector as a command (wrappers call this with what they wrap). */
  run(argv: Arg[], options?: { stdin?: Stdin; appendedBy?: string; cwd?: string | null }): void;
  /** Runs shell source, as `bash -c` or `eval` would (`shared` keeps this shell's cwd and variables). */
  runSource(source: string, via: string, shared?: boolean): void;
  /** Whether `text` names an existing directory (relative to the cwd). */
  isDir(text: string | null): boolean;
}

/** A rule for one command name; returns true when its operands are write targets (so `xargs` makes them unknown). */
export type Rule = (args: Arg[], ctx: RuleContext, name: string) => boolean | void;

/** Options for one analysis. */
export interface ShellOptions {
  cwd: string;
  home: string;
}

/** Everything a command line writes, as far as the guard can tell. */
export function analyzeShell(command: string, options: ShellOptions): ShellAnalysis {
  const out: ShellAnalysis = { writes: [], unknown: [], executes: [] };
  const scope: ShellScope = { cwd: options.cwd, home: options.home, vars: new Map(), dirStack: [] };
  walkSource(command, scope, out, 'the command');
  return out;
}

function walkSource(source: string, scope: ShellScope, out: ShellAnalysis, via: string): void {
  let script: Script;
  try {
    script = parseShell(source);
  } catch (error) {
    if (!(error instanceof ShellParseError)) throw error;
    out.unknown.push(`cannot parse ${via}: ${error.message}`);
    return;
  }
  walkScript(script, scope, out);
}

function walkScript(script: Script, scope: ShellScope, out: ShellAnalysis): void {
  for (const command of script.commands) walkCommand(command, scope, out);
}

function walkCommand(command: Command, scope: ShellScope, out: ShellAnalysis): void {
  if (command.kind === 'subshell') {
    walkScript(command.body, copyScope(scope), out);
    walkRedirects(command.redirects, scope, out);
    return;
  }
  for (const word of command.words) walkSubstitutions(word, scope, out);
  for (const r of command.redirects) {
    walkSubstitutions(r.target, scope, out);
    for (const s of r.heredoc?.substs ?? []) walkScript(s, copyScope(scope), out);
  }
  walkRedirects(command.redirects, scope, out);

  let first = 0;
  const assignments: [string, Word][] = [];
  for (; first < command.words.length; first++) {
    const word = command.words[first]!;
    const head = word.parts[0];
    if (head?.kind !== 'lit' || head.quoted) break;
    const m = /^([A-Za-z_]\w*)\+?=/.exec(head.text);
    if (!m) break;
    assignments.push([m[1]!, { raw: word.raw, parts: [{ ...head, text: head.text.slice(m[0].length) }, ...word.parts.slice(1)] }]);
  }
  if (first === command.words.length) {
    // Plain assignments change this shell's variables; `X=1 cmd` only cmd's environment.
    for (const [name, value] of assignments) scope.vars.set(name, expandWord(value, scope, true)[0]!.text);
    return;
  }
  const argv = command.words.slice(first).flatMap((w) => expandWord(w, scope));
  runArgv(argv, { scope, out, stdin: stdinOf(command, scope), appendedBy: null });
}

function walkSubstitutions(word: Word, scope: ShellScope, out: ShellAnalysis): void {
  for (const part of word.parts) if (part.kind === 'subst') walkScript(part.script, copyScope(scope), out);
}

const WRITE_OPS = new Set(['>', '>>', '>|', '&>', '&>>', '<>', '>&']);

function walkRedirects(redirects: Redirect[], scope: ShellScope, out: ShellAnalysis): void {
  for (const r of redirects) {
    if (!WRITE_OPS.has(r.op)) continue;
    const targets = expandWord(r.target, scope);
    // `>&2` and `2>&-` duplicate or close a descriptor.
    if (r.op === '>&' && targets.length === 1 && /^(\d+|-)$/.test(targets[0]!.text ?? '')) continue;
    for (const arg of targets) addWrite(out, scope, arg, `redirection ${r.fd}${r.op}`, 'write', false);
  }
}

function stdinOf(command: SimpleCommand, scope: ShellScope): Stdin {
  for (const r of [...command.redirects].reverse()) {
    if (r.fd !== '' && r.fd !== '0') continue;
    if (r.heredoc) return { kind: 'text', text: r.heredoc.body, raw: `<<${r.target.raw}` };
    if (r.op === '<<<') {
      const arg = expandWord(r.target, scope, true)[0]!;
      return { kind: 'text', text: arg.text === null ? null : `${arg.text}\n`, raw: `<<<${r.target.raw}` };
    }
    if (r.op === '<' || r.op === '<>') return { kind: 'file', from: expandWord(r.target, scope, true)[0] };
  }
  return { kind: command.pipedIn ? 'pipe' : 'none' };
}

interface RunState {
  scope: ShellScope;
  out: ShellAnalysis;
  stdin: Stdin;
  appendedBy: string | null;
}

function runArgv(argv: Arg[], state: RunState): void {
  if (argv.length === 0) return;
  const head = argv[0]!;
  if (head.text === null) {
    state.out.unknown.push(`the command name ${head.raw} cannot be known: ${head.reason}`);
    return;
  }
  const name = basename(head.text);
  if (head.text.includes('/')) contextFor(state).execute(head, 'run as a program');
  if (KEYWORDS.has(name)) {
    runArgv(argv.slice(name === 'function' ? 2 : 1), state);
    return;
  }
  const rule = ruleFor(name);
  const ctx = contextFor(state);
  const writesOperands = rule(argv.slice(1), ctx, name);
  if (writesOperands && state.appendedBy) state.out.unknown.push(`${state.appendedBy} adds paths for ${name} that the guard cannot see`);
}

function contextFor(state: RunState): RuleContext {
  const { scope, out } = state;
  return {
    scope,
    stdin: state.stdin,
    appendedBy: state.appendedBy,
    write: (arg, via, op = 'write', subtree = false, base, patch) => addWrite(out, scope, arg, via, op, subtree, base, patch),
    execute: (arg, via) => {
      const path = arg.text === null ? null : resolveArg(arg.text, scope.cwd);
      if (path === null) out.unknown.push(`${via} runs ${arg.raw}, which the guard cannot resolve`);
      else out.executes.push({ path, via });
    },
    unknown: (reason) => out.unknown.push(reason),
    link: (link, target, symbolic) => {
      const before = out.writes.length;
      addWrite(out, scope, link, symbolic ? 'ln -s' : 'ln', 'write', false);
      const made = out.writes[before];
      if (!made) return;
      const to = target.text === null ? null : symbolic ? resolveArg(target.text, dirname(made.path)) : resolveArg(target.text, scope.cwd);
      if (to === null) out.unknown.push(`ln points ${link.raw} at ${target.raw}, which the guard cannot resolve`);
      else made.linkTo = to;
    },
    run: (argv, options = {}) => {
      const inner = options.cwd !== undefined ? { ...copyScope(scope), cwd: options.cwd } : scope;
      runArgv(argv, { scope: inner, out, stdin: options.stdin ?? state.stdin, appendedBy: options.appendedBy ?? state.appendedBy });
    },
    runSource: (source, via, shared = false) => walkSource(source, shared ? scope : copyScope(scope), out, via),
    isDir: (text) => {
      if (text === null) return false;
      const abs = resolveArg(text, scope.cwd);
      try {
        return abs !== null && statSync(abs).isDirectory();
      } catch {
        return false;
      }
    },
  };
}

function addWrite(
  out: ShellAnalysis,
  scope: ShellScope,
  arg: Arg,
  via: string,
  op: 'write' | 'delete',
  subtree: boolean,
  base?: string | null,
  patch?: PatchHunk,
): void {
  if (arg.text === null) {
    out.unknown.push(`${via} writes to ${arg.raw}, which the guard cannot resolve: ${arg.reason}`);
    return;
  }
  const path = resolveArg(arg.text, base === undefined ? scope.cwd : base);
  if (path === null) {
    out.unknown.push(`${via} writes to ${arg.raw} relative to a directory the guard cannot follow (after a cd it could not resolve)`);
    return;
  }
  const write: ShellWrite = { path, via, op, subtree };
  if (patch) write.patch = { hunk: patch, source: patch.op === 'update' ? (resolveArg(patch.path, scope.cwd) ?? path) : path };
  out.writes.push(write);
}
