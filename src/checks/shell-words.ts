// Turns parsed shell words into argument strings the way bash would, as far as the guard can know:
// variables it has seen assigned, `~`, brace expansion and globs (listed on disk). Anything that
// depends on what a command prints, or on a variable it has not seen, stays unknown with a reason.
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Word } from './shell-parse.js';

/** What the guard follows of the shell's state: cwd (null once it cannot tell) and variables (null = unknown value). */
export interface ShellScope {
  cwd: string | null;
  home: string;
  vars: Map<string, string | null>;
  dirStack: (string | null)[];
}

/** One argument after expansion: its text, or null with the reason it cannot be known. */
export interface Arg {
  text: string | null;
  /** The word as written, for messages. */
  raw: string;
  reason?: string;
}

/** A copy for a subshell, whose `cd` and assignments do not leak out. */
export function copyScope(scope: ShellScope): ShellScope {
  return { cwd: scope.cwd, home: scope.home, vars: new Map(scope.vars), dirStack: [...scope.dirStack] };
}

// Per character: quoted, unquoted literal, or unquoted result of an expansion (split, globbed, not brace-expanded).
type Ch = { c: string; k: 'q' | 'u' | 'e' };

const MAX_FIELDS = 256;
const MAX_MATCHES = 500;

/** The value of `$name` as far as the guard knows; undefined when it does not. */
export function lookupVar(name: string, scope: ShellScope): string | null | undefined {
  if (scope.vars.has(name)) return scope.vars.get(name);
  if (name === 'HOME') return scope.home;
  if (name === 'PWD') return scope.cwd;
  return undefined;
}

/**
 * Expands one word into arguments. `assignment` mode (the value of `X=…`) skips splitting,
 * brace expansion and globbing, as bash does.
 */
export function expandWord(word: Word, scope: ShellScope, assignment = false): Arg[] {
  const chs: Ch[] = [];
  let sawQuote = false;
  for (const part of word.parts) {
    if (part.kind === 'lit') {
      sawQuote ||= part.quoted;
      for (const c of part.text) chs.push({ c, k: part.quoted ? 'q' : 'u' });
    } else if (part.kind === 'var') {
      sawQuote ||= part.quoted;
      const value = part.complex ? undefined : lookupVar(part.name, scope);
      if (value === undefined || value === null) return [unknown(word, `$${part.name} is not known to the guard`)];
      for (const c of value) chs.push({ c, k: part.quoted || assignment ? 'q' : 'e' });
    } else if (part.kind === 'tilde') {
      if (part.user !== '') return [unknown(word, `~${part.user} is another user's home`)];
      for (const c of scope.home) chs.push({ c, k: 'q' });
    } else if (part.kind === 'subst') {
      return [unknown(word, 'it is the output of a command substitution')];
    } else {
      return [unknown(word, 'it is computed by arithmetic')];
    }
  }
  if (assignment) return [{ text: chs.map((x) => x.c).join(''), raw: word.raw }];
  const fields = splitFields(chs, sawQuote);
  const out: Arg[] = [];
  for (const field of fields) {
    const braced = expandBraces(field);
    if (braced === null) return [unknown(word, 'its brace expansion is too large')];
    for (const b of braced) {
      const globbed = expandGlob(b, scope.cwd);
      if (typeof globbed === 'string') return [unknown(word, globbed)];
      for (const text of globbed) out.push({ text, raw: word.raw });
    }
  }
  return out;
}

function unknown(word: Word, reason: string): Arg {
  return { text: null, raw: word.raw, reason };
}

/** Unquoted expansion results split at blanks; an unquoted empty expansion yields no argument. */
function splitFields(chs: Ch[], sawQuote: boolean): Ch[][] {
  const fields: Ch[][] = [];
  let cur: Ch[] = [];
  let touched = sawQuote;
  for (const ch of chs) {
    if (ch.k === 'e' && /\s/.test(ch.c)) {
      if (cur.length > 0 || touched) fields.push(cur);
      cur = [];
      touched = false;
      continue;
    }
    if (ch.k !== 'e') touched = true;
    cur.push(ch);
  }
  if (cur.length > 0 || touched) fields.push(cur);
  return fields;
}

