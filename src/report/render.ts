import { basename } from 'node:path';
import type { Feedback } from '../schema/feedback.js';
import type { LedgerEntry } from '../schema/ledger.js';
import { escapeHtml, formatDuration, formatPercent, formatTime } from './html.js';
import { summarizeFeedbackBySource, toCyclePoints, type ReportData, type ReportProblem, type ReportTrace } from './model.js';
import { renderFailures, renderFeedback, renderMissing, renderRecommendations, type TraceIndex } from './sections.js';
import { REPORT_CSS } from './styles.js';
import { renderPassRateChart, type ChartPoint } from './svg-chart.js';
import { renderTimeline } from './timeline.js';

/**
 * The page forbids every load: no script runs and nothing is fetched, so even a value that
 * escaped escaping could neither run nor phone home. Inline styles and data: images only.
 */
export const CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

/** Renders the whole report as one self-contained HTML page. Pure: same data, same bytes. */
export function renderReport(data: ReportData): string {
  const index: TraceIndex = new Map(data.traces.map((t) => [t.id, t]));
  const title = `harness-loop report · ${basename(data.workspace) || data.workspace}`;
  const sections = [
    renderSummary(data),
    renderCycles(data.ledger, data.problems),
    renderRecommendations(data.diagnosis?.recommendations ?? null, index, data.problems),
    renderFailures(data.results, index, data.problems),
    renderFeedback(data.feedback, index, data.problems),
    renderTraces(data),
  ];
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(CONTENT_SECURITY_POLICY)}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="referrer" content="no-referrer">',
    '<link rel="icon" href="data:,">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${REPORT_CSS}</style>`,
    '</head><body><main>',
    '<header class="page"><div>',
    '<h1>harness-loop report</h1>',
    `<div class="sub">${escapeHtml(data.workspace)} · generated ${escapeHtml(formatTime(data.generatedAt))}</div>`,
    '</div><nav class="sections">',
    ...[
      ['cycles', 'Pass rate'],
      ['recommendations', 'Recommendations'],
      ['failures', 'Failures'],
      ['feedback', 'Feedback'],
      ['traces', 'Traces'],
    ].map(([id, label]) => `<a href="#${id}">${escapeHtml(label)}</a>`),
    '</nav></header>',
    renderProblems(data.problems),
    ...sections,
    `<footer>harness-loop · ${escapeHtml(data.traceTotals.traces)} traces · this page loads nothing from the network</footer>`,
    '</main></body></html>',
    '',
  ].join('\n');
}

function renderProblems(problems: readonly ReportProblem[]): string {
  if (problems.length === 0) return '';
  const items = problems.slice(0, 20).map((p) => `<li><b>${escapeHtml(p.input)}</b>: ${escapeHtml(p.message)}</li>`);
  if (problems.length > 20) items.push(`<li>and ${escapeHtml(problems.length - 20)} more</li>`);
  return `<div class="problems" id="problems"><b>Some inputs could not be read in full:</b><ul>${items.join('')}</ul></div>`;
}

/** A summary card; `value` and `detail` are HTML the caller has escaped. */
function card(key: string, value: string, detail: string, wide = false): string {
  return `<div class="card${wide ? ' wide' : ''}"><div class="k">${escapeHtml(key)}</div><div class="v${wide ? ' small' : ''}">${value}</div><div class="d">${detail}</div></div>`;
}

