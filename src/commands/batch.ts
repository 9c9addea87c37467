import type { CommandArgs } from '../cli.js';
import { writeBatches } from '../batch/batch.js';
import { readConfig } from '../util/config.js';
import { workspacePaths } from '../util/workspace.js';
import { displayPath } from './ingest.js';

/** `harness-loop batch`: splits the trace store into token-bounded batches for LLM passes. */
export async function run(args: CommandArgs): Promise<number> {
  const paths = workspacePaths(args.workspace);
  const config = await readConfig(paths.config);
  const result = await writeBatches({
    workspace: paths.root,
    config,
    maxTokens: args.flags['max-tokens'] as number | undefined,
    onSkip: (s) => process.stderr.write(`${s.file}:${s.line}: ${s.reason}\n`),
  });
  const { manifest } = result;
  for (const batch of manifest.batches.filter((b) => b.overBudget)) {
    process.stderr.write(
      `warning: ${batch.file}: trace ${batch.traceIds[0]} needs ${batch.tokens.toLocaleString('en-US')} tokens even with only its task, answer and errors kept (budget ${manifest.maxTokens.toLocaleString('en-US')})\n`,
    );
  }
  if (args.json) {
    process.stdout.write(`${JSON.stringify(manifest, null, 2)}\n`);
    return 0;
  }
  const t = manifest.totals;
  const n = (value: number) => value.toLocaleString('en-US');
  process.stdout.write(
    `batch: ${n(t.batches)} batch(es), ${n(t.traces)} trace(s), ${n(t.tokens)} token(s) (budget ${n(manifest.maxTokens)} per batch, ${manifest.tokenizer}), ` +
      `${n(t.elided)} trace(s) elided${result.skipped.length > 0 ? `, ${result.skipped.length} store line(s) skipped` : ''}\n` +
      `manifest: ${displayPath(result.manifestFile)}\n`,
  );
  return 0;
}
