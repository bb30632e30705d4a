import {
  Area,
  AreaChart,
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';

import { ChartFigure, SERIES } from '@/components/ui/chart-figure';
import type { ConfidenceIntervalRead, PerformanceOut } from '@/lib/api-types';
import { formatDate, formatKickoff, formatMoney, formatPercent, formatSignedMoney } from '@/lib/format';
import { clvHistogram } from '@/features/performance/api/csv';
import { drawdownPoints, underwaterAxis, worstDrawdown } from '@/features/performance/api/drawdown';

const dateTick = (value: number) => formatDate(new Date(value).toISOString());
const DAYS_2 = 2 * 24 * 60 * 60 * 1000;

/** Dates on the time axis, or times of day when the series spans under two days (else every tick reads the same date). */
function timeTick(points: readonly { t: number }[]): (value: number) => string {
  const span = points.length ? (points[points.length - 1]?.t ?? 0) - (points[0]?.t ?? 0) : 0;
  return span < DAYS_2 ? (value) => formatKickoff(new Date(value).toISOString()) : dateTick;
}

/** " (95% CI −1.20% to +3.40%, t)" or nothing. */
export function formatInterval(interval: ConfidenceIntervalRead | null | undefined): string {
  if (!interval) return '';
  const bound = (value: string) => formatPercent(value, { signed: true, digits: 2 });
  return ` (95% CI ${bound(interval.low)} to ${bound(interval.high)}, ${interval.method === 't' ? 't-interval' : 'Wilson'})`;
}

export function PnlChart({ performance, currency }: { performance: PerformanceOut; currency: string }) {
  const points = performance.bankroll.map((point) => ({
    t: Date.parse(point.at),
    equity: point.equity_minor / 100,
    cash: point.bankroll_minor / 100,
  }));
  const first = performance.bankroll[0];
  const last = performance.bankroll[performance.bankroll.length - 1];
  return (
    <ChartFigure
      name="pnl"
      caption={`Equity (cash plus open stakes at their stake) and cash, with deposits and withdrawals at their time${
        first && last
          ? `: equity ${formatMoney(first.equity_minor, currency)} to ${formatMoney(last.equity_minor, currency)}`
          : ''
      }; profit on settled bets ${formatSignedMoney(performance.summary.profit_minor, currency)}.`}
    >
      {points.length === 0 ? (
        <p className="py-10 text-center text-sm text-muted">No money moved in this range.</p>
      ) : (
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={points} margin={{ top: 8, right: 16, bottom: 4, left: 8 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="t" type="number" scale="time" domain={['dataMin', 'dataMax']} tickFormatter={timeTick(points)} minTickGap={40} />
            <YAxis width={84} tickFormatter={(value: number) => formatMoney(Math.round(value * 100), currency)} />
            <Tooltip
              labelFormatter={(value) => formatKickoff(new Date(Number(value)).toISOString())}
              formatter={(value) => formatMoney(Math.round(Number(value) * 100), currency)}
            />
            <Legend />
            <Line type="stepAfter" dataKey="equity" name="Equity" stroke={SERIES.bankroll} strokeWidth={2} dot={false} isAnimationActive={false} />
            <Line
              type="stepAfter"
              dataKey="cash"
              name="Cash"
              stroke={SERIES.profit}
              strokeWidth={1.5}
              strokeDasharray="4 3"
              dot={false}
              isAnimationActive={false}
            />
          </LineChart>
        </ResponsiveContainer>
      )}
    </ChartFigure>
  );
}

export function DrawdownChart({ performance }: { performance: PerformanceOut }) {
  const points = drawdownPoints(performance);
  const worst = worstDrawdown(points);
  const axis = underwaterAxis(worst);
  return (
    <ChartFigure
      name="drawdown"
      caption={
        <>
          Drawdown of the time-weighted equity from its running peak (deposits and withdrawals are not gains or
          losses); worst <span data-testid="drawdown-worst">{formatPercent(worst)}</span>.
        </>
      }
    >
      {points.length === 0 ? (
        <p className="py-10 text-center text-sm text-muted">No drawdown series in this range.</p>
      ) : (
        <ResponsiveContainer width="100%" height="100%">
          <AreaChart data={points} margin={{ top: 12, right: 16, bottom: 4, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="t" type="number" scale="time" domain={['dataMin', 'dataMax']} tickFormatter={timeTick(points)} minTickGap={40} />
            <YAxis
              width={56}
              domain={[axis.low, 0]}
              ticks={axis.ticks}
              interval={0}
              allowDataOverflow
              tickFormatter={(value: number) => formatPercent(value, { digits: axis.digits })}
            />
            <Tooltip
              labelFormatter={(value) => formatKickoff(new Date(Number(value)).toISOString())}
              formatter={(value) => [formatPercent(-Number(value)), 'Below the peak']}
            />
            <ReferenceLine y={0} stroke="currentColor" />
            <Area
              type="stepAfter"
              dataKey="underwater"
              name="Drawdown"
              stroke={SERIES.drawdown}
              fill={SERIES.drawdown}
              fillOpacity={0.35}
              isAnimationActive={false}
            />
          </AreaChart>
        </ResponsiveContainer>
      )}
    </ChartFigure>
  );
}

export function ClvChart({ performance }: { performance: PerformanceOut }) {
  const values = performance.clv.map((point) => Number(point.clv));
  const bins = clvHistogram(values);
  const positive = values.filter((value) => value > 0).length;
  return (
    <ChartFigure
      name="clv"
      caption={`Closing-line value of ${values.length} settled bets in 2-point bins; ${positive} beat the close; mean ${formatPercent(
        performance.summary.clv_mean,
        { signed: true, digits: 2 },
      )}${formatInterval(performance.summary.clv_ci95)}.`}
    >
      {bins.length === 0 ? (
        <p className="py-10 text-center text-sm text-muted">No bet with a closing price in this range.</p>
      ) : (
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={bins} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="label" minTickGap={8} />
            <YAxis allowDecimals={false} width={36} />
            <Tooltip formatter={(value) => [String(value), 'Bets']} />
            <Bar dataKey="count" name="Bets" fill={SERIES.profit} isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      )}
    </ChartFigure>
  );
}
