// Bundles the CLI (and, as they appear, the hooks) with esbuild for plain `node`.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: 'linked',
  logLevel: 'warning',
  define: { HARNESS_LOOP_VERSION: JSON.stringify(pkg.version) },
  // Bundled CommonJS dependencies call require(); give ESM output a real one.
  banner: { js: "import { createRequire as __harnessRequire } from 'node:module'; const require = __harnessRequire(import.meta.url);" },
} as const;

await build({
  ...common,
  entryPoints: { cli: 'src/main.ts' },
  outdir: 'dist',
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
});

// The copy `harness-loop install` puts into a repository: one file, runnable with plain node.
await build({
  ...common,
  entryPoints: { 'harness-loop': 'src/main.ts' },
  outdir: 'dist/standalone',
  outExtension: { '.js': '.mjs' },
  sourcemap: false,
  define: { ...common.define, HARNESS_LOOP_STANDALONE: 'true' },
});