function renderSummary(data: ReportData): string {
  const cards: string[] = [];
  const results = data.results;
  if (results) {
    const passed = results.tests.filter((t) => t.pass).length;
    const unjudged = results.tests.filter((t) => t.unjudged).length;
    const judged = results.tests.length - unjudged;
    const rate = judged === 0 ? 0 : passed / judged;
    const waiting = unjudged > 0 ? ` · ${escapeHtml(unjudged)} unjudged (a rubric waits for a verdict; not in the rate)` : '';
    cards.push(
      card(
        'Pass rate',
        escapeHtml(formatPercent(rate)),
        `${escapeHtml(passed)} of ${escapeHtml(judged)} judged tests pass${waiting} · run <code>${escapeHtml(results.runId)}</code>`,
      ),
    );
  } else {
    cards.push(card('Pass rate', '—', 'no eval run yet: <code>harness-loop evals run</code>'));
  }
  const points = data.ledger ? toCyclePoints(data.ledger) : [];
  if (points.length > 0) {
    const first = data.ledger![0]!.passRateBefore;
    const last = points.at(-1)!.passRate;
    const delta = Math.round((last - first) * 1000) / 10;
    const trend = delta === 0 ? 'no change' : `<span class="${delta > 0 ? 'up' : 'down'}">${delta > 0 ? '▲' : '▼'} ${escapeHtml(Math.abs(delta))} pts</span>`;
    const verdicts = countBy(points.map((p) => p.verdict));
    cards.push(
      card('Cycles', escapeHtml(points.length), `${trend} overall<br>${[...verdicts].map(([v, n]) => `${escapeHtml(n)} ${escapeHtml(v)}`).join(' · ')}`),
    );
  } else {
    cards.push(card('Cycles', '0', 'no cycle verified yet'));
  }
  const recs = data.diagnosis?.recommendations ?? [];
  if (recs.length > 0)
    cards.push(
      card(
        'The change for this cycle',
        `<a href="#rec-1" class="plain">${escapeHtml(recs[0]!.title)}</a>`,
        `${escapeHtml(recs[0]!.impact.summary)} · ${escapeHtml(recs.length)} ranked recommendation(s)`,
        true,
      ),
    );
  else
    cards.push(
      card(
        'The change for this cycle',
        '—',
        data.diagnosis ? 'the diagnosis found nothing to change' : 'no diagnosis yet: <code>harness-loop diagnose</code>',
        true,
      ),
    );
  if (data.feedback) {
    const bySource = summarizeFeedbackBySource(data.feedback);
    cards.push(
      card('Feedback', escapeHtml(data.feedback.length), bySource.map((s) => `${escapeHtml(s.total)} ${escapeHtml(s.source)}`).join(' · ') || 'no records'),
    );
  } else {
    cards.push(card('Feedback', '0', 'none yet: <code>harness-loop feedback detect</code>'));
  }
  const totals = data.traceTotals;
  cards.push(card('Traces', escapeHtml(totals.traces), `${escapeHtml(totals.spans)} spans · ${escapeHtml(totals.withErrors)} with error spans`));
  return `<section class="cards" id="summary">${cards.join('')}</section>`;
}

function countBy(values: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return counts;
}

function renderCycles(ledger: readonly LedgerEntry[] | null, problems: readonly ReportProblem[]): string {
  const head =
    '<h2>Pass rate per cycle</h2><p class="lead">One point per improvement cycle: the pass rate after its last verify (an abandoned cycle keeps the rate it started from).</p>';
  if (!ledger || ledger.length === 0) {
    return `<section class="block" id="cycles">${head}${renderMissing('ledger', problems, 'harness-loop cycle start', 'then make the change and run harness-loop verify; each verify adds a point here')}</section>`;
  }
  const points = toCyclePoints(ledger);
  const chartPoints: ChartPoint[] = points.map((p) => ({
    cycle: p.cycle,
    value: p.passRate,
    label: `Cycle ${p.cycle}`,
    tone: p.verdict,
    title: `Cycle ${p.cycle}: ${formatPercent(p.passRate)} (${p.verdict}${p.closed ? '' : ', still open'}) · ${p.title}`,
  }));
  const first = ledger[0]!;
  const chart = renderPassRateChart(chartPoints, { value: first.passRateBefore, title: `Before cycle ${first.cycle}: ${formatPercent(first.passRateBefore)}` });
  const legend =
    '<div class="legend"><span><i style="background:#15803d"></i>improved</span><span><i style="background:#64748b"></i>unchanged</span>' +
    '<span><i style="background:#dc2626"></i>regressed</span><span><i style="background:#fff;border:2px solid #94a3b8"></i>abandoned / before the first cycle</span></div>';
  const rows = ledger
    .map((e) => {
      const after = e.passRateAfter === null ? '—' : formatPercent(e.passRateAfter);
      return (
        `<tr><td class="num">${escapeHtml(e.cycle)}</td><td>${escapeHtml(e.recommendation.title)}<div class="muted">${escapeHtml(e.kind)} · ${escapeHtml(formatTime(e.at))}${e.kind === 'verify' && !e.closed ? ' · gate failed, cycle stayed open' : ''}</div></td>` +
        `<td class="num">${escapeHtml(formatPercent(e.passRateBefore))} → ${escapeHtml(after)}</td><td><span class="pill ${escapeHtml(e.verdict)}">${escapeHtml(e.verdict)}</span></td>` +
        `<td class="num">${escapeHtml(e.testsFixed.length)} / ${escapeHtml(e.testsRegressed.length)}</td><td class="num">${escapeHtml(e.filesChanged.length)}</td></tr>`
      );
    })
    .join('');
  const table = `<table class="cycles"><thead><tr><th class="num">Cycle</th><th>Change</th><th class="num">Pass rate</th><th>Verdict</th><th class="num">Fixed / regressed</th><th class="num">Files</th></tr></thead><tbody>${rows}</tbody></table>`;
  return `<section class="block" id="cycles">${head}${chart}${legend}<h5>Ledger</h5>${table}</section>`;
}

