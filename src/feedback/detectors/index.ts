import type { Feedback } from '../../schema/feedback.js';
import type { Trace } from '../../schema/trace.js';
import { detectErroredTurns } from './errored-turns.js';
import { type IgnoreRules, type SkippedFinding } from './expected-failures.js';
import { detectFailedCommands } from './failed-commands.js';
import { detectHookBlocks } from './hook-blocks.js';
import { detectMissingCitedFiles, type FileExists } from './missing-cited-files.js';
import { detectMissingSections } from './missing-sections.js';
import { detectRunawayTokens } from './runaway-tokens.js';
import { detectToolErrors } from './tool-errors.js';

/** What the detectors need besides the trace. */
export interface DetectorSettings {
  fileExists: FileExists;
  requiredSections: readonly string[];
  tokenBudget: number;
  /** Which failed commands are expected, not findings (config `detect.ignore`). */
  ignore: IgnoreRules;
  /** Receives every failure left out as expected. */
  skip?: (s: SkippedFinding) => void;
}

/** Every detector, by name (the name is the `harness-loop/<name>` author of its records). */
export const DETECTORS: ReadonlyArray<{ name: string; run(trace: Trace, settings: DetectorSettings): Feedback[] }> = [
  { name: 'failed-commands', run: (t, s) => detectFailedCommands(t, s.ignore, s.skip) },
  { name: 'tool-errors', run: (t) => detectToolErrors(t) },
  { name: 'hook-blocks', run: (t) => detectHookBlocks(t) },
  { name: 'missing-cited-files', run: (t, s) => detectMissingCitedFiles(t, s.fileExists) },
  { name: 'missing-sections', run: (t, s) => detectMissingSections(t, s.requiredSections) },
  { name: 'errored-turns', run: (t) => detectErroredTurns(t) },
  { name: 'runaway-tokens', run: (t, s) => detectRunawayTokens(t, s.tokenBudget) },
];

/** Runs every detector over one trace. */
export function runDetectors(trace: Trace, settings: DetectorSettings): Feedback[] {
  return DETECTORS.flatMap((d) => d.run(trace, settings));
}

export { detectErroredTurns, detectFailedCommands, detectHookBlocks, detectMissingCitedFiles, detectMissingSections, detectRunawayTokens, detectToolErrors };
export type { FileExists, IgnoreRules, SkippedFinding };
