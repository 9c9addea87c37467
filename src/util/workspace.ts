import { join, resolve } from 'node:path';

/** Every path the loop reads or writes inside a workspace, in one place. */
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
  const dir = join(abs, '.harness-loop');
  return {
    root: abs,
    dir,
    config: join(dir, 'config.yaml'),
    traces: join(dir, 'traces'),
    traceStore: join(dir, 'traces', 'traces.jsonl'),
    batches: join(dir, 'batches'),
    batchManifest: join(dir, 'batches', 'manifest.json'),
    feedback: join(dir, 'feedback'),
    feedbackStore: join(dir, 'feedback', 'feedback.jsonl'),
  };
}
