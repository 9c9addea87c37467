import { readFile } from 'node:fs/promises';
import { InputError } from '../errors.js';
import { loadAllFeedback, diagnosisFile } from '../diagnose/diagnose.js';
import { defaultCodexHome, teamHarnessPaths } from '../diagnose/harness.js';
import { readHarnessModel } from '../harness/model.js';
import { readLedger } from '../ledger/ledger.js';
import { loopPaths } from '../ledger/paths.js';
import { readHarnessGlobs } from '../ledger/harness-files.js';
import { findLatestResults } from '../ledger/results.js';
import { computePassRate } from '../ledger/gate.js';
import type { Config } from '../schema/config.js';
import { DiagnosisSchema } from '../schema/diagnosis.js';
import { writeFileAtomic } from '../util/atomic.js';
import { formatZodIssues } from '../util/zod-format.js';
import { workspacePaths } from '../util/workspace.js';
import { renderHandoff } from './render.js';
import { layoutPath } from '../workspace/layout.js';

export function handoffFile(workspace: string): string {
  return layoutPath(workspace, 'handoff');
}

/** Renders `.harness-loop/codex_handoff.md` from the latest diagnosis. */
export async function writeHandoff(options: {
  workspace: string;
  config: Config;
  codexHome?: string | null;
}): Promise<{ file: string; theChange: string | null }> {
  const paths = workspacePaths(options.workspace);
  const source = diagnosisFile(options.workspace);
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(source, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new InputError('no diagnosis yet; run `harness-loop diagnose` first', source, undefined, 'stage.missing');
    throw new InputError(`not valid JSON: ${(error as Error).message}`, source);
  }
  const parsed = DiagnosisSchema.safeParse(raw);
  if (!parsed.success) throw new InputError(`not a valid diagnosis:\n${formatZodIssues(parsed.error)}`, source);
  const latest = await findLatestResults(layoutPath(paths.root, 'results')).catch(() => null);
  const text = renderHandoff({
    diagnosis: parsed.data,
    feedback: await loadAllFeedback(paths.feedback),
    passRate: latest ? computePassRate(latest.results.tests) : null,
    passingTests: latest ? latest.results.tests.filter((t) => t.pass).length : 0,
    harnessFiles: teamHarnessPaths(
      await readHarnessModel({ root: paths.root, config: options.config, codexHome: options.codexHome === undefined ? defaultCodexHome() : options.codexHome }),
    ),
    harnessGlobs: readHarnessGlobs(options.config),
    ledger: (await readLedger(loopPaths(paths.root).ledger)).entries,
  });
  const file = handoffFile(options.workspace);
  await writeFileAtomic(file, text);
  return { file, theChange: parsed.data.recommendations[0]?.title ?? null };
}
