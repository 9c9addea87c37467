import type { CommandArgs } from '../cli.js';
import { InputError } from '../errors.js';
import { readLedger } from '../ledger/ledger.js';
import { loopPaths } from '../ledger/paths.js';
import { renderLedgerEntry } from '../ledger/render.js';
import { access } from 'node:fs/promises';

/** `harness-loop ledger [--json]`: the cycle history, oldest first. */
export async function run(args: CommandArgs): Promise<number> {
  const paths = loopPaths(args.workspace);
  const exists = await access(paths.ledger).then(
    () => true,
    () => false,
  );
  if (!exists) {
    throw new InputError('no ledger yet; run `harness-loop cycle start`, make the change, then `harness-loop verify`', undefined, undefined, 'stage.missing');
  }
  const read = await readLedger(paths.ledger);
  for (const p of read.problems) process.stderr.write(`${p.file}:${p.line}: ${p.torn ? 'warning: ' : ''}${p.reason}\n`);
  if (args.json) process.stdout.write(`${JSON.stringify(read.entries, null, 2)}\n`);
  else process.stdout.write(read.entries.map((e) => `${renderLedgerEntry(e)}\n`).join(''));
  const damaged = read.problems.filter((p) => !p.torn);
  if (damaged.length > 0) {
    throw new InputError(
      `${damaged.length} damaged ledger line(s), listed above; the other entries were printed`,
      damaged[0]!.file,
      damaged[0]!.line,
      'ledger.invalid',
    );
  }
  return 0;
}
