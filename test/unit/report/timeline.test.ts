import { describe, expect, it } from 'vitest';
import type { ReportSpan } from '../../../src/report/model.js';
import { layoutSpans, renderTimeline } from '../../../src/report/timeline.js';

function span(id: string, startTime: string | null, durationMs: number | null, over: Partial<ReportSpan> = {}): ReportSpan {
  return {
    id,
    parentId: null,
    kind: 'tool_call',
    name: 'exec_command',
    label: id,
    startTime,
    durationMs,
    status: 'ok',
    error: null,
    exitCode: null,
    input: null,
    output: null,
    ...over,
  };
}

describe('layoutSpans', () => {
  it('places bars by start time and duration over the trace range', () => {
    const bars = layoutSpans(
      [span('a', '2026-01-01T00:00:00.000Z', 1000), span('b', '2026-01-01T00:00:01.000Z', 500)],
      '2026-01-01T00:00:00.000Z',
      '2026-01-01T00:00:02.000Z',
    );
    expect(bars).toEqual([
      { left: 0, width: 50, instant: false },
      { left: 50, width: 25, instant: false },
    ]);
  });

  it('puts a span without a time right after the span before it', () => {
    const bars = layoutSpans([span('a', '2026-01-01T00:00:00.000Z', 1000), span('b', null, null)], '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:02.000Z');
    expect(bars[1]).toEqual({ left: 50, width: 0.6, instant: true });
  });

  it('lays spans out in order, one slot each, when none has a time', () => {
    expect(layoutSpans([span('a', null, null), span('b', null, null)], null, null)).toEqual([
      { left: 0, width: 50, instant: false },
      { left: 50, width: 50, instant: false },
    ]);
  });
});

describe('renderTimeline', () => {
  it('marks error spans, shows the exit code and keeps tool output in a details row, escaped', () => {
    const html = renderTimeline(
      [span('a<b>', '2026-01-01T00:00:00.000Z', 10, { status: 'error', exitCode: 2, error: '<img src=x>', output: { text: '<script>', omitted: 5 } })],
      3,
      '2026-01-01T00:00:00.000Z',
      '2026-01-01T00:00:01.000Z',
    );
    expect(html).toContain('class="span kind-tool_call failed"');
    expect(html).toContain('exit 2');
    expect(html).toContain('data-span-id="a&lt;b&gt;"');
    expect(html).toContain('<pre>&lt;script&gt;</pre>');
    expect(html).toContain('5 more characters not shown');
    expect(html).toContain('2 more spans not shown');
    expect(html).not.toMatch(/<(script|img)/);
  });
});
