/**
 * The drawdown chart's numbers. The API gives drawdown as a positive share of the running peak
 * (0.04 = 4% below it); the chart draws it underwater, below zero, and its headline is the worst
 * point it draws, so the two can never disagree.
 */
import type { PerformanceOut } from '@/lib/api-types';

export interface DrawdownPoint {
  t: number;
  /** Negative or zero: how far under the peak, for an underwater chart. */
  underwater: number;
}

export function drawdownPoints(performance: PerformanceOut): DrawdownPoint[] {
  return performance.drawdown.map((point) => ({ t: Date.parse(point.at), underwater: -Number(point.drawdown) }));
}

/** The worst drawdown of the plotted points, as a positive share (0 when there are none). */
export function worstDrawdown(points: readonly DrawdownPoint[]): number {
  return points.reduce((worst, point) => Math.max(worst, -point.underwater), 0);
}

export interface PercentAxis {
  /** Lowest value of the axis (negative or zero); the top is always 0. */
  low: number;
  ticks: number[];
  /** Decimal places that keep every tick label distinct. */
  digits: number;
}

const STEPS = [1, 2, 2.5, 5];

/**
 * A 0-to-`-worst` axis with about `count` ticks at round steps (1, 2, 2.5 or 5 times a power of
 * ten) and just enough decimals that no two labels read the same ("0%, 0%, 1%" never again).
 */
export function underwaterAxis(worst: number, count = 5): PercentAxis {
  const depth = Number.isFinite(worst) && worst > 0 ? worst : 0.01;
  const rough = depth / Math.max(1, count - 1);
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = (STEPS.find((candidate) => candidate * power >= rough) ?? 10) * power;
  const n = Math.ceil(depth / step - 1e-9);
  const ticks = Array.from({ length: n + 1 }, (_, i) => -Number((i * step).toPrecision(12)));
  // decimals of the step in percent: 0.25% needs 2, 0.5% needs 1, 5% needs 0
  const percentStep = step * 100;
  let digits = 0;
  while (digits < 6 && Math.abs(Math.round(percentStep * 10 ** digits) - percentStep * 10 ** digits) > 1e-6) digits += 1;
  return { low: ticks[ticks.length - 1] ?? 0, ticks, digits };
}
