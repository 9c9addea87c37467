// `harness-loop review` in a real browser (Debian's chromium driven by playwright-core), on the
// workspace `harness-loop demo --out` leaves behind (traces, human, detector and LLM feedback,
// eval results), plus a hostile trace and a symlink out of the workspace.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeTraces } from '../../src/ingest/ingest.js';
import type { Feedback } from '../../src/schema/feedback.js';
import type { Trace } from '../../src/schema/trace.js';
import { readConfig } from '../../src/util/config.js';
import { workspacePaths } from '../../src/util/workspace.js';
import { CLI, runCli } from '../support/cli.js';

const CHROMIUM = '/usr/bin/chromium';
const IN_CI = !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';
const SKIP = !existsSync(CHROMIUM) && !IN_CI;
if (SKIP) process.stderr.write(`review.test.ts: SKIPPED: ${CHROMIUM} is missing; install it with \`apt-get install chromium\` (.ci/run does)\n`);

const ARTIFACTS = 'test/artifacts';
const XSS_ID = 'xss-trace';
const PAYLOAD =
  'Here is the answer. <script>window.__xss=1</script> <img src=x onerror="window.__xss=1"> [x](javascript:window.__xss=1) [ok](docs/pricing.md#L8)';

function xssTrace(): Trace {
  return {
    schemaVersion: 1,
    id: XSS_ID,
    source: { kind: 'codex-exec-json', file: 'hand-made.jsonl', line: 1 },
    sessionId: null,
    startTime: '2026-11-25T17:00:00.000Z',
    endTime: '2026-11-25T17:00:01.000Z',
    cwd: '/home/user/docs-qa',
    models: ['gpt-5.5"><script>window.__xss=1</script>'],
    task: 'Summarise </textarea><script>window.__xss=1</script>',
    finalAnswer: PAYLOAD,
    usage: { inputTokens: 1, cachedInputTokens: 0, outputTokens: 1, reasoningOutputTokens: 0, totalTokens: 2 },
    spans: [
      {
        id: 'call-1" onmouseover="window.__xss=1',
        parentId: null,
        kind: 'tool_call',
        name: 'exec_command<svg onload=window.__xss=1>',
        startTime: '2026-11-25T17:00:00.100Z',
        durationMs: 300,
        input: { cmd: 'cat "<iframe src=javascript:window.__xss=1>"' },
        output: '<script>window.__xss=1</script><img src=x onerror=window.__xss=1>',
        status: 'error',
        error: '<img src=x onerror=window.__xss=1>',
        exitCode: 1,
        attributes: {},
      },
    ],
    attributes: {},
  };
}

function readStore(workspace: string): Feedback[] {
  const file = workspacePaths(workspace).feedbackStore;
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Feedback);
}

