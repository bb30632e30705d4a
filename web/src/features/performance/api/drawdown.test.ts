import { describe, expect, it } from 'vitest';

import { formatPercent } from '@/lib/format';
import { underwaterAxis, worstDrawdown } from './drawdown';

const labels = (worst: number) => {
  const axis = underwaterAxis(worst);
  return axis.ticks.map((tick) => formatPercent(tick, { digits: axis.digits }));
};

describe('drawdown axis', () => {
  it('labels a 1.4% to 4% drawdown with distinct round percentages', () => {
    expect(labels(0.04)).toEqual(['0%', '−1%', '−2%', '−3%', '−4%']);
    expect(labels(0.014)).toEqual(['0.0%', '−0.5%', '−1.0%', '−1.5%']);
  });

  it('never repeats a label, whatever the depth', () => {
    for (const worst of [0.0003, 0.0049, 0.012, 0.0345, 0.2, 0.5, 1]) {
      const text = labels(worst);
      expect(new Set(text).size).toBe(text.length);
      expect(underwaterAxis(worst).low).toBeLessThanOrEqual(-worst);
    }
  });

  it('draws a flat book on a small axis rather than none', () => {
    expect(underwaterAxis(0).ticks.length).toBeGreaterThan(1);
  });

  it('takes the headline from the worst plotted point, not from zero', () => {
    const points = [0, -0.014, -0.04, -0.02].map((underwater, t) => ({ t, underwater }));
    expect(worstDrawdown(points)).toBe(0.04);
    expect(formatPercent(worstDrawdown(points))).toBe('4.0%');
    expect(worstDrawdown([])).toBe(0);
  });
});
