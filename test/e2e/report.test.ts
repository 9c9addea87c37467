// The report opened in a real browser (Debian's chromium driven by playwright-core), built from
// the bundled example: real ingest, feedback import and detection, diagnosis and ledger appends.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diagnose } from '../../src/diagnose/diagnose.js';
import { detectFeedback } from '../../src/feedback/detect.js';
import { importFeedback } from '../../src/feedback/import.js';
import { ingest, storeTraces } from '../../src/ingest/ingest.js';
import { readTraceStore } from '../../src/ingest/store.js';
import { appendLedgerEntry } from '../../src/ledger/ledger.js';
import { loopPaths } from '../../src/ledger/paths.js';
import type { Diagnosis } from '../../src/schema/diagnosis.js';
import type { EvalRunSummary } from '../../src/schema/eval-suite.js';
import type { LedgerEntry } from '../../src/schema/ledger.js';
import type { Trace } from '../../src/schema/trace.js';
import { readConfig } from '../../src/util/config.js';
import { workspacePaths } from '../../src/util/workspace.js';
import { runCli } from '../support/cli.js';

const CHROMIUM = '/usr/bin/chromium';
const IN_CI = !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';
const SKIP = !existsSync(CHROMIUM) && !IN_CI;
if (SKIP) {
  process.stderr.write(
    `report.test.ts: SKIPPED: ${CHROMIUM} is missing; install it with \`apt-get install chromium\` (.ci/run does, and under CI a missing chromium fails)\n`,
  );
}

const EXAMPLE = resolve('examples/docs-qa');
const ARTIFACTS = resolve('test/artifacts');
const PAYLOAD = 'Here is the answer. <script>window.__xss=1</script> <img src=x onerror="window.__xss=1"> [x](javascript:window.__xss=1)';
/** An id with characters an HTML id or URL fragment would choke on, to exercise anchor sanitising. */
const XSS_TRACE_ID = 'xss "trace" <1>/&';

/** A trace whose model output tries every way into the page. */
function xssTrace(): Trace {
  const at = (ms: number) => new Date(Date.parse('2026-11-25T17:00:00.000Z') + ms).toISOString();
  return {
    schemaVersion: 1,
    id: XSS_TRACE_ID,
    source: { kind: 'codex-exec-json', file: 'hand-made.jsonl', line: 1 },
    sessionId: null,
    startTime: at(0),
    endTime: at(900),
    cwd: '/home/user/docs-qa',
    models: ['gpt-5.5"><script>window.__xss=1</script>'],
    task: 'Summarise <b>docs</b> and </textarea><script>window.__xss=1</script>',
    finalAnswer: PAYLOAD,
    usage: { inputTokens: 10, cachedInputTokens: 0, outputTokens: 5, reasoningOutputTokens: 0, totalTokens: 15 },
    spans: [
      { id: 'turn-1', parentId: null, kind: 'turn', name: 'turn', startTime: at(0), durationMs: 900, status: 'ok', error: null, attributes: {} },
      {
        id: 'call-1" onmouseover="window.__xss=1',
        parentId: 'turn-1',
        kind: 'tool_call',
        name: 'exec_command<svg onload=window.__xss=1>',
        startTime: at(100),
        durationMs: 300,
        input: { cmd: 'cat "<iframe src=javascript:window.__xss=1>"' },
        output: `${'x'.repeat(6000)}<script>window.__xss=1</script>`,
        status: 'error',
        error: '<img src=x onerror=window.__xss=1>',
        exitCode: 1,
        attributes: {},
      },
      {
        id: 'msg-1',
        parentId: 'turn-1',
        kind: 'message',
        name: 'assistant',
        startTime: null,
        durationMs: null,
        output: PAYLOAD,
        status: 'ok',
        error: null,
        attributes: {},
      },
    ],
    attributes: {},
  };
}

/** One ledger line through the real append function. */
function ledgerEntry(
  cycle: number,
  kind: LedgerEntry['kind'],
  before: number,
  after: number | null,
  verdict: LedgerEntry['verdict'],
  closed: boolean,
  rec: { id: string; title: string },
): LedgerEntry {
  return {
    schemaVersion: 1,
    cycle,
    kind,
    at: new Date(Date.parse('2026-11-26T09:00:00.000Z') + cycle * 86_400_000).toISOString(),
    recommendation: rec,
    baselineRunId: `run-${cycle}-before`,
    afterRunId: kind === 'verify' ? `run-${cycle}-after` : null,
    filesChanged: [{ path: 'AGENTS.md', change: 'modified', added: 2, removed: 0, harness: true }],
    passRateBefore: before,
    passRateAfter: after,
    testsFixed: verdict === 'improved' ? ['ev-rate-limit'] : [],
    testsRegressed: verdict === 'regressed' ? ['ev-regions'] : [],
    newTests: [],
    removedTests: [],
    verdict,
    closed,
  };
}

