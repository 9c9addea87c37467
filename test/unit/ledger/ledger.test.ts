import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appendLedgerEntry, assertLedgerReadable, readLedger, serializeLedgerEntry } from '../../../src/ledger/ledger.js';
import type { LedgerEntry } from '../../../src/schema/ledger.js';

function entry(cycle: number): LedgerEntry {
  return {
    schemaVersion: 1,
    cycle,
    kind: 'abandon',
    at: '2025-01-02T03:04:05.000Z',
    recommendation: { id: 'R1', title: 'Require citations' },
    baselineRunId: 'run-a',
    afterRunId: null,
    filesChanged: [],
    passRateBefore: 0.5,
    passRateAfter: null,
    testsFixed: [],
    testsRegressed: [],
    newTests: [],
    removedTests: [],
    verdict: 'abandoned',
    closed: true,
  };
}

const ledgerFile = () => join(mkdtempSync(join(tmpdir(), 'hl-ledger-file-')), 'ledger.jsonl');

describe('ledger file', () => {
  it('reads back appended entries in order, one line each', async () => {
    const file = ledgerFile();
    await appendLedgerEntry(file, entry(1));
    await appendLedgerEntry(file, entry(2));
    expect(readFileSync(file, 'utf8')).toBe(`${serializeLedgerEntry(entry(1))}\n${serializeLedgerEntry(entry(2))}\n`);
    expect(await readLedger(file)).toEqual({ entries: [entry(1), entry(2)], problems: [] });
  });

  it('treats a missing ledger as empty', async () => {
    expect(await readLedger(ledgerFile())).toEqual({ entries: [], problems: [] });
  });

  it('reports a corrupt line as file:line and refuses to build on it', async () => {
    const file = ledgerFile();
    writeFileSync(file, `${serializeLedgerEntry(entry(1))}\n{"schemaVersion":1,"cycle":"two"}\n${serializeLedgerEntry(entry(3))}\n`);
    const read = await readLedger(file);
    expect(read.entries.map((e) => e.cycle)).toEqual([1, 3]);
    expect(read.problems).toHaveLength(1);
    expect(read.problems[0]).toMatchObject({ file, line: 2, torn: false });
    expect(read.problems[0]!.reason).toContain('not a valid ledger entry');
    expect(() => assertLedgerReadable(read)).toThrow(`${file}:2: not a valid ledger entry`);
  });

  it('skips a torn last line with a warning and cuts it off before the next append', async () => {
    const file = ledgerFile();
    await appendLedgerEntry(file, entry(1));
    const torn = serializeLedgerEntry(entry(2)).slice(0, 40);
    appendFileSync(file, torn);
    const read = await readLedger(file);
    expect(read.entries.map((e) => e.cycle)).toEqual([1]);
    expect(read.problems).toEqual([expect.objectContaining({ line: 2, torn: true })]);
    expect(() => assertLedgerReadable(read)).not.toThrow();

    const { repaired } = await appendLedgerEntry(file, entry(2));
    expect(repaired).toContain('removed an incomplete last line (40 bytes)');
    expect(readFileSync(file, 'utf8')).toBe(`${serializeLedgerEntry(entry(1))}\n${serializeLedgerEntry(entry(2))}\n`);
  });

  it('keeps a complete entry that only lacks its newline', async () => {
    const file = ledgerFile();
    writeFileSync(file, serializeLedgerEntry(entry(1)));
    expect((await readLedger(file)).entries).toHaveLength(1);
    const { repaired } = await appendLedgerEntry(file, entry(2));
    expect(repaired).toBeUndefined();
    expect((await readLedger(file)).entries.map((e) => e.cycle)).toEqual([1, 2]);
  });

  it('never writes an entry that does not match the schema', async () => {
    const file = ledgerFile();
    await expect(appendLedgerEntry(file, { ...entry(1), verdict: 'great' } as unknown as LedgerEntry)).rejects.toThrow();
    expect((await readLedger(file)).entries).toEqual([]);
  });
});
