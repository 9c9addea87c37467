// The workspace as the review app sees it: traces, feedback (reviews applied), the latest eval
// outcome per trace and the queue. Loaded once and reloaded only when a file it read changed.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { loadAllFeedback } from '../feedback/store.js';
import { readTraceStore } from '../ingest/store.js';
import { loopPaths } from '../ledger/paths.js';
import { readJsonFile } from '../ledger/json-file.js';
import { EvalRunSummarySchema } from '../schema/eval-suite.js';
import type { Feedback } from '../schema/feedback.js';
import type { Trace } from '../schema/trace.js';
import { readSuiteTests } from '../evals/suite-yaml.js';
import { workspacePaths } from '../util/workspace.js';
import { buildQueue, type QueueItem, type QueueTest } from './queue.js';
import { layoutPath } from '../workspace/layout.js';
import { readdirIfExists, readTextIfExists } from '../util/files.js';

/** Everything the API answers from. */
export interface ReviewData {
  traces: Map<string, Trace>;
  feedback: Feedback[];
  tests: QueueTest[];
  queue: QueueItem[];
  /** Lines of the trace store skipped as unreadable. */
  skipped: number;
}

/** Files whose change means the data must be read again: path → size and mtime. */
async function signatureOf(files: readonly string[]): Promise<string> {
  const parts: string[] = [];
  for (const f of files) {
    try {
      const s = await stat(f);
      parts.push(`${f}:${s.size}:${s.mtimeMs}`);
    } catch {
      parts.push(`${f}:-`);
    }
  }
  return parts.join('|');
}

async function listFiles(dir: string, ext: string): Promise<string[]> {
  const names = await readdirIfExists(dir);
  return names
    .filter((n) => n.endsWith(ext) && !n.startsWith('.'))
    .sort()
    .map((n) => join(dir, n));
}

/**
 * The latest outcome of each trace's tests: for every test, the newest run that replayed each
 * trace. Categories and cycles come from the suite metadata, falling back to the run's cycle.
 */
async function readTests(workspace: string): Promise<QueueTest[]> {
  const loop = loopPaths(workspace);
  const suiteFile = layoutPath(workspace, 'suite');
  const suiteText = await readTextIfExists(suiteFile);
  const meta = new Map<string, { category: string | null; cycle: number | null }>();
  for (const t of readSuiteTests(suiteText, suiteFile)) {
    const m = (t.metadata ?? {}) as Record<string, unknown>;
    if (typeof m.testId === 'string')
      meta.set(m.testId, { category: typeof m.category === 'string' ? m.category : null, cycle: typeof m.addedInCycle === 'number' ? m.addedInCycle : null });
  }
  const runs = [];
  for (const file of await listFiles(loop.results, '.json')) {
    const run = await readJsonFile(file, EvalRunSummarySchema, 'eval results file');
    if (run) runs.push(run);
  }
  runs.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  const latest = new Map<string, QueueTest>();
  for (const run of runs) {
    for (const t of run.tests) {
      if (!t.traceId) continue;
      const m = meta.get(t.id);
      latest.set(`${t.id}\0${t.traceId}`, {
        id: t.id,
        traceId: t.traceId,
        pass: t.pass,
        ...(t.status === 'unjudged' ? { unjudged: true } : {}),
        category: m?.category ?? null,
        cycle: run.cycle ?? m?.cycle ?? null,
        reasons: t.reasons,
      });
    }
  }
  return [...latest.values()];
}

/** Reads the workspace on demand, caching until one of the files it read changes. */
export class ReviewDataSource {
  private cached: { signature: string; data: ReviewData } | null = null;
  private loading: Promise<ReviewData> | null = null;

  constructor(readonly workspace: string) {}

  private async files(): Promise<string[]> {
    const paths = workspacePaths(this.workspace);
    const loop = loopPaths(this.workspace);
    return [paths.traceStore, layoutPath(paths.root, 'suite'), ...(await listFiles(paths.feedback, '.jsonl')), ...(await listFiles(loop.results, '.json'))];
  }

  /** The current data; concurrent callers share one load. */
  async get(): Promise<ReviewData> {
    const signature = await signatureOf(await this.files());
    if (this.cached?.signature === signature) return this.cached.data;
    this.loading ??= this.load().finally(() => (this.loading = null));
    const data = await this.loading;
    this.cached = { signature, data };
    return data;
  }

  /** Forgets the cache (after a write, in case the mtime did not move). */
  invalidate(): void {
    this.cached = null;
  }

  private async load(): Promise<ReviewData> {
    const paths = workspacePaths(this.workspace);
    const traces = new Map<string, Trace>();
    let skipped = 0;
    try {
      for await (const t of readTraceStore(paths.traceStore, () => skipped++)) traces.set(t.id, t);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const feedback = await loadAllFeedback(paths.feedback);
    const tests = await readTests(this.workspace);
    const queue = buildQueue(
      [...traces.values()].map((t) => ({ id: t.id, task: t.task, startTime: t.startTime, sourceKind: t.source.kind })),
      feedback,
      tests,
    );
    return { traces, feedback, tests, queue, skipped };
  }
}
