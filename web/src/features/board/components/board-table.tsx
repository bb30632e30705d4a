import { Link } from 'react-router';

import { Button } from '@/components/ui/button';
import { tableClass, TableFrame } from '@/components/ui/layout';
import { SortableHeader, type SortState } from '@/components/ui/sortable-header';
import type { BoardRow, BoardSelection } from '@/lib/api-types';
import {
  edgeTone,
  formatBookmaker,
  formatKickoff,
  formatMoney,
  formatOdds,
  formatPercent,
  formatSelection,
  formatVersion,
  toNumber,
} from '@/lib/format';
import type { Slot } from '@/features/board/api/board';
import { bestEdge, clearsMinEdge, findSelection, type BoardSortKey } from '@/features/board/api/board-view';
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
  /** The row and selection the keyboard has reached, if any. */
  active?: { row: number; slot: number } | null;
  /** The minimum edge (a fraction) a selection needs to keep its Bet button; null for any. */
  minEdge?: number | null;
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
    <div data-testid={`prob-${slot.market}-${slot.selection}`} data-flash={flash} className="rounded px-1">
      <div className="font-medium">
        <Arrow direction={flash} /> {formatPercent(item?.probability ?? null)}
      </div>
      <div className="text-xs text-muted">fair {formatOdds(item?.fair_odds ?? null)}</div>
    </div>
  );
}

function PriceCell({
  row,
  slot,
  flash,
  currency,
  onBet,
  minEdge,
}: {
  row: BoardRow;
  slot: Slot;
  flash: FlashDirection | undefined;
  currency: string | null;
  onBet: Props['onBet'];
  minEdge: number | null;
}) {
  const item = findSelection(row, slot);
  const edge = toNumber(item?.edge);
  const canBet = Boolean(onBet && betIntent(row, slot, minEdge));
  const name = selectionName(row, slot);
  const belowMin = minEdge !== null && !clearsMinEdge(edge, minEdge);
  return (
    <div
      data-testid={`price-${slot.market}-${slot.selection}`}
      data-flash={flash}
      data-below-min={belowMin ? '' : undefined}
      title={belowMin ? 'Edge below the minimum' : undefined}
      className="rounded px-1 data-[below-min]:opacity-50"
    >
      <div className="font-semibold">
        <Arrow direction={flash} /> <span data-testid="best-price">{formatOdds(item?.best_price ?? null)}</span>
      </div>
      <div className="text-xs text-muted">{item?.bookmaker ? formatBookmaker(item.bookmaker) : '—'}</div>
      <div className="flex items-center justify-end gap-1 text-xs">
        <span className={edgeTone(edge)}>
          {formatPercent(edge, { signed: true })}
        </span>
        {canBet && item && onBet ? (
          <Button
            size="sm"
            variant="primary"
            className="min-h-6 px-2 py-0 text-xs"
            data-bet-button=""
            aria-label={`Bet ${name}, ${row.home_team} v ${row.away_team}, at ${formatOdds(item.best_price)}`}
            onClick={() => onBet({ row, selection: item, label: name })}
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
    </div>
  );
}

/** The selection as a bettor names it on this row: the team for 1X2 sides, "Over 2.5"... */
export function selectionName(row: BoardRow, slot: Slot): string {
  return formatSelection({
    market: slot.market,
    selection: slot.selection,
    line: slot.line,
    home: row.home_team,
    away: row.away_team,
  });
}

/** What the Bet button (or the "b" key) hands over: only a priced selection with an edge,
 * and at `minEdge` or more when the board filters by it (`clearsMinEdge`). */
export function betIntent(row: BoardRow, slot: Slot, minEdge: number | null = null): BetIntent | null {
  const item = findSelection(row, slot);
  const edge = toNumber(item?.edge);
  if (!item || edge === null || edge <= 0 || !item.odds_snapshot_id || !clearsMinEdge(edge, minEdge)) return null;
  return { row, selection: item, label: selectionName(row, slot) };
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

/**
 * One column per selection (its probability over its best price), so the five fit a 1280 px
 * screen; on a phone each row stacks into a card (index.css, `.board-table`). The keyboard
 * marks one row and one selection as active (`active`): the board's shortcuts move it.
 */
export function BoardTable({ rows, slots, sort, onSort, flashes, currency, onBet, active, minEdge = null }: Props) {
  return (
    <TableFrame label="Live board">
      <table className={`${tableClass} board-table`}>
        <caption className="sr-only">
          Upcoming fixtures with the model&apos;s probabilities, the best prices and edges
        </caption>
        <thead>
          <tr>
            <SortableHeader label="Match" sortKey="match" sort={sort} onSort={onSort} />
            <SortableHeader label="Kickoff" sortKey="kickoff" sort={sort} onSort={onSort} />
            <SortableHeader label="Best edge" sortKey="edge" sort={sort} onSort={onSort} align="right" />
            {slots.map((slot) => (
              <SortableHeader
                key={slot.selection}
                label={slot.label}
                sortKey={`prob-${slot.selection}` as BoardSortKey}
                sort={sort}
                onSort={onSort}
                align="right"
                className="border-l border-line"
                hint="probability"
              />
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, rowIndex) => {
            const best = bestEdge(row, slots);
            const isActive = active?.row === rowIndex;
            return (
              <tr
                key={row.fixture_id}
                data-testid="board-row"
                data-fixture-id={row.fixture_id}
                data-active={isActive ? '' : undefined}
                tabIndex={-1}
                aria-current={isActive ? 'true' : undefined}
                className="border-t border-line align-top hover:bg-panel-2 data-[active]:bg-panel-2"
              >
                <th scope="row" className="bg-panel px-2 py-1.5 text-left text-sm font-normal">
                  <Link
                    to={`/fixtures/${row.fixture_id}`}
                    className="font-medium text-ink underline-offset-2 hover:underline"
                  >
                    {row.home_team} v {row.away_team}
                  </Link>
                  <div
                    className="text-xs text-muted"
                    title={row.model ? `${row.model} ${row.version ?? ''}` : undefined}
                  >
                    {row.model ? `${row.model} ${formatVersion(row.version)}` : 'no prediction'}
                  </div>
                </th>
                <td className="px-2 py-1.5 text-sm tabular-nums">
                  <div className="whitespace-nowrap">{formatKickoff(row.kickoff)}</div>
                  <div className="text-xs text-muted">{row.competition}</div>
                </td>
                <td
                  data-testid="best-edge"
                  data-label="Best edge"
                  className={`px-2 py-1.5 text-right text-sm font-semibold tabular-nums ${edgeTone(best)}`}
                >
                  {formatPercent(best, { signed: true })}
                </td>
                {slots.map((slot, slotIndex) => (
                  <td
                    key={slot.selection}
                    data-label={selectionName(row, slot)}
                    data-market={slot.market}
                    data-active={isActive && active?.slot === slotIndex ? '' : undefined}
                    className="board-selection border-l border-line px-1 py-1.5 text-right text-sm tabular-nums whitespace-nowrap"
                  >
                    <ProbCell
                      row={row}
                      slot={slot}
                      flash={flashes[cellKey(row.fixture_id, slot.market, slot.selection, 'prob')]}
                    />
                    <PriceCell
                      row={row}
                      slot={slot}
                      flash={flashes[cellKey(row.fixture_id, slot.market, slot.selection, 'price')]}
                      currency={currency}
                      onBet={onBet}
                      minEdge={minEdge}
                    />
                  </td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
    </TableFrame>
  );
}
