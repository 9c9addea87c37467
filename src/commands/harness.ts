import { homedir } from 'node:os';
import { join } from 'node:path';
import type { CommandArgs } from '../cli.js';
import { readHarnessModel } from '../harness/model.js';
import { renderHarnessModel } from '../harness/render.js';
import { readConfig } from '../util/config.js';
import { workspacePaths } from '../util/workspace.js';

/** `harness-loop harness [--json]`: every harness component with file and line. */
export async function run(args: CommandArgs): Promise<number> {
  const paths = workspacePaths(args.workspace);
  const codexHome = typeof args.flags['codex-home'] === 'string' ? args.flags['codex-home'] : process.env.CODEX_HOME || join(homedir(), '.codex');
  const model = await readHarnessModel({ root: paths.root, config: await readConfig(paths.config), codexHome });
  for (const p of model.problems) process.stderr.write(`warning: ${p}\n`);
  process.stdout.write(args.json ? `${JSON.stringify(model, null, 2)}\n` : renderHarnessModel(model));
  return 0;
}
