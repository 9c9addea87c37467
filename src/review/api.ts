// The review app's JSON API, as functions of a parsed request: no HTTP here, so each handler is
// tested directly. Writes go through `addFeedback` / `appendFeedback`, as `feedback add` does.
import { readFile } from 'node:fs/promises';
import { readEvidenceDocument } from '../checks/citations.js';
import { InputError, UsageError } from '../errors.js';
import { evalPaths } from '../evals/paths.js';
import { listPendingVerdicts, recordVerdict } from '../evals/verdicts.js';
import { addFeedback } from '../feedback/add.js';
import { appendFeedback } from '../feedback/store.js';
import { Redactor } from '../redact/redact.js';
import type { Config } from '../schema/config.js';
import type { RubricVerdict } from '../schema/eval-suite.js';
import { KNOWN_CATEGORIES, SEVERITIES, type Feedback } from '../schema/feedback.js';
import type { Span } from '../schema/trace.js';
import { layoutSpans } from '../report/timeline.js';
import { workspacePaths } from '../util/workspace.js';
import { acceptCritique, rejectCritique, type CritiqueEdits } from './critiques.js';
import type { ReviewDataSource } from './data.js';
import { resolveWorkspaceFile } from './files.js';
import { filterQueue, isPendingCritique, queueFacets, type QueueFilter, type QueueStatus } from './queue.js';

/** An API answer: status and JSON body. */
export interface ApiResponse {
  status: number;
  body: unknown;
}

/** What every handler needs. */
export interface ReviewContext {
  workspace: string;
  config: Config;
  data: ReviewDataSource;
  /** Default reviewer name ($USER). */
  reviewer: string;
  /** Clock, for tests. */
  now?: () => string;
}

/** Largest page of the queue. */
export const MAX_PAGE = 100;
/** Span inputs and outputs are cut to this many characters in the trace view. */
export const MAX_SPAN_TEXT = 20_000;

const ok = (body: unknown): ApiResponse => ({ status: 200, body });
const fail = (status: number, error: string, fields?: Record<string, string>): ApiResponse => ({ status, body: { error, ...(fields ? { fields } : {}) } });

// Writes from every tab of every reviewer go through this one chain, so read-then-append
// never interleaves inside this process; O_APPEND covers other writers (the CLI, hooks).
let writeChain: Promise<unknown> = Promise.resolve();
function serialize<T>(fn: () => Promise<T>): Promise<T> {
  const next = writeChain.then(fn, fn);
  writeChain = next.catch(() => undefined);
  return next;
}

/** GET /api/queue: one page of the filtered queue, the facets and how many traces still need a look. */
export async function getQueue(ctx: ReviewContext, params: URLSearchParams): Promise<ApiResponse> {
  const data = await ctx.data.get();
  const filter: QueueFilter = {};
  const category = params.get('category');
  const source = params.get('source');
  const cycle = params.get('cycle');
  const status = params.get('status');
  if (category) filter.category = category;
  if (source) filter.source = source;
  if (cycle) {
    if (!/^\d+$/.test(cycle)) return fail(400, 'cycle must be a whole number');
    filter.cycle = Number(cycle);
  }
  if (status) {
    if (!['pending', 'reviewed', 'clean'].includes(status)) return fail(400, 'status must be pending, reviewed or clean');
    filter.status = status as QueueStatus;
  }
  const offset = Math.max(0, Number.parseInt(params.get('offset') ?? '0', 10) || 0);
  const limit = Math.min(MAX_PAGE, Math.max(1, Number.parseInt(params.get('limit') ?? String(MAX_PAGE), 10) || MAX_PAGE));
  const items = filterQueue(data.queue, filter);
  return ok({
    total: items.length,
    offset,
    items: items.slice(offset, offset + limit),
    pending: data.queue.filter((i) => i.status === 'pending').length,
    pendingCritiques: data.queue.reduce((n, i) => n + i.pendingCritiques, 0),
    traces: data.queue.length,
    facets: queueFacets(data.queue),
    reviewer: ctx.reviewer,
  });
}

function clip(value: unknown): { text: string; omitted: number } | null {
  if (value === undefined || value === null) return null;
  const text = typeof value === 'string' ? value : (JSON.stringify(value, null, 2) ?? String(value));
  return text.length <= MAX_SPAN_TEXT ? { text, omitted: 0 } : { text: text.slice(0, MAX_SPAN_TEXT), omitted: text.length - MAX_SPAN_TEXT };
}

function viewSpan(s: Span, bar: { left: number; width: number; instant: boolean } | undefined) {
  return {
    bar: bar ?? null,
    id: s.id,
    parentId: s.parentId,
    kind: s.kind,
    name: s.name,
    startTime: s.startTime,
    durationMs: s.durationMs,
    status: s.status,
    error: s.error,
    exitCode: s.exitCode ?? null,
    input: clip(s.input),
    output: clip(s.output),
  };
}

