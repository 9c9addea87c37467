import type { CommandArgs } from '../cli.js';
import { writeReport } from '../report/report.js';
import { displayPath } from './ingest.js';

/** `harness-loop report`: writes .harness-loop/report.html and prints its path. */
export async function run(args: CommandArgs): Promise<number> {
  const result = await writeReport({ workspace: args.workspace });
  for (const p of result.problems) process.stderr.write(`warning: ${p.input}: ${p.message}\n`);
  if (args.json) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  }
  if (result.missing.length > 0) process.stderr.write(`not run yet (shown as such in the report): ${result.missing.join(', ')}\n`);
  process.stdout.write(`${displayPath(result.file)}\n`);
  return 0;
}
