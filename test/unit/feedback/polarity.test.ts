import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { addFeedback } from '../../../src/feedback/add.js';
import { importFeedback } from '../../../src/feedback/import.js';
import { readPolarity } from '../../../src/feedback/normalize.js';
import { InputError } from '../../../src/errors.js';
import { BASE_TRACE, EXEC, NOW, defaultConfig, workspaceWith } from './helpers.js';

describe('polarity from common shapes', () => {
  it.each([
    ['polarity', 'positive', 'positive'],
    ['polarity', 'negative', 'negative'],
    ['thumbs', 'up', 'positive'],
    ['thumbs', '👎', 'negative'],
    ['thumbs_up', true, 'positive'],
    ['thumbsUp', false, 'negative'],
    ['rating', 5, 'positive'],
    ['rating', 4, 'positive'],
    ['rating', 2, 'negative'],
    ['rating', 1, 'negative'],
    ['rating', 0.8, 'positive'],
    ['rating', 0.2, 'negative'],
    ['rating', '4', 'positive'],
    ['label', 'Good', 'positive'],
    ['label', 'bad', 'negative'],
    ['verdict', 'pass', 'positive'],
    ['verdict', 'incorrect', 'negative'],
  ] as const)('%s %j → %s', (key, value, polarity) => {
    expect(readPolarity(key, value)).toBe(polarity);
  });

  it.each([
    ['rating', 3, /neither praise nor a problem/],
    ['rating', 9, /must be 1–5/],
    ['rating', 'great', /must be a number/],
    ['label', 'meh', /not a polarity/],
    ['thumbs_up', 'yes', /true or false/],
  ] as const)('refuses %s %j', (key, value, message) => {
    const read = readPolarity(key, value);
    expect(typeof read === 'object' ? read.issue : read).toMatch(message);
  });
});

describe('praise on import and add', () => {
  it('imports praise from a thumbs-up export, keeping the raw value, with defaults for category and severity', async () => {
    const ws = await workspaceWith([`${EXEC}/exec.base.jsonl`]);
    const file = join(await mkdtemp(join(tmpdir(), 'hl-polarity-')), 'thumbs.jsonl');
    await writeFile(
      file,
      `${JSON.stringify({ trace_id: BASE_TRACE, thumbs: 'up', comment: 'Names the file it created.' })}\n${JSON.stringify({ trace_id: BASE_TRACE, rating: 1, category: 'accuracy', severity: 'high', observation: 'Wrong file.' })}\n`,
    );
    const { added } = await importFeedback({ workspace: ws, files: [file], config: defaultConfig(), now: NOW });
    expect(added.map((r) => [r.polarity ?? 'negative', r.category, r.severity, r.observation, r.attributes])).toEqual([
      ['positive', 'praised', 'medium', 'Names the file it created.', { thumbs: 'up' }],
      ['negative', 'accuracy', 'high', 'Wrong file.', { rating: 1 }],
    ]);
  });

  it('names the file, line and field of a rating that says neither', async () => {
    const ws = await workspaceWith([`${EXEC}/exec.base.jsonl`]);
    const file = join(await mkdtemp(join(tmpdir(), 'hl-polarity-')), 'ratings.jsonl');
    await writeFile(file, `${JSON.stringify({ trace_id: BASE_TRACE, rating: 3, category: 'x', severity: 'low', observation: 'ok' })}\n`);
    const error = (await importFeedback({ workspace: ws, files: [file], config: defaultConfig(), now: NOW }).catch((e: unknown) => e)) as InputError;
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toContain('ratings.jsonl:1: rating: a rating of 3 of 5 is neither praise nor a problem');
  });

  it('gives the same words as praise and as a complaint two ids', async () => {
    const ws = await workspaceWith([`${EXEC}/exec.base.jsonl`]);
    const base = { workspace: ws, config: defaultConfig(), trace: BASE_TRACE, category: 'style', severity: 'low', observation: 'Very short answer.', now: NOW };
    const praise = await addFeedback({ ...base, positive: true });
    const complaint = await addFeedback(base);
    expect(praise.record.polarity).toBe('positive');
    expect(complaint.record.polarity).toBeUndefined();
    expect(praise.record.id).not.toBe(complaint.record.id);
  });
});
