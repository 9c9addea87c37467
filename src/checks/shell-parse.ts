// A bash tokenizer and parser sized for the edit guard: enough grammar to find every command a
// command line runs (lists, pipelines, subshells, `$(…)`, backticks, process substitution,
// here-docs) and how each word is built (quotes, variables, tildes, globs). It never executes
// anything. `shell-quote` was measured and rejected: it joins commands across newlines
// (`ls\nrm -rf src` reads as one `ls`), has no here-docs, and splits `$(…)` and backticks into
// plain words, so nested commands would go unseen.

/** One piece of a word; `quoted` pieces are exempt from globbing, brace expansion and splitting. */
export type WordPart =
  | { kind: 'lit'; text: string; quoted: boolean }
  | { kind: 'var'; name: string; complex: boolean; quoted: boolean }
  | { kind: 'subst'; script: Script; quoted: boolean }
  | { kind: 'arith'; quoted: boolean }
  | { kind: 'tilde'; user: string };

/** A shell word as written (`raw`) and as parsed. */
export interface Word {
  raw: string;
  parts: WordPart[];
}

/** A here-document body, with the commands its expansions would run. */
export interface HereDoc {
  body: string;
  /** A quoted delimiter (`<<'EOF'`) turns expansion off. */
  quoted: boolean;
  substs: Script[];
}

/** `2>file`, `&>>log`, `<<EOF`, … */
export interface Redirect {
  op: string;
  fd: string;
  target: Word;
  heredoc?: HereDoc;
}

/** A command with its words and redirections; `pipedIn` when its stdin is the previous command. */
export interface SimpleCommand {
  kind: 'simple';
  words: Word[];
  redirects: Redirect[];
  pipedIn: boolean;
}

/** `( … )`: a subshell with its own cwd and variables. */
export interface Subshell {
  kind: 'subshell';
  body: Script;
  redirects: Redirect[];
  pipedIn: boolean;
}

export type Command = SimpleCommand | Subshell;

/** Commands in source order; operators between them only matter for stdin (`pipedIn`). */
export interface Script {
  commands: Command[];
}

/** The command line is not valid shell, or uses grammar this parser does not follow. */
export class ShellParseError extends Error {}

/** Parses a bash command line; throws ShellParseError on what it cannot follow. */
export function parseShell(src: string): Script {
  const parser = new Parser(src);
  const script = parser.parseList(null);
  parser.finish();
  return script;
}

/** Commands run by the expansions inside text treated like a double-quoted string (here-doc bodies). */
export function substitutionsIn(text: string): Script[] {
  return substitutionsInBody(text, 0);
}

/** The word's text when it has no expansion at all (quotes removed); else null. */
export function literalText(word: Word): string | null {
  let text = '';
  for (const part of word.parts) {
    if (part.kind !== 'lit') return null;
    text += part.text;
  }
  return text;
}

const REDIRECT = /^(\d+|\{[A-Za-z_]\w*\})?(&>>|&>|>>|>\||>&|<<<|<<-|<<|<&|<>|>|<)/;
const META = new Set([' ', '\t', '\n', ';', '&', '|', '(', ')', '<', '>']);
const MAX_DEPTH = 50;

class Parser {
  private pos = 0;
  private pending: { redirect: Redirect; delimiter: string; stripTabs: boolean }[] = [];

  constructor(
    private readonly src: string,
    private readonly depth = 0,
  ) {
    if (depth > MAX_DEPTH) throw new ShellParseError('commands nested too deeply');
  }

  finish(): void {
    if (this.pos < this.src.length) throw new ShellParseError(`unexpected "${this.src[this.pos]}" at offset ${this.pos}`);
    if (this.pending.length > 0) this.readHereDocs();
  }

