// apply_patch read exactly as Codex 0.169 reads it (codex-rs/apply-patch/src/parser.rs, lenient
// mode) and applied as it applies updates (lib.rs compute_replacements + seek_sequence.rs), so the
// guard judges the files and contents Codex will really write. The parser is checked against the
// real binary's `--codex-run-as-apply-patch` mode (test/unit/checks/apply-patch-codex.test.ts).

/** What a patch does to one path. */
export type PatchOp = 'add' | 'update' | 'delete' | 'move';

/** One path named by a patch header, as the model wrote it (relative to the call's cwd). */
export interface PatchPath {
  op: PatchOp;
  path: string;
  /** 1-based line of the header inside the (trimmed) patch. */
  line: number;
}

/** One change chunk of an Update File hunk. */
export interface PatchChunk {
  context: string | null;
  oldLines: string[];
  newLines: string[];
  endOfFile: boolean;
}

/** One hunk, as Codex's parser produces it. */
export type PatchHunk =
  | { op: 'add'; path: string; contents: string; line: number }
  | { op: 'delete'; path: string; line: number }
  | { op: 'update'; path: string; movePath: string | null; chunks: PatchChunk[]; line: number };

/** Parsed patch, or why it could not be read; a guard must refuse what it cannot read. */
export type PatchParse = { ok: true; paths: PatchPath[]; hunks: PatchHunk[] } | { ok: false; reason: string };

const BEGIN = '*** Begin Patch';
const END = '*** End Patch';
const ADD = '*** Add File: ';
const DELETE = '*** Delete File: ';
const UPDATE = '*** Update File: ';
const MOVE = '*** Move to: ';
const EOF_MARKER = '*** End of File';
// A line that looks like a header once trimmed: if Codex's grammar does not consume it as one, a
// different Codex version (or a reader of the patch) might, so the guard refuses the patch.
const HEADER_LIKE = /^\*\*\*\s*(add|delete|update|move|begin|end)\b/i;

// Rust's `str::trim` (Unicode White_Space), which is what Codex trims with; JavaScript's \s differs
// (it has U+FEFF, lacks U+0085), so the set is spelled out.
const WS = '\\t\\n\\v\\f\\r \\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000';
const LEADING = new RegExp(`^[${WS}]+`);
const TRAILING = new RegExp(`[${WS}]+$`);
function rtrim(s: string): string {
  return s.replace(TRAILING, '');
}
function trim(s: string): string {
  return s.replace(LEADING, '').replace(TRAILING, '');
}

