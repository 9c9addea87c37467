// The guard's patch reader against the real Codex 0.169 patch applier (`codex --codex-run-as-apply-patch
// PATCH`, the mode Codex re-executes itself in to apply a patch): for every patch the guard accepts,
// Codex must change only the files the guard named, and produce the contents the guard computed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyChunks, parsePatch, type PatchHunk } from '../../../src/checks/apply-patch.js';
import { seededRandom } from '../../support/random.js';

const CODEX = resolve('node_modules/@openai/codex-linux-x64/vendor/x86_64-unknown-linux-musl/bin/codex');
const SEED: Record<string, string> = {
  'repo/AGENTS.md': '# rules\nmiddle\nlast line\n',
  'repo/old.md': 'old\n',
  'repo/notes.md': 'notes\n',
  'repo/src/app.ts': 'export const a = 1;\n',
};
const base = mkdtempSync(join(tmpdir(), 'hl-patch-codex-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));
let n = 0;

type Tree = Map<string, string>;

function makeTree(): string {
  const dir = join(base, `t${n++}`);
  for (const [rel, text] of Object.entries(SEED)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return dir;
}

function readTree(dir: string): Tree {
  const out: Tree = new Map();
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) out.set(relative(dir, join(e.parentPath, e.name)), readFileSync(join(e.parentPath, e.name), 'utf8'));
  }
  return out;
}

/** What the guard expects: the hunks applied in order to the tree; null when a hunk cannot apply. */
function simulate(tree: Tree, hunks: PatchHunk[], dir: string): Tree | null {
  const t = new Map(tree);
  const key = (p: string) => relative(dir, resolve(dir, 'repo', p));
  for (const h of hunks) {
    if (h.op === 'add') t.set(key(h.path), h.contents);
    else if (h.op === 'delete') {
      if (!t.delete(key(h.path))) return null;
    } else {
      const old = t.get(key(h.path));
      if (old === undefined) return null;
      const next = applyChunks(old, h.chunks);
      if (next === null) return null;
      if (h.movePath !== null) {
        t.delete(key(h.path));
        t.set(key(h.movePath), next);
      } else t.set(key(h.path), next);
    }
  }
  return t;
}

function changed(a: Tree, b: Tree): string[] {
  return [...new Set([...a.keys(), ...b.keys()])].filter((k) => a.get(k) !== b.get(k)).sort();
}

/** Runs the patch through Codex and the guard's reader; returns what each did. */
function compare(patchText: string) {
  const dir = makeTree();
  const text = patchText.replaceAll('@ROOT@', dir);
  const before = readTree(dir);
  const run = spawnSync(CODEX, ['--codex-run-as-apply-patch', text], { cwd: join(dir, 'repo'), encoding: 'utf8' });
  const after = readTree(dir);
  const parsed = parsePatch(text);
  const named = parsed.ok ? parsed.paths.map((p) => relative(dir, resolve(dir, 'repo', p.path))).sort() : [];
  const expected = parsed.ok ? simulate(before, parsed.hunks, dir) : null;
  return { parsed, codexChanged: changed(before, after), codexStatus: run.status, named, expected, after };
}

/** The safety property: what the guard accepts, Codex writes exactly as the guard read it. */
function expectSameReading(patchText: string) {
  const r = compare(patchText);
  if (!r.parsed.ok) return r; // refused: the guard blocks it, nothing to agree on
  expect(
    r.codexChanged.filter((p) => !r.named.includes(p)),
    'Codex changed a file the guard did not see',
  ).toEqual([]);
  if (r.expected) expect(Object.fromEntries(r.after)).toEqual(Object.fromEntries(r.expected));
  return r;
}

const dirFiles = readdirSync('test/fixtures/guard/patches')
  .filter((f) => f.endsWith('.patch'))
  .sort();

describe.skipIf(!existsSync(CODEX))('apply_patch read as Codex 0.169 reads it', () => {
  it.each(dirFiles)('%s', (file) => {
    expectSameReading(readFileSync(join('test/fixtures/guard/patches', file), 'utf8'));
  });

  it('reads an indented Add File header after an Add hunk as Codex does: a second file', () => {
    const r = expectSameReading(readFileSync('test/fixtures/guard/patches/indented-add-after-add.patch', 'utf8'));
    expect(r.codexChanged).toEqual(['repo/notes.md', 'repo/src/evil.ts']);
    expect(r.named).toEqual(['repo/notes.md', 'repo/src/evil.ts']);
  });

  it('reads a Move to destination outside the repository', () => {
    const r = expectSameReading(readFileSync('test/fixtures/guard/patches/move-to-outside.patch', 'utf8'));
    expect(r.named).toContain('outside.txt');
  });

  it('agrees with Codex on 150 random whitespace variants of the headers (seed 13)', () => {
    const rand = seededRandom(13);
    const pads = [' ', '  ', '\t', '\r', '\u00a0', '\u3000', '\ufeff', '\v', '\u2028', ''];
    const pad = () => (rand() < 0.5 ? '' : pads[Math.floor(rand() * pads.length)]!);
    const bases = ['trailing-space-headers', 'multi-file', 'indented-add-after-add', 'tab-add-after-delete', 'end-of-file-marker', 'indented-move-to'].map(
      (b) => readFileSync(`test/fixtures/guard/patches/${b}.patch`, 'utf8'),
    );
    let accepted = 0;
    for (let i = 0; i < 150; i++) {
      const src = bases[i % bases.length]!;
      const variant = src
        .split('\n')
        .map((line) => (/^\s*(\*\*\*|@@)/.test(line) ? `${pad()}${line.replace(/: /, () => `:${rand() < 0.7 ? ' ' : pad() || ' '}`)}${pad()}` : line))
        .join('\n');
      const r = expectSameReading(variant);
      if (r.parsed.ok) accepted++;
    }
    expect(accepted).toBeGreaterThan(20);
  });
});
