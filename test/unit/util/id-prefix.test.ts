import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/errors.js';
import { chooseRecommendation } from '../../../src/ledger/recommendation.js';
import { matchIdPrefix, resolveIdPrefix } from '../../../src/util/id-prefix.js';

const IDS = ['01a20f59-f305-7e31-9c64-0113b2a3c47d', '01a23bb0-c408-76a3-ba79-5647bc963cde', '01a23bb2-8e7a-7103-b984-75594a65b317'];

describe('id prefixes', () => {
  it('resolve a unique prefix, with or without the ellipsis people copy', () => {
    expect(resolveIdPrefix('01a20f', IDS, 'trace')).toBe(IDS[0]);
    expect(resolveIdPrefix('01a23bb0…', IDS, 'trace')).toBe(IDS[1]);
    expect(resolveIdPrefix('01a23bb2...', IDS, 'trace')).toBe(IDS[2]);
  });

  it('prefer an exact id over longer ids it is a prefix of', () => {
    expect(matchIdPrefix('rec-1', ['rec-1', 'rec-10'])).toEqual({ id: 'rec-1' });
  });

  it('refuse an ambiguous prefix, naming the matches, and an unknown one', () => {
    expect(() => resolveIdPrefix('01a23', IDS, 'trace')).toThrow(/"01a23" matches more than one trace: 01a23bb0-.*, 01a23bb2-.*; give more characters/);
    expect(() => resolveIdPrefix('zz', IDS, 'trace')).toThrow(UsageError);
    expect(matchIdPrefix('', IDS)).toEqual({ none: true });
  });

  it('name recommendations too (cycle start --recommendation)', () => {
    const recs = [
      { id: 'rec-3f2a', rank: 2 },
      { id: 'rec-91bc', rank: 1 },
    ] as Parameters<typeof chooseRecommendation>[0];
    expect(chooseRecommendation(recs, 'rec-3').id).toBe('rec-3f2a');
    expect(() => chooseRecommendation(recs, 'rec-')).toThrow(/matches more than one recommendation/);
  });
});

describe('trace and span ids typed for feedback', () => {
  it('resolve against the trace store, leaving unknown ids to the caller', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { ingest } = await import('../../../src/ingest/ingest.js');
    const { ConfigSchema } = await import('../../../src/schema/config.js');
    const { resolveSpanId, resolveTraceId } = await import('../../../src/feedback/trace-ids.js');
    const ws = mkdtempSync(join(tmpdir(), 'hl-ids-'));
    await ingest({ workspace: ws, paths: ['test/fixtures/codex-history/codemode-0.169.jsonl'], from: 'auto', allRepos: true, config: ConfigSchema.parse({}) });
    const store = join(ws, '.harness-loop/traces/traces.jsonl');
    const trace = await resolveTraceId(store, '01a23bb0');
    expect(trace).toBe('01a23bb0-c408-76a3-ba79-5647bc963cde');
    expect(await resolveTraceId(store, 'not-stored')).toBe('not-stored');
    expect(await resolveSpanId(store, trace, 'exec-d0d8')).toBe('exec-d0d8b084-8464-4a59-afc3-96c2ea5d9662');
  });
});
