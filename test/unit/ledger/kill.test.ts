import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { appendLedgerEntry, parseLedgerLine, readLedger, serializeLedgerEntry } from '../../../src/ledger/ledger.js';

const KILLS = 30;
let writer = '';

// Bundled once so each of the many writer processes starts in plain node, without a TypeScript loader.
beforeAll(async () => {
  writer = join(mkdtempSync(join(tmpdir(), 'hl-kill-writer-')), 'append-ledger.mjs');
  await build({
    entryPoints: ['test/support/append-ledger.ts'],
    outfile: writer,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    logLevel: 'warning',
  });
});

/** Starts the writer, lets it append for a random moment after it is ready, then SIGKILLs it. */
async function appendUntilKilled(file: string, delayMs: number): Promise<void> {
  const child = spawn(process.execPath, [writer, file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => c.toString().includes('ready') && resolve());
    void exited.then(({ code }) => reject(new Error(`writer exited early (${code}): ${stderr}`)));
  });
  await new Promise((resolve) => setTimeout(resolve, delayMs));
  child.kill('SIGKILL');
  const { signal } = await exited;
  // A writer that died of anything but our kill would hide a crash in the append path.
  expect(signal, stderr).toBe('SIGKILL');
}

/** Complete lines (newline-terminated), and whatever unterminated tail a kill left. */
function splitLines(file: string): { complete: string[]; tail: string } {
  // A kill before the first append leaves no file at all.
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const end = text.lastIndexOf('\n') + 1;
  return {
    complete: text
      .slice(0, end)
      .split('\n')
      .filter((l) => l !== ''),
    tail: text.slice(end),
  };
}

describe('ledger under kill -9', () => {
  it(`never tears a complete line or loses an entry across ${KILLS} kills at random moments`, { timeout: 300_000 }, async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'hl-kill-')), 'ledger.jsonl');
    let previous: string[] = [];
    for (let i = 0; i < KILLS; i++) {
      await appendUntilKilled(file, Math.floor(Math.random() * 40));
      const { complete } = splitLines(file);
      // Every complete line is a valid entry.
      for (const [n, line] of complete.entries()) expect(parseLedgerLine(line), `${file}:${n + 1}`).toHaveProperty('entry');
      // Earlier entries are all still there, byte for byte, in order; the count only grows.
      expect(complete.length).toBeGreaterThanOrEqual(previous.length);
      expect(complete.slice(0, previous.length)).toEqual(previous);
      // Cycles run 1..n without a gap or a repeat: no append was lost or doubled.
      const cycles = complete.map((l) => (JSON.parse(l) as { cycle: number }).cycle);
      expect(cycles).toEqual(cycles.map((_, k) => k + 1));
      // A kill inside a write may leave an unterminated fragment; readers skip it as torn, never fatal.
      const read = await readLedger(file);
      expect(read.entries).toHaveLength(complete.length);
      expect(read.problems.filter((p) => !p.torn)).toEqual([]);
      previous = complete;
    }
    expect(previous.length).toBeGreaterThan(0);

    // The next append (here, in-process) cuts off any torn fragment and leaves a clean file.
    const last = (await readLedger(file)).entries.at(-1)!;
    await appendLedgerEntry(file, { ...last, cycle: last.cycle + 1 });
    const final = splitLines(file);
    expect(final.tail).toBe('');
    expect(final.complete.slice(0, previous.length)).toEqual(previous);
    expect(final.complete.at(-1)).toBe(serializeLedgerEntry({ ...last, cycle: last.cycle + 1 }));
    expect((await readLedger(file)).problems).toEqual([]);
  });
});
