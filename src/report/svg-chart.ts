import { escapeHtml, formatPercent } from './html.js';

/** How a point is drawn: by the cycle's verdict. */
export type PointTone = 'improved' | 'unchanged' | 'regressed' | 'inconclusive' | 'not_measured' | 'abandoned';

/** One point of the line chart. */
export interface ChartPoint {
  /** Cycle number; becomes the point's `data-cycle`. */
  cycle: number;
  /** Value from 0 to 1. */
  value: number;
  /** Short x-axis label ("C1"). */
  label: string;
  /** Colour of the point. */
  tone: PointTone;
  /** Tooltip text. */
  title: string;
}

/** The pass rate before the first cycle, drawn as a hollow "before" marker. */
export interface ChartBaseline {
  /** Value from 0 to 1. */
  value: number;
  /** Tooltip text. */
  title: string;
}

const TONE_COLOURS: Record<PointTone, string> = {
  improved: '#15803d',
  unchanged: '#64748b',
  regressed: '#dc2626',
  inconclusive: '#d97706',
  not_measured: '#e2e8f0',
  abandoned: '#ffffff',
};

const W = 760;
const H = 260;
const M = { left: 48, right: 28, top: 28, bottom: 40 };
const INSET = 28;

/**
 * A pass-rate line chart as inline SVG (0–100 % on y, one slot per cycle on x). Colours are
 * attributes rather than page CSS, so the chart reads the same when copied elsewhere.
 */
export function renderPassRateChart(points: readonly ChartPoint[], baseline?: ChartBaseline): string {
  const slots = points.length + (baseline ? 1 : 0);
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const x = (i: number) => M.left + (slots <= 1 ? plotW / 2 : INSET + (i * (plotW - 2 * INSET)) / (slots - 1));
  const y = (v: number) => M.top + (1 - Math.min(1, Math.max(0, v))) * plotH;
  const r = (n: number) => Math.round(n * 10) / 10;
  const parts: string[] = [];

  for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
    parts.push(
      `<line x1="${M.left}" x2="${W - M.right}" y1="${r(y(tick))}" y2="${r(y(tick))}" stroke="#e2e8f0" stroke-width="1"${tick === 0 ? '' : ' stroke-dasharray="3 4"'}/>`,
    );
    parts.push(`<text x="${M.left - 8}" y="${r(y(tick) + 4)}" text-anchor="end" font-size="11" fill="#64748b">${tick * 100}%</text>`);
  }

  const series = [...(baseline ? [{ value: baseline.value }] : []), ...points];
  const coords = series.map((p, i) => `${r(x(i))},${r(y(p.value))}`);
  if (series.length > 1) {
    const area = `${r(x(0))},${r(y(0))} ${coords.join(' ')} ${r(x(series.length - 1))},${r(y(0))}`;
    parts.push(`<polygon points="${area}" fill="#6366f1" fill-opacity="0.07"/>`);
    parts.push(`<polyline points="${coords.join(' ')}" fill="none" stroke="#6366f1" stroke-width="2.5" stroke-linejoin="round" stroke-linecap="round"/>`);
  }

  const labelEvery = Math.max(1, Math.ceil(slots / 16));
  const showValues = slots <= 14;
  if (baseline) {
    parts.push(
      `<g data-baseline="true"><circle cx="${r(x(0))}" cy="${r(y(baseline.value))}" r="5" fill="#ffffff" stroke="#94a3b8" stroke-width="2"><title>${escapeHtml(baseline.title)}</title></circle></g>`,
    );
    parts.push(axisLabel(r(x(0)), 'before'));
    if (showValues) parts.push(valueLabel(r(x(0)), r(y(baseline.value)), baseline.value, '#64748b'));
  }
  points.forEach((p, i) => {
    const slot = i + (baseline ? 1 : 0);
    const cx = r(x(slot));
    const cy = r(y(p.value));
    const fill = TONE_COLOURS[p.tone];
    const stroke = p.tone === 'abandoned' ? '#94a3b8' : '#ffffff';
    parts.push(
      `<circle class="chart-point" data-cycle="${escapeHtml(p.cycle)}" data-value="${escapeHtml(p.value)}" cx="${cx}" cy="${cy}" r="6.5" fill="${fill}" stroke="${stroke}" stroke-width="2.5"><title>${escapeHtml(p.title)}</title></circle>`,
    );
    if (slot % labelEvery === 0 || i === points.length - 1) parts.push(axisLabel(cx, p.label));
    if (showValues) parts.push(valueLabel(cx, cy, p.value, '#0f172a'));
  });

  return (
    `<svg class="chart" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="Pass rate per cycle" xmlns="http://www.w3.org/2000/svg" ` +
    `font-family="system-ui, -apple-system, 'Segoe UI', sans-serif">${parts.join('')}</svg>`
  );
}

function axisLabel(cx: number, text: string): string {
  return `<text x="${cx}" y="${H - M.bottom + 22}" text-anchor="middle" font-size="12" fill="#475569">${escapeHtml(text)}</text>`;
}

function valueLabel(cx: number, cy: number, value: number, fill: string): string {
  return `<text x="${cx}" y="${Math.round((cy - 13) * 10) / 10}" text-anchor="middle" font-size="12" font-weight="600" fill="${fill}">${escapeHtml(formatPercent(value))}</text>`;
}