/** Rust's `str::lines`: split on `\n`, drop one trailing `\r` per line, no final empty line. */
function rustLines(text: string): string[] {
  if (text === '') return [];
  const parts = text.split('\n');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

class PatchError extends Error {}

/** Parses a patch the way Codex does; also refuses header-looking lines Codex reads as content. */
export function parsePatch(text: string): PatchParse {
  try {
    const hunks = parseHunks(text);
    if (hunks.length === 0) return { ok: false, reason: 'the patch names no file' };
    const paths: PatchPath[] = [];
    for (const h of hunks) {
      paths.push({ op: h.op, path: h.path, line: h.line });
      if (h.op === 'update' && h.movePath !== null) paths.push({ op: 'move', path: h.movePath, line: h.line + 1 });
    }
    return { ok: true, paths, hunks };
  } catch (error) {
    if (error instanceof PatchError) return { ok: false, reason: error.message };
    throw error;
  }
}

function parseHunks(text: string): PatchHunk[] {
  const all = rustLines(trim(text));
  let lines = all;
  let offset = 0;
  if (!hasBoundaries(lines)) {
    // Lenient mode: a heredoc wrapper (`<<'EOF'` … `EOF`) around the patch, as some models send it.
    const first = all[0];
    const wrapped = all.length >= 4 && (first === '<<EOF' || first === "<<'EOF'" || first === '<<"EOF"') && all[all.length - 1]!.endsWith('EOF');
    if (!wrapped)
      throw new PatchError(
        all.length === 0 || trim(all[0]!) !== BEGIN ? 'the patch does not start with "*** Begin Patch"' : 'the patch does not end with "*** End Patch"',
      );
    lines = all.slice(1, -1);
    offset = 1;
    if (!hasBoundaries(lines))
      throw new PatchError(trim(lines[0]!) !== BEGIN ? 'the patch does not start with "*** Begin Patch"' : 'the patch does not end with "*** End Patch"');
  }
  const body = lines.slice(1, -1);
  const hunks: PatchHunk[] = [];
  let i = 0;
  while (i < body.length) {
    const { hunk, used } = parseOneHunk(body, i, i + 2 + offset);
    hunks.push(hunk);
    i += used;
  }
  return hunks;
}

function hasBoundaries(lines: string[]): boolean {
  return lines.length >= 2 && trim(lines[0]!) === BEGIN && trim(lines[lines.length - 1]!) === END;
}

function parseOneHunk(lines: string[], start: number, lineNo: number): { hunk: PatchHunk; used: number } {
  const first = trim(lines[start]!);
  if (first.startsWith(ADD)) {
    let used = 1;
    let contents = '';
    for (let j = start + 1; j < lines.length && lines[j]!.startsWith('+'); j++, used++) contents += `${lines[j]!.slice(1)}\n`;
    return { hunk: { op: 'add', path: checkPath(first.slice(ADD.length), lineNo), contents, line: lineNo }, used };
  }
  if (first.startsWith(DELETE)) return { hunk: { op: 'delete', path: checkPath(first.slice(DELETE.length), lineNo), line: lineNo }, used: 1 };
  if (first.startsWith(UPDATE)) {
    const path = checkPath(first.slice(UPDATE.length), lineNo);
    let j = start + 1;
    let movePath: string | null = null;
    if (j < lines.length && lines[j]!.startsWith(MOVE)) {
      movePath = checkPath(lines[j]!.slice(MOVE.length), lineNo + 1);
      j++;
    }
    const chunks: PatchChunk[] = [];
    while (j < lines.length) {
      if (trim(lines[j]!) === '') {
        j++;
        continue;
      }
      if (lines[j]!.startsWith('*')) break;
      const { chunk, used } = parseChunk(lines, j, lineNo + (j - start), chunks.length === 0);
      chunks.push(chunk);
      j += used;
    }
    if (chunks.length === 0) throw new PatchError(`update of '${path}' on line ${lineNo} has no changes`);
    return { hunk: { op: 'update', path, movePath, chunks, line: lineNo }, used: j - start };
  }
  throw new PatchError(`line ${lineNo} is not a valid hunk header: ${first.slice(0, 80)}`);
}

function checkPath(path: string, lineNo: number): string {
  // Codex takes the rest of the header as the path; an empty or blank one cannot name a file.
  if (trim(path) === '') throw new PatchError(`empty path on line ${lineNo}`);
  if (path.includes('\0')) throw new PatchError(`path with a NUL byte on line ${lineNo}`);
  return path;
}

function parseChunk(lines: string[], start: number, lineNo: number, allowMissingContext: boolean): { chunk: PatchChunk; used: number } {
  const head = lines[start]!;
  let context: string | null = null;
  let from = start;
  if (head === '@@') from++;
  else if (head.startsWith('@@ ')) {
    context = head.slice(3);
    from++;
  } else if (!allowMissingContext) throw new PatchError(`line ${lineNo}: expected a "@@" context marker, got: ${head.slice(0, 80)}`);
  if (from >= lines.length) throw new PatchError(`line ${lineNo + 1}: update chunk has no lines`);
  const chunk: PatchChunk = { context, oldLines: [], newLines: [], endOfFile: false };
  let parsed = 0;
  for (let j = from; j < lines.length; j++) {
    const line = lines[j]!;
    if (line === EOF_MARKER) {
      if (parsed === 0) throw new PatchError(`line ${lineNo + 1}: update chunk has no lines`);
      chunk.endOfFile = true;
      parsed++;
      break;
    }
    const c = line[0];
    if (c === undefined) {
      chunk.oldLines.push('');
      chunk.newLines.push('');
    } else if (c === ' ') {
      if (HEADER_LIKE.test(trim(line)))
        throw new PatchError(
          `line ${lineNo + (j - start)}: "${line.slice(0, 80)}" looks like a patch header but Codex reads it as a context line; write the header without leading whitespace`,
        );
      chunk.oldLines.push(line.slice(1));
      chunk.newLines.push(line.slice(1));
    } else if (c === '+') chunk.newLines.push(line.slice(1));
    else if (c === '-') chunk.oldLines.push(line.slice(1));
    else {
      if (parsed === 0) throw new PatchError(`line ${lineNo + (j - start)}: unexpected line in an update chunk: ${line.slice(0, 80)}`);
      break;
    }
    parsed++;
  }
  return { chunk, used: parsed + (from - start) };
}

/**
 * The content Codex writes for an Update File hunk applied to `original`, or null when Codex
 * would fail to apply it (then nothing is written).
 */
export function applyChunks(original: string, chunks: PatchChunk[]): string | null {
  const lines = original.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const replacements: [number, number, string[]][] = [];
  let index = 0;
  for (const chunk of chunks) {
    if (chunk.context !== null) {
      const at = seekSequence(lines, [chunk.context], index, false);
      if (at === null) return null;
      index = at + 1;
    }
    if (chunk.oldLines.length === 0) {
      const at = lines[lines.length - 1] === '' ? lines.length - 1 : lines.length;
      replacements.push([at, 0, chunk.newLines]);
      continue;
    }
    let pattern = chunk.oldLines;
    let next = chunk.newLines;
    let found = seekSequence(lines, pattern, index, chunk.endOfFile);
    if (found === null && pattern[pattern.length - 1] === '') {
      pattern = pattern.slice(0, -1);
      if (next[next.length - 1] === '') next = next.slice(0, -1);
      found = seekSequence(lines, pattern, index, chunk.endOfFile);
    }
    if (found === null) return null;
    replacements.push([found, pattern.length, next]);
    index = found + pattern.length;
  }
  replacements.sort((a, b) => a[0] - b[0]);
  for (const [at, oldLen, next] of [...replacements].reverse()) {
    lines.splice(at, Math.min(oldLen, Math.max(0, lines.length - at)), ...next);
  }
  if (lines[lines.length - 1] !== '') lines.push('');
  return lines.join('\n');
}

const PUNCT: Record<string, string> = {};
for (const c of '\u2010\u2011\u2012\u2013\u2014\u2015\u2212') PUNCT[c] = '-';
for (const c of '\u2018\u2019\u201A\u201B') PUNCT[c] = "'";
for (const c of '\u201C\u201D\u201E\u201F') PUNCT[c] = '"';
for (const c of '\u00A0\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200A\u202F\u205F\u3000') PUNCT[c] = ' ';
const normalise = (s: string) => [...trim(s)].map((c) => PUNCT[c] ?? c).join('');

function seekSequence(lines: string[], pattern: string[], start: number, eof: boolean): number | null {
  if (pattern.length === 0) return start;
  if (pattern.length > lines.length) return null;
  const from = eof ? lines.length - pattern.length : start;
  const last = lines.length - pattern.length;
  for (const eq of [
    (a: string, b: string) => a === b,
    (a: string, b: string) => rtrim(a) === rtrim(b),
    (a: string, b: string) => trim(a) === trim(b),
    (a: string, b: string) => normalise(a) === normalise(b),
  ]) {
    for (let i = from; i <= last; i++) if (pattern.every((p, k) => eq(lines[i + k]!, p))) return i;
  }
  return null;
}

/** Whether a shell word or tool name is the apply_patch command. */
export function isApplyPatchName(name: string): boolean {
  return name === 'apply_patch' || name === 'applypatch';
}
