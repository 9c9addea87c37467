// Reads a Markdown answer into claims (sentences and paragraphs) with the citations, quotes and
// numbers each carries. Citation forms: [path], [path#L10-L20], (source: path, lines 10–20),
// relative Markdown links [text](path#L3) and footnotes [^1] with `[^1]: path#L3-L5` definitions.
import { looksLikePath } from '../feedback/detectors/citations.js';

/** A citation as written, with where its path is resolved from. */
export interface Citation {
  /** The citation text as written, for messages. */
  raw: string;
  /** The path part, without anchor. */
  path: string;
  /** `root`: repository-relative; `doc`: relative to the document (Markdown links). */
  base: 'root' | 'doc';
  start?: number;
  end?: number;
  /** 1-based line of the document. */
  line: number;
}

/** A sentence or paragraph and what it cites. */
export interface Claim {
  text: string;
  line: number;
  citations: Citation[];
  quotes: string[];
  numbers: string[];
  /** Long enough, and not a heading, question or lead-in, to count for coverage. */
  counts: boolean;
}

/** A document read for evidence checks. */
export interface EvidenceDocument {
  sentences: Claim[];
  paragraphs: Claim[];
  /** Problems found while reading (a footnote without definition, …). */
  problems: { line: number; message: string }[];
}

interface Block {
  text: string;
  /** Offsets where each joined line starts, with its document line number. */
  starts: { offset: number; line: number }[];
}

const FENCE = /^\s{0,3}(`{3,}|~{3,})/;
const FOOTNOTE_DEF = /^\[\^([^\]\s]+)\]:\s?(.*)$/;
const LIST_ITEM = /^\s*(?:[-*+]|\d{1,9}[.)])\s+/;
const URL_LIKE = /^(?:[a-z][a-z0-9+.-]*:|\/\/|#)/i;
const ABBREVIATIONS = new Set([
  'e.g',
  'i.e',
  'etc',
  'vs',
  'cf',
  'fig',
  'no',
  'dr',
  'mr',
  'mrs',
  'ms',
  'al',
  'approx',
  'ca',
  'resp',
  'incl',
  'p',
  'pp',
  'sec',
  'ch',
  'vol',
]);
const NUMBER = /(?<![\w.#/-])\d[\d,]*(?:\.\d+)?(?![\w/]|\.\d)/g;

/** Reads a Markdown document into sentences and paragraphs with their citations. */
export function readEvidenceDocument(text: string): EvidenceDocument {
  const problems: EvidenceDocument['problems'] = [];
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const footnotes = new Map<string, Citation[]>();
  const blocks = splitBlocks(lines, footnotes);
  const sentences: Claim[] = [];
  const paragraphs: Claim[] = [];
  for (const block of blocks) {
    const { spans, masked } = findCitations(block, footnotes, problems);
    const blockSentences = splitSentences(block, masked, spans);
    sentences.push(...blockSentences);
    const all = blockSentences.flatMap((s) => s.citations);
    const whole = {
      ...blockSentences[0]!,
      text: block.text.trim(),
      citations: all,
      quotes: blockSentences.flatMap((s) => s.quotes),
      numbers: blockSentences.flatMap((s) => s.numbers),
    };
    whole.counts = blockSentences.some((s) => s.counts);
    paragraphs.push(whole);
  }
  return { sentences, paragraphs, problems };
}

function splitBlocks(lines: string[], footnotes: Map<string, Citation[]>): Block[] {
  const blocks: Block[] = [];
  let cur: Block | null = null;
  const close = () => {
    if (cur && cur.text.trim() !== '') blocks.push(cur);
    cur = null;
  };
  let fence: string | null = null;
  let comment = false;
  let i = 0;
  if (lines[0]?.trim() === '---') {
    const end = lines.findIndex((l, j) => j > 0 && /^(---|\.\.\.)\s*$/.test(l));
    if (end > 0) i = end + 1;
  }
  for (; i < lines.length; i++) {
    const line = lines[i]!;
    const no = i + 1;
    const f = FENCE.exec(line);
    if (fence !== null || f) {
      close();
      if (f && (fence === null || f[1]!.startsWith(fence))) fence = fence === null ? f[1]! : null;
      continue;
    }
    if (comment || line.trimStart().startsWith('<!--')) {
      close();
      comment = !line.includes('-->');
      continue;
    }
    const def = FOOTNOTE_DEF.exec(line);
    if (def) {
      close();
      let body = def[2]!;
      while (i + 1 < lines.length && /^(?: {4}|\t)\S/.test(lines[i + 1]!)) body += ` ${lines[++i]!.trim()}`;
      footnotes.set(def[1]!, citationsInFootnote(body, no));
      continue;
    }
    const trimmed = line.trim();
    if (trimmed === '' || /^#{1,6}(\s|$)/.test(trimmed) || /^(\*\s*){3,}$|^(-\s*){3,}$|^(_\s*){3,}$/.test(trimmed) || /^\[[^\]]+\]:\s/.test(trimmed)) {
      close();
      continue;
    }
    if (trimmed.startsWith('|')) {
      close();
      const next = lines[i + 1]?.trim() ?? '';
      // Separator rows and header rows (the row above a separator) are not claims.
      if (/^\|?[\s:|-]+\|?$/.test(trimmed) && trimmed.includes('-')) continue;
      if (/^\|?[\s:|-]+\|?$/.test(next) && next.includes('-')) continue;
      blocks.push({ text: trimmed.replace(/\|/g, ' ').trim(), starts: [{ offset: 0, line: no }] });
      continue;
    }
    const content = line.replace(/^\s*(?:>\s?)+/, '');
    if (LIST_ITEM.test(content)) close();
    const body = content.replace(LIST_ITEM, '').trim();
    if (!cur) cur = { text: '', starts: [] };
    const block: Block = cur;
    if (block.text !== '') block.text += ' ';
    block.starts.push({ offset: block.text.length, line: no });
    block.text += body;
  }
  close();
  return blocks;
}

interface Span {
  start: number;
  end: number;
  citations: Citation[];
}

function lineAt(block: Block, offset: number): number {
  let line = block.starts[0]!.line;
  for (const s of block.starts) if (s.offset <= offset) line = s.line;
  return line;
}

function findCitations(block: Block, footnotes: Map<string, Citation[]>, problems: EvidenceDocument['problems']): { spans: Span[]; masked: string } {
  const spans: Span[] = [];
  const text = block.text;
  const taken = (start: number, end: number) => spans.some((s) => start < s.end && end > s.start);
  const add = (start: number, end: number, citations: Citation[]) => {
    if (!taken(start, end)) spans.push({ start, end, citations });
  };
  for (const m of text.matchAll(/`[^`]*`/g)) add(m.index, m.index + m[0].length, []);
  for (const m of text.matchAll(/\[\^([^\]\s]+)\](?!:)/g)) {
    const line = lineAt(block, m.index);
    const defs = footnotes.get(m[1]!);
    if (!defs) problems.push({ line, message: `footnote [^${m[1]}] has no definition` });
    else if (defs.length === 0) problems.push({ line, message: `footnote [^${m[1]}] names no file to check` });
    add(
      m.index,
      m.index + m[0].length,
      (defs ?? []).map((c) => ({ ...c, line })),
    );
  }
  for (const m of text.matchAll(/(!?)\[((?:[^[\]]|\[[^\]]*\])*)\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
    const target = m[3]!;
    const cite = m[1] === '' && !URL_LIKE.test(target) ? parseTarget(target, m[0], 'doc', lineAt(block, m.index)) : null;
    add(m.index, m.index + m[0].length, cite ? [cite] : []);
  }
  for (const m of text.matchAll(/\(\s*sources?\s*:\s*([^)]+)\)/gi)) add(m.index, m.index + m[0].length, sourceList(m[1]!, m[0], lineAt(block, m.index)));
  for (const m of text.matchAll(/(?<![\]!\\\w])\[([^\]\n^]+)\](?![(:[])/g)) {
    if (!looksLikePath(m[1]!.replace(/:\d+(?:-\d+)?$/, ''), true)) continue;
    const cite = parseTarget(m[1]!, m[0], 'root', lineAt(block, m.index));
    if (cite) add(m.index, m.index + m[0].length, [cite]);
  }
  spans.sort((a, b) => a.start - b.start);
  const parts: string[] = [];
  let at = 0;
  for (const s of spans) {
    parts.push(text.slice(at, s.start), ' '.repeat(s.end - s.start));
    at = s.end;
  }
  parts.push(text.slice(at));
  return { spans, masked: parts.join('') };
}