/** The latest eval run, shaped as src/schema/eval-suite.ts says; some tests carry a category, some do not. */
function resultsFile(
  traceIds: Record<string, string>,
): EvalRunSummary & { tests: (EvalRunSummary['tests'][number] & { metadata?: Record<string, unknown> })[] } {
  const test = (id: string, slug: string, pass: boolean, reasons: string[], category?: string) => ({
    id,
    description: `${slug} answer is supported by the docs`,
    ...(traceIds[slug] ? { traceId: traceIds[slug] } : {}),
    status: pass ? ('pass' as const) : ('fail' as const),
    pass,
    score: pass ? 1 : 0,
    reasons,
    failedAssertions: reasons.map((reason) => ({ type: 'icontains', reason })),
    ...(category ? { metadata: { testId: id, category, addedInCycle: 1 } } : {}),
  });
  const tests = [
    test('ev-pro-price', 'pro-price', false, ['Expected output to mention "$39"']),
    test('ev-rate-limit', 'rate-limit', false, ['Expected output to contain "600 requests per minute"'], 'citation_error'),
    test('ev-key-rotation', 'key-rotation', false, ['Expected output to contain "24 hours"', 'cites docs/security/keys.md, which does not exist']),
    test('ev-sso', 'sso', true, []),
    test('ev-regions', 'regions', true, []),
    test('ev-refunds', 'refunds', true, []),
    test('ev-xss', 'xss', false, ['<script>window.__xss=1</script> was not expected'], 'output<format>'),
  ];
  return {
    schemaVersion: 1,
    runId: 'run-3-after',
    createdAt: '2026-11-29T09:00:00.000Z',
    startedAt: '2026-11-29T08:59:00.000Z',
    cycle: 3,
    config: '.harness-loop/evals/promptfooconfig.yaml',
    provider: 'replay',
    grader: 'replay',
    promptfoo: { command: ['promptfoo', 'eval'], exitCode: 100 },
    totals: { tests: tests.length, passed: tests.filter((t) => t.pass).length, failed: tests.filter((t) => !t.pass).length, errors: 0 },
    tests,
    missingVerdicts: [],
    raw: null,
  };
}

/** Copies the example and runs the real stages on it; returns the workspace and its diagnosis. */
async function buildWorkspace(): Promise<{ workspace: string; diagnosis: Diagnosis; cycles: number }> {
  const workspace = mkdtempSync(join(tmpdir(), 'hl-report-'));
  await cp(join(EXAMPLE, 'workspace'), workspace, { recursive: true });
  const paths = workspacePaths(workspace);
  const config = await readConfig(paths.config);
  // The recorded sessions ran in /home/user/docs-qa, so the cwd filter is lifted.
  await ingest({ workspace, paths: [join(EXAMPLE, 'recorded', 'baseline', 'sessions')], from: 'auto', allRepos: true, config });
  await storeTraces(workspace, [xssTrace()], config);
  const feedbackFiles = readdirSync(join(EXAMPLE, 'feedback')).map((n) => join(EXAMPLE, 'feedback', n));
  const xssFeedback = join(workspace, 'xss-feedback.json');
  writeFileSync(
    xssFeedback,
    JSON.stringify([
      { trace_id: XSS_TRACE_ID, category: 'output<format>', severity: 'low', observation: PAYLOAD, evidence: ['<img src=x onerror=window.__xss=1>'] },
    ]),
  );
  await importFeedback({ workspace, files: [...feedbackFiles, xssFeedback], config, now: '2026-11-25T17:30:00.000Z' });
  await detectFeedback({ workspace, config, now: '2026-11-25T17:31:00.000Z' });

  // Each recorded session writes answers/<slug>.md, which names the test that scores it.
  const slugs: Record<string, string> = { xss: XSS_TRACE_ID };
  for await (const t of readTraceStore(paths.traceStore)) {
    const m = /answers\/([\w-]+)\.md/.exec(JSON.stringify(t.spans));
    if (m) slugs[m[1]!] = t.id;
  }
  const loop = loopPaths(workspace);
  mkdirSync(loop.results, { recursive: true });
  writeFileSync(join(loop.results, 'run-3-after.json'), `${JSON.stringify(resultsFile(slugs), null, 2)}\n`);
  const { diagnosis } = await diagnose({ workspace, config, now: new Date('2026-11-29T09:05:00.000Z') });

  const [first, second] = diagnosis.recommendations;
  const rec = (r: typeof first) => ({ id: r!.id, title: r!.title });
  // Seven tests: one passed at the first baseline, three pass in the latest run.
  await appendLedgerEntry(loop.ledger, ledgerEntry(1, 'verify', 1 / 7, 2 / 7, 'improved', true, rec(first)));
  await appendLedgerEntry(loop.ledger, ledgerEntry(2, 'verify', 2 / 7, 1 / 7, 'regressed', false, rec(second ?? first)));
  await appendLedgerEntry(loop.ledger, ledgerEntry(2, 'verify', 2 / 7, 3 / 7, 'improved', true, rec(second ?? first)));
  await appendLedgerEntry(loop.ledger, ledgerEntry(3, 'abandon', 3 / 7, null, 'abandoned', true, rec(first)));
  return { workspace, diagnosis, cycles: 3 };
}

