// Which commands write which of their arguments, as data plus small functions. Commands without
// a rule are treated as programs that only read (or do work the guard does not judge, such as
// running the tests); a rule exists for every command that names the files it changes.
import { basename, join } from 'node:path';
import { isApplyPatchName, parsePatch } from './apply-patch.js';
import { has, lit, parseArgs, value, type ParsedArgs } from './shell-args.js';
import { awkRule, checkInlineCode, interpreter, sedRule, shellRule, stdinCode } from './shell-code.js';
import { gitRule, packageManagerRule } from './shell-vcs.js';
import type { Rule, RuleContext } from './shell-writes.js';
import type { Arg } from './shell-words.js';

/** Reserved words and prefixes that are not commands themselves. */
export const KEYWORDS = new Set(['!', '{', '}', 'if', 'then', 'else', 'elif', 'fi', 'do', 'done', 'while', 'until', 'function', 'in', 'esac']);

/** Operands are the files written (rm, touch, tee, …). */
function operandsRule(short: string, long: string[], op: 'write' | 'delete', options: { skip?: number; recursive?: string[] } = {}): Rule {
  return (args, ctx, name) => {
    const p = parseArgs(args, short, long);
    const subtree = op === 'delete' || has(p, ...(options.recursive ?? []));
    for (const arg of p.operands.slice(options.skip ?? 0)) ctx.write(arg, name, op, subtree);
    return true;
  };
}

/** cp, mv, install, ln: the last operand (or -t DIR) receives; mv also removes its sources. */
function copyRule(short: string, long: string[], move: boolean): Rule {
  return (args, ctx, name) => {
    const p = parseArgs(args, short, long);
    if (name === 'ln') return linkRule(p, ctx);
    if (name === 'install' && has(p, 'd', '--directory')) {
      for (const a of p.operands) ctx.write(a, name, 'write', false);
      return true;
    }
    const target = value(p, 't', '--target-directory');
    let sources = p.operands;
    let dest = target;
    if (!dest) {
      if (sources.length === 0) return true;
      if (sources.length === 1) return true;
      dest = sources[sources.length - 1]!;
      sources = sources.slice(0, -1);
    }
    const intoDir = target !== undefined || sources.length > 1 || ctx.isDir(dest.text);
    const copiesTree = (s: Arg) => ctx.isDir(s.text);
    if (move) for (const s of sources) ctx.write(s, name, 'delete', true);
    if (!intoDir || dest.text === null) {
      ctx.write(dest, name, 'write', sources.some(copiesTree));
      return true;
    }
    for (const s of sources) {
      if (s.text === null) ctx.unknown(`${name} copies ${s.raw} into ${dest.raw} under a name the guard cannot know: ${s.reason}`);
      else ctx.write(lit(join(dest.text, basename(s.text))), name, 'write', copiesTree(s));
    }
    return true;
  };
}

/** ln: each link is a write, and where it points is checked too (writing through it lands there). */
function linkRule(p: ParsedArgs, ctx: RuleContext): boolean {
  const symbolic = has(p, 's', '--symbolic');
  const dir = value(p, 't', '--target-directory');
  let targets = p.operands;
  let into: Arg | undefined = dir;
  if (!into && targets.length > 1) {
    const last = targets[targets.length - 1]!;
    if (targets.length > 2 || ctx.isDir(last.text)) into = last;
    else {
      ctx.link(last, targets[0]!, symbolic);
      return true;
    }
    targets = targets.slice(0, -1);
  }
  for (const t of targets) {
    const name = t.text === null ? null : basename(t.text);
    const link = into
      ? into.text === null || name === null
        ? { text: null, raw: t.raw, reason: 'its name is not known' }
        : lit(join(into.text, name))
      : name === null
        ? t
        : lit(name);
    ctx.link(link, t, symbolic);
  }
  return true;
}

