import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

declare const HARNESS_LOOP_STANDALONE: boolean | undefined;

/**
 * The installed package's root (where package.json names harness-loop), from any bundle chunk.
 * The standalone copy in a repository has no package around it: its own folder stands in.
 */
export function packageRoot(from: string = import.meta.url): string {
  let dir = dirname(fileURLToPath(from));
  if (typeof HARNESS_LOOP_STANDALONE !== 'undefined' && HARNESS_LOOP_STANDALONE) return dir;
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'harness-loop') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the harness-loop package root');
    dir = parent;
  }
}
