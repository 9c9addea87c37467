// The report's data model for the demo, against a reviewed file: what the page says about the
// latest run (each test's status and category from its own metadata, failures by category), the
// ledger and the feedback. Run ids, times and the workspace path are normalised.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { groupFailures, summarizeFeedbackBySource } from '../../src/report/model.js';
import { readReportData } from '../../src/report/report.js';
import { runCli } from '../support/cli.js';

describe('the report data model for the demo (golden)', () => {
  it('matches the reviewed file', async () => {
    const ws = join(mkdtempSync(join(tmpdir(), 'hl-golden-report-')), 'ws');
    const demo = await runCli(['demo', '--out', ws]);
    expect(demo.exitCode, demo.stderr).toBe(0);
    const { data, missing } = await readReportData({ workspace: ws, now: new Date('2026-12-01T00:00:00.000Z') });
    const results = data.results!;
    const model = {
      missing,
      problems: data.problems,
      traceTotals: data.traceTotals,
      results: { tests: results.tests },
      failuresByCategory: groupFailures(results.tests).map((g) => ({ category: g.category, tests: g.tests.map((t) => t.id) })),
      ledger: data.ledger!.map((e) => ({
        kind: e.kind,
        cycle: e.cycle,
        verdict: e.verdict,
        passRateBefore: e.passRateBefore,
        passRateAfter: e.passRateAfter,
        testsFixed: e.testsFixed,
        testsRegressed: e.testsRegressed,
      })),
      recommendations: data.diagnosis!.recommendations.map((r) => ({ id: r.id, title: r.title })),
      feedbackBySource: summarizeFeedbackBySource(data.feedback!),
    };
    const text = JSON.stringify(model, null, 2)
      .replaceAll(ws, '<workspace>')
      .replace(/run-\d{8}T\d{6}Z-[0-9a-f]{6}/g, '<run-id>')
      .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z/g, '<time>');
    await expect(`${text}\n`).toMatchFileSnapshot('../golden/demo-report-model.json');
    // Every failing test of the demo names its category: none is "uncategorized".
    expect(model.failuresByCategory.map((g) => g.category)).not.toContain('uncategorized');
  }, 120_000);
});
