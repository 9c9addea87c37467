import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { answerHash, findVerdict, readVerdicts, recordVerdict } from '../../../src/evals/verdicts.js';
import { InputError, UsageError } from '../../../src/errors.js';

const dir = () => mkdtemp(join(tmpdir(), 'hl-verdicts-'));

describe('the verdict store', () => {
  it('hashes an answer as the grader sees it (JSON re-serialized)', () => {
    expect(answerHash('{"a": 1}')).toBe(answerHash('{"a":1}'));
    expect(answerHash('plain text')).not.toBe(answerHash('plain text.'));
    expect(answerHash('x')).toMatch(/^ah-[0-9a-f]{16}$/);
  });

  it('never judges one answer twice for one rubric and grader; another answer needs its own verdict', async () => {
    const file = join(await dir(), 'rubric-verdicts.jsonl');
    const v = { rubricHash: 'rb-1', answerHash: answerHash('A'), grader: 'human', pass: true, score: 1, reason: 'ok' };
    await recordVerdict(file, v);
    await expect(recordVerdict(file, { ...v, pass: false, reason: 'changed my mind' })).rejects.toBeInstanceOf(UsageError);
    await recordVerdict(file, { ...v, answerHash: answerHash('B'), pass: false, score: 0, reason: 'worse' });
    const all = await readVerdicts(file);
    expect(findVerdict(all, { rubricHash: 'rb-1', answerHash: answerHash('A') })?.pass).toBe(true);
    expect(findVerdict(all, { rubricHash: 'rb-1', answerHash: answerHash('B') })?.pass).toBe(false);
    expect(findVerdict(all, { rubricHash: 'rb-1', answerHash: answerHash('C') })).toBeUndefined();
  });

  it('still applies older lines keyed by trace id', async () => {
    const old = [{ testId: 'ev-1', rubricHash: 'rb-1', traceId: 't1', pass: true, score: 1, reason: 'ok' }];
    expect(findVerdict(old, { testId: 'ev-1', rubricHash: 'rb-1', traceId: 't1', answerHash: 'ah-x' })?.pass).toBe(true);
    expect(findVerdict(old, { testId: 'ev-1', rubricHash: 'rb-1', traceId: 't2', answerHash: 'ah-x' })).toBeUndefined();
  });

  it('names file and line of a bad verdict line', async () => {
    const file = join(await dir(), 'rubric-verdicts.jsonl');
    await writeFile(file, '{"rubricHash":"rb-1","pass":true,"score":1,"reason":"ok"}\n{"rubricHash":"rb-2","pass":"yes","score":1,"reason":"x"}\n');
    const error = (await readVerdicts(file).catch((e: unknown) => e)) as InputError;
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toMatch(/rubric-verdicts\.jsonl:2: pass: /);
  });
});
