import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ingest } from '../../../src/ingest/ingest.js';
import { chooseTraces, reportFile, writeReport } from '../../../src/report/report.js';
import type { ReportResults } from '../../../src/report/model.js';
import { readConfig } from '../../../src/util/config.js';
import { workspacePaths } from '../../../src/util/workspace.js';

const SESSIONS = resolve('examples/docs-qa/recorded/baseline/sessions');

async function workspaceWithTraces(): Promise<string> {
  const workspace = mkdtempSync(join(tmpdir(), 'hl-report-unit-'));
  const config = await readConfig(workspacePaths(workspace).config);
  await ingest({ workspace, paths: [SESSIONS], from: 'auto', allRepos: true, config });
  return workspace;
}

describe('writeReport', () => {
  it('writes the empty stages of a fresh workspace, saying what to run', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'hl-report-unit-'));
    const result = await writeReport({ workspace });
    expect(result.traces).toBe(0);
    expect(result.missing).toEqual(['traces', 'feedback', 'recommendations', 'ledger', 'results']);
    expect(readFileSync(result.file, 'utf8')).toContain('Run <code>harness-loop ingest</code>');
  });

  it('writes a page from traces alone and lists the other inputs as not run yet', async () => {
    const workspace = await workspaceWithTraces();
    const result = await writeReport({ workspace, now: new Date('2026-11-25T18:00:00.000Z') });
    expect(result).toEqual({
      file: reportFile(workspace),
      traces: 5,
      shownTraces: 5,
      missing: ['feedback', 'recommendations', 'ledger', 'results'],
      problems: [],
    });
    const html = readFileSync(result.file, 'utf8');
    expect(html.match(/<article class="trace" /g)).toHaveLength(5);
    expect(html.match(/<b>Not run yet.<\/b>/g)).toHaveLength(4);
  });

  it('reports a corrupt input as a problem and still writes the page', async () => {
    const workspace = await workspaceWithTraces();
    const file = join(workspace, '.harness-loop', 'diagnosis', 'recommendations.json');
    mkdirSync(join(workspace, '.harness-loop', 'diagnosis'), { recursive: true });
    writeFileSync(file, '{"schemaVersion": 1,\n  oops');
    const result = await writeReport({ workspace });
    expect(result.missing).not.toContain('recommendations');
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatchObject({ input: 'recommendations' });
    expect(result.problems[0]!.message).toContain(file);
    expect(readFileSync(result.file, 'utf8')).toContain('data-unreadable="recommendations"');
  });
});

describe('chooseTraces', () => {
  const starts = new Map([
    ['old', '2026-01-01T00:00:00.000Z'],
    ['mid', '2026-02-01T00:00:00.000Z'],
    ['new', '2026-03-01T00:00:00.000Z'],
    ['cited', '2025-01-01T00:00:00.000Z'],
  ]);
  const diagnosis = { recommendations: [{ evidence: { traceIds: ['cited', 'not-stored'] } }] } as never;
  const results: ReportResults = {
    runId: 'r',
    createdAt: '2026-03-02T00:00:00.000Z',
    tests: [{ id: 't', description: null, pass: false, reasons: [], category: null, traceId: 'old' }],
  };

  it('puts cited traces first, then failing tests, then the newest, skipping unknown ids', () => {
    expect(chooseTraces(starts, diagnosis, results, null, 10)).toEqual(['cited', 'old', 'new', 'mid']);
  });

  it('keeps cited traces even past the cap', () => {
    expect(chooseTraces(starts, diagnosis, results, null, 0)).toEqual(['cited']);
    expect(chooseTraces(starts, diagnosis, results, null, 2)).toEqual(['cited', 'old']);
  });
});