  /** A list of commands up to `)` (not consumed) or the end. */
  parseList(close: ')' | null): Script {
    const commands: Command[] = [];
    let pipedIn = false;
    for (;;) {
      this.skipBlanks();
      const c = this.src[this.pos];
      if (c === undefined) {
        if (close) throw new ShellParseError('missing ")"');
        return { commands };
      }
      if (c === ')') {
        if (close) return { commands };
        throw new ShellParseError(`unexpected ")" at offset ${this.pos}`);
      }
      if (c === '#') {
        this.skipComment();
        continue;
      }
      if (c === '\n') {
        this.pos++;
        this.readHereDocs();
        pipedIn = false;
        continue;
      }
      if (c === ';') {
        this.pos += this.src[this.pos + 1] === ';' ? 2 : 1;
        pipedIn = false;
        continue;
      }
      if (c === '&' && this.src[this.pos + 1] !== '>') {
        this.pos += this.src[this.pos + 1] === '&' ? 2 : 1;
        pipedIn = false;
        continue;
      }
      if (c === '|') {
        if (this.src[this.pos + 1] === '|') {
          this.pos += 2;
          pipedIn = false;
        } else {
          this.pos += this.src[this.pos + 1] === '&' ? 2 : 1;
          pipedIn = true;
        }
        continue;
      }
      if (c === '(' && this.src[this.pos + 1] === '(') {
        this.skipArithmetic(); // `(( i++ ))` only computes
        continue;
      }
      if (c === '(') {
        this.pos++;
        const body = this.parseList(')');
        this.pos++;
        commands.push({ kind: 'subshell', body, redirects: this.parseRedirects(), pipedIn });
        pipedIn = false;
        continue;
      }
      commands.push(this.parseSimple(pipedIn));
      pipedIn = false;
    }
  }

  private parseSimple(pipedIn: boolean): SimpleCommand {
    const words: Word[] = [];
    const redirects: Redirect[] = [];
    for (;;) {
      this.skipBlanks();
      const c = this.src[this.pos];
      if (c === undefined || c === '\n' || c === ';' || c === '|' || c === ')') break;
      if (c === '&' && this.src[this.pos + 1] !== '>') break;
      if (c === '#') {
        this.skipComment(); // `#` starting a word starts a comment
        break;
      }
      if (c === '(') {
        // `name() { … }`: a function definition; its body is parsed as ordinary commands.
        if (this.src.slice(this.pos).match(/^\(\s*\)/) && words.length === 1) {
          this.pos = this.src.indexOf(')', this.pos) + 1;
          words.length = 0;
          continue;
        }
        throw new ShellParseError(`unexpected "(" at offset ${this.pos}`);
      }
      const redirect = this.tryRedirect();
      if (redirect) {
        redirects.push(redirect);
        continue;
      }
      const before = this.pos;
      words.push(this.parseWord());
      if (this.pos === before) throw new ShellParseError(`unexpected "${c}" at offset ${before}`);
    }
    return { kind: 'simple', words, redirects, pipedIn };
  }

  private parseRedirects(): Redirect[] {
    const out: Redirect[] = [];
    for (;;) {
      this.skipBlanks();
      const r = this.tryRedirect();
      if (!r) return out;
      out.push(r);
    }
  }

  private tryRedirect(): Redirect | null {
    const rest = this.src.slice(this.pos, this.pos + 40);
    const m = REDIRECT.exec(rest);
    if (!m) return null;
    const [all, fd = '', op] = m as unknown as [string, string | undefined, string];
    // `<(cmd)` and `>(cmd)` are words (process substitution), not redirections.
    if (!fd && (op === '<' || op === '>') && rest[1] === '(') return null;
    this.pos += all.length;
    this.skipBlanks();
    if (this.pos >= this.src.length || META.has(this.src[this.pos]!)) throw new ShellParseError(`redirection "${op}" without a target`);
    const target = this.parseWord();
    const redirect: Redirect = { op, fd, target };
    if (op === '<<' || op === '<<-') {
      const delimiter = target.parts.map((p) => (p.kind === 'lit' ? p.text : '')).join('');
      const quoted = target.parts.some((p) => p.kind === 'lit' && p.quoted);
      redirect.heredoc = { body: '', quoted, substs: [] };
      this.pending.push({ redirect, delimiter, stripTabs: op === '<<-' });
    }
    return redirect;
  }

  private readHereDocs(): void {
    const pending = this.pending;
    this.pending = [];
    for (const { redirect, delimiter, stripTabs } of pending) {
      const lines: string[] = [];
      for (;;) {
        if (this.pos >= this.src.length) break; // bash warns and ends the body at EOF
        const nl = this.src.indexOf('\n', this.pos);
        const end = nl < 0 ? this.src.length : nl;
        let line = this.src.slice(this.pos, end);
        this.pos = nl < 0 ? end : end + 1;
        if (stripTabs) line = line.replace(/^\t+/, '');
        if (line === delimiter) break;
        lines.push(line);
      }
      const doc = redirect.heredoc!;
      doc.body = lines.length > 0 ? `${lines.join('\n')}\n` : '';
      if (!doc.quoted) doc.substs = substitutionsInBody(doc.body, this.depth);
    }
  }

