import { describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, renderReport } from '../../../src/report/render.js';
import { toReportTrace, type ReportData } from '../../../src/report/model.js';
import type { Trace } from '../../../src/schema/trace.js';

const HOSTILE = '<script>window.__xss=1</script><img src=x onerror="window.__xss=1">[x](javascript:window.__xss=1)';

function trace(id: string, finalAnswer: string): Trace {
  return {
    schemaVersion: 1,
    id,
    source: { kind: 'codex-rollout', file: 'r.jsonl', line: 1 },
    sessionId: id,
    startTime: '2026-11-25T16:44:26.000Z',
    endTime: '2026-11-25T16:44:27.000Z',
    cwd: '/w',
    models: ['gpt-5.5'],
    task: 'What is the rate limit?',
    finalAnswer,
    usage: { inputTokens: 1, cachedInputTokens: 0, outputTokens: 1, reasoningOutputTokens: 0, totalTokens: 2 },
    spans: [
      {
        id: 'turn',
        parentId: null,
        kind: 'turn',
        name: 'turn',
        startTime: '2026-11-25T16:44:26.000Z',
        durationMs: 900,
        status: 'ok',
        error: null,
        attributes: {},
      },
    ],
    attributes: {},
  };
}

function data(over: Partial<ReportData> = {}): ReportData {
  return {
    workspace: '/w/docs-qa',
    generatedAt: '2026-11-25T18:00:00.000Z',
    traceTotals: { traces: 1, spans: 1, withErrors: 0 },
    traces: [toReportTrace(trace('t1', 'Paid plans allow 600 requests per minute.'))],
    feedback: null,
    diagnosis: null,
    ledger: null,
    results: null,
    problems: [],
    ...over,
  };
}

describe('renderReport', () => {
  it('forbids every network load with a CSP meta tag ahead of anything that could load', () => {
    const html = renderReport(data());
    expect(CONTENT_SECURITY_POLICY).toBe("default-src 'none'; style-src 'unsafe-inline'; img-src data:");
    const head = html.slice(0, html.indexOf('<title>'));
    expect(head).toContain(`<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY.replace(/'/g, '&#39;')}">`);
    expect(html).not.toMatch(/<script|<link rel="stylesheet"|https?:\/\//);
  });

  it('shows each missing stage as not run yet, with the command that produces it', () => {
    const html = renderReport(data());
    for (const [input, command] of [
      ['ledger', 'harness-loop cycle start'],
      ['recommendations', 'harness-loop diagnose'],
      ['results', 'harness-loop evals run'],
      ['feedback', 'harness-loop feedback detect'],
    ]) {
      expect(html).toMatch(new RegExp(`data-missing="${input}"><b>Not run yet.</b> Run <code>${command}</code>`));
    }
  });

  it('says an input that exists but could not be read is unreadable, not missing', () => {
    const html = renderReport(data({ problems: [{ input: 'recommendations', message: 'recommendations.json:3: not valid JSON <oops>' }] }));
    expect(html).toContain('data-unreadable="recommendations"');
    expect(html).not.toContain('data-missing="recommendations"');
    expect(html).toContain('recommendations.json:3: not valid JSON &lt;oops&gt;');
  });

  it('renders hostile trace text as text, anchored under a sanitised id', () => {
    const html = renderReport(data({ traces: [toReportTrace(trace('x"><script>', HOSTILE))] }));
    expect(html).not.toMatch(/<script|<img/);
    expect(html).toContain('&lt;script&gt;window.__xss=1&lt;/script&gt;&lt;img src=x onerror=&quot;window.__xss=1&quot;&gt;[x](javascript:window.__xss=1)');
    expect(html).toMatch(/<article class="trace" id="trace-x___script_-[0-9a-f]{8}" data-trace-id="x&quot;&gt;&lt;script&gt;">/);
  });

  it('links recommendation evidence to the trace anchors and names traces not in the store', () => {
    const diagnosis = {
      schemaVersion: 1 as const,
      createdAt: '2026-11-25T18:00:00.000Z',
      inputs: { traces: 1, feedback: 1, resultsRunId: null, failingTests: 0, totalTests: 0 },
      recommendations: [
        {
          id: 'rec_1',
          rank: 1,
          title: 'Require citations',
          category: 'citation_error',
          target: 'agents-md-rule' as const,
          ruleStatus: 'missing' as const,
          harnessQuotes: [],
          change: 'Add to `AGENTS.md`: cite.',
          files: ['AGENTS.md'],
          evidence: { traceIds: ['t1', 'gone'], feedbackIds: [], failingTestIds: [], quotes: [] },
          impact: { failingTestsFixed: 0, failingTestsTotal: 0, feedbackCount: 1, summary: 'addresses 1 feedback record(s)' },
          effort: { size: 'S' as const, reason: 'one line' },
          layer: 'review' as const,
          motivatingLayer: 'review' as const,
          weight: 1,
          score: 1,
        },
      ],
    };
    const html = renderReport(data({ diagnosis }));
    expect(html).toContain('<a class="trace-link" href="#trace-t1" data-trace-ref="t1"');
    expect(html).toContain('(not in the trace store)');
    expect(html).toContain('Add to <code>AGENTS.md</code>: cite.');
  });
});
