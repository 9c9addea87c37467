import { resolve } from 'node:path';
import { layoutPath } from '../workspace/layout.js';

/** The common workspace paths, resolved from the declared layout (src/workspace/layout.ts). */
export interface WorkspacePaths {
  root: string;
  dir: string;
  config: string;
  traces: string;
  traceStore: string;
  batches: string;
  batchManifest: string;
  /** Folder of feedback records. */
  feedback: string;
  /** Append-only feedback store, one record per line. */
  feedbackStore: string;
}

export function workspacePaths(root: string): WorkspacePaths {
  const abs = resolve(root);
  const at = (id: string) => layoutPath(abs, id);
  return {
    root: abs,
    dir: at('workspace'),
    config: at('config'),
    traces: at('traces'),
    traceStore: at('traceStore'),
    batches: at('batches'),
    batchManifest: at('batchManifest'),
    feedback: at('feedback'),
    feedbackStore: at('feedbackStore'),
  };
}
