import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../util/atomic.js';
import { packageRoot } from '../util/package-root.js';

/** The Promptfoo provider files harness-loop ships, by the name they get in the suite's providers/ folder. */
export const PROVIDER_FILES = ['replay-provider.mjs', 'replay-grader.mjs', 'codex-provider.mjs', 'trace-process.mjs', 'trace-assert.mjs'] as const;

/**
 * Where the shipped copy of a provider is. From a source checkout (tests, tsx) it is the file
 * next to this module; from the installed package it is the esbuild output in dist/providers/
 * (src/ is not published).
 */
export function shippedProviderPath(name: (typeof PROVIDER_FILES)[number]): string {
  const beside = fileURLToPath(new URL(`./providers/${name}`, import.meta.url));
  if (existsSync(beside)) return beside;
  // The standalone copy `harness-loop install` puts in a repository keeps them in providers/ beside it.
  const standalone = join(packageRoot(), 'providers', name);
  if (existsSync(standalone)) return standalone;
  return join(packageRoot(), 'dist', 'providers', name);
}

/**
 * Copies the providers into `<suite dir>/providers/`, replacing older copies.
 *
 * Copying (rather than naming the package's files by absolute path) keeps the suite
 * self-contained: it runs with a plain `promptfoo eval` from any directory, survives the package
 * moving (npx caches, upgrades, another machine), and the config holds no machine-specific path.
 */
export async function installProviders(providersDir: string): Promise<string[]> {
  const written: string[] = [];
  for (const name of PROVIDER_FILES) {
    const source = shippedProviderPath(name);
    let text: string;
    try {
      text = await readFile(source, 'utf8');
    } catch (error) {
      throw new Error(`the shipped provider ${source} is missing; reinstall harness-loop or run npm run build`, { cause: error });
    }
    const target = join(providersDir, name);
    const current = await readFile(target, 'utf8').catch(() => null);
    if (current !== text) {
      await writeFileAtomic(target, text);
      written.push(target);
    }
  }
  return written;
}
