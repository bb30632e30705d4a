/**
 * Every bet of a portfolio, open, settled or void, newest first: filters in the page's search
 * parameters (so a filtered view can be linked), a table whose first column stays pinned while
 * the rest scrolls inside its own labelled region on a phone (CLV, P&L and the result come first,
 * so a phone shows them beside the fixture), and the CSV export of the same bets.
 */
import { Link, useSearchParams } from 'react-router';

import { Button } from '@/components/ui/button';
import { SelectField, TextField } from '@/components/ui/field';
import { PageHeader, Panel, rowClass, tableClass, TableFrame, td, th } from '@/components/ui/layout';
import { EmptyState, ErrorState, Spinner } from '@/components/ui/states';
import type { BetHistoryOut } from '@/lib/api-types';
import { formatBookmaker, formatKickoff, formatMoney, formatOdds } from '@/lib/format';
import { useCompetitions, usePortfolios } from '@/lib/queries';
import {
  FILTER_NAMES,
  HISTORY_PAGE,
  historyCsvUrl,
  useBetHistory,
  type HistoryFilters,
} from '@/features/bets/api/history';
import { closingText, clvText, profitText, ResultBadge, selectionText, tone } from './bet-cells';

const pinned = 'sticky left-0 z-[1] bg-panel';

function HistoryTable({ bets }: { bets: BetHistoryOut[] }) {
  return (
    <TableFrame label="Bet history">
      <table className={`${tableClass} stack-on-phone`}>
        <thead>
          <tr>
            <th scope="col" className={`${th} ${pinned}`}>Fixture</th>
            <th scope="col" className={`${th} text-right`}>CLV</th>
            <th scope="col" className={`${th} text-right`}>P&amp;L</th>
            <th scope="col" className={th}>Result</th>
            <th scope="col" className={`${th} text-right`}>Odds</th>
            <th scope="col" className={`${th} text-right`}>Close</th>
            <th scope="col" className={`${th} text-right`}>Stake</th>
            <th scope="col" className={th}>Selection</th>
            <th scope="col" className={th}>Bookmaker</th>
            <th scope="col" className={th}>Placed</th>
          </tr>
        </thead>
        <tbody>
          {bets.map((bet) => (
            <tr key={bet.id} data-testid="history-row" data-bet-id={bet.id} data-status={bet.status} className={rowClass}>
              <th scope="row" className={`${td} ${pinned} text-left font-medium`}>
                <Link className="underline-offset-2 hover:underline" to={`/bets/${bet.id}`}>
                  {bet.home_team} v {bet.away_team}
                </Link>{' '}
                <span className="text-xs font-normal text-muted">{bet.competition}</span>
              </th>
              <td className={`${td} text-right ${tone(bet.clv)}`} data-testid="history-clv" data-label="CLV">{clvText(bet)}</td>
              <td className={`${td} text-right ${tone(bet.profit_minor)}`} data-testid="history-pnl" data-label="P&L">{profitText(bet)}</td>
              <td className={td} data-label="Result">
                <ResultBadge bet={bet} />
              </td>
              <td className={`${td} text-right`} data-label="Odds">{formatOdds(bet.odds)}</td>
              <td className={`${td} text-right`} data-testid="history-close" data-label="Close">{closingText(bet)}</td>
              <td className={`${td} text-right`} data-label="Stake">{formatMoney(bet.stake_minor, bet.currency)}</td>
              <td className={td} data-label="Selection">{selectionText(bet)}</td>
              <td className={td} data-label="Bookmaker">{formatBookmaker(bet.bookmaker)}</td>
              <td className={td} data-label="Placed">{formatKickoff(bet.placed_at)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableFrame>
  );
}

function Filters({ filters, update }: { filters: HistoryFilters; update: (key: string, value: string) => void }) {
  const competitions = useCompetitions().data?.items ?? [];
  return (
    <form
      aria-label="Bet filters"
      className="mb-4 grid grid-cols-2 gap-2 sm:grid-cols-4 lg:grid-cols-7"
      onSubmit={(event) => event.preventDefault()}
    >
      <TextField label="Placed from" type="date" value={filters.start} onChange={(event) => update('start', event.target.value)} />
      <TextField label="Placed to" type="date" value={filters.end} onChange={(event) => update('end', event.target.value)} />
      <SelectField label="Competition" value={filters.competition} onChange={(event) => update('competition', event.target.value)}>
        <option value="">All</option>
        {competitions.map((item) => (
          <option key={item.code} value={item.code}>
            {item.code}
          </option>
        ))}
      </SelectField>
      <SelectField label="Market" value={filters.market} onChange={(event) => update('market', event.target.value)}>
        <option value="">All</option>
        <option value="1x2">1X2</option>
        <option value="over_under">Over/under</option>
        <option value="asian_handicap">Asian handicap</option>
      </SelectField>
      <TextField
        label="Bookmaker"
        value={filters.bookmaker}
        placeholder="PS, B365…"
        maxLength={16}
        onChange={(event) => update('bookmaker', event.target.value.toUpperCase())}
      />
      <SelectField label="Status" value={filters.status} onChange={(event) => update('status', event.target.value)}>
        <option value="">All</option>
        <option value="open">Open</option>
        <option value="settled">Settled</option>
        <option value="void">Void</option>
      </SelectField>
      <SelectField label="Result" value={filters.outcome} onChange={(event) => update('outcome', event.target.value)}>
        <option value="">All</option>
        <option value="won">Won</option>
        <option value="half_won">Half won</option>
        <option value="push">Push</option>
        <option value="half_lost">Half lost</option>
        <option value="lost">Lost</option>
        <option value="void">Void</option>
      </SelectField>
    </form>
  );
}

export function HistoryPage() {
  const portfolios = usePortfolios();
  const [params, setParams] = useSearchParams();
  const items = portfolios.data?.items ?? [];
  const portfolio = items.find((item) => item.id === Number(params.get('portfolio'))) ?? items[0];
  const filters = Object.fromEntries(FILTER_NAMES.map((name) => [name, params.get(name) ?? ''])) as unknown as HistoryFilters;
  const offset = Math.max(0, Number(params.get('offset')) || 0);
  const history = useBetHistory(portfolio?.id, filters, offset);

  const update = (key: string, value: string) =>
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        if (value) next.set(key, value);
        else next.delete(key);
        if (key !== 'offset') next.delete('offset');
        return next;
      },
      { replace: true },
    );

  if (portfolios.isPending) return <Spinner />;
  if (portfolios.isError) return <ErrorState error={portfolios.error} title="Could not load your portfolios" />;
  if (!portfolio) {
    return (
      <>
        <PageHeader title="Bet history" />
        <EmptyState title="No portfolio yet">Create one on the Portfolio page; its bets show here.</EmptyState>
      </>
    );
  }
  const total = history.data?.total ?? 0;
  return (
    <>
      <PageHeader title="Bet history">
        <SelectField label="Portfolio" value={String(portfolio.id)} onChange={(event) => update('portfolio', event.target.value)}>
          {items.map((item) => (
            <option key={item.id} value={String(item.id)}>
              {item.name} ({item.currency})
            </option>
          ))}
        </SelectField>
      </PageHeader>
      <Filters filters={filters} update={update} />
      <Panel
        title={`Bets${history.data ? ` (${total})` : ''}`}
        actions={
          <a
            className="rounded-md border border-line px-2.5 py-1.5 text-sm hover:bg-panel-2"
            href={historyCsvUrl(portfolio.id, filters)}
            download
            data-testid="history-csv"
          >
            Export CSV
          </a>
        }
      >
        <p className="mb-2 text-xs text-muted">
          Close is the bet&apos;s own bookmaker&apos;s closing price of the same market and line; where that bookmaker
          never closed it, the market&apos;s close (Pinnacle&apos;s), marked &ldquo;market&rdquo;. CLV is odds taken over the
          close, less one. P&amp;L is payout less stake, once the bet is settled or void.
        </p>
        {history.isPending ? (
          <Spinner />
        ) : history.isError ? (
          <ErrorState error={history.error} title="Could not load the bets" />
        ) : history.data.items.length === 0 ? (
          <EmptyState title="No bets match">Change the filters, or place a bet from the live board.</EmptyState>
        ) : (
          <>
            <HistoryTable bets={history.data.items} />
            <div className="mt-3 flex flex-wrap items-center justify-between gap-2 text-sm text-muted">
              <span>
                {offset + 1}–{Math.min(offset + HISTORY_PAGE, total)} of {total}
              </span>
              <div className="flex gap-2">
                <Button size="sm" disabled={offset === 0} onClick={() => update('offset', String(Math.max(0, offset - HISTORY_PAGE)))}>
                  Newer
                </Button>
                <Button
                  size="sm"
                  disabled={offset + HISTORY_PAGE >= total}
                  onClick={() => update('offset', String(offset + HISTORY_PAGE))}
                >
                  Older
                </Button>
              </div>
            </div>
          </>
        )}
      </Panel>
    </>
  );
}
