import { describe, expect, it } from 'vitest';
import { clipText, clipValue, escapeHtml, formatDuration, formatPercent, renderInlineCode, traceAnchor } from '../../../src/report/html.js';

describe('escapeHtml', () => {
  it('escapes every character that could open a tag or close an attribute', () => {
    expect(escapeHtml(`<script>a="1" & b='2'</script>`)).toBe('&lt;script&gt;a=&quot;1&quot; &amp; b=&#39;2&#39;&lt;/script&gt;');
  });

  it('replaces NUL and prints null and numbers as text', () => {
    expect(escapeHtml('a\u0000b')).toBe('a\uFFFDb');
    expect(escapeHtml(null)).toBe('');
    expect(escapeHtml(42)).toBe('42');
  });
});

describe('traceAnchor', () => {
  it('keeps a Codex thread id as it is', () => {
    expect(traceAnchor('01a213bb-e969-7ea2-bb83-ae5a56c1ce7f')).toBe('trace-01a213bb-e969-7ea2-bb83-ae5a56c1ce7f');
  });

  it('reduces any other id to safe characters and still tells ids apart', () => {
    const a = traceAnchor('x "y" <1>');
    const b = traceAnchor('x "y" <2>');
    expect(a).toMatch(/^trace-[A-Za-z0-9_-]+$/);
    expect(b).toMatch(/^trace-[A-Za-z0-9_-]+$/);
    expect(a).not.toBe(b);
    expect(traceAnchor('a/b')).not.toBe(traceAnchor('a_b'));
  });
});

describe('renderInlineCode', () => {
  it('turns backtick spans into code and escapes inside and out', () => {
    expect(renderInlineCode('set `a<b>` in <x>')).toBe('set <code>a&lt;b&gt;</code> in &lt;x&gt;');
  });

  it('keeps an unpaired backtick as text', () => {
    expect(renderInlineCode('`a` and `b')).toBe('<code>a</code> and `b');
  });
});

describe('clipValue', () => {
  it('pretty-prints a string that holds a JSON object, as Codex tool arguments do', () => {
    expect(clipValue('{"cmd":"ls"}', 100)).toEqual({ text: '{\n  "cmd": "ls"\n}', omitted: 0 });
  });

  it('cuts long text and counts what it left out', () => {
    expect(clipText('abcdef', 4)).toEqual({ text: 'abcd', omitted: 2 });
    expect(clipValue({ a: 'x'.repeat(50) }, 10)?.omitted).toBeGreaterThan(0);
    expect(clipValue(undefined, 10)).toBeNull();
  });
});

describe('formatting', () => {
  it('shows rates and durations the way people read them', () => {
    expect(formatPercent(0.8)).toBe('80%');
    expect(formatPercent(3 / 7)).toBe('42.9%');
    expect(formatDuration(0.004)).toBe('<0.01 ms');
    expect(formatDuration(302)).toBe('302 ms');
    expect(formatDuration(2400)).toBe('2.4 s');
    expect(formatDuration(185_000)).toBe('3 min 5 s');
  });
});