// find: `-exec` commands get the found paths (unknown to the guard); `-delete` removes under the start points.
function findRule(args: Arg[], ctx: RuleContext): boolean {
  const starts: Arg[] = [];
  let i = 0;
  for (; i < args.length; i++) {
    const t = args[i]!.text;
    if (t !== null && (t.startsWith('-') || t === '(' || t === '!')) break;
    starts.push(args[i]!);
  }
  if (starts.length === 0) starts.push(lit('.'));
  for (; i < args.length; i++) {
    const t = args[i]!.text;
    if (t === '-exec' || t === '-execdir' || t === '-ok' || t === '-okdir') {
      const inner: Arg[] = [];
      for (i++; i < args.length && args[i]!.text !== ';' && args[i]!.text !== '+'; i++) {
        const a = args[i]!;
        inner.push(a.text?.includes('{}') ? { text: null, raw: a.raw, reason: 'find fills in each path it finds' } : a);
      }
      ctx.run(inner, { appendedBy: `find ${t}`, stdin: { kind: 'none' } });
    } else if (t === '-delete') {
      for (const s of starts) ctx.write(s, 'find -delete', 'delete', true);
    } else if (t === '-fprint' || t === '-fprint0' || t === '-fprintf' || t === '-fls') {
      const file = args[++i];
      if (file) ctx.write(file, `find ${t}`);
    }
  }
  return false;
}

// xargs: the command runs with arguments read from stdin, so a writing command is unknown.
function xargsRule(args: Arg[], ctx: RuleContext): boolean {
  const p = parseArgs(args, 'ILnPdEsa', ['--arg-file', '--delimiter', '--max-args', '--max-procs', '--max-lines', '--replace', '--eof', '--max-chars'], true);
  ctx.run(p.operands.length > 0 ? p.operands : [lit('echo')], { appendedBy: 'xargs', stdin: { kind: 'none' } });
  return false;
}

// env: skips assignments and options (`-C DIR` changes the cwd, `-S` splits a command line).
function envRule(args: Arg[], ctx: RuleContext): boolean {
  let cwd = ctx.scope.cwd;
  let i = 0;
  for (; i < args.length; i++) {
    const t = args[i]!.text;
    if (t === null) break;
    if (t === '-u' || t === '--unset') i++;
    else if (t === '-C' || t === '--chdir') {
      const dir = args[++i]?.text;
      cwd = dir == null ? null : dir.startsWith('/') ? dir : cwd && join(cwd, dir);
    } else if (t === '-S' || t === '--split-string') {
      const s = args[++i];
      if (s?.text == null) ctx.unknown(`env -S runs ${s?.raw ?? 'nothing'}, which the guard cannot read`);
      else ctx.runSource([s.text, ...args.slice(i + 1).map((a) => a.raw)].join(' '), 'env -S');
      return false;
    } else if (t === '--') {
      i++;
      break;
    } else if (!t.startsWith('-') && !/^[A-Za-z_]\w*=/.test(t)) break;
  }
  ctx.run(args.slice(i), { cwd });
  return false;
}

/** Wrappers that run their operands as a command after their own options. */
function wrapper(short: string, long: string[] = [], skip = 0): Rule {
  return (args, ctx) => {
    const p = parseArgs(args, short, long, true);
    ctx.run(p.operands.slice(skip));
    return false;
  };
}

function cdRule(args: Arg[], ctx: RuleContext, name: string): boolean {
  const scope = ctx.scope;
  if (name === 'popd') {
    scope.cwd = scope.dirStack.length > 0 ? scope.dirStack.pop()! : null;
    return false;
  }
  const target = parseArgs(args).operands[0];
  if (name === 'pushd') scope.dirStack.push(scope.cwd);
  if (!target) scope.cwd = name === 'cd' ? scope.home : scope.cwd;
  else if (target.text === null || target.text === '-') scope.cwd = null;
  else scope.cwd = target.text.startsWith('/') ? join(target.text) : scope.cwd && join(scope.cwd, target.text);
  return false;
}

