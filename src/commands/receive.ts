import type { CommandArgs } from '../cli.js';
import { UsageError } from '../errors.js';

export async function run(_args: CommandArgs): Promise<number> {
  throw new UsageError('receive is not available in this build');
}
