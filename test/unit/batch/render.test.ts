import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { describe, expect, it } from 'vitest';
import { elideMiddle, formatElision, renderTrace } from '../../../src/batch/render.js';
import { RenderedTraceSchema, type RenderedSpan } from '../../../src/schema/batch.js';
import { makeTrace, span, toolOutput } from './helpers.js';

const MARKER = /\[… ([\d,]+) characters \(~?([\d,]+) tokens\) elided …\]/;
const num = (s: string) => Number(s.replaceAll(',', ''));

describe('elision marker', () => {
  it('reads "[… 12,345 characters (3,210 tokens) elided …]"', () => {
    expect(formatElision(12_345, 3_210)).toBe('[… 12,345 characters (3,210 tokens) elided …]');
    expect(formatElision(1, 1)).toBe('[… 1 character (1 token) elided …]');
    expect(formatElision(400_000, 90_000, true)).toBe('[… 400,000 characters (~90,000 tokens) elided …]');
  });

  it('keeps head and tail of a long text and says exactly how many characters and tokens were cut', () => {
    const text = toolOutput(30_000, 3);
    const { text: out, cutChars } = elideMiddle(text, 2_000);
    expect(out).not.toContain('(~');
    const m = MARKER.exec(out)!;
    expect(m).not.toBeNull();
    const head = out.slice(0, m.index);
    const tail = out.slice(m.index + m[0].length + 1); // the marker stands on its own line
    expect(text.startsWith(head)).toBe(true);
    expect(text.endsWith(tail)).toBe(true);
    const middle = text.slice(head.length, text.length - tail.length);
    expect(num(m[1]!)).toBe(middle.length);
    expect(cutChars).toBe(middle.length);
    expect(num(m[2]!)).toBe(countTokens(middle));
    expect(head.length + tail.length).toBeGreaterThan(1_500);
    expect(head.length + tail.length).toBeLessThanOrEqual(2_000);
  });

  it('estimates the tokens of a very long cut from samples, marked with ~, within 5% of the real count', () => {
    const text = toolOutput(300_000, 8);
    const { text: out } = elideMiddle(text, 2_000);
    const m = /\[… ([\d,]+) characters \(~([\d,]+) tokens\) elided …\]/.exec(out)!;
    expect(m).not.toBeNull();
    const head = out.slice(0, m.index);
    const middle = text.slice(head.length, head.length + num(m[1]!));
    const real = countTokens(middle);
    expect(Math.abs(num(m[2]!) - real) / real).toBeLessThan(0.05);
  });

  it('leaves a text within the limit untouched', () => {
    const text = toolOutput(1_000);
    expect(elideMiddle(text, 1_000)).toEqual({ text, cutChars: 0 });
  });

  it('never splits a surrogate pair when a cut falls inside an emoji run', () => {
    const text = '🙂'.repeat(5_000);
    const { text: out } = elideMiddle(text, 1_001);
    expect(out).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
  });
});

describe('rendering a trace for the critic', () => {
  it('shows ids, task, answer, errors and exit codes, and leaves out times, attributes and plain model calls', () => {
    const trace = makeTrace('t1', [
      span('turn-1', { kind: 'turn', name: 'turn', startTime: '2026-11-24T20:58:03.000Z', attributes: { contextWindow: 272000 } }),
      span('resp-1', { kind: 'model_call', name: 'gpt-5.5', output: { inputTokens: 10 } }),
      span('resp-2', { kind: 'model_call', name: 'gpt-5.5', status: 'error', error: 'rate limited' }),
      span('call-1', {
        input: { cmd: 'npm test' },
        output: 'Process exited with code 1\nFAIL',
        status: 'error',
        error: 'command exited with code 1',
        exitCode: 1,
      }),
    ]);
    const { trace: rendered, elidedChars } = renderTrace(trace);
    expect(RenderedTraceSchema.parse(rendered)).toEqual(rendered);
    expect(elidedChars).toBe(0);
    expect(rendered).toEqual({
      id: 't1',
      source: 'codex-rollout',
      startTime: '2026-11-24T20:58:02.891Z',
      cwd: '/home/user/repo',
      models: ['gpt-5.5'],
      totalTokens: 0,
      task: 'Task of t1: fix the failing test in src/index.ts',
      finalAnswer: 'Answer of t1: fixed.',
      spans: [
        { id: 'turn-1', kind: 'turn', name: 'turn', status: 'ok' },
        { id: 'resp-2', kind: 'model_call', name: 'gpt-5.5', status: 'error', error: 'rate limited' },
        {
          id: 'call-1',
          kind: 'tool_call',
          name: 'exec_command',
          status: 'error',
          error: 'command exited with code 1',
          exitCode: 1,
          input: '{"cmd":"npm test"}',
          output: 'Process exited with code 1\nFAIL',
        },
      ],
    });
  });

  it('points back to the task and answer instead of repeating them', () => {
    const task = 'Please refactor the parser so that it streams lines instead of reading the whole file.';
    const answer = 'Done: the parser now streams lines and never holds more than one line in memory.';
    const trace = makeTrace(
      't2',
      [span('u', { kind: 'message', name: 'user', input: task }), span('a', { kind: 'message', name: 'assistant', output: answer })],
      { task, finalAnswer: answer },
    );
    const spans = renderTrace(trace).trace.spans as RenderedSpan[];
    expect(spans.map((s) => s.input ?? s.output)).toEqual(['[same as task]', '[same as finalAnswer]']);
  });

  it('cuts the middle of a tool output longer than 16,000 characters', () => {
    const trace = makeTrace('t3', [span('call', { output: toolOutput(100_000) })]);
    const { trace: rendered, elidedChars } = renderTrace(trace);
    const output = (rendered.spans[0] as RenderedSpan).output!;
    expect(output).toMatch(MARKER);
    expect(output.length).toBeLessThan(16_200);
    expect(elidedChars).toBe(num(MARKER.exec(output)![1]!));
  });
});
