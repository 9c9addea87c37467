// Where a TOML key is written: smol-toml gives values, not positions. Pure.

/** The header path of a `[a.b."c d"]` line, or null. */
function headerPath(line: string): string[] | null {
  const m = /^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$/.exec(line);
  return m ? splitKey(m[1]!) : null;
}

/** `a.b."c.d"` → ['a', 'b', 'c.d']. */
export function splitKey(key: string): string[] {
  const out: string[] = [];
  const re = /\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([A-Za-z0-9_-]+))\s*(?:\.|$)/gy;
  let m: RegExpExecArray | null;
  while ((m = re.exec(key)) !== null && m[0] !== '') out.push(m[1] ?? m[2] ?? m[3]!);
  return out;
}

function same(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * 1-based line where the key `path` is set: `[t] k = …`, a dotted `t.k = …` in an enclosing
 * table, or the `[path]` header itself for a table. Falls back to 1 when not found.
 */
export function tomlKeyLine(text: string, path: string[]): number {
  const lines = text.split(/\r?\n/);
  let table: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const header = headerPath(line);
    if (header) {
      table = header;
      if (same(header, path)) return i + 1;
      continue;
    }
    const m = /^\s*([A-Za-z0-9_."'-][^=]*?)\s*=/.exec(line);
    if (!m) continue;
    const full = [...table, ...splitKey(m[1]!)];
    if (same(full, path) || (full.length > path.length && same(full.slice(0, path.length), path))) return i + 1;
  }
  return 1;
}
