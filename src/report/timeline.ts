import { escapeHtml, formatDuration, formatTime, renderClip } from './html.js';
import type { ReportSpan } from './model.js';

/** Where a span's bar sits, in percent of the trace's time range. */
export interface BarPosition {
  /** Left edge, 0–100. */
  left: number;
  /** Width, 0–100; a span with no duration gets a thin marker. */
  width: number;
  /** True when the span has no duration (or no time at all) and is drawn as a marker. */
  instant: boolean;
}

const MIN_WIDTH = 0.6;

/**
 * Positions bars by start time and duration over the range the trace and its spans cover.
 * Spans without a start time follow the span before them; when no span has a time, spans are
 * laid out in order, one equal slot each.
 */
export function layoutSpans(spans: readonly ReportSpan[], traceStart: string | null, traceEnd: string | null): BarPosition[] {
  const starts = spans.map((s) => (s.startTime ? Date.parse(s.startTime) : NaN));
  const timed = starts.filter((t) => Number.isFinite(t));
  if (timed.length === 0) {
    return spans.map((_, i) => ({ left: (i * 100) / spans.length, width: 100 / spans.length, instant: false }));
  }
  const ends = spans.map((s, i) => starts[i]! + (s.durationMs ?? 0)).filter((t) => Number.isFinite(t));
  const bounds = [traceStart, traceEnd].map((t) => (t ? Date.parse(t) : NaN)).filter((t) => Number.isFinite(t));
  const t0 = Math.min(...timed, ...bounds);
  const t1 = Math.max(...ends, ...bounds);
  const range = t1 - t0;
  let cursor = 0;
  return spans.map((s, i) => {
    const start = starts[i]!;
    if (!Number.isFinite(start) || range <= 0) {
      const left = Math.min(100 - MIN_WIDTH, cursor);
      return { left: round(left), width: MIN_WIDTH, instant: true };
    }
    const left = ((start - t0) / range) * 100;
    const hasDuration = s.durationMs !== null && s.durationMs > 0;
    const width = hasDuration ? Math.max(MIN_WIDTH, (s.durationMs! / range) * 100) : MIN_WIDTH;
    cursor = left + (hasDuration ? width : 0);
    return { left: round(Math.min(left, 100 - MIN_WIDTH)), width: round(Math.min(width, 100 - Math.min(left, 100 - MIN_WIDTH))), instant: !hasDuration };
  });
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

/** Nesting depth of each span by parent id (0 at the root); cycles and unknown parents stop the walk. */
function depthsOf(spans: readonly ReportSpan[]): number[] {
  const parents = new Map(spans.map((s) => [s.id, s.parentId]));
  return spans.map((s) => {
    let depth = 0;
    const seen = new Set<string>([s.id]);
    for (let p = parents.get(s.id) ?? null; p !== null && parents.has(p) && !seen.has(p); p = parents.get(p) ?? null) {
      seen.add(p);
      depth++;
    }
    return Math.min(depth, 6);
  });
}

const KIND_LABELS: Record<ReportSpan['kind'], string> = {
  turn: 'turn',
  model_call: 'model',
  tool_call: 'tool',
  hook: 'hook',
  message: 'msg',
  error: 'error',
  compaction: 'compact',
};

/**
 * A trace's spans as a timeline: one row per span with its bar, each row a `<details>` that
 * opens on the span's input, output and error. `spanCount` is the trace's full count, so the
 * rows left out (see CLIP_LIMITS.spans) are named.
 */
export function renderTimeline(shown: readonly ReportSpan[], spanCount: number, traceStart: string | null, traceEnd: string | null): string {
  if (shown.length === 0) return '<p class="muted">No spans recorded.</p>';
  const bars = layoutSpans(shown, traceStart, traceEnd);
  const depths = depthsOf(shown);
  const total = traceStart && traceEnd ? Date.parse(traceEnd) - Date.parse(traceStart) : NaN;
  const axis =
    Number.isFinite(total) && total > 0
      ? `<div class="tl-axis"><span>0</span><span>${escapeHtml(formatDuration(total))}</span></div>`
      : '<div class="tl-axis"><span>in order (no times recorded)</span><span></span></div>';
  const rows = shown.map((span, i) => renderRow(span, bars[i]!, depths[i]!)).join('');
  const more =
    spanCount > shown.length ? `<p class="note">${escapeHtml(spanCount - shown.length)} more spans not shown; the trace store has them all.</p>` : '';
  return `<div class="timeline">${axis}${rows}</div>${more}`;
}

function renderRow(span: ReportSpan, bar: BarPosition, depth: number): string {
  const failed = span.status === 'error' || span.kind === 'error';
  const classes = ['span', `kind-${span.kind}`, failed ? 'failed' : '', bar.instant ? 'instant' : ''].filter(Boolean).join(' ');
  const duration = span.durationMs !== null ? formatDuration(span.durationMs) : '';
  const flag = failed
    ? `<span class="err-flag" title="error">✕${span.exitCode !== null && span.exitCode !== 0 ? ` exit ${escapeHtml(span.exitCode)}` : ''}</span>`
    : '';
  const summary =
    `<summary>` +
    `<span class="sp-label" style="padding-left:${depth * 14}px"><span class="kind-tag">${escapeHtml(KIND_LABELS[span.kind])}</span>` +
    `<span class="sp-text" title="${escapeHtml(span.label)}">${escapeHtml(span.label)}</span>${flag}</span>` +
    `<span class="track"><span class="bar" style="left:${bar.left}%;width:${bar.width}%"></span></span>` +
    `<span class="sp-dur">${escapeHtml(duration)}</span>` +
    `</summary>`;
  return `<details class="${classes}" data-span-id="${escapeHtml(span.id)}">${summary}<div class="span-body">${renderSpanBody(span)}</div></details>`;
}

function renderSpanBody(span: ReportSpan): string {
  const meta = [
    `${escapeHtml(span.kind)} <b>${escapeHtml(span.name)}</b>`,
    `span ${escapeHtml(span.id)}`,
    span.startTime ? escapeHtml(formatTime(span.startTime)) : 'no start time',
    span.durationMs !== null ? escapeHtml(formatDuration(span.durationMs)) : 'no duration',
    `status ${escapeHtml(span.status)}`,
    ...(span.exitCode !== null ? [`exit code ${escapeHtml(span.exitCode)}`] : []),
  ];
  const parts = [`<p class="span-meta">${meta.join(' · ')}</p>`];
  if (span.error) parts.push(`<div class="span-error">${escapeHtml(span.error)}</div>`);
  if (span.input) parts.push(`<h5>Input</h5>${renderClip(span.input)}`);
  if (span.output) parts.push(`<h5>Output</h5>${renderClip(span.output)}`);
  if (!span.input && !span.output && !span.error) parts.push('<p class="muted">No input or output recorded.</p>');
  return parts.join('');
}