function declareRule(args: Arg[], ctx: RuleContext): boolean {
  for (const a of args) {
    const m = /^([A-Za-z_]\w*)=/.exec(a.text ?? a.raw);
    if (m) ctx.scope.vars.set(m[1]!, a.text === null ? null : a.text.slice(m[0].length));
  }
  return false;
}

function unknownVarsRule(short: string): Rule {
  return (args, ctx) => {
    for (const a of parseArgs(args, short).operands) if (a.text && /^[A-Za-z_]\w*$/.test(a.text)) ctx.scope.vars.set(a.text, null);
    return false;
  };
}

function applyPatchRule(args: Arg[], ctx: RuleContext, name: string): boolean {
  const text = args[0] ? args[0].text : stdinCode(ctx, name);
  if (text === undefined) return false;
  if (text === null) {
    ctx.unknown(`${name} gets a patch the guard cannot read`);
    return false;
  }
  const parsed = parsePatch(text);
  if (!parsed.ok) {
    ctx.unknown(`${name}: ${parsed.reason}`);
    return false;
  }
  for (const h of parsed.hunks) {
    if (h.op === 'update' && h.movePath !== null) {
      ctx.write(lit(h.path), `${name} (move)`, 'delete');
      ctx.write(lit(h.movePath), `${name} (move to)`, 'write', false, undefined, h);
    } else ctx.write(lit(h.path), `${name} (${h.op})`, h.op === 'delete' ? 'delete' : 'write', false, undefined, h);
  }
  return false;
}

/** `source x`, `. x`: the file runs in this shell. */
function sourceRule(args: Arg[], ctx: RuleContext, name: string): boolean {
  if (args[0]) ctx.execute(args[0], name);
  return false;
}

/** tsx, ts-node, bun run …: the first operand is a script file. */
function scriptRunner(skipWords: string[]): Rule {
  return (args, ctx, name) => {
    const rest = args[0]?.text !== null && skipWords.includes(args[0]?.text ?? '') ? args.slice(1) : args;
    const script = rest.find((a) => a.text === null || !a.text.startsWith('-'));
    if (script) ctx.execute(script, name);
    return false;
  };
}

function curlRule(args: Arg[], ctx: RuleContext): boolean {
  const p = parseArgs(args, 'oDcHdXuAeFbTxmwKE', [
    '--output',
    '--dump-header',
    '--cookie-jar',
    '--trace',
    '--trace-ascii',
    '--stderr',
    '--libcurl',
    '--etag-save',
    '--header',
    '--data',
    '--data-raw',
    '--data-binary',
    '--json',
    '--request',
    '--user',
    '--user-agent',
    '--referer',
    '--form',
    '--cookie',
    '--upload-file',
    '--proxy',
    '--max-time',
    '--write-out',
    '--config',
    '--connect-timeout',
    '--retry',
  ]);
  for (const key of ['o', '--output', 'D', '--dump-header', 'c', '--cookie-jar', '--trace', '--trace-ascii', '--stderr', '--libcurl', '--etag-save']) {
    for (const f of p.values.get(key) ?? []) if (f.text !== '-') ctx.write(f, `curl ${key.length === 1 ? `-${key}` : key}`);
  }
  if (has(p, 'O', '--remote-name', '--remote-name-all', 'J')) ctx.unknown('curl -O names the file after the URL; use -o with a path the guard can check');
  return false;
}

function wgetRule(args: Arg[], ctx: RuleContext): boolean {
  const p = parseArgs(args, 'OoaPe', ['--output-document', '--output-file', '--append-output', '--directory-prefix']);
  const doc = value(p, 'O', '--output-document');
  for (const log of [...(p.values.get('o') ?? []), ...(p.values.get('a') ?? [])]) ctx.write(log, 'wget');
  if (doc) {
    if (doc.text !== '-') ctx.write(doc, 'wget -O');
  } else if (!has(p, '--spider')) {
    const dir = value(p, 'P', '--directory-prefix');
    if (dir) ctx.write(dir, 'wget -P', 'write', true);
    else ctx.unknown('wget names the file after the URL; use -O with a path the guard can check');
  }
  return false;
}

