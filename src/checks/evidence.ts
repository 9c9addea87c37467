// Checks the evidence in one written document: every citation resolves to a readable file inside
// the repository and the source roots, cited lines exist, quotes and numbers appear in what is
// cited, and enough claims carry a citation. Pure apart from reading the cited files.
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { numbersIn, readEvidenceDocument, type Citation } from './citations.js';
import type { EvidenceSettings } from './hook-config.js';

/** One problem, on a line of the document. */
export interface EvidenceProblem {
  line: number;
  kind: 'citation' | 'range' | 'quote' | 'number' | 'coverage' | 'uncited-number';
  message: string;
}

/** The verdict on one document. */
export interface EvidenceReport {
  /** Repository-relative path of the document. */
  file: string;
  problems: EvidenceProblem[];
  claims: number;
  cited: number;
  coverage: number;
}

interface Source {
  rel: string;
  lines: string[];
}

type Resolved = { ok: true; source: Source } | { ok: false; message: string };

/** Checks one document (`text`, at `docAbs`) inside the repository at `root`. */
export function checkEvidence(text: string, docAbs: string, root: string, settings: EvidenceSettings): EvidenceReport {
  const doc = readEvidenceDocument(text);
  const realRoot = safeRealpath(root);
  const cache = new Map<string, Resolved>();
  const problems: EvidenceProblem[] = doc.problems.map((p) => ({ ...p, kind: 'citation' as const }));
  const resolveCite = (c: Citation): Resolved => {
    const key = `${c.base}:${c.path}`;
    let r = cache.get(key);
    if (!r) {
      r = resolveSource(c, docAbs, root, realRoot, settings.sourceRoots);
      cache.set(key, r);
    }
    return r;
  };

  const reported = new Set<string>();
  for (const sentence of doc.sentences) {
    const usable: { cite: Citation; source: Source; from: number; to: number }[] = [];
    for (const cite of sentence.citations) {
      const r = resolveCite(cite);
      const once = (message: string, kind: EvidenceProblem['kind']) => {
        const key = `${cite.line}\0${message}`;
        if (!reported.has(key)) problems.push({ line: cite.line, kind, message });
        reported.add(key);
      };
      if (!r.ok) {
        once(`${cite.raw}: ${r.message}`, 'citation');
        continue;
      }
      const count = r.source.lines.length;
      if (cite.start !== undefined) {
        const end = cite.end ?? cite.start;
        if (cite.start < 1 || end < cite.start) {
          once(`${cite.raw}: "${cite.start}-${end}" is not a line range`, 'range');
          continue;
        }
        if (end > count) {
          once(`${cite.raw}: ${rangeText(cite.start, end)} do not exist (${r.source.rel} has ${count} line${count === 1 ? '' : 's'})`, 'range');
          continue;
        }
        usable.push({ cite, source: r.source, from: cite.start, to: end });
      } else usable.push({ cite, source: r.source, from: 1, to: count });
    }
    if (usable.length === 0) continue;
    const spans = usable.map((u) => ({ ...u, text: u.source.lines.slice(u.from - 1, u.to).join('\n') }));
    const where = spans.map((s) => `${s.source.rel}${s.cite.start !== undefined ? ` (${rangeText(s.from, s.to)})` : ''}`).join(' or ');
    for (const quote of sentence.quotes) {
      const q = normalizeText(quote);
      if (spans.some((s) => normalizeText(s.text).includes(q))) continue;
      const elsewhere = spans.map((s) => lineOf(s.source.lines, q)).find((n) => n !== null);
      problems.push({
        line: sentence.line,
        kind: 'quote',
        message: `quote "${clip(quote, 80)}" is not in ${where}${elsewhere ? ` (it is at line ${elsewhere})` : ''}`,
      });
    }
    const available = new Set(spans.flatMap((s) => [...numbersIn(s.text)]));
    for (const n of new Set(sentence.numbers)) {
      if (!available.has(n)) problems.push({ line: sentence.line, kind: 'number', message: `the number ${n} does not appear in ${where}` });
    }
  }

  const units = settings.unit === 'paragraph' ? doc.paragraphs : doc.sentences;
  const claims = units.filter((u) => u.counts);
  const cited = claims.filter((u) => u.citations.length > 0);
  const coverage = claims.length === 0 ? 1 : cited.length / claims.length;
  const uncitedNumeric = claims.filter((u) => u.citations.length === 0 && u.numbers.length > 0);
  if (coverage + 1e-9 < settings.minCoverage) {
    const uncited = claims.filter((u) => u.citations.length === 0 && u.numbers.length === 0);
    const list = uncited.slice(0, 3).map((u) => `line ${u.line} "${clip(u.text, 60)}"`);
    problems.push({
      line: 0,
      kind: 'coverage',
      message:
        `only ${cited.length} of ${claims.length} ${settings.unit}s cite a source (${percent(coverage)}); the minimum is ${percent(settings.minCoverage)}` +
        (list.length > 0 ? `. Uncited: ${list.join(', ')}${uncited.length > 3 ? ` and ${uncited.length - 3} more` : ''}` : ''),
    });
  }
  for (const u of uncitedNumeric) problems.push({ line: u.line, kind: 'uncited-number', message: `uncited numeric claim: "${clip(u.text, 100)}"` });
  problems.sort((a, b) => a.line - b.line);
  return { file: relative(root, docAbs).split(sep).join('/'), problems, claims: claims.length, cited: cited.length, coverage };
}