/** `path`, `path#L3`, `path#L3-L9`, `path:3-9`, with an optional `, lines 3–9` after it. */
function parseTarget(target: string, raw: string, base: Citation['base'], line: number): Citation | null {
  const m = /^(.*?)(?:#L(\d+)(?:C\d+)?(?:-L?(\d+)(?:C\d+)?)?|:(\d+)(?:-(\d+))?|#[\w-]*)?(?:\s*,\s*(?:lines?|L)\s*(\d+)(?:\s*(?:-|–|—|to)\s*(\d+))?)?\s*$/i.exec(
    target.trim(),
  );
  if (!m || m[1]!.trim() === '') return null;
  let path = m[1]!.trim().replace(/^<|>$/g, '');
  try {
    path = decodeURIComponent(path);
  } catch {
    // Keep the path as written when it is not valid percent-encoding.
  }
  const start = m[2] ?? m[4] ?? m[6];
  const end = m[3] ?? m[5] ?? m[7] ?? start;
  return { raw, path, base, line, ...(start ? { start: Number(start), end: Number(end) } : {}) };
}

function sourceList(body: string, raw: string, line: number): Citation[] {
  const out: Citation[] = [];
  for (const part of body.split(';')) {
    // "a.md, b.md" are two sources; "a.md, lines 3-5" is one.
    const pieces = part.split(/,(?!\s*(?:lines?|L)\s*\d)/i);
    for (const piece of pieces) {
      const text = piece.trim().replace(/^sources?\s*:\s*/i, '');
      if (text === '' || !looksLikePath(text.split(/[\s,#]/)[0]!, false)) continue;
      const cite = parseTarget(text, raw, 'root', line);
      if (cite) out.push(cite);
    }
  }
  return out;
}

function citationsInFootnote(body: string, line: number): Citation[] {
  const link = /\[[^\]]*\]\(\s*<?([^)\s>]+)>?[^)]*\)/.exec(body);
  if (link && !URL_LIKE.test(link[1]!)) {
    const c = parseTarget(link[1]!, `[^]: ${link[0]}`, 'doc', line);
    return c ? [c] : [];
  }
  const source = /\(?\s*sources?\s*:\s*([^)]+)\)?/i.exec(body);
  if (source) return sourceList(source[1]!, body.trim(), line);
  const bracket = /\[([^\]^]+)\]/.exec(body);
  const target = bracket ? bracket[1]! : (/^\s*(\S+?(?:\s*,\s*(?:lines?|L)\s*\d+(?:\s*(?:-|–|—|to)\s*\d+)?)?)(?:\s|$)/i.exec(body)?.[1] ?? '');
  const pathPart = target.split(/[#,\s]|:\d/)[0]!.replace(/[.;]$/, '');
  if (!looksLikePath(pathPart, false) || URL_LIKE.test(pathPart) || !/[./]/.test(pathPart)) return [];
  const c = parseTarget(target.replace(/[.;]$/, ''), body.trim(), 'root', line);
  return c ? [c] : [];
}

function splitSentences(block: Block, masked: string, spans: Span[]): Claim[] {
  const ranges: [number, number][] = [];
  let start = 0;
  const boundary = /[.!?]["'”’)\]]*(?=\s+|$)/g;
  for (const m of masked.matchAll(boundary)) {
    const end = m.index + m[0].length;
    const word = /(\S+)$/.exec(masked.slice(start, m.index))?.[1] ?? '';
    if (m[0][0] === '.' && (ABBREVIATIONS.has(word.toLowerCase().replace(/^\W+/, '')) || /^[A-Z]$/.test(word))) continue;
    ranges.push([start, end]);
    start = end;
  }
  if (start < masked.length) ranges.push([start, masked.length]);
  const claims: Claim[] = [];
  let next = 0; // spans are sorted by start, and so are the ranges
  for (const [s, e] of ranges) {
    const visible = masked.slice(s, e);
    // Citations before the first word ("Claim. [a.md] Next claim.") belong to the sentence before.
    const firstWord = s + visible.search(/\S|$/);
    const prev = claims[claims.length - 1];
    const inRange: Span[] = [];
    while (next < spans.length && spans[next]!.start < e) inRange.push(spans[next++]!);
    if (prev) prev.citations.push(...inRange.filter((sp) => sp.start < firstWord).flatMap((sp) => sp.citations));
    const own = inRange.filter((sp) => !prev || sp.start >= firstWord).flatMap((sp) => sp.citations);
    if (!/[A-Za-z0-9]/.test(visible)) {
      if (!prev && own.length > 0) claims.push(makeClaim(block, s, e, masked, own));
      continue;
    }
    claims.push(makeClaim(block, prev ? firstWord : s, e, masked, own));
  }
  return claims.length > 0
    ? claims
    : [
        makeClaim(
          block,
          0,
          masked.length,
          masked,
          spans.flatMap((sp) => sp.citations),
        ),
      ];
}

function makeClaim(block: Block, s: number, e: number, masked: string, citations: Citation[]): Claim {
  const original = block.text.slice(s, e);
  const quotes: string[] = [];
  let numberText = masked.slice(s, e);
  for (const m of original.matchAll(/"([^"]+)"|“([^”]+)”/g)) {
    const q = (m[1] ?? m[2]!).trim();
    // One-word quotes are usually terms ("retry"), not quotations of a source.
    if (/\s/.test(q)) quotes.push(q);
    numberText = numberText.slice(0, m.index) + ' '.repeat(m[0].length) + numberText.slice(m.index + m[0].length);
  }
  const numbers = [...numberText.matchAll(NUMBER)].flatMap((m) => normalizeNumber(m[0]));
  const visible = masked.slice(s, e).trim();
  const words = visible.split(/\s+/).filter((w) => /[A-Za-z]/.test(w)).length;
  const counts = words >= 3 && !/[:?]$/.test(visible);
  return {
    text: original.trim(),
    line: lineAt(block, s + (original.length - original.trimStart().length)),
    citations: [...citations],
    quotes,
    numbers,
    counts,
  };
}

/** Canonical spellings of a number token: `1,200` → `1200`, `3.50` → `3.5`; a list like `3,4` splits. */
export function normalizeNumber(token: string): string[] {
  const t = token.replace(/,+$/, '');
  if (/^\d{1,3}(,\d{3})+(\.\d+)?$/.test(t)) return [String(Number(t.replace(/,/g, '')))];
  return t
    .split(',')
    .filter((x) => x !== '')
    .map((x) => String(Number(x)));
}

/** Every number in a text, normalised like `normalizeNumber`. */
export function numbersIn(text: string): Set<string> {
  return new Set([...text.matchAll(NUMBER)].flatMap((m) => normalizeNumber(m[0])));
}