/** GET /api/trace?id=: the trace, its feedback, pending critiques, tests and the citations in its answer. */
export async function getTrace(ctx: ReviewContext, params: URLSearchParams): Promise<ApiResponse> {
  const id = params.get('id') ?? '';
  const data = await ctx.data.get();
  const trace = data.traces.get(id);
  if (!trace) return fail(404, `no trace "${id}" in the trace store`);
  const records = data.feedback.filter((r) => r.traceId === id);
  const citations = new Map<string, { raw: string; path: string; start: number | null; end: number | null }>();
  if (trace.finalAnswer) {
    const doc = readEvidenceDocument(trace.finalAnswer);
    for (const c of doc.sentences.flatMap((s) => s.citations)) {
      citations.set(c.raw, { raw: c.raw, path: c.path, start: c.start ?? null, end: c.end ?? c.start ?? null });
    }
  }
  const item = data.queue.find((q) => q.traceId === id) ?? null;
  // The report's layout reads only start times and durations, which every span has.
  const bars = layoutSpans(trace.spans as unknown as Parameters<typeof layoutSpans>[0], trace.startTime, trace.endTime);
  return ok({
    trace: {
      id: trace.id,
      task: trace.task,
      finalAnswer: trace.finalAnswer,
      startTime: trace.startTime,
      endTime: trace.endTime,
      models: trace.models,
      cwd: trace.cwd,
      source: trace.source,
      usage: trace.usage,
      spans: trace.spans.map((s, i) => viewSpan(s, bars[i])),
    },
    item,
    feedback: records.filter((r) => !isPendingCritique(r)),
    critiques: records.filter(isPendingCritique),
    tests: data.tests.filter((t) => t.traceId === id),
    citations: [...citations.values()],
    categories: [...new Set([...KNOWN_CATEGORIES, ...data.feedback.map((r) => r.category)])].sort(),
    severities: SEVERITIES,
  });
}

/** GET /api/source?path=: a text file inside the workspace, as lines. */
export async function getSource(ctx: ReviewContext, params: URLSearchParams): Promise<ApiResponse> {
  const resolved = await resolveWorkspaceFile(ctx.workspace, params.get('path') ?? '');
  if (!resolved.ok) return fail(resolved.status, resolved.reason);
  const text = await readFile(resolved.path, 'utf8');
  return ok({ path: resolved.relative, lines: text.split(/\r?\n/) });
}

function stringList(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) return undefined;
  return value
    .filter((v): v is string => typeof v === 'string')
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

function nonBlank(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

// `feedback add` flag → form field, so validation messages land next to the right input.
const FIELD_OF_FLAG: Record<string, string> = {
  '--trace': 'traceId',
  '--span': 'spanId',
  '--category': 'category',
  '--severity': 'severity',
  '--observation': 'observation',
  '--evidence': 'evidence',
  '--author': 'author',
  '--required': 'requiredObservations',
  '--prohibited': 'prohibitedClaims',
  '--source': 'source',
};

/** Lists as `feedback add` takes them: one item per line (the trailing newline keeps commas inside items). */
function asLines(list: string[] | undefined): string | undefined {
  return list === undefined || list.length === 0 ? undefined : `${list.map((x) => x.replace(/\s*\n\s*/g, ' ')).join('\n')}\n`;
}

/** POST /api/feedback: a human record through `addFeedback` (the validation of `feedback add`). */
export async function postFeedback(ctx: ReviewContext, body: Record<string, unknown>): Promise<ApiResponse> {
  const author = optionalString(body.author)?.trim() || ctx.reviewer;
  // The form always asks for these three; `feedback add` would default the severity of a
  // cookbook-shaped record (one with required observations) to medium, a reviewer should choose.
  const blank: Record<string, string> = {};
  if (nonBlank(body.category) === undefined) blank.category = 'required';
  if (nonBlank(body.severity) === undefined) blank.severity = `required: one of ${SEVERITIES.join(', ')}`;
  if (nonBlank(body.observation) === undefined) blank.observation = 'required';
  if (Object.keys(blank).length > 0) return fail(422, 'invalid feedback; nothing was written', blank);
  try {
    const result = await serialize(() =>
      addFeedback({
        workspace: ctx.workspace,
        config: ctx.config,
        trace: optionalString(body.traceId),
        span: optionalString(body.spanId)?.trim() || undefined,
        // Blank is absent, so every missing field is reported at once ("required").
        category: nonBlank(body.category),
        severity: nonBlank(body.severity),
        observation: nonBlank(body.observation),
        evidence: asLines(stringList(body.evidence)),
        author,
        required: asLines(stringList(body.requiredObservations)),
        prohibited: asLines(stringList(body.prohibitedClaims)),
        source: 'human',
        ...(ctx.now ? { now: ctx.now() } : {}),
      }),
    );
    ctx.data.invalidate();
    return ok({ record: result.record, added: result.added });
  } catch (error) {
    if (error instanceof UsageError || error instanceof InputError) return fail(422, 'invalid feedback; nothing was written', fieldErrors(error.message));
    throw error;
  }
}

function fieldErrors(message: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of message.split('\n')) {
    const m = /^(--[\w-]+): (.*)$/.exec(line);
    if (m) fields[FIELD_OF_FLAG[m[1]!] ?? m[1]!] ??= m[2]!;
  }
  if (Object.keys(fields).length === 0) fields.form = message;
  return fields;
}

