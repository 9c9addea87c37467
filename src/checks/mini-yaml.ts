// A reader for the YAML subset harness-loop writes and documents for `.harness-loop/config.yaml`:
// block maps and sequences by indentation, `[a, b]` flow lists, quoted and plain scalars, comments.
// The hooks use it because the `yaml` package costs more to load than the whole check; anything
// outside the subset is refused with a line number, never guessed.

/** YAML the subset reader does not follow; the message names the line. */
export class MiniYamlError extends Error {}

type Value = string | number | boolean | null | Value[] | { [k: string]: Value };

interface Line {
  indent: number;
  text: string;
  no: number;
}

/** Parses `text`; throws MiniYamlError on anything outside the subset. */
export function parseMiniYaml(text: string): Value {
  const lines: Line[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const stripped = stripComment(raw, i + 1).trimEnd();
    if (stripped.trim() === '' || (lines.length === 0 && stripped === '---')) return;
    if (/^\t/.test(stripped)) throw new MiniYamlError(`line ${i + 1}: tabs are not allowed for indentation`);
    const indent = stripped.length - stripped.trimStart().length;
    lines.push({ indent, text: stripped.trimStart(), no: i + 1 });
  });
  if (lines.length === 0) return null;
  const state = { i: 0 };
  const value = parseBlock(lines, state, lines[0]!.indent);
  if (state.i < lines.length) throw new MiniYamlError(`line ${lines[state.i]!.no}: unexpected indentation`);
  return value;
}

function parseBlock(lines: Line[], state: { i: number }, indent: number): Value {
  const first = lines[state.i]!;
  if (first.text === '-' || first.text.startsWith('- ')) return parseSeq(lines, state, indent);
  return parseMap(lines, state, indent);
}

function parseMap(lines: Line[], state: { i: number }, indent: number): Value {
  const out: { [k: string]: Value } = {};
  while (state.i < lines.length) {
    const line = lines[state.i]!;
    if (line.indent < indent) break;
    if (line.indent > indent) throw new MiniYamlError(`line ${line.no}: unexpected indentation`);
    const m = /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s'"#?&*!|>{[\-][^:]*?)\s*:(?:\s+(.*))?$/.exec(line.text);
    if (!m) throw new MiniYamlError(`line ${line.no}: expected "key: value"`);
    const key = String(scalar(m[1]!, line.no));
    if (Object.prototype.hasOwnProperty.call(out, key)) throw new MiniYamlError(`line ${line.no}: duplicate key "${key}"`);
    state.i++;
    out[key] = m[2] !== undefined && m[2] !== '' ? inline(m[2], line.no) : nested(lines, state, indent);
  }
  return out;
}

function parseSeq(lines: Line[], state: { i: number }, indent: number): Value {
  const out: Value[] = [];
  while (state.i < lines.length) {
    const line = lines[state.i]!;
    if (line.indent < indent) break;
    if (line.indent > indent || !(line.text === '-' || line.text.startsWith('- '))) throw new MiniYamlError(`line ${line.no}: expected "- item"`);
    const rest = line.text.slice(1).trimStart();
    if (rest === '') {
      state.i++;
      out.push(nested(lines, state, indent));
    } else if (/^[^\s'"[{][^:]*:(\s|$)|^["'][^"']*["']\s*:(\s|$)/.test(rest)) {
      // `- key: value` starts a map whose other keys line up under `key`.
      const inner = indent + (line.text.length - rest.length);
      lines[state.i] = { indent: inner, text: rest, no: line.no };
      out.push(parseMap(lines, state, inner));
    } else {
      state.i++;
      out.push(inline(rest, line.no));
    }
  }
  return out;
}

function nested(lines: Line[], state: { i: number }, indent: number): Value {
  const next = lines[state.i];
  if (!next || next.indent < indent || (next.indent === indent && !next.text.startsWith('- ') && next.text !== '-')) return null;
  if (next.indent === indent) return parseSeq(lines, state, indent); // a list may sit at its key's indent
  return parseBlock(lines, state, next.indent);
}

function inline(text: string, no: number): Value {
  if (text.startsWith('[')) {
    if (!text.endsWith(']')) throw new MiniYamlError(`line ${no}: a flow list must end on its line`);
    const body = text.slice(1, -1).trim();
    if (body === '') return [];
    const items: Value[] = [];
    const re = /\s*("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^,[\]{}]+?)\s*(?:,|$)/gy;
    let m: RegExpExecArray | null;
    let end = 0;
    while (end < body.length && (m = re.exec(body)) !== null) {
      items.push(scalar(m[1]!, no));
      end = re.lastIndex;
    }
    if (end < body.length) throw new MiniYamlError(`line ${no}: nested flow collections are not supported`);
    return items;
  }
  if (text === '{}') return {};
  return scalar(text, no);
}

function scalar(text: string, no: number): Value {
  const t = text.trim();
  if (t.startsWith('"')) {
    if (!/^"(?:[^"\\]|\\.)*"$/.test(t)) throw new MiniYamlError(`line ${no}: unterminated double-quoted string`);
    return JSON.parse(t.replace(/\\'/g, "'")) as string;
  }
  if (t.startsWith("'")) {
    if (!/^'(?:[^']|'')*'$/.test(t)) throw new MiniYamlError(`line ${no}: unterminated single-quoted string`);
    return t.slice(1, -1).replace(/''/g, "'");
  }
  if (/^[&*!|>{%@`]/.test(t))
    throw new MiniYamlError(`line ${no}: "${t.slice(0, 20)}" uses YAML the hooks do not read (anchors, tags, block scalars, flow maps)`);
  if (/:(\s|$)/.test(t)) throw new MiniYamlError(`line ${no}: "${t.slice(0, 20)}" has ": " inside a plain value; quote it`);
  if (t === '' || t === '~' || t === 'null' || t === 'Null' || t === 'NULL') return null;
  if (/^(true|True|TRUE)$/.test(t)) return true;
  if (/^(false|False|FALSE)$/.test(t)) return false;
  if (/^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/.test(t)) return Number(t);
  return t;
}

function stripComment(line: string, no: number): string {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = null;
    } else if ((c === '"' || c === "'") && (i === 0 || /[\s:[,-]/.test(line[i - 1]!))) quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]!))) return line.slice(0, i);
  }
  if (quote) throw new MiniYamlError(`line ${no}: unterminated quoted string`);
  return line;
}
