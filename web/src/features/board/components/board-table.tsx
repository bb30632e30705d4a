import { Link } from 'react-router';

import { Button } from '@/components/ui/button';
import { tableClass, TableFrame, th } from '@/components/ui/layout';
import { SortableHeader, type SortState } from '@/components/ui/sortable-header';
import type { BoardRow, BoardSelection } from '@/lib/api-types';
import { formatKickoff, formatMoney, formatOdds, formatPercent, toNumber } from '@/lib/format';
import type { Slot } from '@/features/board/api/board';
import { findSelection, type BoardSortKey } from '@/features/board/api/board-view';
import { cellKey, type FlashDirection } from '@/features/board/api/live-patch';

export interface BetIntent {
  // the row and the chosen selection; the app turns this into a place-bet form
  row: BoardRow;
  selection: BoardSelection;
  label: string;
}

interface Props {
  rows: BoardRow[];
  slots: Slot[];
  sort: SortState<BoardSortKey>;
  onSort: (key: BoardSortKey) => void;
  flashes: Record<string, FlashDirection>;
  currency: string | null;
  onBet?: (intent: BetIntent) => void;
}

/** The match column stays in view while the prices scroll sideways on a phone. */
const sticky = 'sticky left-0 z-10 border-r border-line';

/** Registry versions are long timestamps; the first 15 characters tell them apart on screen. */
function shortVersion(version: string | null): string {
  if (!version) return '';
  return version.length > 16 ? `${version.slice(0, 15)}…` : version;
}

function Arrow({ direction }: { direction: FlashDirection | undefined }) {
  if (!direction) return null;
  return (
    <span className={direction === 'up' ? 'text-up' : 'text-down'}>
      <span aria-hidden="true">{direction === 'up' ? '▲' : '▼'}</span>
      <span className="sr-only">{direction === 'up' ? ' up' : ' down'}</span>
    </span>
  );
}

function ProbCell({ row, slot, flash }: { row: BoardRow; slot: Slot; flash: FlashDirection | undefined }) {
  const item = findSelection(row, slot);
  return (
    <td
      data-testid={`prob-${slot.market}-${slot.selection}`}
      data-flash={flash}
      className="border-l border-line px-2 py-1.5 text-right text-sm tabular-nums whitespace-nowrap"
    >
      <div className="font-medium">
        <Arrow direction={flash} /> {formatPercent(item?.probability ?? null)}
      </div>
      <div className="text-xs text-muted">fair {formatOdds(item?.fair_odds ?? null)}</div>
    </td>
  );
}

function PriceCell({
  row,
  slot,
  flash,
  currency,
  onBet,
}: {
  row: BoardRow;
  slot: Slot;
  flash: FlashDirection | undefined;
  currency: string | null;
  onBet: Props['onBet'];
}) {
  const item = findSelection(row, slot);
  const edge = toNumber(item?.edge);
  const canBet = Boolean(onBet && item && edge !== null && edge > 0 && item.odds_snapshot_id);
  return (
    <td
      data-testid={`price-${slot.market}-${slot.selection}`}
      data-flash={flash}
      className="px-2 py-1.5 text-right text-sm tabular-nums whitespace-nowrap"
    >
      <div className="font-semibold">
        <Arrow direction={flash} /> <span data-testid="best-price">{formatOdds(item?.best_price ?? null)}</span>
      </div>
      <div className="text-xs text-muted">{item?.bookmaker ?? '—'}</div>
      <div className="flex items-center justify-end gap-1 text-xs">
        <span className={edge === null ? 'text-muted' : edge > 0 ? 'text-up' : 'text-down'}>
          {formatPercent(edge, { signed: true })}
        </span>
        {canBet && item && onBet ? (
          <Button
            size="sm"
            variant="primary"
            className="px-1.5 py-0 text-[11px]"
            aria-label={`Bet ${slot.label}, ${row.home_team} v ${row.away_team}, at ${formatOdds(item.best_price)}`}
            onClick={() => onBet({ row, selection: item, label: slot.label })}
          >
            Bet
          </Button>
        ) : null}
      </div>
      {currency && item?.suggested_stake_minor ? (
        <div className="text-xs text-muted" data-testid="suggested-stake" title={item.stake_message ?? undefined}>
          stake {formatMoney(item.suggested_stake_minor, currency)}
          {item.stake_reason === 'account_limit' ? ' · acct max' : ''}
        </div>
      ) : currency && item?.stake_reason && item.edge !== null && Number(item.edge) > 0 ? (
        <div className="text-xs text-muted" data-testid="no-stake-reason" title={item.stake_message ?? undefined}>
          {STAKE_REASONS[item.stake_reason] ?? 'no stake'}
        </div>
      ) : null}
    </td>
  );
}