  private parseWord(): Word {
    const start = this.pos;
    const parts: WordPart[] = [];
    const pushLit = (text: string, quoted: boolean) => {
      const last = parts[parts.length - 1];
      if (last?.kind === 'lit' && last.quoted === quoted) last.text += text;
      else parts.push({ kind: 'lit', text, quoted });
    };
    for (;;) {
      const c = this.src[this.pos];
      if (c === undefined) break;
      if ((c === '<' || c === '>') && this.src[this.pos + 1] === '(' && this.pos === start) {
        this.pos += 2;
        const script = this.nested(')');
        parts.push({ kind: 'subst', script, quoted: false });
        continue;
      }
      if (META.has(c)) break;
      if (c === '\\') {
        if (this.src[this.pos + 1] === '\n') this.pos += 2;
        else {
          if (this.pos + 1 < this.src.length) pushLit(this.src[this.pos + 1]!, true);
          this.pos += 2;
        }
      } else if (c === "'") {
        const end = this.src.indexOf("'", this.pos + 1);
        if (end < 0) throw new ShellParseError('unterminated single quote');
        pushLit(this.src.slice(this.pos + 1, end), true);
        this.pos = end + 1;
      } else if (c === '$' && this.src[this.pos + 1] === "'") {
        pushLit(this.readAnsiC(), true);
      } else if (c === '"' || (c === '$' && this.src[this.pos + 1] === '"')) {
        if (c === '$') this.pos++;
        this.pos++;
        for (const p of this.parseDoubleQuoted('"')) {
          if (p.kind === 'lit') pushLit(p.text, true);
          else parts.push(p);
        }
        this.pos++;
      } else if (c === '`') {
        parts.push({ kind: 'subst', script: this.readBackticks(), quoted: false });
      } else if (c === '$') {
        const p = this.readDollar(false);
        if (p.kind === 'lit') pushLit(p.text, false);
        else parts.push(p);
      } else if (c === '~' && this.pos === start) {
        const m = /^~([A-Za-z0-9._-]*)/.exec(this.src.slice(this.pos))!;
        const next = this.src[this.pos + m[0].length];
        if (next === undefined || next === '/' || META.has(next)) {
          parts.push({ kind: 'tilde', user: m[1]! });
          this.pos += m[0].length;
        } else {
          pushLit('~', false);
          this.pos++;
        }
      } else {
        pushLit(c, false);
        this.pos++;
      }
    }
    return { raw: this.src.slice(start, this.pos), parts };
  }

  /** The inside of "…" up to `close` (not consumed), or to the end for here-doc bodies. */
  parseDoubleQuoted(close: '"' | null): WordPart[] {
    const parts: WordPart[] = [];
    let text = '';
    const flush = () => {
      if (text) parts.push({ kind: 'lit', text, quoted: true });
      text = '';
    };
    for (;;) {
      const c = this.src[this.pos];
      if (c === undefined) {
        if (close) throw new ShellParseError('unterminated double quote');
        break;
      }
      if (c === close) break;
      if (c === '\\') {
        const n = this.src[this.pos + 1];
        if (n === '\n') this.pos += 2;
        else if (n !== undefined && '$`"\\'.includes(n)) {
          text += n;
          this.pos += 2;
        } else {
          text += c;
          this.pos++;
        }
      } else if (c === '`') {
        flush();
        parts.push({ kind: 'subst', script: this.readBackticks(), quoted: true });
      } else if (c === '$') {
        const p = this.readDollar(true);
        if (p.kind === 'lit') text += p.text;
        else {
          flush();
          parts.push(p);
        }
      } else {
        text += c;
        this.pos++;
      }
    }
    flush();
    return parts;
  }

