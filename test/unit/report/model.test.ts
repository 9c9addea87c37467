import { describe, expect, it } from 'vitest';
import {
  categoryFromFeedback,
  describeSpan,
  groupFailures,
  ioLimit,
  summarizeFeedbackBySource,
  toCyclePoints,
  type ReportTest,
} from '../../../src/report/model.js';
import type { Feedback } from '../../../src/schema/feedback.js';
import type { LedgerEntry } from '../../../src/schema/ledger.js';
import type { Span } from '../../../src/schema/trace.js';

function entry(cycle: number, kind: LedgerEntry['kind'], before: number, after: number | null, verdict: LedgerEntry['verdict'], closed = true): LedgerEntry {
  return {
    schemaVersion: 1,
    cycle,
    kind,
    at: '2026-11-26T09:00:00.000Z',
    recommendation: { id: `R${cycle}`, title: `change ${cycle}` },
    baselineRunId: 'a',
    afterRunId: kind === 'verify' ? 'b' : null,
    filesChanged: [],
    passRateBefore: before,
    passRateAfter: after,
    testsFixed: [],
    testsRegressed: [],
    newTests: [],
    removedTests: [],
    verdict,
    closed,
  };
}

function feedback(
  traceId: string,
  category: string,
  severity: Feedback['severity'],
  source: Feedback['source'] = 'human',
  status: Feedback['status'] = 'active',
): Feedback {
  return {
    schemaVersion: 1,
    id: `fb_${traceId}_${category}_${source}`,
    traceId,
    source,
    author: 'dana',
    category,
    severity,
    observation: 'seen',
    evidence: [],
    requiredObservations: [],
    prohibitedClaims: [],
    status,
    createdAt: '2026-11-25T17:00:00.000Z',
    attributes: {},
  };
}

describe('toCyclePoints', () => {
  it("gives one point per cycle, from the cycle's last verify", () => {
    const points = toCyclePoints([
      entry(1, 'verify', 0.4, 0.6, 'improved'),
      entry(2, 'verify', 0.6, 0.4, 'regressed', false),
      entry(2, 'verify', 0.6, 0.8, 'improved'),
    ]);
    expect(points.map((p) => [p.cycle, p.passRate, p.verdict, p.closed])).toEqual([
      [1, 0.6, 'improved', true],
      [2, 0.8, 'improved', true],
    ]);
  });

  it('keeps the starting rate for a cycle that was abandoned without a verify', () => {
    expect(toCyclePoints([entry(3, 'abandon', 0.7, null, 'abandoned')])).toEqual([
      { cycle: 3, passRate: 0.7, verdict: 'abandoned', title: 'change 3', closed: true },
    ]);
  });
});

describe('groupFailures', () => {
  it('groups failing tests by category, largest first, uncategorized ones together', () => {
    const t = (id: string, pass: boolean, category: string | null): ReportTest => ({ id, description: null, pass, reasons: [], category, traceId: null });
    const groups = groupFailures([t('a', false, 'citation_error'), t('b', false, null), t('c', false, 'citation_error'), t('d', true, 'citation_error')]);
    expect(groups.map((g) => [g.category, g.tests.map((x) => x.id)])).toEqual([
      ['citation_error', ['a', 'c']],
      ['uncategorized', ['b']],
    ]);
  });
});

describe('categoryFromFeedback', () => {
  it("takes the most severe counting record's category, ignoring rejected ones", () => {
    const records = [
      feedback('t1', 'tool_error', 'low'),
      feedback('t1', 'citation_error', 'high'),
      feedback('t1', 'runaway_tokens', 'critical', 'llm', 'rejected'),
      feedback('t2', 'x', 'critical'),
    ];
    expect(categoryFromFeedback('t1', records)).toBe('citation_error');
    expect(categoryFromFeedback('t3', records)).toBeNull();
  });
});

describe('summarizeFeedbackBySource', () => {
  it('counts records per source and status, leaving out sources without records', () => {
    const summary = summarizeFeedbackBySource([feedback('t1', 'a', 'low'), feedback('t2', 'a', 'low', 'llm', 'unverified'), feedback('t3', 'b', 'low')]);
    expect(summary.map((s) => [s.source, s.total, s.byStatus.active, s.byStatus.unverified, s.categories])).toEqual([
      [
        'human',
        2,
        2,
        0,
        [
          { category: 'a', count: 1 },
          { category: 'b', count: 1 },
        ],
      ],
      ['llm', 1, 0, 1, [{ category: 'a', count: 1 }]],
    ]);
  });
});

describe('describeSpan', () => {
  const span = (over: Partial<Span>): Span => ({
    id: 's',
    parentId: null,
    kind: 'tool_call',
    name: 'exec_command',
    startTime: null,
    durationMs: null,
    status: 'ok',
    error: null,
    attributes: {},
    ...over,
  });

  it('names the shell command, the patched file and the message', () => {
    expect(describeSpan(span({ input: '{"cmd":"cat docs/limits.md","yield_time_ms":2000}' }))).toBe('cat docs/limits.md');
    expect(describeSpan(span({ name: 'apply_patch', input: '*** Begin Patch\n*** Add File: answers/a.md\n+x\n*** End Patch' }))).toBe(
      'apply_patch answers/a.md',
    );
    expect(describeSpan(span({ kind: 'message', name: 'user', input: 'How   much?\n' }))).toBe('user: How much?');
  });
});

describe('ioLimit', () => {
  it('keeps 4 KB per span input or output for a short trace and less, down to a floor, for a long one', () => {
    expect(ioLimit(8)).toBe(4096);
    expect(ioLimit(64)).toBe(1024);
    expect(ioLimit(5000)).toBe(512);
  });
});
