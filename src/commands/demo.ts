import { cp, mkdtemp, mkdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { CommandArgs } from '../cli.js';
import { UsageError } from '../errors.js';
import { ingest } from '../ingest/ingest.js';
import { readConfig } from '../util/config.js';
import { packageRoot } from '../util/package-root.js';
import { workspacePaths } from '../util/workspace.js';

/** One line per stage: what ran, what it counted, how long it took. */
interface StageReport {
  stage: string;
  summary: string;
  ms: number;
}

export interface DemoResult {
  workspace: string;
  stages: StageReport[];
  artefacts: Record<string, string>;
}

/** Copies the bundled example to a fresh folder and runs the loop's stages on it offline. */
export async function runDemo(outDir?: string): Promise<DemoResult> {
  const example = join(packageRoot(), 'examples', 'docs-qa');
  const workspace = outDir ? resolve(outDir) : await mkdtemp(join(tmpdir(), 'harness-loop-demo-'));
  if (outDir) {
    const existing = await stat(workspace).catch(() => null);
    if (existing && !existing.isDirectory()) throw new UsageError(`--out ${outDir} is not a directory`);
    if (existing && (await stat(join(workspace, '.harness-loop')).catch(() => null))) throw new UsageError(`--out ${outDir} already holds a .harness-loop folder; pick an empty one`);
  }
  await mkdir(workspace, { recursive: true });
  await cp(join(example, 'workspace'), workspace, { recursive: true });
  const recorded = join(example, 'recorded', 'baseline');
  const paths = workspacePaths(workspace);
  const config = await readConfig(paths.config);
  const stages: StageReport[] = [];
  const timed = async <T>(stage: string, fn: () => Promise<T>, describe: (r: T) => string): Promise<T> => {
    const started = Date.now();
    const result = await fn();
    stages.push({ stage, summary: describe(result), ms: Date.now() - started });
    return result;
  };

  // The recorded sessions ran in /home/user/docs-qa, so the cwd filter is lifted.
  await timed(
    'ingest',
    () => ingest({ workspace, paths: [join(recorded, 'sessions'), join(recorded, 'exec')], from: 'auto', allRepos: true, config }),
    (r) => `${r.files} files → ${r.traces} traces, ${r.spans} spans (${r.store.added} new, ${r.store.unchanged + r.store.updated} already stored); ${r.skipped.length} skipped`,
  );

  return {
    workspace,
    stages,
    artefacts: { traces: paths.traceStore },
  };
}

export async function run(args: CommandArgs): Promise<number> {
  const result = await runDemo(args.flags.out as string | undefined);
  if (args.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  }
  process.stdout.write(`demo workspace: ${result.workspace}\n`);
  for (const s of result.stages) process.stdout.write(`  ${s.stage.padEnd(8)} ${s.summary} (${s.ms} ms)\n`);
  process.stdout.write('artefacts:\n');
  for (const [name, file] of Object.entries(result.artefacts)) process.stdout.write(`  ${name.padEnd(8)} ${file}\n`);
  return 0;
}
