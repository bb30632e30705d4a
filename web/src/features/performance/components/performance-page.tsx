import { useSearchParams } from 'react-router';

import { Button } from '@/components/ui/button';
import { SelectField, TextField } from '@/components/ui/field';
import { PageHeader, Panel, rowClass, tableClass, TableFrame, td, th } from '@/components/ui/layout';
import { EmptyState, ErrorState, Spinner } from '@/components/ui/states';
import type { Figures, PerformanceOut } from '@/lib/api-types';
import {
  dateInputToIso,
  formatBookmaker,
  formatCount,
  formatMarket,
  formatMoney,
  formatPercent,
  formatSignedMoney,
  toNumber,
} from '@/lib/format';
import { usePortfolios } from '@/lib/queries';
import { buildPerformanceCsv, downloadCsv } from '@/features/performance/api/csv';
import { drawdownPoints, worstDrawdown } from '@/features/performance/api/drawdown';
import { usePerformance } from '@/features/performance/api/performance';
import { ClvChart, DrawdownChart, PnlChart } from './performance-charts';

function tone(value: number | string | null): string {
  const number = toNumber(value);
  if (number === null || number === 0) return '';
  return number > 0 ? 'text-up' : 'text-down';
}

function SummaryFigures({ performance, currency }: { performance: PerformanceOut; currency: string }) {
  const figures = performance.summary;
  const items: [string, string, string, string?][] = [
    ['Profit', formatSignedMoney(figures.profit_minor, currency), tone(figures.profit_minor)],
    [
      'Expected profit',
      formatSignedMoney(figures.expected_profit_minor, currency),
      tone(figures.expected_profit_minor),
      `over ${formatCount(figures.n_with_edge)} ${figures.n_with_edge === 1 ? 'bet' : 'bets'} with our probability on record, which made ${formatSignedMoney(figures.profit_with_edge_minor, currency)}`,
    ],
    ['ROI', formatPercent(figures.roi, { signed: true, digits: 2 }), tone(figures.roi), 'time-weighted, on capital'],
    ['Yield', formatPercent(figures.yield, { signed: true, digits: 2 }), tone(figures.yield), 'profit / staked'],
    ['Worst drawdown', formatPercent(worstDrawdown(drawdownPoints(performance))), '', 'from the equity peak'],
    ['Staked', formatMoney(figures.staked_minor, currency), ''],
    ['Bets', `${formatCount(figures.n_bets)} (${formatCount(figures.n_won)} won, ${formatCount(figures.n_lost)} lost, ${formatCount(figures.n_returned)} returned)`, ''],
    ['Win rate', formatPercent(figures.win_rate), ''],
    [
      'Mean CLV',
      formatPercent(figures.clv_mean, { signed: true, digits: 2 }),
      tone(figures.clv_mean),
      figures.clv_ci95 ? `95% CI ${formatPercent(figures.clv_ci95.low, { signed: true, digits: 2 })} to ${formatPercent(figures.clv_ci95.high, { signed: true, digits: 2 })}` : `${formatCount(figures.n_with_close)} of ${formatCount(figures.n_bets)} with a close`,
    ],
    [
      'Beat the close',
      formatPercent(figures.beat_close_share),
      '',
      figures.beat_close_ci95 ? `95% CI ${formatPercent(figures.beat_close_ci95.low)} to ${formatPercent(figures.beat_close_ci95.high)}` : '',
    ],
  ];
  return (
    <>
      <dl className="grid grid-cols-2 gap-2 md:grid-cols-5">
        {items.map(([label, value, colour, note]) => (
          <div key={label} className="min-w-0 rounded-md border border-line bg-panel-2 p-3">
            <dt className="text-xs text-muted">{label}</dt>
            <dd className={`text-base font-semibold tabular-nums ${colour}`} data-testid={`figure-${label.toLowerCase().replace(/\W+/g, '-')}`}>
              {value}
            </dd>
            {note ? <dd className="mt-1 text-xs text-muted">{note}</dd> : null}
          </div>
        ))}
      </dl>
      <p className="mt-2 text-xs text-muted" data-testid="figure-definitions">
        Yield is profit over the total staked. ROI is the time-weighted return on the book&apos;s capital: the returns of
        the periods between deposits and withdrawals, chained, so money paid in is not a return. Equity is cash plus
        open stakes at their stake; drawdown is measured on the time-weighted equity. CLV intervals: t-interval for
        the mean, Wilson for the share. Expected profit is the sum of stake × edge at placement.
      </p>
    </>
  );
}

