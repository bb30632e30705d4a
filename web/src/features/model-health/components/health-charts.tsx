import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Scatter,
  ScatterChart,
  Tooltip,
  XAxis,
  YAxis,
  ZAxis,
} from 'recharts';

import { ChartFigure, SERIES } from '@/components/ui/chart-figure';
import type { ReliabilityBin, RollingPoint } from '@/lib/api-types';
import { formatDate, formatDecimal, formatPercent } from '@/lib/format';

const SELECTION_COLOURS: Record<string, string> = { home: SERIES.home, draw: SERIES.draw, away: SERIES.away };

/** Predicted probability against observed frequency per bin; a calibrated model sits on the diagonal. */
export function ReliabilityChart({ bins }: { bins: ReliabilityBin[] }) {
  const selections = [...new Set(bins.map((bin) => bin.selection))];
  const worst = bins.reduce(
    (max, bin) => (bin.count > 0 ? Math.max(max, Math.abs(bin.observed_rate - bin.predicted_mean)) : max),
    0,
  );
  return (
    <ChartFigure
      name="reliability"
      height="h-72"
      caption={`Reliability: predicted probability (x) against observed frequency (y) for ${bins.length} bins; the diagonal is perfect calibration. Largest gap ${formatPercent(worst)}.`}
    >
      {bins.length === 0 ? (
        <p className="py-10 text-center text-sm text-muted">No settled predictions in the window.</p>
      ) : (
        <ResponsiveContainer width="100%" height="100%">
          <ScatterChart margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis type="number" dataKey="predicted_mean" name="Predicted" domain={[0, 1]} tickFormatter={(v: number) => formatPercent(v, { digits: 0 })} />
            <YAxis type="number" dataKey="observed_rate" name="Observed" domain={[0, 1]} width={44} tickFormatter={(v: number) => formatPercent(v, { digits: 0 })} />
            <ZAxis type="number" dataKey="count" range={[30, 200]} name="Matches" />
            <ReferenceLine
              segment={[
                { x: 0, y: 0 },
                { x: 1, y: 1 },
              ]}
              stroke="currentColor"
              strokeDasharray="4 4"
              ifOverflow="visible"
            />
            <Tooltip formatter={(value, name) => (name === 'Matches' ? String(value) : formatPercent(Number(value)))} />
            <Legend />
            {selections.map((selection) => (
              <Scatter
                key={selection}
                name={selection}
                data={bins.filter((bin) => bin.selection === selection).sort((a, b) => a.predicted_mean - b.predicted_mean)}
                fill={SELECTION_COLOURS[selection] ?? SERIES.model}
                line
                isAnimationActive={false}
              />
            ))}
          </ScatterChart>
        </ResponsiveContainer>
      )}
    </ChartFigure>
  );
}

/** A rolling score of the model against the de-margined market (lower is better). */
export function RollingChart({ points, metric }: { points: RollingPoint[]; metric: 'rps' | 'log_loss' }) {
  const title = metric === 'rps' ? 'RPS' : 'log loss';
  const data = points.map((point) => ({
    t: Date.parse(point.at),
    model: metric === 'rps' ? point.rps_model : point.log_loss_model,
    market: metric === 'rps' ? point.rps_market : point.log_loss_market,
  }));
  const last = data[data.length - 1];
  return (
    <ChartFigure
      name={metric === 'rps' ? 'rolling-rps' : 'rolling-logloss'}
      caption={`Rolling ${title} of the model and the market (lower is better)${
        last ? `; latest model ${formatDecimal(last.model)}, market ${formatDecimal(last.market)}` : ''
      }.`}
    >
      {data.length === 0 ? (
        <p className="py-10 text-center text-sm text-muted">Not enough settled matches for a rolling window.</p>
      ) : (
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={data} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="t" type="number" scale="time" domain={['dataMin', 'dataMax']} tickFormatter={(v: number) => formatDate(new Date(v).toISOString())} minTickGap={40} />
            <YAxis domain={['auto', 'auto']} width={52} tickFormatter={(v: number) => formatDecimal(v, 3)} />
            <Tooltip labelFormatter={(v) => formatDate(new Date(Number(v)).toISOString())} formatter={(v) => formatDecimal(Number(v))} />
            <Legend />
            <Line type="monotone" dataKey="model" name="Model" stroke={SERIES.model} strokeWidth={2} dot={false} isAnimationActive={false} />
            <Line
              type="monotone"
              dataKey="market"
              name="Market"
              stroke={SERIES.market}
              strokeWidth={2}
              strokeDasharray="5 3"
              dot={false}
              connectNulls
              isAnimationActive={false}
            />
          </LineChart>
        </ResponsiveContainer>
      )}
    </ChartFigure>
  );
}
