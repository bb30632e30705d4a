import { describe, expect, it } from 'vitest';

import type { OddsUpdate, PredictionUpdate } from '@/lib/live-events';
import { boardRow, page } from '@/test/factories';
import { applyOddsUpdate, applyPredictionUpdate, edgeOf } from './live-patch';

function odds(patch: Partial<OddsUpdate>): OddsUpdate {
  return {
    fixture_id: 1,
    competition: 'E0',
    bookmaker: 'PS',
    market: '1x2',
    line: null,
    kind: 'prematch',
    prices: {},
    captured_at: '2030-01-01T10:00:00Z',
    received_at: '2030-01-01T10:00:01Z',
    ...patch,
  };
}

const board = page([
  boardRow(1, {}, [
    { market: 'over_under', selection: 'over', probability: 0.6, best_price: '1.80', bookmaker: 'B365', edge: '0.0800' },
  ]),
  boardRow(2),
]);

describe('applyOddsUpdate', () => {
  it('takes a better price on the matching total line, with a fresh edge', () => {
    const { page: next, flashes } = applyOddsUpdate(board, odds({ market: 'over_under', line: '2.50', prices: { over: '1.95' } }));
    const over = next.items[0]?.selections.find((item) => item.selection === 'over');
    expect(over).toMatchObject({ best_price: '1.95', bookmaker: 'PS', edge: '0.1700', odds_snapshot_id: null });
    expect(flashes).toEqual([{ key: '1:over_under:over:price', direction: 'up' }]);
    expect(next.items[1]).toBe(board.items[1]);
  });

  it('ignores other lines, other markets and unknown fixtures, returning the same page', () => {
    expect(applyOddsUpdate(board, odds({ market: 'over_under', line: '3.5', prices: { over: '9.0' } })).page).toBe(board);
    expect(applyOddsUpdate(board, odds({ market: 'asian_handicap', line: '-0.5', prices: { home: '9.0' } })).page).toBe(board);
    expect(applyOddsUpdate(board, odds({ fixture_id: 99, prices: { home: '9.0' } })).page).toBe(board);
    expect(applyOddsUpdate(board, odds({ prices: { home: 'abc' } })).page).toBe(board);
  });

  it('leaves a worse price from another bookmaker alone', () => {
    const result = applyOddsUpdate(board, odds({ bookmaker: 'WH', prices: { home: '2.50' } }));
    expect(result.page).toBe(board);
    expect(result.flashes).toEqual([]);
  });
});

describe('applyPredictionUpdate', () => {
  it('sets probabilities, fair odds and edges from the pushed markets', () => {
    const event: PredictionUpdate = {
      fixture_id: 2,
      competition: 'E0',
      odds_id: 1,
      model: 'm',
      version: 'v9',
      probabilities: [0.4, 0.3, 0.3],
      markets: null,
      feature_hash: null,
      received_at: '2030-01-01T10:00:01Z',
      predicted_at: '2030-01-01T10:00:00Z',
    };
    const { page: next, flashes } = applyPredictionUpdate(board, event);
    const home = next.items[1]?.selections.find((item) => item.selection === 'home');
    expect(home?.probability).toBe(0.4);
    expect(home?.fair_odds).toBeCloseTo(2.5);
    expect(home?.edge).toBe('0.2000'); // 0.4 * 3.00 - 1
    expect(next.items[1]?.version).toBe('v9');
    expect(flashes.map((flash) => flash.key)).toEqual(['2:1x2:home:prob']); // draw and away stayed at 0.3
  });

  it('computes no edge without a price', () => {
    expect(edgeOf(0.5, null)).toBeNull();
    expect(edgeOf(null, 2)).toBeNull();
    expect(edgeOf(0.5, 2.2)).toBe('0.1000');
  });
});