  private readDollar(quoted: boolean): WordPart {
    const next = this.src[this.pos + 1];
    if (next === '(' && this.src[this.pos + 2] === '(') {
      this.skipArithmetic(1);
      return { kind: 'arith', quoted };
    }
    if (next === '(') {
      this.pos += 2;
      return { kind: 'subst', script: this.nested(')'), quoted };
    }
    if (next === '{') {
      const end = this.matchBrace(this.pos + 1);
      const body = this.src.slice(this.pos + 2, end);
      this.pos = end + 1;
      const name = /^[#!]?([A-Za-z_]\w*|\d+|[@*#?$!-])/.exec(body);
      // `${x:-$(cmd)}` runs cmd: look inside operators for substitutions.
      const substs = /[$`]/.test(body) ? substitutionsInBody(body, this.depth) : [];
      if (substs.length > 0) return { kind: 'subst', script: { commands: substs.flatMap((s) => s.commands) }, quoted };
      return { kind: 'var', name: name?.[1] ?? body, complex: !name || name[0] !== body, quoted };
    }
    const m = /^([A-Za-z_]\w*|\d|[@*#?$!-])/.exec(this.src.slice(this.pos + 1));
    if (m) {
      this.pos += 1 + m[1]!.length;
      return { kind: 'var', name: m[1]!, complex: false, quoted };
    }
    this.pos++;
    return { kind: 'lit', text: '$', quoted };
  }

  private nested(close: ')'): Script {
    const inner = new Parser(this.src, this.depth + 1);
    inner.pos = this.pos;
    inner.pending = this.pending;
    const script = inner.parseList(close);
    this.pos = inner.pos + 1;
    this.pending = inner.pending;
    return script;
  }

  private readBackticks(): Script {
    let i = this.pos + 1;
    let inner = '';
    for (; i < this.src.length && this.src[i] !== '`'; i++) {
      if (this.src[i] === '\\' && '`$\\'.includes(this.src[i + 1] ?? '')) inner += this.src[++i];
      else inner += this.src[i];
    }
    if (i >= this.src.length) throw new ShellParseError('unterminated backquote');
    this.pos = i + 1;
    const parser = new Parser(inner, this.depth + 1);
    const script = parser.parseList(null);
    parser.finish();
    return script;
  }

  private readAnsiC(): string {
    let i = this.pos + 2;
    let out = '';
    const esc: Record<string, string> = {
      n: '\n',
      t: '\t',
      r: '\r',
      a: '\x07',
      b: '\b',
      e: '\x1b',
      E: '\x1b',
      f: '\f',
      v: '\v',
      '\\': '\\',
      "'": "'",
      '"': '"',
      '?': '?',
    };
    for (; i < this.src.length && this.src[i] !== "'"; i++) {
      if (this.src[i] !== '\\') {
        out += this.src[i];
        continue;
      }
      const n = this.src[++i] ?? '';
      const hex = /^x([0-9a-fA-F]{1,2})/.exec(this.src.slice(i));
      const oct = /^([0-7]{1,3})/.exec(this.src.slice(i));
      if (hex) {
        out += String.fromCharCode(parseInt(hex[1]!, 16));
        i += hex[0].length - 1;
      } else if (oct) {
        out += String.fromCharCode(parseInt(oct[1]!, 8));
        i += oct[0].length - 1;
      } else out += esc[n] ?? `\\${n}`;
    }
    if (i >= this.src.length) throw new ShellParseError("unterminated $'…' string");
    this.pos = i + 1;
    return out;
  }

  private matchBrace(open: number): number {
    let depth = 0;
    for (let i = open; i < this.src.length; i++) {
      const c = this.src[i];
      if (c === '\\') i++;
      else if (c === "'" && depth > 0) {
        const end = this.src.indexOf("'", i + 1);
        if (end < 0) break;
        i = end;
      } else if (c === '{') depth++;
      else if (c === '}' && --depth === 0) return i;
    }
    throw new ShellParseError('unterminated ${…}');
  }

  /** Skips `((…))` or `$((…))`; arithmetic cannot write files. */
  private skipArithmetic(offset = 0): void {
    let depth = 0;
    for (let i = this.pos + offset; i < this.src.length; i++) {
      if (this.src[i] === '(') depth++;
      else if (this.src[i] === ')' && --depth === 0) {
        this.pos = i + 1;
        return;
      }
    }
    throw new ShellParseError('unterminated arithmetic');
  }

  private skipBlanks(): void {
    for (;;) {
      const c = this.src[this.pos];
      if (c === ' ' || c === '\t' || c === '\r') this.pos++;
      else if (c === '\\' && this.src[this.pos + 1] === '\n') this.pos += 2;
      else return;
    }
  }

  private skipComment(): void {
    const nl = this.src.indexOf('\n', this.pos);
    this.pos = nl < 0 ? this.src.length : nl;
  }
}

function substitutionsInBody(body: string, depth: number): Script[] {
  const parser = new Parser(body, depth + 1);
  return parser.parseDoubleQuoted(null).flatMap((p) => (p.kind === 'subst' ? [p.script] : []));
}
