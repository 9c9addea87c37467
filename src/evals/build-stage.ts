import { loadAllFeedback } from '../feedback/store.js';
import { readTraceStore } from '../ingest/store.js';
import type { Skip } from '../ingest/source.js';
import { EvalsConfigSchema } from '../schema/eval-suite.js';
import { InputError } from '../errors.js';
import { writeFileAtomic } from '../util/atomic.js';
import { readTextIfExists } from '../util/files.js';
import { readConfig } from '../util/config.js';
import { workspacePaths } from '../util/workspace.js';
import { buildEvalSuite, toTraceInfo, toTraceInfoWithAnswer, type BuildSummary, type TraceInfo } from './build.js';
import { readVerdicts, recordVerdict } from './verdicts.js';
import { resolveCycle } from './cycle.js';
import { readPruneLog } from './list.js';
import { evalPaths } from './paths.js';
import { installProviders } from './provider-files.js';

async function readTraceInfos(file: string, onSkip: (skip: Skip) => void, praised: ReadonlySet<string>): Promise<TraceInfo[]> {
  const infos: TraceInfo[] = [];
  try {
    for await (const trace of readTraceStore(file, onSkip)) infos.push(praised.has(trace.id) ? toTraceInfoWithAnswer(trace) : toTraceInfo(trace));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return infos;
}

/** The evals build stage: feedback (every file, hooks' included) + traces + the existing suite → the grown suite. */
export async function buildSuite(options: {
  workspace: string;
  cycle?: unknown;
  onSkip?: (skip: Skip) => void;
}): Promise<{ file: string; summary: BuildSummary; changed: boolean }> {
  const paths = evalPaths(options.workspace);
  const config = await readConfig(paths.config);
  const evals = EvalsConfigSchema.parse((config as Record<string, unknown>).evals ?? undefined);
  const feedback = await loadAllFeedback(workspacePaths(options.workspace).feedback);
  const praised = new Set(feedback.filter((f) => f.polarity === 'positive').map((f) => f.traceId));
  const [traces, existing, pruned, cycle] = await Promise.all([
    readTraceInfos(paths.traceStore, options.onSkip ?? (() => {}), praised),
    readTextIfExists(paths.suite),
    readPruneLog(paths.pruneLog),
    resolveCycle(paths, options.cycle),
  ]);
  if (traces.length === 0) throw new InputError('no traces yet; run `harness-loop ingest` first', paths.traceStore, undefined, 'stage.missing');
  if (feedback.length === 0 && existing === null) {
    throw new InputError(
      'no feedback yet, so there is nothing to test; run `harness-loop feedback detect` (or add or import feedback) first',
      workspacePaths(options.workspace).feedback,
      undefined,
      'stage.missing',
    );
  }
  const { text, summary, praiseVerdicts } = buildEvalSuite({
    feedback,
    traces,
    existing,
    prunedIds: new Set(pruned.map((p) => p.testId)),
    cycle,
    config,
    rubricThreshold: evals.rubricThreshold,
    file: paths.suite,
  });
  await installProviders(paths.providers);
  // Praise is a human verdict on the praised answer; each is recorded once.
  const known = await readVerdicts(paths.verdicts);
  for (const v of praiseVerdicts) {
    if (known.some((k) => k.rubricHash === v.rubricHash && k.answerHash === v.answerHash)) continue;
    await recordVerdict(paths.verdicts, v);
    known.push(v);
  }
  const changed = text !== existing;
  if (changed) await writeFileAtomic(paths.suite, text);
  return { file: paths.suite, summary, changed };
}