/** Bash brace expansion on unquoted braces: `{a,b}`, `{1..3}`, `{a..c}`; null past MAX_FIELDS. */
function expandBraces(chs: Ch[]): Ch[][] | null {
  for (let i = 0; i < chs.length; i++) {
    if (chs[i]!.c !== '{' || chs[i]!.k !== 'u') continue;
    let depth = 0;
    let close = -1;
    const commas: number[] = [];
    for (let j = i; j < chs.length && close < 0; j++) {
      const ch = chs[j]!;
      if (ch.k !== 'u') continue;
      if (ch.c === '{') depth++;
      else if (ch.c === '}' && --depth === 0) close = j;
      else if (ch.c === ',' && depth === 1) commas.push(j);
    }
    if (close < 0) continue;
    let alts: Ch[][];
    if (commas.length > 0) {
      alts = [];
      let start = i + 1;
      for (const at of [...commas, close]) {
        alts.push(chs.slice(start, at));
        start = at + 1;
      }
    } else {
      const seq = sequence(
        chs
          .slice(i + 1, close)
          .map((x) => x.c)
          .join(''),
      );
      if (!seq) continue;
      alts = seq.map((s) => [...s].map((c) => ({ c, k: 'q' as const })));
    }
    const out: Ch[][] = [];
    for (const alt of alts) {
      const more = expandBraces([...chs.slice(0, i), ...alt, ...chs.slice(close + 1)]);
      if (more === null) return null;
      out.push(...more);
      if (out.length > MAX_FIELDS) return null;
    }
    return out;
  }
  return [chs];
}

function sequence(body: string): string[] | null {
  const num = /^(-?\d+)\.\.(-?\d+)$/.exec(body);
  const chr = /^([a-zA-Z])\.\.([a-zA-Z])$/.exec(body);
  if (!num && !chr) return null;
  const from = num ? Number(num[1]) : chr![1]!.charCodeAt(0);
  const to = num ? Number(num[2]) : chr![2]!.charCodeAt(0);
  if (Math.abs(to - from) > MAX_FIELDS) return null;
  const out: string[] = [];
  for (let v = from; from <= to ? v <= to : v >= to; v += from <= to ? 1 : -1) out.push(num ? String(v) : String.fromCharCode(v));
  return out;
}

/** Pathname expansion against the disk, like bash without nullglob; a string is a reason it cannot. */
function expandGlob(chs: Ch[], cwd: string | null): string[] | string {
  const text = chs.map((x) => x.c).join('');
  if (!chs.some((x) => x.k !== 'q' && (x.c === '*' || x.c === '?' || x.c === '['))) return [text];
  const segments: Ch[][] = [[]];
  for (const ch of chs) {
    if (ch.c === '/') segments.push([]);
    else segments[segments.length - 1]!.push(ch);
  }
  const absolute = text.startsWith('/');
  if (!absolute && cwd === null) return 'it is a glob relative to a directory the guard cannot follow';
  const base = absolute ? '/' : cwd!;
  let paths = [absolute ? '/' : ''];
  segments.forEach((seg, index) => {
    if (absolute && index === 0) return;
    const segText = seg.map((x) => x.c).join('');
    const join = (p: string, name: string) => (p === '' ? name : p.endsWith('/') ? p + name : `${p}/${name}`);
    if (!seg.some((x) => x.k !== 'q' && '*?['.includes(x.c))) {
      paths = paths.map((p) => (segText === '' ? `${p}/` : join(p, segText)));
      return;
    }
    const re = segmentRegExp(seg);
    const next: string[] = [];
    for (const p of paths) {
      let names: string[];
      try {
        names = readdirSync(resolve(base, p || '.'));
      } catch {
        continue;
      }
      for (const name of names) {
        if (name.startsWith('.') && !segText.startsWith('.')) continue;
        if (re.test(name)) next.push(join(p, name));
      }
    }
    paths = next.sort();
  });
  if (paths.length > MAX_MATCHES) return `its glob matches more than ${MAX_MATCHES} files`;
  return paths.length > 0 ? paths : [text];
}

function segmentRegExp(seg: Ch[]): RegExp {
  let re = '';
  for (let i = 0; i < seg.length; i++) {
    const { c, k } = seg[i]!;
    if (k !== 'q' && c === '*') re += '.*';
    else if (k !== 'q' && c === '?') re += '.';
    else if (k !== 'q' && c === '[') {
      let j = i + 1;
      if (seg[j]?.c === '!' || seg[j]?.c === '^') j++;
      if (seg[j]?.c === ']') j++;
      while (j < seg.length && seg[j]!.c !== ']') j++;
      if (j >= seg.length) {
        re += '\\[';
        continue;
      }
      const body = seg
        .slice(i + 1, j)
        .map((x) => x.c)
        .join('')
        .replace(/^[!^]/, '^')
        .replace(/\\/g, '\\\\');
      re += `[${body}]`;
      i = j;
    } else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Resolves an argument against the scope's cwd; null when relative and the cwd is unknown. */
export function resolveArg(text: string, cwd: string | null): string | null {
  if (text.startsWith('/')) return resolve(text);
  return cwd === null ? null : resolve(cwd, text);
}
