import type { CommandArgs } from '../cli.js';
import { diagnose } from '../diagnose/diagnose.js';
import { readConfig } from '../util/config.js';
import { workspacePaths } from '../util/workspace.js';
import { displayPath } from './ingest.js';

export async function run(args: CommandArgs): Promise<number> {
  const paths = workspacePaths(args.workspace);
  const { file, diagnosis } = await diagnose({ workspace: paths.root, config: await readConfig(paths.config) });
  if (args.json) {
    process.stdout.write(`${JSON.stringify(diagnosis, null, 2)}\n`);
    return 0;
  }
  const i = diagnosis.inputs;
  process.stdout.write(`diagnose: ${i.traces} traces, ${i.feedback} feedback records, ${i.resultsRunId ? `${i.failingTests} of ${i.totalTests} tests failing` : 'no eval results'} → ${diagnosis.recommendations.length} recommendation(s)\n`);
  for (const r of diagnosis.recommendations.slice(0, 5)) {
    process.stdout.write(`  ${r.rank}. ${r.title} [${r.layer}, effort ${r.effort.size}] ${r.impact.summary} (score ${r.score})\n`);
  }
  process.stdout.write(`wrote ${displayPath(file)}\n`);
  return 0;
}
