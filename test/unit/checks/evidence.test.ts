import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readEvidenceDocument } from '../../../src/checks/citations.js';
import { checkEvidence, renderEvidenceContext } from '../../../src/checks/evidence.js';
import { DEFAULT_EVIDENCE, type EvidenceSettings } from '../../../src/checks/hook-config.js';
import { makeRepo, type FixtureRepo } from './fixture-repo.js';

const GUIDE = [
  '# Retry guide', //                              1
  '', //                                           2
  'The client retries a failed request 3 times.', // 3
  'Each retry waits 250 ms longer than the last.', // 4
  'Requests time out after 30 seconds.', //        5
  'Uploads are limited to 1,200 files per batch.', // 6
  'Use exponential backoff   for transient errors.', // 7
].join('\n');

let repo: FixtureRepo;
beforeAll(() => {
  repo = makeRepo({ 'docs/guide.md': `${GUIDE}\n`, 'src/app.ts': 'export const retries = 3;\n', 'notes/private.md': 'secret 42\n' });
  repo.link('docs/outside.md', '/etc/hostname');
  repo.link('docs/inside.md', 'guide.md');
});
afterAll(() => repo.remove());

const settings: EvidenceSettings = { ...DEFAULT_EVIDENCE, sourceRoots: ['docs', 'src'], minCoverage: 0.5 };
const check = (text: string, s: EvidenceSettings = settings, doc = 'output/answer.md') => checkEvidence(text, join(repo.root, doc), repo.root, s);
const messages = (text: string, s?: EvidenceSettings, doc?: string) => check(text, s, doc).problems.map((p) => `${p.line}: ${p.message}`);

describe('citation forms', () => {
  const cites = (text: string) =>
    readEvidenceDocument(text).sentences.flatMap((s) => s.citations.map((c) => ({ path: c.path, base: c.base, start: c.start, end: c.end })));

  it('reads [path] and [path#L10-L20]', () => {
    expect(cites('It retries 3 times [docs/guide.md#L3]. It waits [docs/guide.md#L4-L5]. See [src/app.ts].')).toEqual([
      { path: 'docs/guide.md', base: 'root', start: 3, end: 3 },
      { path: 'docs/guide.md', base: 'root', start: 4, end: 5 },
      { path: 'src/app.ts', base: 'root', start: undefined, end: undefined },
    ]);
  });

  it('reads (source: path, lines 10–20) with several sources', () => {
    expect(cites('It retries (source: docs/guide.md, lines 3–4; src/app.ts). Also (sources: docs/a.md, docs/b.md).')).toEqual([
      { path: 'docs/guide.md', base: 'root', start: 3, end: 4 },
      { path: 'src/app.ts', base: 'root', start: undefined, end: undefined },
      { path: 'docs/a.md', base: 'root', start: undefined, end: undefined },
      { path: 'docs/b.md', base: 'root', start: undefined, end: undefined },
    ]);
  });

  it('reads relative Markdown links as relative to the document, and skips URLs and anchors', () => {
    expect(cites('See [the guide](../docs/guide.md#L3-L4), [site](https://example.com/a.md), [below](#retries) and ![img](pic.png).')).toEqual([
      { path: '../docs/guide.md', base: 'doc', start: 3, end: 4 },
    ]);
  });

  it('reads footnotes from their definitions', () => {
    const text = 'It retries 3 times.[^1] Timeouts are 30 seconds.[^t]\n\n[^1]: docs/guide.md#L3\n[^t]: docs/guide.md, lines 5-5';
    expect(cites(text)).toEqual([
      { path: 'docs/guide.md', base: 'root', start: 3, end: 3 },
      { path: 'docs/guide.md', base: 'root', start: 5, end: 5 },
    ]);
  });

  it('does not take checkboxes, code or plain brackets for citations', () => {
    expect(cites('- [x] done with [the plan] and `[docs/guide.md]` in code.')).toEqual([]);
  });

  it('attaches a citation after the full stop to the sentence before', () => {
    const doc = readEvidenceDocument('The client retries 3 times. [docs/guide.md#L3]\nIt has no other limit here.');
    expect(doc.sentences.map((s) => [s.text, s.citations.length])).toEqual([
      ['The client retries 3 times.', 1],
      ['It has no other limit here.', 0],
    ]);
  });

  it('skips headings, code fences, front matter and comments', () => {
    const doc = readEvidenceDocument('---\ntitle: x 5\n---\n# Heading with 7\n```\ncode 9 lines here\n```\n<!-- note 4 -->\nOne real claim with 3 words.');
    expect(doc.sentences.map((s) => [s.line, s.text, s.numbers])).toEqual([[9, 'One real claim with 3 words.', ['3']]]);
  });
});

