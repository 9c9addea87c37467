import type { Recommendation } from '../schema/diagnosis.js';
import type { Feedback } from '../schema/feedback.js';
import { escapeHtml, formatTime, renderInlineCode } from './html.js';
import { groupFailures, summarizeFeedbackBySource, type ReportInput, type ReportProblem, type ReportResults, type ReportTrace } from './model.js';

// The report's finding sections: recommendations, failures by category, feedback by source.

/** Rows of the feedback table past this many are counted, not shown. */
const MAX_FEEDBACK_ROWS = 300;

/** The drawn traces by id, for links that must land on a section of the page. */
export type TraceIndex = ReadonlyMap<string, ReportTrace>;

/**
 * The box shown instead of a section whose input is absent: "not run yet" with the command
 * that produces it, or, when the input exists but could not be read, a pointer to the problems.
 */
export function renderMissing(input: ReportInput, problems: readonly ReportProblem[], command: string, purpose: string): string {
  if (problems.some((p) => p.input === input)) {
    return `<div class="empty" data-unreadable="${escapeHtml(input)}"><b>Could not be read.</b> See the problems listed at the top of the page; <code>${escapeHtml(command)}</code> writes it anew.</div>`;
  }
  return `<div class="empty" data-missing="${escapeHtml(input)}"><b>Not run yet.</b> Run <code>${escapeHtml(command)}</code> ${escapeHtml(purpose)}.</div>`;
}

/** A link to a drawn trace, labelled with its prompt; an id not drawn is named, not linked. */
function traceLink(id: string, index: TraceIndex): string {
  const trace = index.get(id);
  if (!trace)
    return `<span class="trace-link missing" title="not in the trace store"><span class="tid">${escapeHtml(id)}</span> (not in the trace store)</span>`;
  const task = trace.task?.text ?? '(no prompt recorded)';
  return `<a class="trace-link" href="#${escapeHtml(trace.anchor)}" data-trace-ref="${escapeHtml(id)}" title="${escapeHtml(`${task}\n${id}`)}"><span class="ttask">${escapeHtml(task)}</span><span class="tid">${escapeHtml(shortId(id))}</span></a>`;
}

/** Codex thread ids are long; the last group tells them apart. */
function shortId(id: string): string {
  return id.length > 14 ? `…${id.slice(-12)}` : id;
}

/** Ranked recommendations, each with its evidence linked to the traces. */
export function renderRecommendations(recs: readonly Recommendation[] | null, index: TraceIndex, problems: readonly ReportProblem[]): string {
  const head =
    '<h2>Recommendations</h2><p class="lead">Ranked harness changes from the latest diagnosis. Rank 1 is the one change for the next cycle; every item links to the traces it rests on.</p>';
  if (recs === null)
    return `<section class="block" id="recommendations">${head}${renderMissing('recommendations', problems, 'harness-loop diagnose', 'to rank harness changes from traces, feedback and eval results')}</section>`;
  if (recs.length === 0) return `<section class="block" id="recommendations">${head}<div class="empty">The diagnosis found nothing to change.</div></section>`;
  const items = recs.slice(0, 50).map((r) => {
    const chips = [
      `<span class="pill">${escapeHtml(r.category)}</span>`,
      `<span class="pill unchanged">${escapeHtml(r.target)}</span>`,
      `<span class="pill unchanged">layer: ${escapeHtml(r.layer)}</span>`,
      `<span class="pill unchanged">effort ${escapeHtml(r.effort.size)}</span>`,
      `<span class="pill ${r.ruleStatus === 'missing' ? 'medium' : 'high'}">rule ${escapeHtml(r.ruleStatus)}</span>`,
      `<span class="pill unchanged">score ${escapeHtml(r.score)}</span>`,
    ].join('');
    const traces = r.evidence.traceIds.map((id) => traceLink(id, index)).join('');
    const tests =
      r.evidence.failingTestIds.length > 0
        ? `<h5>Failing tests</h5><div>${r.evidence.failingTestIds.map((t) => `<code>${escapeHtml(t)}</code>`).join(' ')}</div>`
        : '';
    const quotes = r.evidence.quotes
      .slice(0, 4)
      .map((q) => `<blockquote>${escapeHtml(q.text)}<cite>${escapeHtml(q.source)}</cite></blockquote>`)
      .join('');
    const harness = r.harnessQuotes
      .slice(0, 3)
      .map((q) => `<blockquote>${escapeHtml(q.text)}<cite>${escapeHtml(q.source)}:${escapeHtml(q.line)}</cite></blockquote>`)
      .join('');
    return (
      `<article class="rec${r.rank === 1 ? ' top' : ''}" id="rec-${escapeHtml(r.rank)}" data-rec-id="${escapeHtml(r.id)}">` +
      `<div class="rank">${escapeHtml(r.rank)}</div>${r.rank === 1 ? '<div class="the">The change for this cycle</div>' : ''}` +
      `<h3>${escapeHtml(r.title)}</h3><div class="chips">${chips}</div>` +
      `<div class="impact">${escapeHtml(r.impact.summary)}</div>` +
      `<div class="change">${renderInlineCode(r.change)}</div>` +
      `<div class="files muted">Files: ${r.files.map((f) => `<code>${escapeHtml(f)}</code>`).join('')}</div>` +
      `<h5>Evidence: traces</h5><div class="evidence">${traces || '<span class="muted">none</span>'}</div>${tests}` +
      renderQuotes(r, quotes, harness) +
      `</article>`
    );
  });
  const more = recs.length > 50 ? `<p class="note">${escapeHtml(recs.length - 50)} lower-ranked recommendations not shown; see recommendations.json.</p>` : '';
  return `<section class="block" id="recommendations">${head}<div class="recs">${items.join('')}</div>${more}</section>`;
}

