import type { CommandArgs } from '../cli.js';
import { UsageError } from '../errors.js';
import { listTraces, renderTraceDetail, renderTraceList, showTrace } from '../traces/traces.js';

/** `harness-loop traces [list]` and `harness-loop traces show ID`. */
export async function run(args: CommandArgs): Promise<number> {
  const [sub = 'list', id, ...extra] = args.positionals;
  if (sub === 'list') {
    if (id !== undefined) throw new UsageError(`'traces list' takes no arguments (got "${id}"); to see one trace: harness-loop traces show ${id}`);
    const last = args.flags.last as number | undefined;
    if (last !== undefined && (!Number.isInteger(last) || last < 1)) throw new UsageError(`--last must be a whole number of traces (got ${last})`);
    const rows = await listTraces(args.workspace);
    const shown = last === undefined ? rows : rows.slice(0, last);
    process.stdout.write(args.json ? `${JSON.stringify(shown, null, 2)}\n` : renderTraceList(shown));
    return 0;
  }
  if (sub === 'show') {
    if (!id) throw new UsageError('traces show needs a trace id (or a unique prefix of one); `harness-loop traces` lists them');
    if (extra.length > 0) throw new UsageError(`'traces show' takes one id (got "${extra[0]}" too)`);
    const detail = await showTrace(args.workspace, id);
    process.stdout.write(args.json ? `${JSON.stringify(detail, null, 2)}\n` : renderTraceDetail(detail));
    return 0;
  }
  throw new UsageError(`traces needs list or show ID (got "${sub}")`);
}