interface PageLog {
  errors: string[];
  requests: string[];
}

/** Opens the report, recording console errors, page errors, failed requests and every request made. */
async function openReport(browser: Browser, url: string): Promise<{ page: Page; log: PageLog }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const log: PageLog = { errors: [], requests: [] };
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') log.errors.push(`console.${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => log.errors.push(`pageerror: ${e.message}`));
  page.on('requestfailed', (r) => log.errors.push(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
  page.on('request', (r) => log.requests.push(r.url()));
  await page.goto(url, { waitUntil: 'load' });
  return { page, log };
}

describe('harness-loop report without a browser', () => {
  it('renders the empty stages of a fresh workspace, each with the command that fills it', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'hl-report-empty-'));
    const r = await runCli(['report', '-C', workspace]);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain('not run yet (shown as such in the report): traces, feedback, recommendations, ledger, results');
    const html = readFileSync(join(workspace, '.harness-loop/report.html'), 'utf8');
    expect(html).toContain('Not run yet: no traces stored. Run <code>harness-loop ingest</code>');
  });
});

describe.skipIf(SKIP)('harness-loop report in a real browser (needs /usr/bin/chromium)', () => {
  let browser: Browser;
  let built: Awaited<ReturnType<typeof buildWorkspace>>;
  let url: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing under CI; .ci/run must install Debian's chromium`);
    built = await buildWorkspace();
    const r = await runCli(['report', '-C', built.workspace]);
    expect(r.exitCode, r.stderr).toBe(0);
    const file = join(built.workspace, '.harness-loop', 'report.html');
    expect(resolve(built.workspace, r.stdout.trim())).toBe(file);
    url = pathToFileURL(file).href;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('loads with no console errors, no failed requests and no request but the file itself', async () => {
    const { page, log } = await openReport(browser, url);
    expect(log.errors).toEqual([]);
    expect(log.requests.filter((u) => u !== url && !u.startsWith('data:'))).toEqual([]);
    await expect(page.title()).resolves.toMatch(/^harness-loop report/);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'report.png'), fullPage: true });
    await page.close();
  });

  it('draws one chart point per ledger cycle', async () => {
    const { page } = await openReport(browser, url);
    const cycles = await page.locator('svg.chart [data-cycle]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-cycle'))));
    expect(cycles).toEqual([1, 2, 3]);
    expect(cycles).toHaveLength(built.cycles);
    await page.close();
  });

  it("scrolls each recommendation's first evidence link to the trace it names", async () => {
    const { page } = await openReport(browser, url);
    const recs = page.locator('article.rec');
    const count = await recs.count();
    expect(count).toBe(built.diagnosis.recommendations.length);
    expect(count).toBeGreaterThan(0);
    for (let i = 0; i < count; i++) {
      const rec = built.diagnosis.recommendations[i]!;
      const link = recs.nth(i).locator('a.trace-link').first();
      await expect(link.getAttribute('data-trace-ref')).resolves.toBe(rec.evidence.traceIds[0]);
      await page.evaluate(() => window.scrollTo(0, 0));
      await link.click();
      const target = await page.waitForFunction(() => {
        const el = document.querySelector(':target');
        if (!el) return null;
        const top = el.getBoundingClientRect().top;
        return top >= -1 && top < window.innerHeight / 2 ? el.getAttribute('data-trace-id') : null;
      });
      expect(await target.jsonValue()).toBe(rec.evidence.traceIds[0]);
    }
    await page.close();
  });

  it('shows hostile model output as text and runs none of it', async () => {
    const { page, log } = await openReport(browser, url);
    const trace = page.locator(`article.trace[data-trace-id="${XSS_TRACE_ID.replace(/["\\]/g, '\\$&')}"]`);
    await expect(trace.count()).resolves.toBe(1);
    const answer = await trace.locator('.answer').innerText();
    expect(answer).toBe(PAYLOAD);
    expect(await trace.locator('h3').innerText()).toContain('</textarea><script>window.__xss=1</script>');
    await trace.locator('details.span.failed summary').click();
    expect(await trace.locator('.span-error').innerText()).toBe('<img src=x onerror=window.__xss=1>');
    await page.mouse.move(600, 400);
    expect(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss)).toBeUndefined();
    expect(await page.locator('script, img, iframe, svg [onload], [onerror], [onmouseover]').count()).toBe(0);
    expect(await page.locator('a[href^="javascript:"]').count()).toBe(0);
    expect(await page.locator(`a.trace-link[data-trace-ref="${XSS_TRACE_ID.replace(/["\\]/g, '\\$&')}"]`).count()).toBeGreaterThan(0);
    expect(log.errors).toEqual([]);
    await page.close();
  });
});
