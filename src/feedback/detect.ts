import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Config } from '../schema/config.js';
import type { Feedback } from '../schema/feedback.js';
import { InputError } from '../errors.js';
import { readTraceStore } from '../ingest/store.js';
import type { Skip } from '../ingest/source.js';
import { Redactor } from '../redact/redact.js';
import { workspacePaths } from '../util/workspace.js';
import { DETECTORS, type DetectorSettings, type FileExists, type SkippedFinding } from './detectors/index.js';
import { citationRoots } from './detectors/missing-cited-files.js';
import { appendFeedback } from './store.js';

/** Options of the detect stage. */
export interface DetectOptions {
  workspace: string;
  config: Config;
  /** Creation time stamped on new records (default: now). */
  now?: string;
  /** Existence check for cited paths (default: the file system under each trace's own cwd). */
  fileExists?: FileExists;
}

/** What a detect run did. */
export interface DetectResult {
  traces: number;
  found: number;
  added: Feedback[];
  duplicates: number;
  byDetector: Record<string, number>;
  skipped: Skip[];
  /** Failed commands left out as expected (asked for by the task, probes, later succeeded), with the reason. */
  expected: SkippedFinding[];
}

/** Runs every detector over the trace store (streamed, one trace in memory) and appends new records. */
export async function detectFeedback(options: DetectOptions): Promise<DetectResult> {
  const paths = workspacePaths(options.workspace);
  if (!existsSync(paths.traceStore)) {
    throw new InputError('no trace store yet; run harness-loop ingest first', paths.traceStore, undefined, 'input.missing');
  }
  const expected: SkippedFinding[] = [];
  const settings: DetectorSettings = {
    fileExists: options.fileExists ?? ((p) => existsSync(resolve(paths.root, p))),
    requiredSections: options.config.feedback.requiredSections,
    tokenBudget: options.config.feedback.tokenBudget,
    ignore: options.config.detect.ignore,
    skip: (s) => expected.push(s),
  };
  const redactor = new Redactor(options.config.redaction.extraPatterns);
  const now = options.now ?? new Date().toISOString();
  const skipped: Skip[] = [];
  const byDetector: Record<string, number> = Object.fromEntries(DETECTORS.map((d) => [d.name, 0]));
  const found: Feedback[] = [];
  let traces = 0;
  for await (const trace of readTraceStore(paths.traceStore, (s) => skipped.push(s))) {
    traces++;
    // A cited file is looked up where that session ran, not only in this workspace.
    const traceSettings = options.fileExists ? settings : { ...settings, fileExists: existsUnder(citationRoots(trace.cwd, paths.root, isDirectory)) };
    for (const detector of DETECTORS) {
      for (const record of detector.run(trace, traceSettings)) {
        byDetector[detector.name]!++;
        // Redaction keeps the id: detector ids hash the detector, trace and span, not the text.
        found.push({ ...redactor.redact(record), createdAt: now });
      }
    }
  }
  const { added, duplicates } = await appendFeedback(paths.feedbackStore, found);
  return { traces, found: found.length, added, duplicates, byDetector, skipped, expected };
}

function isDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

/** Exists under any of the roots. */
function existsUnder(roots: string[]): FileExists {
  return (p) => roots.some((root) => existsSync(resolve(root, p)));
}
