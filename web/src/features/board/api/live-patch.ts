/**
 * Pure patches of a board page from live events, for instant display. The board query is
 * refetched shortly after (the server decides the true best price and snapshot id); these
 * patches only make the change visible at once and say which cells moved which way.
 */
import type { BoardPage, BoardRow, BoardSelection, Page } from '@/lib/api-types';
import type { OddsUpdate, PredictionUpdate } from '@/lib/live-events';

export type FlashDirection = 'up' | 'down';
export type CellKind = 'price' | 'prob';

export interface Flash {
  key: string;
  direction: FlashDirection;
}

export interface PatchResult {
  page: Page<BoardRow>;
  flashes: Flash[];
}

export function cellKey(
  fixtureId: number,
  market: string,
  selection: string,
  kind: CellKind,
): string {
  return `${fixtureId}:${market}:${selection}:${kind}`;
}

function sameLine(a: string | null, b: string | null): boolean {
  if (a === null || b === null) return a === b;
  return Number(a) === Number(b);
}

/** Edge of a price against a probability, as the API writes it (4 places). */
export function edgeOf(probability: number | null, price: number | null): string | null {
  if (probability === null || price === null || !(price > 1)) return null;
  return (probability * price - 1).toFixed(4);
}

function patchRows(
  page: Page<BoardRow>,
  fixtureId: number,
  patchRow: (row: BoardRow) => BoardRow | null,
): Page<BoardRow> | null {
  let changed = false;
  const items = page.items.map((row) => {
    if (row.fixture_id !== fixtureId) return row;
    const next = patchRow(row);
    if (!next) return row;
    changed = true;
    return next;
  });
  return changed ? { ...page, items } : null;
}

/**
 * A pushed price becomes the shown best when it beats it; when the bookmaker holding the best
 * price moves it down, the lower price shows until the refetch finds the new best.
 */
export function applyOddsUpdate(page: Page<BoardRow>, event: OddsUpdate): PatchResult {
  const flashes: Flash[] = [];
  if (event.market !== '1x2' && event.market !== 'over_under') return { page, flashes };
  const next = patchRows(page, event.fixture_id, (row) => {
    let changed = false;
    const selections = row.selections.map((slot): BoardSelection => {
      if (slot.market !== event.market) return slot;
      if (slot.market === 'over_under' && !sameLine(slot.line, event.line)) return slot;
      const pushed = event.prices[slot.selection];
      const price = pushed === undefined ? NaN : Number(pushed);
      if (pushed === undefined || !Number.isFinite(price) || price <= 1) return slot;
      const shown = slot.best_price === null ? null : Number(slot.best_price);
      const beats = shown === null || price > shown;
      const holderMoved = slot.bookmaker === event.bookmaker && shown !== null && price !== shown;
      if (!beats && !holderMoved) return slot;
      changed = true;
      flashes.push({
        key: cellKey(row.fixture_id, slot.market, slot.selection, 'price'),
        direction: shown === null || price > shown ? 'up' : 'down',
      });
      return {
        ...slot,
        best_price: pushed,
        bookmaker: event.bookmaker,
        // The pushed entry's snapshot id is not in the event; the refetch brings it.
        odds_snapshot_id: null,
        edge: edgeOf(slot.fair_probability, price),
      };
    });
    return changed ? { ...row, selections } : null;
  });
  return { page: next ?? page, flashes };
}

function pushedProbabilities(event: PredictionUpdate): Map<string, number> {
  const found = new Map<string, number>();
  const [home, draw, away] = event.probabilities;
  const trio = event.markets?.['1x2'] ?? [home, draw, away];
  (['home', 'draw', 'away'] as const).forEach((name, index) => {
    const value = trio[index];
    if (typeof value === 'number' && Number.isFinite(value)) found.set(`1x2:${name}:`, value);
  });
  const totals = event.markets?.over_under ?? {};
  for (const [line, pair] of Object.entries(totals)) {
    const [over, under] = pair;
    if (typeof over === 'number') found.set(`over_under:over:${Number(line)}`, over);
    if (typeof under === 'number') found.set(`over_under:under:${Number(line)}`, under);
  }
  return found;
}

/**
 * New probabilities for the pushed prediction's fixture; where the model is the board's fair
 * price, new fair odds and edges too (a market or blend fair price waits for the refetch).
 */
export function applyPredictionUpdate(page: Page<BoardRow>, event: PredictionUpdate): PatchResult {
  const flashes: Flash[] = [];
  const pushed = pushedProbabilities(event);
  const fair = (page as Partial<BoardPage>).fair;
  const modelIsFair = fair === undefined || fair.mode === 'model';
  const next = patchRows(page, event.fixture_id, (row) => {
    const selections = row.selections.map((slot): BoardSelection => {
      const line = slot.line === null ? '' : String(Number(slot.line));
      const probability = pushed.get(`${slot.market}:${slot.selection}:${line}`);
      if (probability === undefined) return slot;
      const old = slot.probability;
      if (old === null || Math.abs(old - probability) > 1e-9) {
        flashes.push({
          key: cellKey(row.fixture_id, slot.market, slot.selection, 'prob'),
          direction: old === null || probability > old ? 'up' : 'down',
        });
      }
      if (!modelIsFair) return { ...slot, probability };
      const price = slot.best_price === null ? null : Number(slot.best_price);
      return {
        ...slot,
        probability,
        fair_probability: probability,
        fair_odds: probability > 0 ? 1 / probability : null,
        edge: edgeOf(probability, price),
      };
    });
    return {
      ...row,
      model: event.model,
      version: event.version,
      predicted_at: event.predicted_at,
      selections,
    };
  });
  return { page: next ?? page, flashes };
}