describe('checkEvidence', () => {
  it('passes a document whose citations, quotes and numbers hold', () => {
    const text = [
      '# Answer',
      '',
      'The client retries a failed request 3 times [docs/guide.md#L3].',
      'Each retry waits 250 ms more (source: docs/guide.md, lines 4–4).',
      'Uploads are capped at 1200 files per batch.[^1]',
      'The guide says "use exponential backoff for transient errors" [docs/guide.md#L7].',
      'The constant lives in [the app](../src/app.ts).',
      '',
      '[^1]: docs/guide.md#L6',
    ].join('\n');
    expect(check(text)).toEqual({ file: 'output/answer.md', problems: [], claims: 5, cited: 5, coverage: 1 });
  });

  it('refuses absolute paths, .. escapes, other roots and missing files', () => {
    expect(
      messages('A claim cites [/etc/hosts.md]. Another cites [../secret.md]. A third cites [notes/private.md]. A fourth cites [docs/missing.md].'),
    ).toEqual([
      '1: [/etc/hosts.md]: an absolute path; cite files by their path inside the repository',
      '1: [../secret.md]: ../secret.md points outside the repository',
      '1: [notes/private.md]: notes/private.md is outside the source roots (docs, src)',
      '1: [docs/missing.md]: docs/missing.md does not exist',
    ]);
  });

  it('resolves symlinks and refuses those that leave the repository', () => {
    expect(messages('The host is named here [docs/outside.md]. The guide is linked [docs/inside.md#L3].')).toEqual([
      '1: [docs/outside.md]: docs/outside.md is a symlink that leaves the repository',
    ]);
  });

  it('refuses a Markdown link that escapes from the document folder', () => {
    expect(messages('The guide is linked here [guide](../../docs/guide.md).')).toEqual([
      '1: [guide](../../docs/guide.md): ../../docs/guide.md points outside the repository',
    ]);
  });

  it('checks that cited lines exist', () => {
    expect(messages('The client retries often [docs/guide.md#L6-L9]. It also waits [docs/guide.md#L5-L4].')).toEqual([
      '1: [docs/guide.md#L6-L9]: lines 6-9 do not exist (docs/guide.md has 7 lines)',
      '1: [docs/guide.md#L5-L4]: "5-4" is not a line range',
    ]);
  });

  it('finds quotes with whitespace normalised, and says where a misplaced quote is', () => {
    expect(messages('The guide says "Use exponential\n  backoff for transient errors" [docs/guide.md].')).toEqual([]);
    expect(messages('The guide says "use exponential backoff always" [docs/guide.md].')).toEqual([
      '1: quote "use exponential backoff always" is not in docs/guide.md',
    ]);
    expect(messages('It says "Requests time out after 30 seconds" [docs/guide.md#L3].')).toEqual([
      '1: quote "Requests time out after 30 seconds" is not in docs/guide.md (line 3) (it is at line 5)',
    ]);
  });

  it('checks numbers in a cited sentence against the cited lines', () => {
    expect(messages('Requests time out after 45 seconds [docs/guide.md#L5].')).toEqual(['1: the number 45 does not appear in docs/guide.md (line 5)']);
    expect(messages('The client retries 3 times, waiting 250 ms [docs/guide.md#L3-L4].')).toEqual([]);
    expect(messages('Uploads allow 1,200 files [docs/guide.md#L6].')).toEqual([]);
  });

  it('measures coverage and lists uncited numeric claims', () => {
    const text =
      'The client retries requests [docs/guide.md#L3].\nBackoff is the recommended approach here.\nThe cache keeps items around.\nDeploys take 15 minutes on average.';
    expect(check(text).problems).toEqual([
      {
        line: 0,
        kind: 'coverage',
        message:
          'only 1 of 4 sentences cite a source (25%); the minimum is 50%. Uncited: line 2 "Backoff is the recommended approach here.", line 3 "The cache keeps items around."',
      },
      { line: 4, kind: 'uncited-number', message: 'uncited numeric claim: "Deploys take 15 minutes on average."' },
    ]);
  });

  it('lists uncited numeric claims even when coverage is met', () => {
    expect(messages('The client retries [docs/guide.md#L3]. It waits a while [docs/guide.md#L4]. It gives up after 9 tries.')).toEqual([
      '1: uncited numeric claim: "It gives up after 9 tries."',
    ]);
  });

  it('counts paragraphs instead of sentences when configured', () => {
    const text =
      'The client retries requests [docs/guide.md#L3]. Backoff grows each time.\n\nThe cache keeps items around. Nothing cites this paragraph at all.';
    const byParagraph = check(text, { ...settings, unit: 'paragraph', minCoverage: 0.5 });
    expect([byParagraph.claims, byParagraph.cited, byParagraph.problems]).toEqual([2, 1, []]);
    expect(check(text, { ...settings, minCoverage: 0.5 }).problems.map((p) => p.kind)).toEqual(['coverage']);
  });

  it('reports a footnote without a definition', () => {
    expect(messages('The client retries a few times.[^9]', { ...settings, minCoverage: 0 })).toEqual(['1: footnote [^9] has no definition']);
  });
});

describe('renderEvidenceContext', () => {
  it('renders a short list per file with line numbers and a cap', () => {
    const report = {
      file: 'output/a.md',
      claims: 3,
      cited: 1,
      coverage: 1 / 3,
      problems: Array.from({ length: 14 }, (_, i) => ({ line: i + 1, kind: 'citation' as const, message: `problem ${i + 1}` })),
    };
    const text = renderEvidenceContext([report]);
    expect(text.split('\n')).toEqual([
      'check_evidence_coverage: output/a.md has 14 evidence problems:',
      ...Array.from({ length: 12 }, (_, i) => `- line ${i + 1}: problem ${i + 1}`),
      '- … and 2 more',
      '',
      'Fix these in the document: cite files inside the repository with lines that exist, quote and number exactly as the source has it, and cite the claims listed.',
    ]);
  });
});