/** Short words for why a selection with an edge suggests no stake; the full sentence is the title. */
const STAKE_REASONS: Record<string, string> = {
  edge_below_minimum: 'edge < min',
  price_stale: 'price stale',
  position_held: 'position held',
  not_in_kelly: 'not in Kelly',
  cap_per_bet: 'bet cap',
  cap_per_fixture: 'fixture cap',
  cap_per_day: 'day cap',
  cap_cash: 'no cash',
};

export function BoardTable({ rows, slots, sort, onSort, flashes, currency, onBet }: Props) {
  return (
    <TableFrame label="Live board">
      <table className={tableClass}>
        <caption className="sr-only">
          Upcoming fixtures with the model&apos;s probabilities, the best prices and edges
        </caption>
        <thead>
          <tr>
            <th scope="colgroup" colSpan={3} className={th}>
              <span className="sr-only">Fixture</span>
            </th>
            {slots.map((slot) => (
              <th
                key={slot.selection}
                scope="colgroup"
                colSpan={2}
                className={`${th} border-l border-line text-center`}
              >
                {slot.label}
              </th>
            ))}
          </tr>
          <tr>
            <SortableHeader label="Match" sortKey="match" sort={sort} onSort={onSort} className={`${sticky} bg-panel`} />
            <SortableHeader label="Kickoff" sortKey="kickoff" sort={sort} onSort={onSort} />
            <SortableHeader label="Best edge" sortKey="edge" sort={sort} onSort={onSort} align="right" />
            {slots.map((slot) => [
              <SortableHeader
                key={`${slot.selection}-prob`}
                label={`${slot.label} prob`}
                sortKey={`prob-${slot.selection}` as BoardSortKey}
                sort={sort}
                onSort={onSort}
                align="right"
                className="border-l border-line"
              />,
              <th key={`${slot.selection}-price`} scope="col" className={`${th} text-right`}>
                {slot.label} price
              </th>,
            ])}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => {
            const edges = slots
              .map((slot) => toNumber(findSelection(row, slot)?.edge))
              .filter((edge): edge is number => edge !== null);
            const best = edges.length > 0 ? Math.max(...edges) : null;
            return (
              <tr
                key={row.fixture_id}
                data-testid="board-row"
                data-fixture-id={row.fixture_id}
                className="border-t border-line align-top hover:bg-panel-2"
              >
                <th scope="row" className={`${sticky} bg-panel px-2 py-1.5 text-left text-sm font-normal`}>
                  <Link
                    to={`/fixtures/${row.fixture_id}`}
                    className="block max-w-[9.5rem] font-medium text-ink underline-offset-2 hover:underline sm:max-w-none sm:whitespace-nowrap"
                  >
                    {row.home_team} v {row.away_team}
                  </Link>
                  <div
                    className="hidden max-w-56 truncate text-xs text-muted sm:block"
                    title={row.model ? `${row.model} ${row.version ?? ''}` : undefined}
                  >
                    {row.model ? `${row.model} ${shortVersion(row.version)}` : 'no prediction'}
                  </div>
                </th>
                <td className="px-2 py-1.5 text-sm tabular-nums whitespace-nowrap">
                  <div>{formatKickoff(row.kickoff)}</div>
                  <div className="text-xs text-muted">{row.competition}</div>
                </td>
                <td
                  data-testid="best-edge"
                  className={`px-2 py-1.5 text-right text-sm font-semibold tabular-nums ${
                    best === null ? 'text-muted' : best > 0 ? 'text-up' : 'text-down'
                  }`}
                >
                  {formatPercent(best, { signed: true })}
                </td>
                {slots.map((slot) => [
                  <ProbCell
                    key={`${slot.selection}-prob`}
                    row={row}
                    slot={slot}
                    flash={flashes[cellKey(row.fixture_id, slot.market, slot.selection, 'prob')]}
                  />,
                  <PriceCell
                    key={`${slot.selection}-price`}
                    row={row}
                    slot={slot}
                    flash={flashes[cellKey(row.fixture_id, slot.market, slot.selection, 'price')]}
                    currency={currency}
                    onBet={onBet}
                  />,
                ])}
              </tr>
            );
          })}
        </tbody>
      </table>
    </TableFrame>
  );
}
