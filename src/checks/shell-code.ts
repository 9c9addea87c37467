// Rules for commands that run code: interpreters with inline or piped code (python -c, node -e,
// perl -pi -e), shells (bash -c, sh <<EOF), and the in-place editors sed and awk. Inline code is
// scanned for write and exec APIs; what the guard cannot read is reported, never assumed safe.
import type { Rule, RuleContext } from './shell-writes.js';
import type { Arg } from './shell-words.js';
import { clusterHas, has, parseArgs } from './shell-args.js';

// Inline code that writes files or runs other programs, per interpreter. Printing to stdout is fine.
const BENIGN = /\b(sys|process)\.(stdout|stderr)\.write\s*\(/g;
// A mode argument ('w', "a+", mode='wb', 'r+') after open()'s path, or a write flag constant.
const OPEN_FOR_WRITE =
  /\bopen(?:Sync)?\s*\((?:[^()]|\([^()]*\))*?,\s*(?:mode\s*=\s*)?(?:['"][rbtU]*[wax+][rbtU+]*['"]|[\w.]*O_(?:WRONLY|RDWR|CREAT|TRUNC|APPEND))/;
const INLINE: Record<string, [RegExp, string][]> = {
  python: [
    [OPEN_FOR_WRITE, 'opens a file for writing'],
    [/\.(write_text|write_bytes|touch|unlink|rmdir|mkdir|rename|symlink_to|hardlink_to|chmod|write)\s*\(/, 'writes through a file or path object'],
    [
      /\b(os|shutil|pathlib|tempfile)\s*\.\s*(remove|unlink|rename|replace|rmdir|removedirs|makedirs|mkdir|symlink|link|truncate|chmod|chown|system|popen|exec\w*|spawn\w*|copy\w*|move|rmtree|write|fdopen|open)\b/,
      'calls a file-changing os/shutil function',
    ],
    [/\b(subprocess|pty|importlib|__import__|exec|eval|compile)\b/, 'runs other code'],
  ],
  node: [
    [OPEN_FOR_WRITE, 'opens a file for writing'],
    [
      /\b(writeFile|appendFile|createWriteStream|copyFile|cpSync|cp|rename|unlink|rmdir|rmSync|rm|mkdir|mkdtemp|truncate|ftruncate|symlink|link|chmod|chown|utimes|write|writev)(Sync)?\s*\(/,
      'calls a file-changing fs function',
    ],
    [/\b(child_process|execSync|execFile\w*|spawn\w*|fork|exec|eval|Function|Worker|vm)\b|\bimport\s*\(|\brequire\s*\(\s*[^'"\s)]/, 'runs other code'],
  ],
  perl: [
    [/\bopen\s*\(?[^;]*?['"]\s*(\+?[<>]|\||>>)/, 'opens a file for writing'],
    [/\b(unlink|rename|mkdir|rmdir|symlink|link|truncate|chmod|chown|utime|system|exec|qx|eval|do|require)\b|`/, 'changes files or runs other code'],
    [/\b(File::Copy|File::Path|File::Temp|copy|move)\b/, 'copies or moves files'],
  ],
  ruby: [
    [
      /\b(File|IO|FileUtils|Dir|Pathname)\s*\.\s*(write|open|delete|unlink|rename|binwrite|mkdir|rm\w*|mv|cp\w*|touch|ln\w*|chmod|symlink|popen|sysopen|new)\b/,
      'changes files',
    ],
    [/\b(system|exec|spawn|eval|instance_eval|load|require)\b|`|%x/, 'runs other code'],
  ],
  php: [
    [
      /\b(file_put_contents|fopen|fwrite|unlink|rename|mkdir|rmdir|copy|touch|symlink|chmod|system|exec|shell_exec|passthru|popen|proc_open|eval|include|require)\b|`/,
      'changes files or runs other code',
    ],
  ],
};

/** Reports inline interpreter code that writes files or runs other code (it cannot be followed). */
export function checkInlineCode(lang: string, code: Arg | undefined, ctx: RuleContext, via: string): void {
  if (!code || code.text === null) {
    ctx.unknown(`${via} runs code the guard cannot read${code?.reason ? `: ${code.reason}` : ''}`);
    return;
  }
  const text = code.text.replace(BENIGN, 'print(');
  for (const [re, what] of INLINE[lang] ?? []) {
    if (re.test(text)) {
      ctx.unknown(`${via} runs inline code that ${what}; the guard cannot tell which files it changes`);
      return;
    }
  }
}

/** Code given on stdin (a here-doc, a here-string, or a pipe the guard cannot read). */
export function stdinCode(ctx: RuleContext, via: string): string | null | undefined {
  const stdin = ctx.stdin;
  if (stdin.kind === 'text') {
    if (stdin.text === null) ctx.unknown(`${via} reads code from ${stdin.raw}, which the guard cannot resolve`);
    return stdin.text;
  }
  if (stdin.kind === 'pipe') {
    ctx.unknown(`${via} runs code piped in from another command; the guard cannot read it`);
    return null;
  }
  if (stdin.kind === 'file') {
    // `bash < script.sh` runs the file like `bash script.sh` does.
    if (stdin.from) ctx.execute(stdin.from, `${via} < file`);
    return undefined;
  }
  if (stdin.kind === 'none') {
    // An interpreter left reading the terminal runs whatever `write_stdin` sends it later, and
    // Codex 0.169 runs no PreToolUse hook for write_stdin, so the guard would never see that code.
    ctx.unknown(`${via} reads code from the terminal, which write_stdin can feed unseen; pass the code with -c or a here-doc instead`);
    return null;
  }
  return undefined;
}

/** python -c, node -e, perl -pi -e, …: inline code is scanned; `inPlace` interpreters edit their operands. */
export function interpreter(lang: string, short: string, long: string[], codeKeys: string[], inPlace: boolean): Rule {
  return (args, ctx, name) => {
    const p = parseArgs(args, short, long);
    const codes = codeKeys.flatMap((k) => p.values.get(k) ?? []);
    for (const code of codes) checkInlineCode(lang, code, ctx, `${name} (inline code)`);
    const editsInPlace = inPlace && args.some((a) => clusterHas(a.text, 'i', short));
    if (editsInPlace) for (const file of p.operands.slice(codes.length > 0 ? 0 : 1)) ctx.write(file, `${name} -i`);
    const script = p.operands[0];
    if (codes.length === 0 && !editsInPlace && script && script.text !== '-' && !has(p, 'm', '--module')) ctx.execute(script, name);
    if (codes.length === 0 && !has(p, 'm', '--module') && (p.operands.length === 0 || p.operands[0]!.text === '-')) {
      const code = stdinCode(ctx, name);
      if (code) checkInlineCode(lang, { text: code, raw: '(stdin)' }, ctx, `${name} (stdin)`);
    }
    return editsInPlace;
  };
}

/** bash/sh/zsh: `-c` source is analysed, here-doc or here-string scripts too; a piped script is unknown. */
export function shellRule(args: Arg[], ctx: RuleContext, name: string): boolean {
  const p = parseArgs(args, 'oO', ['--rcfile', '--init-file'], true);
  if (has(p, 'c')) {
    const source = p.operands[0];
    if (!source || source.text === null) ctx.unknown(`${name} -c runs ${source?.raw ?? 'nothing'}, which the guard cannot read`);
    else ctx.runSource(source.text, `${name} -c`);
    return false;
  }
  if (p.operands.length > 0 && !has(p, 's')) {
    // Runs a script file: fine for the repository's own scripts, refused for one changed in the cycle.
    ctx.execute(p.operands[0]!, name);
    return false;
  }
  const code = stdinCode(ctx, name);
  if (code) ctx.runSource(code, `${name} (stdin)`);
  return false;
}

/** sed: `-i` edits its files; `w`/`e` commands in the script write or run what the guard cannot follow. */
export function sedRule(args: Arg[], ctx: RuleContext, name: string): boolean {
  const p = parseArgs(args, 'efl', ['--expression', '--file', '--line-length']);
  const inPlace = has(p, '--in-place') || args.some((a) => clusterHas(a.text, 'i', 'efl'));
  const scripts = [...(p.values.get('e') ?? []), ...(p.values.get('--expression') ?? [])];
  let files = p.operands;
  if (scripts.length === 0 && !has(p, 'f', '--file')) {
    if (files[0]) scripts.push(files[0]);
    files = files.slice(1);
  }
  for (const s of scripts) {
    if (s.text === null) ctx.unknown(`${name} runs a script the guard cannot read (${s.raw})`);
    else if (/(?:^|[;{}\n/\d$])\s*[wWe](?:\s+\S|\s*$|\s*[;}])/.test(s.text))
      ctx.unknown(`${name} script ${s.raw} writes (w) or runs (e) something the guard cannot follow`);
  }
  if (inPlace) for (const f of files) ctx.write(f, `${name} -i`);
  return inPlace;
}

/** awk: `-i inplace` edits its files; print redirections, pipes and system() in the program are unknown. */
export function awkRule(args: Arg[], ctx: RuleContext, name: string): boolean {
  const p = parseArgs(args, 'fvFi', ['--file', '--assign', '--field-separator', '--include']);
  const program = has(p, 'f', '--file') ? null : p.operands[0];
  if (program?.text === null) ctx.unknown(`${name} runs a program the guard cannot read (${program.raw})`);
  else if (program && /system\s*\(|\|\s*getline|\b(print|printf)\b[^;}]*[>|]|\bfflush\b.*>/.test(program.text!))
    ctx.unknown(`${name} program ${program.raw} writes to files or runs commands`);
  const inPlace = (p.values.get('i') ?? []).some((a) => a.text === 'inplace');
  if (inPlace) for (const f of p.operands.slice(program ? 1 : 0)) ctx.write(f, `${name} -i inplace`);
  return inPlace;
}
