// `harness-loop traces`: what the trace store holds, one line per trace or one trace in full, so a
// newcomer can find the id to give `feedback add --trace` and see what a session was judged on.
import { existsSync } from 'node:fs';
import { InputError } from '../errors.js';
import { loadAllFeedback } from '../feedback/store.js';
import { readKnownTraceIds } from '../feedback/trace-ids.js';
import { readTraceStore } from '../ingest/store.js';
import type { Feedback } from '../schema/feedback.js';
import type { Trace } from '../schema/trace.js';
import { resolveIdPrefix } from '../util/id-prefix.js';
import { workspacePaths } from '../util/workspace.js';

/** One row of `traces list`. */
export interface TraceRow {
  id: string;
  startTime: string | null;
  task: string | null;
  finalAnswer: string | null;
  /** `trace.harness.fingerprint`, when the reader could tell the harness. */
  harness: string | null;
  feedback: number;
  /** Parent session of a fork or subagent. */
  parent: string | null;
  errors: number;
}

/** A trace with its feedback records, for `traces show`. */
export interface TraceDetail {
  trace: Trace;
  feedback: Feedback[];
}

function countBy(records: Feedback[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of records) counts.set(r.traceId, (counts.get(r.traceId) ?? 0) + 1);
  return counts;
}

function requireStore(workspace: string): string {
  const store = workspacePaths(workspace).traceStore;
  if (!existsSync(store)) throw new InputError('no trace store yet; run `harness-loop ingest` first', store, undefined, 'stage.missing');
  return store;
}

/** Every stored trace, newest first (traces without a start time last). */
export async function listTraces(workspace: string): Promise<TraceRow[]> {
  const store = requireStore(workspace);
  const counts = countBy(await loadAllFeedback(workspacePaths(workspace).feedback));
  const rows: TraceRow[] = [];
  for await (const t of readTraceStore(store)) {
    rows.push({
      id: t.id,
      startTime: t.startTime,
      task: t.task,
      finalAnswer: t.finalAnswer,
      harness: t.harness?.fingerprint ?? null,
      feedback: counts.get(t.id) ?? 0,
      parent: typeof t.attributes.parentTraceId === 'string' ? t.attributes.parentTraceId : null,
      errors: t.spans.filter((s) => s.status === 'error').length,
    });
  }
  return rows.sort((a, b) => (b.startTime ?? '').localeCompare(a.startTime ?? ''));
}

/** One trace by id or unique id prefix, with the feedback recorded on it. */
export async function showTrace(workspace: string, given: string): Promise<TraceDetail> {
  const store = requireStore(workspace);
  const id = resolveIdPrefix(given, await readKnownTraceIds(store), 'trace');
  let found: Trace | null = null;
  for await (const t of readTraceStore(store)) if (t.id === id) found = t;
  const feedback = (await loadAllFeedback(workspacePaths(workspace).feedback)).filter((r) => r.traceId === id);
  return { trace: found!, feedback };
}

const oneLine = (text: string | null, width: number) => {
  if (!text) return '-';
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > width ? `${flat.slice(0, width - 1)}…` : flat;
};

/** The list as aligned text lines. */
export function renderTraceList(rows: TraceRow[]): string {
  if (rows.length === 0) return 'traces: the store is empty; run `harness-loop ingest`\n';
  const lines = rows.map((r) =>
    [
      r.id,
      (r.startTime ?? '-').replace('T', ' ').slice(0, 16),
      `fb ${r.feedback}`,
      r.harness ? `harness ${r.harness.slice(0, 12)}` : 'harness -',
      `task: ${oneLine(r.task, 60)}`,
      `answer: ${oneLine(r.finalAnswer, 60)}`,
    ].join('  '),
  );
  return `${lines.join('\n')}\n${rows.length} trace(s); \`harness-loop traces show ID\` (a unique prefix is enough) shows one\n`;
}

/** One trace as readable text: what was asked and answered, how it ran, what feedback says. */
export function renderTraceDetail({ trace: t, feedback }: TraceDetail): string {
  const out: string[] = [];
  out.push(`trace    ${t.id}`);
  out.push(`source   ${t.source.kind} ${t.source.file}${t.source.line ? `:${t.source.line}` : ''}`);
  out.push(`time     ${t.startTime ?? '-'} → ${t.endTime ?? '-'}`);
  out.push(`cwd      ${t.cwd ?? '-'}`);
  out.push(`models   ${t.models.join(', ') || '-'}`);
  out.push(`harness  ${t.harness ? `${t.harness.fingerprint} (${t.harness.derivedFrom})` : '- (not told by this source)'}`);
  if (typeof t.attributes.parentTraceId === 'string')
    out.push(`parent   ${t.attributes.parentTraceId} (forked or spawned from it; only this session's own work is counted)`);
  const lastTurn = t.attributes.lastTurn as { outcome?: string } | undefined;
  if (lastTurn?.outcome && lastTurn.outcome !== 'completed') out.push(`last turn ${lastTurn.outcome}`);
  out.push(`tokens   ${t.usage.inputTokens} in (${t.usage.cachedInputTokens} cached), ${t.usage.outputTokens} out`);
  out.push('', 'task:', `  ${(t.task ?? '-').split('\n').join('\n  ')}`, '', 'answer:', `  ${(t.finalAnswer ?? '-').split('\n').join('\n  ')}`, '');
  out.push(`spans (${t.spans.length}):`);
  for (const s of t.spans) {
    if (s.kind === 'model_call') continue;
    const code = s.exitCode !== undefined && s.exitCode !== null ? ` exit ${s.exitCode}` : '';
    out.push(`  ${s.kind.padEnd(10)} ${s.name}${code}${s.status === 'error' ? `  ERROR ${oneLine(s.error, 80)}` : ''}  [${s.id}]`);
  }
  out.push('', `feedback (${feedback.length}):`);
  for (const r of feedback) out.push(`  ${r.id}  ${r.source}/${r.category}/${r.severity}: ${oneLine(r.observation, 100)}`);
  if (feedback.length === 0) out.push(`  none; add some with \`harness-loop feedback add --trace ${t.id.slice(0, 8)} …\``);
  return `${out.join('\n')}\n`;
}
