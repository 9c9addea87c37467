// Paths an apply_patch call touches, per the grammar Codex 0.169.0 advertises (codex-hooks.md §9).

/** What a patch does to one path. */
export type PatchOp = 'add' | 'update' | 'delete' | 'move';

/** One path named by a patch header, as the model wrote it (relative to the call's cwd). */
export interface PatchPath {
  op: PatchOp;
  path: string;
  /** 1-based line of the header inside the patch. */
  line: number;
}

/** Parsed patch, or why it could not be read; a guard must refuse what it cannot read. */
export type PatchParse = { ok: true; paths: PatchPath[] } | { ok: false; reason: string };

const HEADER = /^\*\*\* (Add File|Update File|Delete File|Move to):(?: (.*))?$/;
const OPS: Record<string, PatchOp> = { 'Add File': 'add', 'Update File': 'update', 'Delete File': 'delete', 'Move to': 'move' };

/**
 * Reads every `*** Add File:`, `*** Update File:`, `*** Delete File:` and `*** Move to:` header.
 * Strict about the frame (Begin/End Patch) and about header-looking lines it does not know,
 * because a path the parser skips is a path the guard does not check.
 */
export function parsePatch(text: string): PatchParse {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  let first = 0;
  while (first < lines.length && lines[first]!.trim() === '') first++;
  // Codex also accepts the patch wrapped in a heredoc (`<<'EOF'` … `EOF`) as the tool input.
  const wrapper = /^<<\s*['"]?(\w+)['"]?\s*$/.exec(lines[first] ?? '');
  if (wrapper) {
    let last = lines.length - 1;
    while (last > first && lines[last]!.trim() === '') last--;
    if (lines[last]!.trim() === wrapper[1]) lines.splice(last, 1);
    first++;
  }
  if (lines[first]?.trim() !== '*** Begin Patch') return { ok: false, reason: 'the patch does not start with "*** Begin Patch"' };
  const paths: PatchPath[] = [];
  let ended = false;
  for (let i = first + 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (ended) {
      if (line.trim() !== '') return { ok: false, reason: `text after "*** End Patch" (line ${i + 1})` };
      continue;
    }
    if (line.trim() === '*** End Patch') {
      ended = true;
      continue;
    }
    if (!line.startsWith('***')) continue;
    if (line === '*** End of File') continue;
    const m = HEADER.exec(line.trimEnd());
    if (!m) return { ok: false, reason: `unknown patch header on line ${i + 1}: ${line.slice(0, 80)}` };
    const path = (m[2] ?? '').trim();
    if (path === '') return { ok: false, reason: `empty path on line ${i + 1}` };
    paths.push({ op: OPS[m[1]!]!, path, line: i + 1 });
  }
  if (!ended) return { ok: false, reason: 'the patch has no "*** End Patch" line' };
  if (paths.length === 0) return { ok: false, reason: 'the patch names no file' };
  return { ok: true, paths };
}

/** Whether a shell word or tool name is the apply_patch command. */
export function isApplyPatchName(name: string): boolean {
  return name === 'apply_patch' || name === 'applypatch';
}