function FiguresTable({
  title,
  rows,
  currency,
  name = (key) => key,
}: {
  title: string;
  rows: Record<string, Figures>;
  currency: string;
  /** How a key is shown: a market by its name, an aggregate as a market figure. */
  name?: (key: string) => string;
}) {
  const keys = Object.keys(rows).sort();
  return (
    <Panel title={title} headingLevel={3}>
      {keys.length === 0 ? (
        <p className="text-sm text-muted">No settled bets.</p>
      ) : (
        <TableFrame label={title}>
          <table className={tableClass}>
            <thead>
              <tr>
                <th scope="col" className={th}>Key</th>
                <th scope="col" className={`${th} text-right`}>Bets</th>
                <th scope="col" className={`${th} text-right`}>Staked</th>
                <th scope="col" className={`${th} text-right`}>Profit</th>
                <th scope="col" className={`${th} text-right`}>Yield</th>
                <th scope="col" className={`${th} text-right`}>Win rate</th>
                <th scope="col" className={`${th} text-right`}>Mean CLV</th>
              </tr>
            </thead>
            <tbody>
              {keys.map((key) => {
                const figures = rows[key];
                if (!figures) return null;
                return (
                  <tr key={key} className={rowClass}>
                    <th scope="row" className={`${td} text-left font-medium`}>{name(key)}</th>
                    <td className={`${td} text-right`}>{formatCount(figures.n_bets)}</td>
                    <td className={`${td} text-right`}>{formatMoney(figures.staked_minor, currency)}</td>
                    <td className={`${td} text-right ${tone(figures.profit_minor)}`}>
                      {formatSignedMoney(figures.profit_minor, currency)}
                    </td>
                    <td className={`${td} text-right ${tone(figures.yield)}`}>{formatPercent(figures.yield, { signed: true })}</td>
                    <td className={`${td} text-right`}>{formatPercent(figures.win_rate)}</td>
                    <td className={`${td} text-right`}>{formatPercent(figures.clv_mean, { signed: true, digits: 2 })}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </TableFrame>
      )}
    </Panel>
  );
}

function Report({ performance, currency, filename }: { performance: PerformanceOut; currency: string; filename: string }) {
  return (
    <div className="grid gap-4">
      <div className="flex justify-end">
        <Button onClick={() => downloadCsv(filename, buildPerformanceCsv(performance, currency))}>Export CSV</Button>
      </div>
      <SummaryFigures performance={performance} currency={currency} />
      {performance.summary.n_bets === 0 ? (
        <EmptyState title="No settled bets in this range">Charts fill in as bets settle.</EmptyState>
      ) : null}
      <div className="grid gap-4 lg:grid-cols-2">
        <Panel title="Equity and cash">
          <PnlChart performance={performance} currency={currency} />
        </Panel>
        <Panel title="Drawdown">
          <DrawdownChart performance={performance} />
        </Panel>
      </div>
      <Panel title="Closing-line value">
        <ClvChart performance={performance} />
      </Panel>
      <section aria-label="Breakdowns" className="grid gap-4 xl:grid-cols-2 min-[1700px]:grid-cols-3">
        <FiguresTable title="By competition" rows={performance.by_competition} currency={currency} />
        <FiguresTable title="By market" rows={performance.by_market} currency={currency} name={formatMarket} />
        <FiguresTable title="By bookmaker" rows={performance.by_bookmaker} currency={currency} name={formatBookmaker} />
      </section>
    </div>
  );
}

export function PerformancePage() {
  const portfolios = usePortfolios();
  const [params, setParams] = useSearchParams();
  const items = portfolios.data?.items ?? [];
  const portfolio = items.find((item) => item.id === Number(params.get('portfolio'))) ?? items[0];
  const startText = params.get('start') ?? '';
  const endText = params.get('end') ?? '';
  const start = dateInputToIso(startText);
  const end = dateInputToIso(endText, true);
  const performance = usePerformance(portfolio?.id, start, end);
  const rangeProblem = start && end && start > end ? 'The start date is after the end date.' : null;

  const update = (key: string, value: string) =>
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        if (value) next.set(key, value);
        else next.delete(key);
        return next;
      },
      { replace: true },
    );

  return (
    <>
      <PageHeader title="Performance" />
      {portfolios.isPending ? (
        <Spinner />
      ) : portfolios.isError ? (
        <ErrorState error={portfolios.error} title="Could not load your portfolios" />
      ) : !portfolio ? (
        <EmptyState title="No portfolio yet">Create one on the Portfolio page; its results show here.</EmptyState>
      ) : (
        <>
          <form
            aria-label="Performance range"
            className="mb-4 grid grid-cols-2 gap-2 sm:grid-cols-4"
            onSubmit={(event) => event.preventDefault()}
          >
            <SelectField label="Portfolio" value={String(portfolio.id)} onChange={(event) => update('portfolio', event.target.value)}>
              {items.map((item) => (
                <option key={item.id} value={String(item.id)}>
                  {item.name} ({item.currency})
                </option>
              ))}
            </SelectField>
            <TextField label="Start date" type="date" value={startText} onChange={(event) => update('start', event.target.value)} />
            <TextField
              label="End date"
              type="date"
              value={endText}
              error={rangeProblem}
              onChange={(event) => update('end', event.target.value)}
            />
          </form>
          {performance.isPending ? (
            <Spinner label="Loading the performance…" />
          ) : performance.isError ? (
            <ErrorState error={performance.error} title="Could not load the performance" />
          ) : (
            <Report
              performance={performance.data}
              currency={portfolio.currency}
              filename={`scoreline-${portfolio.name.replace(/[^\w-]+/g, '_')}-performance${startText ? `-${startText}` : ''}${endText ? `-to-${endText}` : ''}.csv`}
            />
          )}
        </>
      )}
    </>
  );
}
