import type { CommandArgs } from '../cli.js';
import type { Config } from '../schema/config.js';
import { runCritique } from '../critique/run.js';

/** Flag values as strings: a repeatable flag arrives as string[], but accept a lone string too. */
function stringList(value: unknown): string[] {
  if (value === undefined || value === false) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

/**
 * `harness-loop feedback critique`: exit 0 when every batch has a valid answer (now or from an
 * earlier run), 1 when some batch got none (reported by id, nothing merged from it; a re-run asks
 * only those), 2 for a same-model critic or a Codex that cannot be started.
 */
export async function runCritiqueCommand(args: CommandArgs, config: Config): Promise<number> {
  const flag = (name: string) => (typeof args.flags[name] === 'string' ? (args.flags[name] as string) : undefined);
  const result = await runCritique({
    workspace: args.workspace,
    config,
    model: flag('model'),
    codexBin: flag('codex-bin'),
    codexConfig: stringList(args.flags['codex-config']),
    allowSameModel: args.flags['allow-same-model'] === true,
    batch: flag('batch'),
    onProgress: (line) => process.stderr.write(`${line}\n`),
  });
  const failed = result.batches.filter((b) => b.status === 'failed');
  if (args.json) {
    process.stdout.write(
      `${JSON.stringify({ model: result.model, batches: result.batches, added: result.added.length, duplicates: result.duplicates, failed: failed.length, records: result.added }, null, 2)}\n`,
    );
  } else {
    const count = (status: string) => result.batches.filter((b) => b.status === status).length;
    const active = result.added.filter((r) => r.status === 'active').length;
    process.stdout.write(
      `feedback critique: ${result.batches.length} batch(es) with ${result.model}: ${count('answered')} answered, ${count('skipped')} answered earlier, ${failed.length} failed; ` +
        `${result.added.length} record(s) added (${active} verified, ${result.added.length - active} unverified), ${result.duplicates} already recorded\n`,
    );
    for (const b of failed) process.stdout.write(`  failed: ${b.file} (${b.batchId}): ${b.reason?.split('\n')[0]}\n`);
  }
  return failed.length > 0 ? 1 : 0;
}
