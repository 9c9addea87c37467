import { join } from 'node:path';
import { workspacePaths } from '../util/workspace.js';

/** Every file the eval stage reads or writes inside a workspace. */
export interface EvalPaths {
  /** Absolute workspace root. */
  root: string;
  /** `.harness-loop/`. */
  dir: string;
  /** Workspace config. */
  config: string;
  /** The trace store the replay provider reads. */
  traceStore: string;
  /** The feedback store the suite is built from. */
  feedbackStore: string;
  /** `.harness-loop/evals/`. */
  evals: string;
  /** The generated (and ratcheted) Promptfoo config. */
  suite: string;
  /** Copies of the shipped providers, referenced relatively from the suite. */
  providers: string;
  /** Recorded llm-rubric verdicts for offline grading. */
  verdicts: string;
  /** Tests removed by `evals prune`, with reason and date. */
  pruneLog: string;
  /** `.harness-loop/results/`, one `<run-id>.json` per run. */
  results: string;
  /** PROMPTFOO_CONFIG_DIR: Promptfoo's sqlite db and logs, kept inside the workspace. */
  promptfooHome: string;
  /** The open cycle file (written by `cycle start`). */
  cycle: string;
  /** The cycle ledger. */
  ledger: string;
}

/** Resolves the eval stage's paths for a workspace. */
export function evalPaths(root: string): EvalPaths {
  const base = workspacePaths(root);
  const evals = join(base.dir, 'evals');
  return {
    root: base.root,
    dir: base.dir,
    config: base.config,
    traceStore: base.traceStore,
    feedbackStore: join(base.dir, 'feedback', 'feedback.jsonl'),
    evals,
    suite: join(evals, 'promptfooconfig.yaml'),
    providers: join(evals, 'providers'),
    verdicts: join(evals, 'rubric-verdicts.jsonl'),
    pruneLog: join(evals, 'prune-log.jsonl'),
    results: join(base.dir, 'results'),
    promptfooHome: join(base.dir, 'promptfoo'),
    cycle: join(base.dir, 'cycle.json'),
    ledger: join(base.dir, 'ledger.jsonl'),
  };
}
