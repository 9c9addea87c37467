import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FEEDBACK_SCHEMA_VERSION, type Feedback } from '../../../src/schema/feedback.js';
import { contradicts } from '../../../src/feedback/contradictions.js';
import { serializeFeedback } from '../../../src/feedback/record.js';
import { appendFeedback, effectiveWeight, loadAllFeedback, loadFeedback, markContradictions, readFeedbackStore } from '../../../src/feedback/store.js';
import { InputError } from '../../../src/errors.js';
import { defaultConfig } from './helpers.js';

function record(fields: Partial<Feedback>): Feedback {
  return {
    schemaVersion: FEEDBACK_SCHEMA_VERSION,
    id: 'fb_1',
    traceId: 't1',
    source: 'human',
    author: 'ana',
    category: 'financial_risk',
    severity: 'medium',
    observation: 'State the runway.',
    evidence: [],
    requiredObservations: [],
    prohibitedClaims: [],
    status: 'active',
    createdAt: '2026-12-01T10:00:00.000Z',
    attributes: {},
    ...fields,
  };
}

async function tempStore(): Promise<string> {
  return join(await mkdtemp(join(tmpdir(), 'hl-store-')), 'feedback', 'feedback.jsonl');
}

describe('feedback store', () => {
  it('appends only records whose id is not stored yet', async () => {
    const file = await tempStore();
    const first = await appendFeedback(file, [record({ id: 'fb_a' }), record({ id: 'fb_b' }), record({ id: 'fb_a' })]);
    expect(first.added.map((r) => r.id)).toEqual(['fb_a', 'fb_b']);
    expect(first.duplicates).toBe(1);
    const second = await appendFeedback(file, [record({ id: 'fb_b' }), record({ id: 'fb_c' })]);
    expect(second.added.map((r) => r.id)).toEqual(['fb_c']);
    expect((await readFeedbackStore(file)).map((r) => r.id)).toEqual(['fb_a', 'fb_b', 'fb_c']);
  });

  it('reads a missing store as empty', async () => {
    expect(await readFeedbackStore(await tempStore())).toEqual([]);
  });

  it('names file:line and field for every bad stored line', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'hl-store-')), 'feedback.jsonl');
    await writeFile(
      file,
      `${serializeFeedback(record({ id: 'fb_a' }))}\n{"schemaVersion":1\n${JSON.stringify({ ...record({ id: 'fb_c' }), severity: 'huge' })}\n`,
    );
    const error = await readFeedbackStore(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    const message = (error as InputError).message;
    expect(message).toContain(`${file}:2: (line): malformed JSON`);
    expect(message).toContain(`${file}:3: severity: Invalid option`);
    expect((error as InputError).exitCode).toBe(2);
  });

  it('skips a torn last line a killed writer left, and the next append cuts it off', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'hl-store-')), 'feedback.jsonl');
    const whole = serializeFeedback(record({ id: 'fb_a' }));
    await writeFile(file, `${whole}\n${serializeFeedback(record({ id: 'fb_b' })).slice(0, 30)}`);
    expect((await readFeedbackStore(file)).map((r) => r.id)).toEqual(['fb_a']);
    await appendFeedback(file, [record({ id: 'fb_c' })]);
    expect(await readFile(file, 'utf8')).toBe(`${whole}\n${serializeFeedback(record({ id: 'fb_c' }))}\n`);
  });

  it('names the folder when the feedback folder cannot be listed, instead of reading it as empty', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hl-store-'));
    const notADir = join(dir, 'feedback');
    await writeFile(notADir, 'a file where the folder should be');
    await expect(loadAllFeedback(notADir)).rejects.toThrow(`${notADir}: cannot list folder`);
  });

  it('keeps the first copy when two writers appended the same record', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'hl-store-')), 'feedback.jsonl');
    const line = serializeFeedback(record({ id: 'fb_a' }));
    await writeFile(file, `${line}\n${serializeFeedback(record({ id: 'fb_a', author: 'bo' }))}\n`);
    expect((await readFeedbackStore(file)).map((r) => r.author)).toEqual(['ana']);
  });

  it('writes one line per record with schemaVersion and id first', async () => {
    const file = await tempStore();
    await appendFeedback(file, [record({ id: 'fb_a' })]);
    expect((await readFile(file, 'utf8')).startsWith('{"schemaVersion":1,"id":"fb_a",')).toBe(true);
  });
});

