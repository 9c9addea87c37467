import { describe, expect, it } from 'vitest';
import { renderPassRateChart, type ChartPoint } from '../../../src/report/svg-chart.js';

const point = (cycle: number, value: number, tone: ChartPoint['tone'] = 'improved'): ChartPoint => ({
  cycle,
  value,
  label: `Cycle ${cycle}`,
  tone,
  title: `Cycle ${cycle}`,
});

describe('renderPassRateChart', () => {
  it('draws one point per cycle, each with its data-cycle, and a separate baseline marker', () => {
    const svg = renderPassRateChart([point(1, 0.5), point(2, 0.75), point(3, 0.75, 'abandoned')], { value: 0.25, title: 'before' });
    expect([...svg.matchAll(/data-cycle="(\d+)"/g)].map((m) => m[1])).toEqual(['1', '2', '3']);
    expect(svg.match(/data-baseline/g)).toHaveLength(1);
    expect(svg).toContain('<polyline');
    expect(svg).toContain('>75%<');
  });

  it('puts a higher pass rate higher on the chart', () => {
    const svg = renderPassRateChart([point(1, 0.2), point(2, 0.9)]);
    const ys = [...svg.matchAll(/data-cycle="\d+"[^>]* cy="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(ys).toHaveLength(2);
    expect(ys[1]).toBeLessThan(ys[0]!);
  });

  it('escapes tooltip text', () => {
    const svg = renderPassRateChart([{ ...point(1, 0.5), title: '<script>x</script>' }]);
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&lt;script&gt;x&lt;/script&gt;');
  });

  it('draws a single point without a line', () => {
    const svg = renderPassRateChart([point(1, 0.5)]);
    expect(svg).not.toContain('<polyline');
    expect(svg.match(/data-cycle=/g)).toHaveLength(1);
  });
});
