import { posix } from 'node:path';

/** A path cited in a text, and the line it was cited on. */
export interface Citation {
  path: string;
  form: 'backtick' | 'bracket' | 'link' | 'source' | 'footnote';
  line: string;
}

// A bare backticked word is often code (`span.id`, `origin/main`), so only names with a file
// extension people cite, or a trailing slash (a folder), count as paths there.
const FILE_EXTENSIONS = new Set(
  'md markdown mdx txt rst adoc csv tsv json jsonl ndjson yaml yml toml ini cfg conf env xml html htm css scss svg png jpg jpeg gif pdf ts tsx mts cts js jsx mjs cjs py rb go rs java kt kts swift c h cc cpp hpp cs php sh bash zsh fish ps1 sql lock log ipynb proto graphql gql tf hcl dockerfile makefile gradle vue svelte lua pl r scala ex exs erl hs ml dart'.split(
    ' ',
  ),
);

const URL_LIKE = /^(?:[a-z][a-z0-9+.-]*:|\/\/|#|mailto:)/i;
const NOT_PATH = /[\s()<>{}*?|;,'"=`$]/;

/** Removes line anchors and positions: `a.ts#L10-L20`, `a.ts:12`, `a.ts:12:3`, and trailing punctuation. */
export function stripAnchor(raw: string): string {
  return raw
    .trim()
    .replace(/[.,;:!]+$/, '')
    .replace(/#L?\d+(?:-L?\d+)?$/i, '')
    .replace(/#[A-Za-z0-9_-]*$/, '')
    .replace(/:\d+(?::\d+)?(?:-\d+)?$/, '');
}

function hasFileExtension(path: string): boolean {
  const base = posix.basename(path);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? FILE_EXTENSIONS.has(base.slice(dot + 1).toLowerCase()) : /^(?:Dockerfile|Makefile|LICENSE|README)$/.test(base);
}

/** Whether `raw` reads as a path; `strict` is for forms where code often appears (backticks, bare brackets). */
export function looksLikePath(raw: string, strict: boolean): boolean {
  const path = stripAnchor(raw);
  if (path === '' || URL_LIKE.test(path) || NOT_PATH.test(path) || path.startsWith('-') || path.startsWith('@')) return false;
  if (!strict) return /[A-Za-z0-9_]/.test(path);
  return hasFileExtension(path) || (path.endsWith('/') && path.length > 1);
}

/** Fenced code is quoted material, not citation. */
function withoutFences(text: string): string[] {
  const lines: string[] = [];
  let fence: string | null = null;
  for (const line of text.split('\n')) {
    const f = /^\s{0,3}(`{3,}|~{3,})/.exec(line);
    if (f) {
      fence = fence === null ? f[1]![0]! : f[1]![0] === fence ? null : fence;
      continue;
    }
    if (fence === null) lines.push(line);
  }
  return lines;
}

/**
 * Paths cited in a Markdown answer: `path`, [path] and [path#L10-L20], [text](path),
 * (source: a, b) and footnote targets `[^1]: path`. Each path once, in first-seen order.
 */
export function extractCitations(text: string): Citation[] {
  const found = new Map<string, Citation>();
  const add = (raw: string, form: Citation['form'], line: string, strict: boolean) => {
    if (!looksLikePath(raw, strict)) return;
    const path = stripAnchor(raw).replace(/^\.\//, '');
    if (!found.has(path)) found.set(path, { path, form, line: line.trim() });
  };
  for (const line of withoutFences(text)) {
    const footnote = /^\s*\[\^[^\]]+\]:\s*(\S+)/.exec(line);
    if (footnote) {
      add(footnote[1]!, 'footnote', line, false);
      continue;
    }
    // Collected with their positions so paths come out in reading order whatever their form.
    const hits: { at: number; raw: string; form: Citation['form']; strict: boolean }[] = [];
    for (const m of line.matchAll(/\[([^\]\n]+)\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g))
      hits.push({ at: m.index, raw: m[2]!, form: 'link', strict: false });
    for (const m of line.matchAll(/(?<![\]!\\])\[([^\]\n^]+)\](?![(:[])/g)) hits.push({ at: m.index, raw: m[1]!, form: 'bracket', strict: true });
    for (const m of line.matchAll(/\(\s*sources?:\s*([^)]+)\)/gi)) {
      for (const part of m[1]!.split(/[,;]/)) hits.push({ at: m.index, raw: part.trim(), form: 'source', strict: false });
    }
    for (const m of line.matchAll(/`([^`\n]+)`/g)) hits.push({ at: m.index, raw: m[1]!, form: 'backtick', strict: true });
    hits.sort((a, b) => a.at - b.at);
    for (const hit of hits) add(hit.raw, hit.form, line, hit.strict);
  }
  return [...found.values()];
}