/** POST /api/critique: accept (optionally edited) or reject a pending LLM critique. */
export async function postCritique(ctx: ReviewContext, body: Record<string, unknown>): Promise<ApiResponse> {
  const id = optionalString(body.id) ?? '';
  const action = body.action;
  if (action !== 'accept' && action !== 'reject') return fail(400, 'action must be accept or reject');
  const reviewer = optionalString(body.reviewer)?.trim() || ctx.reviewer;
  const redactor = new Redactor(ctx.config.redaction.extraPatterns);
  return serialize(async () => {
    const data = await ctx.data.get();
    const original = data.feedback.find((r) => r.id === id);
    if (!original) return fail(404, `no feedback record "${id}" (already reviewed in another tab?)`);
    if (!isPendingCritique(original)) return fail(409, `record "${id}" is not an LLM critique waiting for review`);
    const now = ctx.now?.() ?? new Date().toISOString();
    const outcome =
      action === 'accept'
        ? acceptCritique(original, reviewer, readEdits(body.edits), now, redactor)
        : rejectCritique(original, reviewer, optionalString(body.reason) ?? '', now, redactor);
    if (!outcome.record) return fail(422, `cannot ${action}; nothing was written`, outcome.errors);
    await appendFeedback(workspacePaths(ctx.workspace).feedbackStore, [outcome.record]);
    ctx.data.invalidate();
    return ok({ record: outcome.record satisfies Feedback });
  });
}

function readEdits(value: unknown): CritiqueEdits {
  if (typeof value !== 'object' || value === null) return {};
  const v = value as Record<string, unknown>;
  const edits: CritiqueEdits = {};
  for (const key of ['category', 'severity', 'observation'] as const) if (typeof v[key] === 'string') edits[key] = v[key];
  for (const key of ['evidence', 'requiredObservations', 'prohibitedClaims'] as const) {
    const list = stringList(v[key]);
    if (list !== undefined) edits[key] = list;
  }
  return edits;
}

/** GET /api/verdicts: the rubrics of the latest run that wait for a verdict, each with the answer to judge. */
export async function getVerdicts(ctx: ReviewContext): Promise<ApiResponse> {
  return ok({ pending: await listPendingVerdicts(evalPaths(ctx.workspace)) });
}

/**
 * POST /api/verdict: records pass or fail, with a reason, for one rubric on one answer (by hash),
 * appended to the verdict store as a human verdict. Refused when the answer waiting has changed
 * since the page loaded, or when that answer already has a verdict.
 */
export async function postVerdict(ctx: ReviewContext, body: Record<string, unknown>): Promise<ApiResponse> {
  const rubricHash = optionalString(body.rubricHash) ?? '';
  const answer = optionalString(body.answerHash) ?? '';
  const reason = nonBlank(body.reason)?.trim();
  if (typeof body.pass !== 'boolean') return fail(400, 'pass must be true or false');
  if (reason === undefined) return fail(422, 'a verdict needs a reason; nothing was written', { reason: 'required' });
  const reviewer = optionalString(body.reviewer)?.trim() || ctx.reviewer;
  return serialize(async () => {
    const paths = evalPaths(ctx.workspace);
    const pending = (await listPendingVerdicts(paths)).find((p) => p.rubricHash === rubricHash && p.answerHash === answer);
    if (!pending) return fail(409, `rubric ${rubricHash} on answer ${answer} is not waiting for a verdict (judged already, or a newer run replaced it)`);
    const verdict: RubricVerdict = {
      testId: pending.testId,
      rubricHash,
      answerHash: answer,
      ...(pending.traceId !== undefined ? { traceId: pending.traceId } : {}),
      grader: 'human',
      author: reviewer,
      pass: body.pass as boolean,
      score: body.pass ? 1 : 0,
      reason: new Redactor(ctx.config.redaction.extraPatterns).redact(reason),
      recordedAt: ctx.now?.() ?? new Date().toISOString(),
    };
    try {
      return ok({ verdict: await recordVerdict(paths.verdicts, verdict) });
    } catch (error) {
      if (error instanceof UsageError) return fail(409, error.message);
      throw error;
    }
  });
}