function tarRule(args: Arg[], ctx: RuleContext): boolean {
  // The first word may be old-style bundled letters (`tar xzf a.tgz`).
  const first = args[0]?.text;
  const normalized = first && !first.startsWith('-') ? [lit(`-${first}`), ...args.slice(1)] : args;
  const p = parseArgs(normalized, 'fCbTX', ['--file', '--directory', '--files-from', '--exclude-from']);
  const extract = has(p, 'x', '--extract', '--get');
  if (extract) {
    const dir = value(p, 'C', '--directory') ?? lit('.');
    ctx.write(dir, 'tar -x', 'write', true);
  } else if (has(p, 'c', 'r', 'u', 'A', '--create', '--append', '--update')) {
    const file = value(p, 'f', '--file');
    if (file && file.text !== '-') ctx.write(file, 'tar -f');
  }
  if (has(p, '--remove-files')) for (const f of p.operands) ctx.write(f, 'tar --remove-files', 'delete', true);
  return false;
}

function unzipRule(args: Arg[], ctx: RuleContext): boolean {
  const p = parseArgs(args, 'dxP');
  if (has(p, 'l', 't', 'v', 'Z', 'p', 'z')) return false;
  ctx.write(value(p, 'd') ?? lit('.'), 'unzip', 'write', true);
  return false;
}

function compressRule(args: Arg[], ctx: RuleContext, name: string): boolean {
  const p = parseArgs(args, 'S', ['--suffix']);
  if (has(p, 'c', 't', 'l', '--stdout', '--test', '--list')) return false;
  for (const f of p.operands) ctx.write(f, name);
  return true;
}

function sortRule(args: Arg[], ctx: RuleContext): boolean {
  const p = parseArgs(args, 'koStT', ['--key', '--output', '--field-separator', '--buffer-size', '--temporary-directory']);
  const out = value(p, 'o', '--output');
  if (out) ctx.write(out, 'sort -o');
  return false;
}

function ddRule(args: Arg[], ctx: RuleContext): boolean {
  for (const a of args)
    if (a.text?.startsWith('of=')) ctx.write({ text: a.text.slice(3), raw: a.raw }, 'dd of=');
    else if (a.text === null && a.raw.startsWith('of=')) ctx.write(a, 'dd of=');
  return false;
}

function formatterRule(args: Arg[], ctx: RuleContext, name: string, inPlace = true): boolean {
  if (!inPlace) return false;
  const p = parseArgs(args, 'c', [
    '--config',
    '--ignore-path',
    '--plugin',
    '--parser',
    '--log-level',
    '--ext',
    '--rule',
    '--resolve-plugins-relative-to',
    '--cache-location',
    '--line-length',
    '--target-version',
    '--style',
  ]);
  if (p.operands.length === 0) ctx.write(lit('.'), `${name} (formats files in place)`, 'write', true);
  for (const f of p.operands) ctx.write(f, `${name} (formats files in place)`, 'write', true);
  return true;
}

function timeRule(args: Arg[], ctx: RuleContext): boolean {
  const p = parseArgs(args, 'of', ['--output', '--format'], true);
  const out = value(p, 'o', '--output');
  if (out) ctx.write(out, 'time -o');
  ctx.run(p.operands);
  return false;
}

function trapRule(args: Arg[], ctx: RuleContext): boolean {
  const action = parseArgs(args, '', [], true).operands[0];
  if (action?.text) ctx.runSource(action.text, 'trap');
  else if (action) ctx.unknown(`trap runs ${action.raw}, which the guard cannot read`);
  return false;
}

function evalRule(args: Arg[], ctx: RuleContext): boolean {
  const unknownArg = args.find((a) => a.text === null);
  if (unknownArg) ctx.unknown(`eval runs ${unknownArg.raw}, which the guard cannot know: ${unknownArg.reason}`);
  else ctx.runSource(args.map((a) => a.text).join(' '), 'eval', true);
  return false;
}

