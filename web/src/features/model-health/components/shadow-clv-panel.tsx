import { Bar, BarChart, CartesianGrid, ErrorBar, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

import { ChartFigure, SERIES } from '@/components/ui/chart-figure';
import { Badge, Panel, rowClass, tableClass, TableFrame, td, th } from '@/components/ui/layout';
import { ErrorState, Spinner } from '@/components/ui/states';
import type { ShadowClvRow } from '@/lib/api-types';
import { formatCount, formatPercent } from '@/lib/format';
import { useShadowClv } from '@/features/model-health/api/shadow-clv';

type Verdict = 'edge' | 'no edge' | 'open';
const VERDICT_TONE = { edge: 'up', 'no edge': 'down', open: 'neutral' } as const;

/** Proved when the whole 95% interval is above zero, refuted when below, open otherwise. */
function verdict(row: ShadowClvRow): Verdict {
  if (row.ci95_low !== null && row.ci95_low > 0) return 'edge';
  if (row.ci95_high !== null && row.ci95_high < 0) return 'no edge';
  return 'open';
}

function interval(row: ShadowClvRow): string {
  if (row.ci95_low === null || row.ci95_high === null) return '—';
  return `${formatPercent(row.ci95_low, { digits: 2, signed: true })} to ${formatPercent(row.ci95_high, { digits: 2, signed: true })}`;
}

/** Mean shadow CLV by time to kick-off with its 95% interval: an edge the market prices in decays towards zero. */
export function EdgeDecayChart({ decay }: { decay: ShadowClvRow[] }) {
  const data = decay.map((row) => ({
    bucket: row.bucket,
    mean: row.mean,
    error:
      row.mean !== null && row.ci95_low !== null && row.ci95_high !== null
        ? [row.mean - row.ci95_low, row.ci95_high - row.mean]
        : [0, 0],
    bets: row.n_bets,
  }));
  const shown = decay.filter((row) => row.mean !== null);
  return (
    <ChartFigure
      name="edge-decay"
      caption={`Edge decay: mean shadow CLV (bars) with its 95% interval by time from prediction to kick-off${
        shown.length ? `; ${shown.map((row) => `${row.bucket} ${formatPercent(row.mean, { digits: 2, signed: true })} (${formatCount(row.n_bets)} bets)`).join(', ')}` : ''
      }.`}
    >
      {shown.length === 0 ? (
        <p className="py-10 text-center text-sm text-muted">No shadow bets in the window.</p>
      ) : (
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={data} margin={{ top: 8, right: 16, bottom: 4, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis dataKey="bucket" />
            <YAxis width={56} tickFormatter={(v: number) => formatPercent(v, { digits: 1 })} />
            <ReferenceLine y={0} stroke="currentColor" />
            <Tooltip formatter={(value) => formatPercent(Number(value), { digits: 2, signed: true })} />
            <Bar dataKey="mean" name="Mean CLV" fill={SERIES.model} isAnimationActive={false}>
              <ErrorBar dataKey="error" width={6} stroke="currentColor" />
            </Bar>
          </BarChart>
        </ResponsiveContainer>
      )}
    </ChartFigure>
  );
}

/** Would the model's fair prices have beaten the close? Per league, market and time to kick-off. */
export function ShadowClvPanel({ days }: { days: number }) {
  const shadow = useShadowClv(days);
  if (shadow.isPending) return <Spinner label="Measuring shadow CLV…" />;
  if (shadow.isError) return <ErrorState error={shadow.error} title="Could not load the shadow CLV" />;
  const report = shadow.data;
  const rows = [report.overall, ...report.rows];
  return (
    <div className="grid gap-4 lg:grid-cols-3">
      <Panel title="Shadow CLV" className="lg:col-span-2">
        <p className="mb-2 text-xs text-muted" data-testid="shadow-clv-definition">
          {report.definition}
        </p>
        <TableFrame label="Shadow CLV">
          <table className={tableClass}>
            <thead>
              <tr>
                <th scope="col" className={th}>League</th>
                <th scope="col" className={th}>Market</th>
                <th scope="col" className={th}>To kick-off</th>
                <th scope="col" className={th}>Bets</th>
                <th scope="col" className={th}>Mean CLV</th>
                <th scope="col" className={th}>95% interval</th>
                <th scope="col" className={th}>Bets needed</th>
                <th scope="col" className={th}>Verdict</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={`${row.league}-${row.market}-${row.bucket}`} className={rowClass} data-testid="shadow-clv-row">
                  <td className={td}>{row.league}</td>
                  <td className={td}>{row.market}</td>
                  <td className={td}>{row.bucket}</td>
                  <td className={`${td} tabular-nums`}>{formatCount(row.n_bets)}</td>
                  <td className={`${td} tabular-nums`}>{formatPercent(row.mean, { digits: 2, signed: true })}</td>
                  <td className={`${td} tabular-nums`}>{interval(row)}</td>
                  <td className={`${td} tabular-nums`}>{row.bets_needed ?? '—'}</td>
                  <td className={td}>
                    <Badge tone={VERDICT_TONE[verdict(row)]}>{verdict(row)}</Badge>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableFrame>
      </Panel>
      <Panel title="Edge decay">
        <EdgeDecayChart decay={report.decay} />
      </Panel>
    </div>
  );
}