describe.skipIf(SKIP)('harness-loop review in a real browser (needs /usr/bin/chromium)', () => {
  let workspace: string;
  let server: ChildProcessWithoutNullStreams;
  let url: string;
  let origin: string;
  let token: string;
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing under CI; .ci/run must install Debian's chromium`);
    workspace = join(mkdtempSync(join(tmpdir(), 'hl-review-')), 'ws');
    const demo = await runCli(['demo', '--out', workspace]);
    expect(demo.exitCode, demo.stderr).toBe(0);
    await storeTraces(workspace, [xssTrace()], await readConfig(workspacePaths(workspace).config));
    const outside = mkdtempSync(join(tmpdir(), 'hl-review-outside-'));
    writeFileSync(join(outside, 'secret.txt'), 'TOP SECRET outside the workspace\n');
    symlinkSync(join(outside, 'secret.txt'), join(workspace, 'docs', 'leak.md'));
    symlinkSync(outside, join(workspace, 'outside-dir'));

    server = spawn(process.execPath, [CLI, 'review', '-C', workspace, '--port', '0'], { stdio: ['pipe', 'pipe', 'pipe'] });
    url = await new Promise<string>((resolve, reject) => {
      let out = '';
      server.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const line = out.split('\n')[0];
        if (out.includes('\n') && line) resolve(line.trim());
      });
      server.on('exit', (code) => reject(new Error(`review exited early (${code})`)));
    });
    const parsed = new URL(url);
    expect(parsed.hostname).toBe('127.0.0.1');
    origin = parsed.origin;
    token = parsed.searchParams.get('token')!;
    expect(token).toMatch(/^[\w-]{40,}$/);
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
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    if (server && server.exitCode === null) {
      const exited = new Promise<number | null>((resolve) => server.on('exit', (code) => resolve(code)));
      server.kill('SIGINT');
      // Ctrl-C stops it cleanly: exit 0.
      expect(await exited).toBe(0);
    }
  });

  async function open(): Promise<{ page: Page; errors: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      // The browser logs every 404 (a cited file that does not exist) and 422 (invalid form input the
      // app shows next to its field): that is the app working, not an error in it.
      if (m.type() === 'error' && !/^Failed to load resource: .* (404|422)/.test(m.text())) errors.push(`console: ${m.text()}`);
    });
    page.on('dialog', (d) => {
      errors.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    await page.goto(url);
    await page.locator('#queue .row[data-trace-id]').first().waitFor();
    await page.locator('#trace h2.task').waitFor();
    return { page, errors };
  }

  async function openTrace(page: Page, traceId: string): Promise<void> {
    await page.locator(`#queue .row[data-trace-id="${traceId}"]`).click();
    await page.locator(`#trace .meta:has-text("${traceId}")`).waitFor();
  }

  it('opens the queue worst first, with what is left to review, and the first trace beside it', async () => {
    const { page, errors } = await open();
    const api = (await (await fetch(`${origin}/api/queue?limit=100`, { headers: { 'x-review-token': token } })).json()) as {
      items: { traceId: string; score: number }[];
      pending: number;
    };
    const shown = await page.locator('#queue .row[data-trace-id]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-trace-id')));
    expect(shown).toEqual(api.items.map((i) => i.traceId));
    const scores = api.items.map((i) => i.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    await expect(page.locator('#remaining').innerText()).resolves.toMatch(new RegExp(`^${api.pending} of 11 traces left to review`));
    await expect(page.locator('#queue .row.selected').getAttribute('data-trace-id')).resolves.toBe(api.items[0]!.traceId);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows a trace: answer with citations linked to the cited lines, spans with collapsible tool output, and its feedback', async () => {
    const { page, errors } = await open();
    // The rotate-key answer cites a file that exists nowhere, the pricing answer one that exists.
    const pricing = (await page.locator('#queue .row', { hasText: 'How much does the Pro plan cost' }).first().getAttribute('data-trace-id'))!;
    await openTrace(page, pricing);
    const cite = page.locator('#answer a.cite', { hasText: '[docs/pricing.md]' });
    await expect(cite.count()).resolves.toBe(1);
    await cite.click();
    await expect(page.locator('#source .source-path').innerText()).resolves.toContain('docs/pricing.md');
    await expect(page.locator('#source .lines li').nth(7).innerText()).resolves.toContain('$49 per month');
    // What a reviewer sees first: the queue, the task, the answer beside its cited lines, the critique.
    await page.locator('#trace').evaluate((el) => el.scrollTo(0, 0));
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'review-trace.png'), fullPage: false });
    const tool = page.locator('#trace details.span.kind-tool_call').first();
    await expect(tool.locator('pre.span-io').first().isVisible()).resolves.toBe(false);
    await tool.locator('summary').click();
    await expect(tool.locator('pre.span-io').first().isVisible()).resolves.toBe(true);
    await expect(page.locator('#trace .feedback-list article.record').count()).resolves.toBeGreaterThan(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('saves feedback with evidence taken from a selection, and `feedback check` accepts the store', async () => {
    const { page, errors } = await open();
    const trace = (await page.locator('#queue .row', { hasText: 'Which regions does Acme run in?' }).first().getAttribute('data-trace-id'))!;
    await openTrace(page, trace);
    const before = readStore(workspace).length;

    // Invalid input: each problem next to its field, nothing written.
    await page.locator('#feedback-form [name="severity"]').selectOption('');
    await page.locator('#feedback-form button.save').click();
    await page.locator('#feedback-form [data-error-for="category"]').waitFor();
    await expect(page.locator('#feedback-form [data-error-for="category"]').innerText()).resolves.toMatch(/required/);
    await expect(page.locator('#feedback-form [data-error-for="severity"]').innerText()).resolves.toMatch(/required/);
    await expect(page.locator('#feedback-form [data-error-for="observation"]').innerText()).resolves.toMatch(/required/);
    expect(readStore(workspace)).toHaveLength(before);

    await page.locator('#answer p').first().click({ clickCount: 3 });
    const selected = (await page.evaluate(() => window.getSelection()!.toString())).replace(/\s+/g, ' ').trim();
    expect(selected.length).toBeGreaterThan(10);
    await page.waitForFunction((text) => document.querySelector<HTMLTextAreaElement>('#feedback-form [name="evidence"]')!.value.includes(text), selected);
    await page.locator('#feedback-form input[name="category"]').fill('citation_error');
    await page.locator('#feedback-form [name="severity"]').selectOption('medium');
    await page.locator('#feedback-form [name="observation"]').fill('Names regions without saying which page lists them, and "EU, US" needs a source');
    await page.locator('#feedback-form [name="requiredObservations"]').fill('cites docs/regions.md, lines 1-3\nsays which regions are GA');
    await page.locator('#feedback-form button.save').click();
    await page.locator('#trace .feedback-list article.record', { hasText: 'Names regions without saying' }).waitFor();

    const saved = readStore(workspace).filter((r) => r.observation.startsWith('Names regions without saying'));
    expect(saved).toHaveLength(1);
    expect(saved[0]).toMatchObject({
      traceId: trace,
      source: 'human',
      category: 'citation_error',
      severity: 'medium',
      status: 'active',
      requiredObservations: ['cites docs/regions.md, lines 1-3', 'says which regions are GA'],
    });
    expect(saved[0]!.evidence.some((e) => e.includes(selected))).toBe(true);
    const check = await runCli(['feedback', 'check', '-C', workspace]);
    expect(check.exitCode, check.stderr).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('accepts one LLM critique (a human-verified record that becomes a test) and rejects another with a reason', async () => {
    const { page, errors } = await open();
    const critiques = readStore(workspace).filter((r) => r.source === 'llm' && r.verifiedBy === undefined && r.status !== 'rejected');
    expect(critiques.length).toBeGreaterThanOrEqual(2);
    const [toAccept, toReject] = critiques as [Feedback, Feedback];
    const left = await page.locator('#remaining').innerText();

    await openTrace(page, toAccept.traceId);
    await page.locator(`.critique[data-feedback-id="${toAccept.id}"] button.accept`).click();
    await page.locator(`.critique[data-feedback-id="${toAccept.id}"]`).waitFor({ state: 'detached' });
    const accepted = readStore(workspace).find((r) => r.attributes.reviewOf === toAccept.id)!;
    expect(accepted).toMatchObject({ source: 'llm', status: 'active', observation: toAccept.observation, traceId: toAccept.traceId });
    expect(accepted.verifiedBy).toBeTruthy();
    await expect(page.locator('#remaining').innerText()).resolves.not.toBe(left);

    await openTrace(page, toReject.traceId);
    await page.locator(`.critique[data-feedback-id="${toReject.id}"] .reject-reason`).fill('The quoted region list is in the docs; the critic misread it');
    await page.locator(`.critique[data-feedback-id="${toReject.id}"] button.reject`).click();
    await page.locator(`.critique[data-feedback-id="${toReject.id}"]`).waitFor({ state: 'detached' });
    const rejected = readStore(workspace).find((r) => r.attributes.reviewOf === toReject.id)!;
    expect(rejected).toMatchObject({ status: 'rejected', attributes: { rejectReason: 'The quoted region list is in the docs; the critic misread it' } });

    // Every stage sees the outcome: the store validates, the accepted record is listed as human-weighted,
    // and the suite gains (or keeps) a test naming it.
    expect((await runCli(['feedback', 'check', '-C', workspace])).exitCode).toBe(0);
    const list = await runCli(['feedback', 'list', '-C', workspace, '--json']);
    expect(list.exitCode, list.stderr).toBe(0);
    const listed = JSON.stringify(JSON.parse(list.stdout));
    expect(listed).toContain(`"id":"${accepted.id}"`);
    expect(listed).not.toContain(`"id":"${toAccept.id}"`);
    expect(listed).not.toContain(`"id":"${toReject.id}"`);
    const build = await runCli(['evals', 'build', '-C', workspace]);
    expect(build.exitCode, build.stderr).toBe(0);
    expect(readFileSync(join(workspace, '.harness-loop', 'evals', 'promptfooconfig.yaml'), 'utf8')).toContain(accepted.id);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('moves through the queue with j and k, and r focuses the reject reason', async () => {
    const { page, errors } = await open();
    const rows = await page.locator('#queue .row[data-trace-id]').evaluateAll((r) => r.map((x) => x.getAttribute('data-trace-id')));
    await page.locator('body').press('j');
    await page.locator(`#queue .row.selected[data-trace-id="${rows[1]}"]`).waitFor();
    await page.locator(`#trace .meta:has-text("${rows[1]}")`).waitFor();
    await page.keyboard.press('j');
    await page.locator(`#queue .row.selected[data-trace-id="${rows[2]}"]`).waitFor();
    await page.keyboard.press('k');
    await page.locator(`#queue .row.selected[data-trace-id="${rows[1]}"]`).waitFor();
    await page.keyboard.press('ArrowUp');
    await page.locator(`#queue .row.selected[data-trace-id="${rows[0]}"]`).waitFor();
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows hostile model and tool output as text and runs none of it', async () => {
    const { page, errors } = await open();
    await openTrace(page, XSS_ID);
    await expect(page.locator('#trace h2.task').innerText()).resolves.toBe('Summarise </textarea><script>window.__xss=1</script>');
    await expect(page.locator('#answer').innerText()).resolves.toContain(
      '<script>window.__xss=1</script> <img src=x onerror="window.__xss=1"> [x](javascript:window.__xss=1)',
    );
    await page.locator('#trace details.span summary').first().click();
    await expect(page.locator('#trace pre.span-error').innerText()).resolves.toBe('<img src=x onerror=window.__xss=1>');
    await page.mouse.move(700, 500);
    await page.locator('#answer').hover();
    expect(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss)).toBeUndefined();
    expect(await page.locator('#app script, #app img, #app iframe, #app svg, [onerror], [onload], [onmouseover]').count()).toBe(0);
    expect(await page.locator('a[href^="javascript:" i]').count()).toBe(0);
    // A relative link is a citation; its source opens beside the answer.
    await page.locator('#answer a.cite', { hasText: 'ok' }).click();
    await expect(page.locator('#source .lines li.hit').innerText()).resolves.toContain('Pro');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('never serves a file outside the workspace', async () => {
    const get = (path: string) => fetch(`${origin}/api/source?path=${path}`, { headers: { 'x-review-token': token } });
    for (const path of [
      '..%2F..%2Fetc%2Fpasswd',
      '%2e%2e/%2e%2e/%2e%2e/etc/passwd',
      '%252e%252e%252fetc%252fpasswd',
      '%2Fetc%2Fpasswd',
      'docs%2F..%2F..%2F..%2Fetc%2Fhostname',
      'docs/leak.md',
      'outside-dir/secret.txt',
    ]) {
      const res = await get(path);
      expect([403, 404], path).toContain(res.status);
      expect(await res.text(), path).not.toMatch(/root:|TOP SECRET/);
    }
    expect((await get('docs%2Fpricing.md')).status).toBe(200);
    // Paths outside /api/ never reach the file system, encoded or not.
    for (const path of ['/..%2f..%2fetc%2fpasswd', '/%2e%2e/%2e%2e/etc/passwd', '/docs/pricing.md', '/.harness-loop/feedback/feedback.jsonl']) {
      const res = await fetch(`${origin}${path}`);
      expect(res.status, path).toBe(404);
    }
  });

  it('refuses a wrong token, a foreign Host and a cross-origin write', async () => {
    const page = await browser.newPage();
    await page.goto(`${origin}/?token=wrong`);
    await expect(page.locator('#refused').innerText()).resolves.toMatch(/^Refused: missing or wrong review token/);
    await page.close();
    expect((await fetch(`${origin}/api/queue?token=wrong`)).status).toBe(403);
    expect((await fetch(`${origin}/api/queue`)).status).toBe(403);
    expect((await fetch(`${origin}/api/queue`, { headers: { 'x-review-token': `${token}x` } })).status).toBe(403);
    const before = readFileSync(workspacePaths(workspace).feedbackStore, 'utf8');
    const body = JSON.stringify({ traceId: XSS_ID, category: 'x', severity: 'low', observation: 'cross-site' });
    const cross = await fetch(`${origin}/api/feedback`, {
      method: 'POST',
      headers: { 'x-review-token': token, 'content-type': 'application/json', origin: 'http://evil.example' },
      body,
    });
    expect(cross.status).toBe(403);
    const form = await fetch(`${origin}/api/feedback`, { method: 'POST', headers: { 'x-review-token': token, 'content-type': 'text/plain' }, body });
    expect(form.status).toBe(415);
    expect(readFileSync(workspacePaths(workspace).feedbackStore, 'utf8')).toBe(before);
    // DNS rebinding: a name that resolves here but is not this server's.
    const rebound = await new Promise<number>((resolve, reject) => {
      import('node:http').then(({ request }) => {
        const req = request(
          {
            host: '127.0.0.1',
            port: new URL(origin).port,
            path: '/api/queue',
            headers: { host: `attacker.example:${new URL(origin).port}`, 'x-review-token': token },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.end();
      }, reject);
    });
    expect(rebound).toBe(421);
  });
});