const RULES: Record<string, Rule> = {
  rm: operandsRule('', [], 'delete'),
  unlink: operandsRule('', [], 'delete'),
  rmdir: operandsRule('', [], 'delete'),
  shred: operandsRule('nsx', ['--iterations', '--size'], 'delete'),
  touch: operandsRule('drt', ['--date', '--reference'], 'write'),
  mkdir: operandsRule('m', ['--mode'], 'write'),
  mkfifo: operandsRule('m', ['--mode'], 'write'),
  truncate: operandsRule('sr', ['--size', '--reference'], 'write'),
  tee: operandsRule('', [], 'write'),
  chmod: operandsRule('', ['--reference'], 'write', { skip: 1, recursive: ['R', '--recursive'] }),
  chown: operandsRule('', ['--reference', '--from'], 'write', { skip: 1, recursive: ['R', '--recursive'] }),
  chgrp: operandsRule('', ['--reference'], 'write', { skip: 1, recursive: ['R', '--recursive'] }),
  cp: copyRule('tS', ['--target-directory', '--suffix'], false),
  mv: copyRule('tS', ['--target-directory', '--suffix'], true),
  install: copyRule('tSmog', ['--target-directory', '--suffix', '--mode', '--owner', '--group'], false),
  ln: copyRule('tS', ['--target-directory', '--suffix'], false),
  rsync: (args, ctx) => {
    const p = parseArgs(args, 'efT', [
      '--rsh',
      '--exclude',
      '--include',
      '--filter',
      '--files-from',
      '--temp-dir',
      '--backup-dir',
      '--suffix',
      '--chmod',
      '--port',
      '--password-file',
      '--log-file',
    ]);
    const dest = p.operands.at(-1);
    if (dest && p.operands.length > 1) ctx.write(dest, 'rsync', 'write', true);
    if (has(p, '--remove-source-files')) p.operands.slice(0, -1).forEach((s) => ctx.write(s, 'rsync --remove-source-files', 'delete', true));
    const log = value(p, '--log-file');
    if (log) ctx.write(log, 'rsync --log-file');
    return true;
  },
  dd: ddRule,
  sed: sedRule,
  awk: awkRule,
  perl: interpreter('perl', 'eEIMmlx0FCdD', [], ['e', 'E'], true),
  ruby: interpreter('ruby', 'eIrEFCx', [], ['e'], true),
  python: interpreter('python', 'cmWXQ', [], ['c'], false),
  node: interpreter(
    'node',
    'eprC',
    ['--eval', '--print', '--require', '--import', '--input-type', '--conditions', '--loader'],
    ['e', 'p', '--eval', '--print'],
    false,
  ),
  php: interpreter('php', 'rfcdz', [], ['r'], false),
  deno: (args, ctx) => {
    if (args[0]?.text === 'eval') checkInlineCode('node', args[1], ctx, 'deno eval');
    return false;
  },
  bun: (args, ctx, name) => (args[0]?.text?.startsWith('-') ? RULES.node!(args, ctx, name) : packageManagerRule(args, ctx, name)),
  for: (args, ctx) => {
    // The loop variable takes values the guard does not enumerate.
    if (args[0]?.text) ctx.scope.vars.set(args[0].text, null);
    return false;
  },
  sh: shellRule,
  source: sourceRule,
  '.': sourceRule,
  tsx: scriptRunner([]),
  'ts-node': scriptRunner([]),
  eval: evalRule,
  trap: trapRule,
  exec: wrapper('a'),
  command: (args, ctx) => {
    const p = parseArgs(args, '', [], true);
    if (!has(p, 'v', 'V')) ctx.run(p.operands);
    return false;
  },
  builtin: wrapper(''),
  nohup: wrapper(''),
  setsid: wrapper(''),
  unbuffer: wrapper(''),
  chronic: wrapper(''),
  nice: wrapper('n', ['--adjustment']),
  ionice: wrapper('cnp', ['--class', '--classdata', '--pid']),
  timeout: wrapper('sk', ['--signal', '--kill-after'], 1),
  stdbuf: wrapper('ioe', ['--input', '--output', '--error']),
  sudo: wrapper('ugChpUrtD', ['--user', '--group', '--close-from', '--host', '--prompt', '--role', '--type', '--other-user', '--chdir']),
  doas: wrapper('uC'),
  time: timeRule,
  watch: (args, ctx) => {
    const p = parseArgs(args, 'nd', ['--interval', '--differences'], true);
    if (p.operands.some((a) => a.text === null)) ctx.unknown('watch runs a command the guard cannot read');
    else ctx.runSource(p.operands.map((a) => a.text).join(' '), 'watch');
    return false;
  },
  flock: (args, ctx) => {
    const p = parseArgs(args, 'wEc', ['--timeout', '--conflict-exit-code', '--command'], true);
    const [lock, ...rest] = p.operands;
    if (lock) ctx.write(lock, 'flock');
    const c = value(p, 'c', '--command');
    if (c?.text) ctx.runSource(c.text, 'flock -c');
    else if (c) ctx.unknown('flock -c runs a command the guard cannot read');
    else ctx.run(rest);
    return false;
  },
  env: envRule,
  xargs: xargsRule,
  find: findRule,
  npx: (args, ctx) => {
    const p = parseArgs(args, 'pc', ['--package', '--call'], true);
    const call = value(p, 'c', '--call');
    if (call?.text) ctx.runSource(call.text, 'npx -c');
    else ctx.run(p.operands);
    return false;
  },
  npm: packageManagerRule,
  git: gitRule,
  cd: cdRule,
  pushd: cdRule,
  popd: cdRule,
  export: declareRule,
  declare: declareRule,
  typeset: declareRule,
  local: declareRule,
  readonly: declareRule,
  read: unknownVarsRule('pdntuN'),
  unset: unknownVarsRule(''),
  mapfile: unknownVarsRule('dnOsuCc'),
  apply_patch: applyPatchRule,
  curl: curlRule,
  wget: wgetRule,
  tar: tarRule,
  unzip: unzipRule,
  zip: (args, ctx) => {
    const p = parseArgs(args, 'bn');
    const [archive, ...files] = p.operands;
    if (archive) ctx.write(archive, 'zip');
    if (has(p, 'm')) files.forEach((f) => ctx.write(f, 'zip -m', 'delete', true));
    return false;
  },
  gzip: compressRule,
  sort: sortRule,
  uniq: (args, ctx) => {
    const out = parseArgs(args, 'fsw').operands[1];
    if (out) ctx.write(out, 'uniq');
    return false;
  },
  split: (args, ctx) => {
    const p = parseArgs(args, 'abCdlnt', ['--suffix-length', '--bytes', '--line-bytes', '--lines', '--number', '--additional-suffix']);
    ctx.write(lit(`${p.operands[1]?.text ?? 'x'}aa`), 'split');
    return true;
  },
  csplit: (args, ctx) => {
    const p = parseArgs(args, 'bfn', ['--suffix-format', '--prefix', '--digits']);
    ctx.write(lit(`${value(p, 'f', '--prefix')?.text ?? 'xx'}00`), 'csplit');
    return true;
  },
  patch: (args, ctx) => {
    const p = parseArgs(args, 'pdiorDBFVYzgs', ['--strip', '--directory', '--input', '--output', '--reject-file']);
    if (has(p, '--dry-run')) return false;
    const out = value(p, 'o', '--output');
    if (out) ctx.write(out, 'patch -o');
    else ctx.unknown('patch changes the files named inside the patch; use apply_patch on the files you may edit instead');
    return false;
  },
  mktemp: (args, ctx) => {
    const p = parseArgs(args, 'p', ['--tmpdir', '--suffix']);
    const template = p.operands[0];
    const dir = value(p, 'p', '--tmpdir');
    if (template?.text && (dir || has(p, 't', '--tmpdir'))) ctx.write(lit(join(dir?.text ?? process.env.TMPDIR ?? '/tmp', template.text)), 'mktemp');
    else if (template) ctx.write(template, 'mktemp');
    return false;
  },
  editor: operandsRule('', [], 'write'),
  prettier: (args, ctx, name) =>
    formatterRule(
      args,
      ctx,
      name,
      args.some((a) => a.text === '--write' || a.text === '-w'),
    ),
  eslint: (args, ctx, name) =>
    formatterRule(
      args,
      ctx,
      name,
      args.some((a) => a.text === '--fix'),
    ),
  biome: (args, ctx, name) =>
    formatterRule(
      args.slice(1),
      ctx,
      name,
      args.some((a) => a.text === '--write' || a.text === '--apply' || a.text === '--fix'),
    ),
  black: (args, ctx, name) => formatterRule(args, ctx, name, !args.some((a) => a.text === '--check' || a.text === '--diff')),
  ruff: (args, ctx, name) =>
    formatterRule(
      args.slice(1),
      ctx,
      name,
      (args[0]?.text === 'format' && !args.some((a) => a.text === '--check' || a.text === '--diff')) || args.some((a) => a.text === '--fix'),
    ),
  gofmt: (args, ctx, name) =>
    formatterRule(
      args,
      ctx,
      name,
      args.some((a) => a.text === '-w'),
    ),
  'clang-format': (args, ctx, name) =>
    formatterRule(
      args,
      ctx,
      name,
      args.some((a) => a.text === '-i'),
    ),
  autopep8: (args, ctx, name) =>
    formatterRule(
      args,
      ctx,
      name,
      args.some((a) => a.text === '-i' || a.text === '--in-place'),
    ),
};

