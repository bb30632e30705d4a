/** What the board shows of a page: which selections, which rows, in which order. */
import type { SortState } from '@/components/ui/sortable-header';
import type { BoardRow, BoardSelection } from '@/lib/api-types';
import { toNumber } from '@/lib/format';
import { SLOTS, type Slot } from './board';

export type MarketFilter = 'all' | '1x2' | 'over_under';

export type BoardSortKey =
  | 'kickoff'
  | 'match'
  | 'edge'
  | 'prob-home'
  | 'prob-draw'
  | 'prob-away'
  | 'prob-over'
  | 'prob-under';

export function visibleSlots(market: MarketFilter): Slot[] {
  return SLOTS.filter((slot) => market === 'all' || slot.market === market);
}

export function findSelection(row: BoardRow, slot: Slot): BoardSelection | undefined {
  return row.selections.find(
    (item) =>
      item.market === slot.market &&
      item.selection === slot.selection &&
      (slot.line === null || item.line === null || Number(item.line) === Number(slot.line)),
  );
}

/** The largest edge among the shown selections, or null when none has one. */
export function bestEdge(row: BoardRow, slots: readonly Slot[]): number | null {
  let best: number | null = null;
  for (const slot of slots) {
    const edge = toNumber(findSelection(row, slot)?.edge);
    if (edge !== null && (best === null || edge > best)) best = edge;
  }
  return best;
}

/**
 * The one home of the minimum-edge filter, applied per selection: an edge (a fraction)
 * clears `minEdge` when it is at least that; with no minimum, every edge does. A row is
 * shown when one of its selections clears it, and only those selections keep a Bet button.
 */
export function clearsMinEdge(edge: number | null, minEdge: number | null): boolean {
  return edge !== null && (minEdge === null || edge >= minEdge);
}

/** Rows with at least one shown selection at `minEdge` (a fraction) or more; all when null. */
export function filterByEdge(
  rows: readonly BoardRow[],
  slots: readonly Slot[],
  minEdge: number | null,
): BoardRow[] {
  if (minEdge === null) return [...rows];
  return rows.filter((row) =>
    slots.some((slot) => clearsMinEdge(toNumber(findSelection(row, slot)?.edge), minEdge)),
  );
}

function sortValue(row: BoardRow, key: BoardSortKey, slots: readonly Slot[]): number | string | null {
  switch (key) {
    case 'kickoff':
      return Date.parse(row.kickoff);
    case 'match':
      return `${row.home_team} ${row.away_team}`.toLowerCase();
    case 'edge':
      return bestEdge(row, slots);
    default: {
      const name = key.slice('prob-'.length);
      const slot = SLOTS.find((item) => item.selection === name);
      return slot ? (findSelection(row, slot)?.probability ?? null) : null;
    }
  }
}

/** A stable sort; rows without a value go last whichever the direction. */
export function sortRows(
  rows: readonly BoardRow[],
  sort: SortState<BoardSortKey>,
  slots: readonly Slot[],
): BoardRow[] {
  const factor = sort.direction === 'asc' ? 1 : -1;
  return rows
    .map((row, index) => ({ row, index, value: sortValue(row, sort.key, slots) }))
    .sort((a, b) => {
      if (a.value === null || b.value === null) {
        if (a.value === b.value) return a.index - b.index;
        return a.value === null ? 1 : -1;
      }
      const order =
        typeof a.value === 'string' || typeof b.value === 'string'
          ? String(a.value).localeCompare(String(b.value))
          : a.value - b.value;
      return order === 0 ? a.index - b.index : order * factor;
    })
    .map((item) => item.row);
}

/** A minimum edge typed in percent ("2.5") as a fraction (0.025); null when blank or invalid. */
export function parseMinEdge(percent: string | null): number | null {
  if (percent === null || percent.trim() === '') return null;
  const value = Number(percent);
  return Number.isFinite(value) ? value / 100 : null;
}
