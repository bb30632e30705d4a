import { describe, expect, it } from 'vitest';

import { boardRow } from '@/test/factories';
import { SLOTS } from './board';
import { clearsMinEdge, filterByEdge } from './board-view';
import { betIntent } from '@/features/board/components/board-table';

const [home, draw] = SLOTS;

describe('the minimum edge, per selection', () => {
  it('clears an edge at or above the minimum, any edge without one', () => {
    expect(clearsMinEdge(0.03, 0.03)).toBe(true);
    expect(clearsMinEdge(0.008, 0.03)).toBe(false);
    expect(clearsMinEdge(-0.2, null)).toBe(true);
    expect(clearsMinEdge(null, null)).toBe(false);
  });

  it('keeps a row for its 5% home but takes the Bet button off its +0.8% draw at 3%', () => {
    const row = boardRow(1, {}, [
      { market: '1x2', selection: 'home', edge: '0.0500' },
      { market: '1x2', selection: 'draw', edge: '0.0080' },
    ]);
    expect(filterByEdge([row], SLOTS, 0.03)).toEqual([row]);
    expect(betIntent(row, home!, 0.03)?.label).toBe('Home 1');
    expect(betIntent(row, draw!, 0.03)).toBeNull();
    // With no minimum, the draw's positive edge keeps its button.
    expect(betIntent(row, draw!, null)?.label).toBe('Draw');
  });

  it('drops a row none of whose shown selections clears the minimum', () => {
    const row = boardRow(2, {}, [{ market: '1x2', selection: 'draw', edge: '0.0080' }]);
    expect(filterByEdge([row], SLOTS, 0.03)).toEqual([]);
    expect(filterByEdge([row], SLOTS, null)).toEqual([row]);
  });
});
