// A throwaway repository for the hook checks: real files, folders and symlinks on disk.
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface FixtureRepo {
  /** Repository root (real path, so comparisons with realpath results hold). */
  root: string;
  /** A HOME outside the repository. */
  home: string;
  /** Writes a file (creating folders). */
  write(rel: string, text: string): string;
  /** Makes a symlink at `rel` pointing at `target` (as written). */
  link(rel: string, target: string): void;
  remove(): void;
}

/** Creates a repository with a `.git` folder plus the given files. */
export function makeRepo(files: Record<string, string> = {}): FixtureRepo {
  const base = realpathSync(mkdtempSync(join(tmpdir(), 'hl-checks-')));
  const root = join(base, 'repo');
  const home = join(base, 'home');
  mkdirSync(join(root, '.git'), { recursive: true });
  mkdirSync(home, { recursive: true });
  const repo: FixtureRepo = {
    root,
    home,
    write(rel, text) {
      const file = join(root, rel);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
      return file;
    },
    link(rel, target) {
      mkdirSync(dirname(join(root, rel)), { recursive: true });
      symlinkSync(target, join(root, rel));
    },
    remove: () => rmSync(base, { recursive: true, force: true }),
  };
  for (const [rel, text] of Object.entries(files)) repo.write(rel, text);
  return repo;
}

/** Entries of a corpus file: one per line, or a `<<<` … `>>>` block for multi-line commands; `#` lines are comments. */
export function readCorpus(text: string): string[] {
  const out: string[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '' || line.startsWith('#')) continue;
    if (line === '<<<') {
      const block: string[] = [];
      for (i++; i < lines.length && lines[i] !== '>>>'; i++) block.push(lines[i]!);
      out.push(block.join('\n'));
    } else out.push(line);
  }
  return out;
}