function resolveSource(cite: Citation, docAbs: string, root: string, realRoot: string, sourceRoots: string[]): Resolved {
  const p = cite.path;
  if (isAbsolute(p) || p.startsWith('~') || /^[A-Za-z]:[\\/]/.test(p))
    return { ok: false, message: 'an absolute path; cite files by their path inside the repository' };
  const abs = resolve(cite.base === 'doc' ? dirname(docAbs) : root, p);
  const rel = relative(root, abs);
  if (isOutside(rel)) return { ok: false, message: `${p} points outside the repository` };
  const relPosix = rel.split(sep).join('/');
  const roots = sourceRoots.map((r) => r.replace(/^\.\/?/, '').replace(/\/+$/, ''));
  if (!roots.some((r) => r === '' || relPosix === r || relPosix.startsWith(`${r}/`))) {
    return { ok: false, message: `${relPosix} is outside the source roots (${sourceRoots.join(', ')})` };
  }
  let real: string;
  try {
    real = realpathSync(abs);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { ok: false, message: code === 'ENOENT' || code === 'ENOTDIR' ? `${relPosix} does not exist` : `${relPosix} cannot be read (${code})` };
  }
  if (isOutside(relative(realRoot, real))) return { ok: false, message: `${relPosix} is a symlink that leaves the repository` };
  try {
    if (statSync(real).isDirectory()) return { ok: false, message: `${relPosix} is a folder; cite a file` };
    const text = readFileSync(real, 'utf8');
    const lines = text.split('\n');
    if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
    return { ok: true, source: { rel: relPosix, lines } };
  } catch (error) {
    return { ok: false, message: `${relPosix} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` };
  }
}

function isOutside(rel: string): boolean {
  return rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel);
}

function safeRealpath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/**
 * Text for quote matching: whitespace collapsed, typographic quotes as plain ones, and case folded
 * (a quotation may start mid-sentence with a capital changed), so only the words must match.
 */
export function normalizeText(text: string): string {
  return text.replace(/[“”]/g, '"').replace(/[‘’]/g, "'").replace(/\s+/g, ' ').trim().toLowerCase();
}

/** The first line where a (normalised) quote starts in the file, or null when it is nowhere. */
function lineOf(lines: string[], quote: string): number | null {
  if (!normalizeText(lines.join('\n')).includes(quote)) return null;
  let end = 0;
  while (end < lines.length && !normalizeText(lines.slice(0, end + 1).join('\n')).includes(quote)) end++;
  let start = end;
  while (start > 0 && normalizeText(lines.slice(start, end + 1).join('\n')).includes(quote) === false) start--;
  return start + 1;
}

function rangeText(from: number, to: number): string {
  return from === to ? `line ${from}` : `lines ${from}-${to}`;
}

function percent(x: number): string {
  return `${Math.round(x * 100)}%`;
}

function clip(text: string, max: number): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length <= max ? t : `${t.slice(0, max - 1)}…`;
}

/** Renders reports with problems as the short list the model sees on its next request. */
export function renderEvidenceContext(reports: EvidenceReport[], maxPerFile = 12): string {
  const parts: string[] = [];
  for (const r of reports) {
    const shown = r.problems.slice(0, maxPerFile).map((p) => `- ${p.line > 0 ? `line ${p.line}: ` : ''}${p.message}`);
    if (r.problems.length > maxPerFile) shown.push(`- … and ${r.problems.length - maxPerFile} more`);
    parts.push(`check_evidence_coverage: ${r.file} has ${r.problems.length} evidence problem${r.problems.length === 1 ? '' : 's'}:\n${shown.join('\n')}`);
  }
  parts.push(
    'Fix these in the document: cite files inside the repository with lines that exist, quote and number exactly as the source has it, and cite the claims listed.',
  );
  return parts.join('\n\n');
}
