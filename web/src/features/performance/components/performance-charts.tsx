import {
  Area,
  AreaChart,
  Bar,
  BarChart,
  CartesianGrid,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';

import { ChartFigure, SERIES } from '@/components/ui/chart-figure';
import type { PerformanceOut } from '@/lib/api-types';
import { formatDate, formatMoney, formatPercent, formatSignedMoney } from '@/lib/format';
import { clvHistogram } from '@/features/performance/api/csv';

const dateTick = (value: number) => formatDate(new Date(value).toISOString());

export function PnlChart({ performance, currency }: { performance: PerformanceOut; currency: string }) {
  const points = performance.bankroll.map((point) => ({ t: Date.parse(point.at), bankroll: point.bankroll_minor / 100 }));
  const first = performance.bankroll[0];
  const last = performance.bankroll[performance.bankroll.length - 1];
  return (
    <ChartFigure
      name="pnl"
      caption={`Bankroll over time${
        first && last
          ? `: ${formatMoney(first.bankroll_minor, currency)} to ${formatMoney(last.bankroll_minor, currency)}`
          : ''
      }; profit on settled bets ${formatSignedMoney(performance.summary.profit_minor, currency)}.`}
    >
      {points.length === 0 ? (
        <p className="py-10 text-center text-sm text-muted">No bankroll history in this range.</p>
      ) : (
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={points} margin={{ top: 8, right: 16, bottom: 4, left: 8 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="t" type="number" scale="time" domain={['dataMin', 'dataMax']} tickFormatter={dateTick} minTickGap={40} />
            <YAxis width={70} tickFormatter={(value: number) => formatMoney(Math.round(value * 100), currency)} />
            <Tooltip
              labelFormatter={(value) => dateTick(Number(value))}
              formatter={(value) => formatMoney(Math.round(Number(value) * 100), currency)}
            />
            <Line type="stepAfter" dataKey="bankroll" name="Bankroll" stroke={SERIES.bankroll} strokeWidth={2} dot={false} isAnimationActive={false} />
          </LineChart>
        </ResponsiveContainer>
      )}
    </ChartFigure>
  );
}

export function DrawdownChart({ performance }: { performance: PerformanceOut }) {
  const points = performance.drawdown.map((point) => ({ t: Date.parse(point.at), drawdown: Number(point.drawdown) }));
  const worst = points.reduce((min, point) => Math.min(min, point.drawdown), 0);
  return (
    <ChartFigure name="drawdown" caption={`Drawdown from the running peak (underwater chart); worst ${formatPercent(worst)}.`}>
      {points.length === 0 ? (
        <p className="py-10 text-center text-sm text-muted">No drawdown series in this range.</p>
      ) : (
        <ResponsiveContainer width="100%" height="100%">
          <AreaChart data={points} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="t" type="number" scale="time" domain={['dataMin', 'dataMax']} tickFormatter={dateTick} minTickGap={40} />
            <YAxis width={52} domain={['dataMin', 0]} tickFormatter={(value: number) => formatPercent(value, { digits: 0 })} />
            <Tooltip labelFormatter={(value) => dateTick(Number(value))} formatter={(value) => formatPercent(Number(value))} />
            <ReferenceLine y={0} stroke="currentColor" />
            <Area
              type="stepAfter"
              dataKey="drawdown"
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
      caption={`Closing-line value of ${values.length} settled bets in 2-point bins; ${positive} beat the close; mean ${formatPercent(performance.summary.clv_mean)}.`}
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