/** Quotes behind a recommendation, folded away except for rank 1 so the ranking reads at a glance. */
function renderQuotes(r: Recommendation, quotes: string, harness: string): string {
  if (!quotes && !harness) return '';
  const counts = [
    r.evidence.quotes.length > 0 ? `${r.evidence.quotes.length} quote(s) from the evidence` : '',
    r.harnessQuotes.length > 0 ? 'what the harness says now' : '',
  ]
    .filter(Boolean)
    .join(' and ');
  return (
    `<details class="more"${r.rank === 1 ? ' open' : ''}><summary>${escapeHtml(counts)}</summary>` +
    (quotes ? `<h5>Quotes</h5>${quotes}` : '') +
    (harness ? `<h5>What the harness says now</h5>${harness}` : '') +
    `</details>`
  );
}

/** Failing tests of the latest run grouped by category, as bars that open on the tests. */
export function renderFailures(results: ReportResults | null, index: TraceIndex, problems: readonly ReportProblem[]): string {
  const head = '<h2>Failures by category</h2>';
  if (!results)
    return `<section class="block" id="failures">${head}${renderMissing('results', problems, 'harness-loop evals run', 'to score the traces against the eval suite')}</section>`;
  const lead = `<p class="lead">Latest eval run <code>${escapeHtml(results.runId)}</code> (${escapeHtml(formatTime(results.createdAt))}): category from the test's metadata, else from the feedback on its trace.</p>`;
  const groups = groupFailures(results.tests);
  if (groups.length === 0) {
    const unjudged = results.tests.filter((t) => t.unjudged).length;
    const text =
      unjudged > 0
        ? `No test failed; ${escapeHtml(unjudged)} of ${escapeHtml(results.tests.length)} wait for a rubric verdict.`
        : `Every one of the ${escapeHtml(results.tests.length)} tests passed.`;
    return `<section class="block" id="failures">${head}${lead}<div class="empty">${text}</div></section>`;
  }
  const max = Math.max(...groups.map((g) => g.tests.length));
  // A short list reads best unfolded; a long one starts as the bar chart alone.
  const open = groups.reduce((n, g) => n + g.tests.length, 0) <= 12;
  const rows = groups.map((g) => {
    const tests = g.tests
      .map((t) => {
        const reasons = t.reasons
          .slice(0, 5)
          .map((r) => `<li>${escapeHtml(r)}</li>`)
          .join('');
        const link = t.traceId ? ` ${traceLink(t.traceId, index)}` : '';
        return `<div class="test" data-test-id="${escapeHtml(t.id)}"><code>${escapeHtml(t.id)}</code> ${t.description ? escapeHtml(t.description) : ''}${link}${reasons ? `<ul>${reasons}</ul>` : ''}</div>`;
      })
      .join('');
    return (
      `<details class="group" data-category="${escapeHtml(g.category)}"${open ? ' open' : ''}><summary><div class="barrow"><span class="name">${escapeHtml(g.category)}</span>` +
      `<span class="meter"><span style="width:${Math.round((g.tests.length / max) * 1000) / 10}%"></span></span><span class="count">${escapeHtml(g.tests.length)}</span></div></summary>` +
      `<div class="group-body">${tests}</div></details>`
    );
  });
  const failing = groups.reduce((n, g) => n + g.tests.length, 0);
  const unjudged = results.tests.filter((t) => t.unjudged).length;
  const waiting = unjudged > 0 ? ` ${escapeHtml(unjudged)} more wait for a rubric verdict (unjudged, not failures).` : '';
  return `<section class="block" id="failures">${head}${lead}<p>${escapeHtml(failing)} of ${escapeHtml(results.tests.length)} tests fail.${waiting}</p><div class="bars">${rows.join('')}</div></section>`;
}

