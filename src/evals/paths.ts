import { workspacePaths } from '../util/workspace.js';
import { layoutPath } from '../workspace/layout.js';

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
  const at = (id: string) => layoutPath(base.root, id);
  return {
    root: base.root,
    dir: base.dir,
    config: base.config,
    traceStore: base.traceStore,
    feedbackStore: base.feedbackStore,
    evals: at('evals'),
    suite: at('suite'),
    providers: at('providers'),
    verdicts: at('verdicts'),
    pruneLog: at('pruneLog'),
    results: at('results'),
    promptfooHome: at('promptfooHome'),
    cycle: at('cycle'),
    ledger: at('ledger'),
  };
}
