// Edits $CODEX_HOME/config.toml without rewriting it: the user's comments, order and formatting
// stay; only the tables we own are added or changed, and the result must parse before it is written.
import { parse } from 'smol-toml';

/** A TOML basic string literal. */
function tomlString(value: string): string {
  return JSON.stringify(value);
}

/** `[a."b c"]` header text for a dotted path. */
function tableHeader(path: string[]): string {
  return `[${path.map((p) => (/^[A-Za-z0-9_-]+$/.test(p) ? p : tomlString(p))).join('.')}]`;
}

function lookup(doc: Record<string, unknown>, path: string[]): unknown {
  let node: unknown = doc;
  for (const key of path) {
    if (!node || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** Parses TOML, throwing an Error whose message names the line. */
export function parseToml(text: string): Record<string, unknown> {
  return parse(text) as Record<string, unknown>;
}

/**
 * Sets `key = value` (a string) in the table at `path`. An existing table with that exact
 * header gets its line replaced or added; otherwise a new table is appended at the end.
 */
export function setTomlString(text: string, path: string[], key: string, value: string): string {
  const doc = parseToml(text);
  const table = lookup(doc, path);
  if (table && typeof table === 'object' && (table as Record<string, unknown>)[key] === value) return text;
  const header = tableHeader(path);
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.trim() === header);
  let out: string;
  if (start === -1) {
    if (table !== undefined) throw new Error(`${header} is defined inline; edit it by hand`);
    const sep = text === '' || text.endsWith('\n\n') ? '' : text.endsWith('\n') ? '\n' : '\n\n';
    out = `${text}${sep}${header}\n${key} = ${tomlString(value)}\n`;
  } else {
    let end = lines.findIndex((l, i) => i > start && /^\s*\[/.test(l));
    if (end === -1) end = lines.length;
    const keyLine = lines.findIndex((l, i) => i > start && i < end && new RegExp(`^\\s*${key}\\s*=`).test(l));
    if (keyLine !== -1) lines[keyLine] = `${key} = ${tomlString(value)}`;
    else lines.splice(start + 1, 0, `${key} = ${tomlString(value)}`);
    out = lines.join('\n');
  }
  const check = lookup(parseToml(out), path) as Record<string, unknown> | undefined;
  if (check?.[key] !== value) throw new Error(`could not set ${header} ${key}`);
  return out;
}

/** Removes the table at `path` when it holds only `key` with `value` (what we wrote); else leaves it. */
export function removeTomlTableIfOurs(text: string, path: string[], key: string, value: string): string {
  const header = tableHeader(path);
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.trim() === header);
  if (start === -1) return text;
  let end = lines.findIndex((l, i) => i > start && /^\s*\[/.test(l));
  if (end === -1) end = lines.length;
  const body = lines.slice(start + 1, end).filter((l) => l.trim() !== '' && !l.trim().startsWith('#'));
  if (body.length !== 1 || body[0]!.trim() !== `${key} = ${tomlString(value)}`) return text;
  // Drop the blank line we put before the table as well.
  const from = start > 0 && lines[start - 1]!.trim() === '' ? start - 1 : start;
  lines.splice(from, end - from);
  let out = lines.join('\n');
  if (text.endsWith('\n') && !out.endsWith('\n') && out !== '') out += '\n';
  parseToml(out);
  return out;
}