describe('effectiveWeight', () => {
  it('weighs human over detector and hook over LLM by default', () => {
    const config = defaultConfig();
    expect(effectiveWeight(record({ source: 'human' }), config)).toBe(1);
    expect(effectiveWeight(record({ source: 'detector' }), config)).toBe(0.8);
    expect(effectiveWeight(record({ source: 'hook' }), config)).toBe(0.8);
    expect(effectiveWeight(record({ source: 'llm', status: 'unverified' }), config)).toBe(0.4);
  });

  it('uses the weights from config', () => {
    const config = defaultConfig({ feedback: { weights: { human: 2, llm: 0.25 } } });
    expect(effectiveWeight(record({ source: 'human' }), config)).toBe(2);
    expect(effectiveWeight(record({ source: 'llm', status: 'unverified' }), config)).toBe(0.25);
  });

  it('gives a human-accepted LLM record human weight and contradicted or rejected records none', () => {
    const config = defaultConfig();
    expect(effectiveWeight(record({ source: 'llm', verifiedBy: 'ana' }), config)).toBe(1);
    expect(effectiveWeight(record({ source: 'llm', status: 'contradicted' }), config)).toBe(0);
    expect(effectiveWeight(record({ source: 'human', status: 'rejected' }), config)).toBe(0);
  });
});

describe('markContradictions', () => {
  const human = record({ id: 'fb_h', prohibitedClaims: ['Do not imply more than 12 months of runway'], requiredObservations: ['Name the 11-month runway'] });

  it('marks an LLM record requiring what a human prohibits, and keeps it', () => {
    const llm = record({ id: 'fb_l', source: 'llm', status: 'unverified', requiredObservations: ['do not imply more than 12 months of runway.'] });
    const marked = markContradictions([human, llm]);
    expect(marked).toHaveLength(2);
    expect(marked[1]).toEqual({ ...llm, status: 'contradicted', contradictedBy: 'fb_h' });
    expect(marked[0]).toBe(human);
  });

  it('marks an LLM record prohibiting what a human requires', () => {
    const llm = record({ id: 'fb_l', source: 'llm', status: 'unverified', prohibitedClaims: ['Name the 11-month runway'] });
    expect(markContradictions([human, llm])[1]!.status).toBe('contradicted');
  });

  it('marks an LLM record two severity steps from a human record of the same category', () => {
    const low = record({ id: 'fb_h2', category: 'tool_error', severity: 'low' });
    const llm = record({ id: 'fb_l', source: 'llm', status: 'unverified', category: 'tool_error', severity: 'high' });
    expect(contradicts(llm, low)).toBe(true);
    expect(contradicts({ ...llm, severity: 'medium' }, low)).toBe(false);
    expect(contradicts({ ...llm, category: 'citation_error' }, low)).toBe(false);
    expect(contradicts({ ...llm, spanId: 's1' }, { ...low, spanId: 's2' })).toBe(false);
  });

  it('leaves agreeing, other-trace, verified and non-LLM records alone', () => {
    const agreeing = record({ id: 'fb_l1', source: 'llm', status: 'unverified', requiredObservations: ['Name the 11-month runway'] });
    const otherTrace = record({
      id: 'fb_l2',
      source: 'llm',
      status: 'unverified',
      traceId: 't2',
      requiredObservations: ['Do not imply more than 12 months of runway'],
    });
    const verified = record({ id: 'fb_l3', source: 'llm', verifiedBy: 'ana', requiredObservations: ['Do not imply more than 12 months of runway'] });
    const detector = record({ id: 'fb_d', source: 'detector', requiredObservations: ['Do not imply more than 12 months of runway'] });
    const input = [human, agreeing, otherTrace, verified, detector];
    expect(markContradictions(input)).toEqual(input);
  });

  it('applies when the store is loaded, so a later human record marks an earlier LLM one', async () => {
    const file = await tempStore();
    await appendFeedback(file, [record({ id: 'fb_l', source: 'llm', status: 'unverified', observation: 'Do not imply more than 12 months of runway' })]);
    await appendFeedback(file, [human]);
    const loaded = await loadFeedback(file);
    expect(loaded.find((r) => r.id === 'fb_l')!.status).toBe('contradicted');
    expect((await readFeedbackStore(file)).find((r) => r.id === 'fb_l')!.status).toBe('unverified');
  });
});
