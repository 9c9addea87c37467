import type { CommandArgs } from '../cli.js';
import { writeHandoff } from '../handoff/handoff.js';
import { readConfig } from '../util/config.js';
import { workspacePaths } from '../util/workspace.js';
import { displayPath } from './ingest.js';

export async function run(args: CommandArgs): Promise<number> {
  const paths = workspacePaths(args.workspace);
  const result = await writeHandoff({ workspace: paths.root, config: await readConfig(paths.config) });
  if (args.json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else
    process.stdout.write(
      `wrote ${displayPath(result.file)}${result.theChange ? `; THE change: ${result.theChange}` : ''}\nnext: harness-loop cycle start, implement the change, harness-loop verify\n`,
    );
  return 0;
}
