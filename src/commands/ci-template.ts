import type { CommandArgs } from '../cli.js';
import { UsageError } from '../errors.js';
import { DEFAULT_WORKFLOW, renderGithubWorkflow } from '../ci/github.js';

export async function run(args: CommandArgs): Promise<number> {
  const [provider] = args.positionals;
  if (provider !== 'github') throw new UsageError(`ci-template takes one provider: github (got ${provider ? `"${provider}"` : 'none'})`);
  const cron = (args.flags.cron as string | undefined) ?? DEFAULT_WORKFLOW.cron;
  if (cron.trim().split(/\s+/).length !== 5) throw new UsageError(`--cron must have five fields (got "${cron}")`);
  process.stdout.write(renderGithubWorkflow({ ...DEFAULT_WORKFLOW, cron }));
  return 0;
}
