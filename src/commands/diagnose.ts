import type { CommandArgs } from '../cli.js';
import { diagnose } from '../diagnose/diagnose.js';
import type { LlmDiagnoseOptions } from '../diagnose/llm.js';
import { UsageError } from '../errors.js';
import { llmDiagnosisOptions } from '../diagnose/llm-config.js';
import type { Config } from '../schema/config.js';
import { readConfig } from '../util/config.js';
import { workspacePaths } from '../util/workspace.js';
import { displayPath } from './ingest.js';

const LLM_FLAGS = ['model', 'codex-bin', 'codex-config', 'allow-same-model'];

/** The --llm options from flags; those flags without --llm are a usage error. */
function llmOptions(args: CommandArgs, config: Config): LlmDiagnoseOptions | undefined {
  const given = LLM_FLAGS.filter((f) => args.flags[f] !== undefined && args.flags[f] !== false);
  if (args.flags.llm !== true) {
    if (given.length > 0) throw new UsageError(`--${given[0]} applies only with --llm`);
    // `diagnose.llm` in the config turns the model's diagnosis on without the flag.
    const configured = llmDiagnosisOptions(config);
    return configured ? { ...configured, onProgress: (line) => process.stderr.write(`${line}\n`) } : undefined;
  }
  const str = (name: string) => (typeof args.flags[name] === 'string' ? (args.flags[name] as string) : undefined);
  const list = args.flags['codex-config'];
  return {
    model: str('model'),
    codexBin: str('codex-bin'),
    codexConfig: list === undefined ? [] : (Array.isArray(list) ? list : [list]).map(String),
    allowSameModel: args.flags['allow-same-model'] === true,
    onProgress: (line) => process.stderr.write(`${line}\n`),
  };
}

export async function run(args: CommandArgs): Promise<number> {
  const paths = workspacePaths(args.workspace);
  const config = await readConfig(paths.config);
  const { file, diagnosis, llm } = await diagnose({ workspace: paths.root, config, llm: llmOptions(args, config) });
  // The diagnosis is written either way; a batch without a valid answer is a negative verdict.
  const code = llm && llm.failed > 0 ? 1 : 0;
  if (args.json) {
    process.stdout.write(`${JSON.stringify(diagnosis, null, 2)}\n`);
    return code;
  }
  const i = diagnosis.inputs;
  process.stdout.write(
    `diagnose: ${i.traces} traces, ${i.feedback} feedback records, ${i.resultsRunId ? `${i.failingTests} of ${i.totalTests} tests failing` : 'no eval results'} → ${diagnosis.recommendations.length} recommendation(s)\n`,
  );
  if (llm) {
    const kept = llm.recommendations.length;
    process.stdout.write(
      `  --llm (${llm.model}): ${llm.batches.length} batch(es), ${llm.failed} failed; ${kept} proposal(s) kept, ${llm.dropped.length} dropped\n`,
    );
    for (const b of llm.batches.filter((x) => x.status === 'failed')) process.stdout.write(`  failed: ${b.file} (${b.batchId}): ${b.reason?.split('\n')[0]}\n`);
  }
  for (const r of diagnosis.recommendations.slice(0, 5)) {
    process.stdout.write(`  ${r.rank}. ${r.title} [${r.layer}, effort ${r.effort.size}] ${r.impact.summary} (score ${r.score})\n`);
  }
  process.stdout.write(`wrote ${displayPath(file)}\n`);
  return code;
}
