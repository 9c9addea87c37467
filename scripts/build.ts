// Bundles the CLI (and, as they appear, the hooks) with esbuild for plain `node`.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

// The review app's front end (src/review/web/), bundled for the browser and carried inside the CLI
// as strings, so `harness-loop review` serves it from memory and works offline.
const reviewWeb = await build({
  bundle: true,
  platform: 'browser',
  target: 'es2022',
  format: 'iife',
  minify: true,
  write: false,
  logLevel: 'warning',
  entryPoints: { app: 'src/review/web/main.ts', styles: 'src/review/web/styles.css' },
  outdir: 'dist/review',
});
const reviewAsset = (ext: string) => reviewWeb.outputFiles.find((f) => f.path.endsWith(ext))!.text;
const REVIEW_WEB_ASSETS = JSON.stringify({ js: reviewAsset('.js'), css: reviewAsset('.css') });

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: 'linked',
  logLevel: 'warning',
  define: { HARNESS_LOOP_VERSION: JSON.stringify(pkg.version), REVIEW_WEB_ASSETS },
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

// The Promptfoo providers `evals build` copies into a workspace's suite folder: Node built-ins
// only, one self-contained file each (src/ is not published, so the package ships these).
await build({
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  logLevel: 'warning',
  entryPoints: {
    'replay-provider': 'src/evals/providers/replay-provider.mjs',
    'replay-grader': 'src/evals/providers/replay-grader.mjs',
    'codex-provider': 'src/evals/providers/codex-provider.mjs',
    'trace-process': 'src/evals/providers/trace-process.mjs',
    'trace-assert': 'src/evals/providers/trace-assert.mjs',
  },
  outdir: 'dist/providers',
  outExtension: { '.js': '.mjs' },
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

// The two hooks: one self-contained, minified file each. Codex starts them on every tool call, so
// they carry only what the check uses (no zod, yaml or fast-glob; `npm run bench` measures them).
// Start-up is most of their cost, so: built-ins come from process.getBuiltinModule (Node >= 20.16;
// createRequire before), because an ESM `import … from 'node:fs'` builds the whole fs facade,
// which loads fs/promises and every stream module; and node:crypto, which loads some twenty
// modules to hash one record id, is replaced by src/checks/sha256.ts (same digests).
const hookRequire = createRequire(import.meta.url);
await build({
  bundle: true,
  platform: 'node',
  target: 'node20',
  // CommonJS: Node starts a .cjs file measurably faster than an ES module (no module graph to link).
  format: 'cjs',
  minify: true,
  logLevel: 'warning',
  entryPoints: { check_evidence_coverage: 'hooks/check_evidence_coverage.ts', edit_guard: 'hooks/edit_guard.ts' },
  outdir: 'dist/hooks',
  outExtension: { '.js': '.cjs' },
  banner: {
    js: 'const __builtin = process.getBuiltinModule ? (id) => process.getBuiltinModule(id) : require;',
  },
  plugins: [
    {
      name: 'light-builtins',
      setup(b) {
        b.onResolve({ filter: /^node:crypto$/ }, () => ({ path: fileURLToPath(new URL('../src/checks/sha256.ts', import.meta.url)) }));
        b.onResolve({ filter: /^node:(fs|path)$/ }, (args) => ({ path: args.path, namespace: 'builtin' }));
        b.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => {
          const mod = hookRequire(args.path) as object;
          // Accessors (fs.promises, fs.ReadStream, …) stay unread: reading them loads streams.
          const names = Object.keys(mod).filter((n) => /^[A-Za-z_$][\w$]*$/.test(n) && n !== 'default' && !Object.getOwnPropertyDescriptor(mod, n)?.get);
          return { contents: `const m = __builtin(${JSON.stringify(args.path)}); export default m; export const { ${names.join(', ')} } = m;`, loader: 'js' };
        });
      },
    },
  ],
});
