import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { usageOf } from '../../../src/codex/runner.js';

describe('codex runner token accounting', () => {
  it('sums the usage of every turn.completed event of a real exec --json stream', () => {
    const stream = readFileSync('test/fixtures/codex-exec/exec.base.jsonl', 'utf8');
    expect(usageOf(stream)).toEqual({ inputTokens: 3600, cachedInputTokens: 900, outputTokens: 66 });
    expect(usageOf(`${stream}\n${stream}`)).toEqual({ inputTokens: 7200, cachedInputTokens: 1800, outputTokens: 132 });
  });

  it('is null without a completed turn, and ignores a torn last line', () => {
    expect(usageOf('{"type":"thread.started","thread_id":"t"}\n')).toBeNull();
    expect(usageOf('{"type":"turn.completed","usage":{"input_tok')).toBeNull();
  });
});
