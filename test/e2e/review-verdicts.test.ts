// Judging unjudged rubrics in `harness-loop review`, in a real browser (Debian's chromium driven
// by playwright-core): a real rollout, human feedback only a reader can judge, the real Promptfoo
// (offline: the rubric is unjudged), then a verdict recorded with one keystroke and used by the
// next run.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerHash } from '../../src/evals/verdicts.js';
import { CLI, runCli } from '../support/cli.js';

const CHROMIUM = '/usr/bin/chromium';
const IN_CI = !!process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0';
const SKIP = !existsSync(CHROMIUM) && !IN_CI;
const TRACE = '01a20f5c-0003-7e31-9c64-0113b2a3c401';
const ANSWER = 'Fixed `add` (it subtracted). Tests pass; lint still reports an unused variable.';

describe.skipIf(SKIP)('rubric verdicts in the review app (needs /usr/bin/chromium)', () => {
  let ws: string;
  let server: ChildProcessWithoutNullStreams;
  let url: string;
  let browser: Browser;

  beforeAll(async () => {
    ws = mkdtempSync(join(tmpdir(), 'hl-verdicts-'));
    const run = async (...args: string[]) => runCli([...args, '-C', ws]);
    expect((await run('ingest', '--all-repos', 'test/fixtures/expected-failures/retry.jsonl')).exitCode).toBe(0);
    const added = await run(
      'feedback',
      'add',
      '--trace',
      TRACE,
      '--category',
      'tone',
      '--severity',
      'low',
      '--observation',
      'Buries the remaining lint problem at the end instead of leading with what is still broken.',
    );
    expect(added.exitCode, added.stderr).toBe(0);
    expect((await run('evals', 'build')).exitCode).toBe(0);
    const first = await run('evals', 'run', '--grader', 'replay', '--json');
    expect(first.exitCode, first.stderr).toBe(0);
    expect((JSON.parse(first.stdout) as { totals: unknown }).totals).toEqual({ tests: 1, passed: 0, failed: 0, errors: 0, unjudged: 1 });

    server = spawn(process.execPath, [CLI, 'review', '-C', ws, '--port', '0'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, USER: 'dana' } });
    url = await new Promise<string>((resolve, reject) => {
      let out = '';
      server.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('\n')) resolve(out.split('\n')[0]!.trim());
      });
      server.on('exit', (code) => reject(new Error(`review exited early (${code})`)));
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--disable-quic'],
    });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    if (server && server.exitCode === null) {
      const exited = new Promise((resolve) => server.on('exit', resolve));
      server.kill('SIGINT');
      await exited;
    }
  });

  it('shows the unjudged rubric beside its answer and records a verdict with a reason in one keystroke', async () => {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    await page.locator('#verdicts-button:has-text("Rubrics waiting (1)")').waitFor();
    await page.locator('#verdicts-button').click();
    const card = page.locator('#trace section.verdict');
    await card.waitFor();
    await expect(card.locator('pre.rubric').innerText()).resolves.toContain('Buries the remaining lint problem');
    await expect(card.locator('.answer').innerText()).resolves.toContain('lint still reports an unused variable');
    // p with no reason asks for one and writes nothing.
    await page.locator('#trace h2').click();
    await page.keyboard.press('p');
    await expect(page.locator('.toast').innerText()).resolves.toContain('Give a reason first');
    await card.locator('.verdict-reason').fill('Leads with the fix; the lint problem is the last clause.');
    await card.locator('.verdict-reason').press('Alt+F');
    await page.locator('#no-verdicts, #trace section.verdict').first().waitFor();
    await page.locator('#verdicts-button:has-text("Rubrics waiting (0)")').waitFor();
    expect(errors).toEqual([]);
    await page.close();

    const lines = readFileSync(join(ws, '.harness-loop/evals/rubric-verdicts.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toEqual([
      expect.objectContaining({
        answerHash: answerHash(ANSWER),
        traceId: TRACE,
        grader: 'human',
        author: 'dana',
        pass: false,
        score: 0,
        reason: 'Leads with the fix; the lint problem is the last clause.',
      }),
    ]);
    // The next offline run uses it: the test now fails on the verdict, and nothing waits.
    const again = await runCli(['evals', 'run', '--grader', 'replay', '--json', '-C', ws]);
    expect(again.exitCode).toBe(1);
    const summary = JSON.parse(again.stdout) as { totals: unknown; tests: { failedAssertions: { reason: string }[] }[] };
    expect(summary.totals).toEqual({ tests: 1, passed: 0, failed: 1, errors: 0, unjudged: 0 });
    expect(summary.tests[0]!.failedAssertions[0]!.reason).toBe('Leads with the fix; the lint problem is the last clause. (recorded verdict by human)');
    const pending = await runCli(['evals', 'verdicts', '--json', '-C', ws]);
    expect(JSON.parse(pending.stdout)).toEqual({ pending: [] });
  });
});
