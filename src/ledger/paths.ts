import { workspacePaths } from '../util/workspace.js';
import { layoutPath } from '../workspace/layout.js';

/** The files cycles and the ledger read and write, in one place. */
export interface LoopPaths {
  /** Absolute workspace root. */
  root: string;
  /** `.harness-loop/`. */
  dir: string;
  /** Workspace config (`.harness-loop/config.yaml`). */
  config: string;
  /** The open cycle; its presence with phase "implement" is what the edit guard reads. */
  cycle: string;
  /** Copies of the harness files at cycle start, for line diff stats. */
  snapshot: string;
  /** Append-only history of cycles. */
  ledger: string;
  /** Eval results, one `<run-id>.json` per run. */
  results: string;
  /** What `harness-loop diagnose` recommends. */
  recommendations: string;
}

/** Resolves the cycle and ledger paths of a workspace. */
export function loopPaths(root: string): LoopPaths {
  const base = workspacePaths(root);
  return {
    root: base.root,
    dir: base.dir,
    config: base.config,
    cycle: layoutPath(base.root, 'cycle'),
    snapshot: layoutPath(base.root, 'snapshot'),
    ledger: layoutPath(base.root, 'ledger'),
    results: layoutPath(base.root, 'results'),
    recommendations: layoutPath(base.root, 'recommendations'),
  };
}