/** Feedback counted by source, then every record with a link to its trace. */
export function renderFeedback(feedback: readonly Feedback[] | null, index: TraceIndex, problems: readonly ReportProblem[]): string {
  const head =
    '<h2>Feedback by source</h2><p class="lead">Human review outweighs detectors and hooks, which outweigh LLM critics; unverified LLM records count for nothing until a person accepts them.</p>';
  if (!feedback || feedback.length === 0) {
    return `<section class="block" id="feedback">${head}${renderMissing('feedback', problems, 'harness-loop feedback detect', 'to derive feedback from the traces (or harness-loop feedback add / import for human review)')}</section>`;
  }
  const sources = summarizeFeedbackBySource(feedback)
    .map((s) => {
      const statuses = Object.entries(s.byStatus)
        .filter(([, n]) => n > 0)
        .map(([k, n]) => `<span class="pill ${escapeHtml(k)}">${escapeHtml(n)} ${escapeHtml(k)}</span>`)
        .join(' ');
      const cats = s.categories
        .slice(0, 6)
        .map((c) => `${escapeHtml(c.category)} (${escapeHtml(c.count)})`)
        .join(', ');
      return `<div class="source" data-source="${escapeHtml(s.source)}"><span class="pill ${escapeHtml(s.source)}">${escapeHtml(s.source)}</span><div class="n">${escapeHtml(s.total)}</div><div>${statuses}</div><div class="cats">${cats}</div></div>`;
    })
    .join('');
  const rows = feedback
    .slice(0, MAX_FEEDBACK_ROWS)
    .map(
      (f) =>
        `<tr><td><span class="pill ${escapeHtml(f.source)}">${escapeHtml(f.source)}</span></td><td><span class="pill ${escapeHtml(f.severity)}">${escapeHtml(f.severity)}</span></td>` +
        `<td>${escapeHtml(f.category)}</td><td>${escapeHtml(f.observation)}<div class="muted">${escapeHtml(f.author)}${f.status !== 'active' ? ` · ${escapeHtml(f.status)}` : ''}</div></td><td class="tr">${traceLink(f.traceId, index)}</td></tr>`,
    );
  const more =
    feedback.length > MAX_FEEDBACK_ROWS
      ? `<p class="note">${escapeHtml(feedback.length - MAX_FEEDBACK_ROWS)} more records not shown; see .harness-loop/feedback/.</p>`
      : '';
  const table = `<table class="feedback"><thead><tr><th>Source</th><th>Severity</th><th>Category</th><th>Observation</th><th>Trace</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
  return `<section class="block" id="feedback">${head}<div class="sources">${sources}</div>${table}${more}</section>`;
}