function renderTraces(data: ReportData): string {
  if (data.traceTotals.traces === 0) {
    return '<section class="block" id="traces"><h2>Traces</h2><p class="muted">Not run yet: no traces stored. Run <code>harness-loop ingest</code> (or <code>harness-loop loop</code>) to read Codex sessions.</p></section>';
  }
  const hidden = data.traceTotals.traces - data.traces.length;
  const head =
    `<h2>Traces</h2><p class="lead">Each session's spans on one time axis; open a row for its input and output. ` +
    `${hidden > 0 ? `Showing ${escapeHtml(data.traces.length)} of ${escapeHtml(data.traceTotals.traces)}: the traces the findings cite first, then the newest.` : ''}</p>`;
  const legend =
    '<div class="legend">' +
    [
      ['turn', 'var(--turn)'],
      ['model call', 'var(--model)'],
      ['tool call', 'var(--tool)'],
      ['hook', 'var(--hook)'],
      ['message', 'var(--msg)'],
      ['compaction', 'var(--compaction)'],
      ['error', 'var(--error)'],
    ]
      .map(([label, colour]) => `<span><i class="sq" style="background:${colour}"></i>${label}</span>`)
      .join('') +
    '</div>';
  const feedbackByTrace = new Map<string, Feedback[]>();
  for (const f of data.feedback ?? []) feedbackByTrace.set(f.traceId, [...(feedbackByTrace.get(f.traceId) ?? []), f]);
  const failingByTrace = new Map<string, string[]>();
  for (const t of data.results?.tests ?? []) if (!t.pass && t.traceId) failingByTrace.set(t.traceId, [...(failingByTrace.get(t.traceId) ?? []), t.id]);
  const cards = data.traces.map((t) => renderTrace(t, feedbackByTrace.get(t.id) ?? [], failingByTrace.get(t.id) ?? []));
  return `<section class="block" id="traces">${head}${legend}${cards.join('')}</section>`;
}

function renderTrace(trace: ReportTrace, feedback: readonly Feedback[], failingTests: readonly string[]): string {
  const errors = trace.spans.filter((s) => s.status === 'error' || s.kind === 'error').length;
  const duration = trace.startTime && trace.endTime ? Date.parse(trace.endTime) - Date.parse(trace.startTime) : NaN;
  const meta = [
    `<span class="mono">${escapeHtml(trace.id)}</span>`,
    escapeHtml(formatTime(trace.startTime)),
    ...(Number.isFinite(duration) ? [escapeHtml(formatDuration(duration))] : []),
    ...(trace.models.length > 0 ? [escapeHtml(trace.models.join(', '))] : []),
    `${escapeHtml(trace.totalTokens.toLocaleString('en-US'))} tokens`,
    `${escapeHtml(trace.spanCount)} spans`,
    escapeHtml(trace.sourceKind),
  ].join(' · ');
  const badges = [
    ...(errors > 0 ? [`<span class="pill fail">${escapeHtml(errors)} error span${errors === 1 ? '' : 's'}</span>`] : []),
    ...failingTests.map((id) => `<span class="pill fail">fails ${escapeHtml(id)}</span>`),
    ...feedback.map(
      (f) => `<span class="pill ${escapeHtml(f.source)}" title="${escapeHtml(f.observation)}">${escapeHtml(f.source)}: ${escapeHtml(f.category)}</span>`,
    ),
  ];
  const task = trace.task ? escapeHtml(trace.task.text) + (trace.task.omitted > 0 ? '…' : '') : '<span class="muted">(no prompt recorded)</span>';
  const answer = trace.finalAnswer
    ? `<h5>Final answer</h5><div class="answer">${escapeHtml(trace.finalAnswer.text)}</div>${trace.finalAnswer.omitted > 0 ? `<p class="note">… ${escapeHtml(trace.finalAnswer.omitted)} more characters not shown.</p>` : ''}`
    : '';
  return (
    `<article class="trace" id="${escapeHtml(trace.anchor)}" data-trace-id="${escapeHtml(trace.id)}">` +
    `<h3>${task}</h3><div class="meta">${meta}</div>` +
    (badges.length > 0 ? `<div class="badges">${badges.join('')}</div>` : '') +
    `${answer}<h5>Timeline</h5>${renderTimeline(trace.spans, trace.spanCount, trace.startTime, trace.endTime)}</article>`
  );
}