const ALIASES: [RegExp, string][] = [
  [/^(python|pypy)[\d.]*$/, 'python'],
  [/^nodejs$/, 'node'],
  [/^(g|m|n)?awk$/, 'awk'],
  [/^(ba|z|da|k|mk|fi|a)?sh$/, 'sh'],
  [/^g(sed|tar|rm|cp|mv|touch|tee|install|ln)$/, '$1'],
  [/^(pnpm|yarn)$/, 'npm'],
  [/^(bunx|pnpx)$/, 'npx'],
  [/^select$/, 'for'],
  [/^(vi|vim|nvim|nano|emacs|ed|ex|pico|micro|joe|kak|hx)$/, 'editor'],
  [/^(gunzip|bzip2|bunzip2|xz|unxz|zstd|unzstd|lz4|compress|uncompress)$/, 'gzip'],
  [/^(goimports)$/, 'gofmt'],
  [/^(isort|rustfmt)$/, 'black'],
  [/^(stylelint)$/, 'eslint'],
];

/** The rule for a command name (basename); programs without one only count for `--outfile`-style options. */
export function ruleFor(name: string): Rule {
  if (isApplyPatchName(name)) return RULES.apply_patch!;
  if (Object.prototype.hasOwnProperty.call(RULES, name)) return RULES[name]!;
  for (const [re, target] of ALIASES) {
    const m = re.exec(name);
    if (m) return RULES[target === '$1' ? m[1]! : target]!;
  }
  return genericRule;
}

const OUTPUT_OPTION = /^--(out-?file|output-?file|out-?dir|output-?dir|outdir|outfile)(?:=(.*))?$/i;

/** Any other program: only `--outfile`/`--out-dir`-style options name files it writes. */
function genericRule(args: Arg[], ctx: RuleContext, name: string): boolean {
  args.forEach((a, i) => {
    const m = a.text === null ? null : OUTPUT_OPTION.exec(a.text);
    if (!m) return;
    const target = m[2] !== undefined ? { text: m[2], raw: a.raw } : args[i + 1];
    if (target) ctx.write(target, `${name} ${a.text!.split('=')[0]}`, 'write', /dir/i.test(m[1]!));
  });
  return false;
}
