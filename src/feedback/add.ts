import { userInfo } from 'node:os';
import type { Config } from '../schema/config.js';
import type { Feedback, FeedbackSource } from '../schema/feedback.js';
import { InputError, UsageError } from '../errors.js';
import { Redactor } from '../redact/redact.js';
import { workspacePaths } from '../util/workspace.js';
import { normalizeFeedback } from './normalize.js';
import { appendFeedback } from './store.js';
import { readKnownTraceIds } from './trace-ids.js';

/** The flags of `feedback add`, as given. */
export interface AddOptions {
  workspace: string;
  config: Config;
  trace?: string;
  span?: string;
  category?: string;
  severity?: string;
  observation?: string;
  /** One item per line. */
  evidence?: string;
  author?: string;
  /** Newline-separated, or comma-separated when there is no newline. */
  required?: string;
  prohibited?: string;
  source?: string;
  /** `--positive`: praise for a quality to keep, not a problem. */
  positive?: boolean;
  allowUnknownTrace?: boolean;
  now?: string;
}

/** What `feedback add` did: the record, whether it was new, and any warning. */
export interface AddResult {
  record: Feedback;
  added: boolean;
  warnings: string[];
}

// Input field → the flag that sets it, so problems name what the user typed.
const FLAG_OF: Record<string, string> = {
  trace_id: '--trace',
  span_id: '--span',
  category: '--category',
  severity: '--severity',
  observation: '--observation',
  evidence: '--evidence',
  author: '--author',
  required_observations: '--required',
  prohibited_claims: '--prohibited',
  source: '--source',
};

/** Splits a list flag: one item per line, or per comma when the value has no newline. */
export function splitList(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const parts = value.includes('\n') ? value.split('\n') : value.split(',');
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

/** Appends one human record from flags; invalid flags or an unknown trace are errors (exit 2). */
export async function addFeedback(options: AddOptions): Promise<AddResult> {
  const paths = workspacePaths(options.workspace);
  const raw: Record<string, unknown> = {
    trace_id: options.trace,
    span_id: options.span,
    category: options.category,
    severity: options.severity,
    observation: options.observation,
    evidence: options.evidence === undefined ? undefined : options.evidence.split('\n').filter((l) => l.trim() !== ''),
    author: options.author,
    required_observations: splitList(options.required),
    prohibited_claims: splitList(options.prohibited),
    source: options.source,
  };
  for (const key of Object.keys(raw)) if (raw[key] === undefined) delete raw[key];
  const result = normalizeFeedback(raw, {
    defaultSource: 'human' satisfies FeedbackSource,
    defaultAuthor: defaultAuthor(),
    now: options.now ?? new Date().toISOString(),
    ...(options.positive ? { defaultPolarity: 'positive' as const } : {}),
    redactor: new Redactor(options.config.redaction.extraPatterns),
  });
  if (!result.record) {
    // The record-shape hints ("or the cookbook theme") do not apply to flags.
    const lines = result.issues.map((i) => `${FLAG_OF[i.key.replace(/\[\d+\]$/, '')] ?? i.key}: ${i.message.replace(/^required \(.*\)$/, 'required')}`);
    throw new UsageError(`invalid feedback:\n${lines.join('\n')}`, 'feedback.invalid');
  }
  const record = result.record;
  const warnings: string[] = [];
  if (!(await readKnownTraceIds(paths.traceStore)).has(record.traceId)) {
    if (!options.allowUnknownTrace) {
      throw new InputError(
        `--trace: unknown trace "${record.traceId}": not in the trace store (run harness-loop ingest first, or pass --allow-unknown-trace)`,
        undefined,
        undefined,
        'feedback.unknown-trace',
      );
    }
    warnings.push(`--trace: unknown trace "${record.traceId}" (kept because of --allow-unknown-trace)`);
  }
  const { added } = await appendFeedback(paths.feedbackStore, [record]);
  return { record, added: added.length > 0, warnings };
}

function defaultAuthor(): string {
  try {
    return process.env.USER || userInfo().username || 'human';
  } catch {
    return 'human';
  }
}
