import { describe, expect, it } from 'vitest';

import { boardRow } from '@/test/factories';
import { draftFromSelection } from './place-bet-form';

describe('a bet draft from a priced selection', () => {
  it('carries the snapshot, price and stake suggestion; none without a price', () => {
    const row = boardRow(3, {}, [
      { market: '1x2', selection: 'home', odds_snapshot_id: 7, best_price: '2.30', suggested_stake_minor: 1250, stake_message: null },
    ]);
    expect(draftFromSelection(row.selections[0]!, 'Home 3 · Home 3 v Away 3', 4)).toEqual({
      oddsSnapshotId: 7,
      selection: 'home',
      price: '2.30',
      description: 'Home 3 · Home 3 v Away 3',
      suggestedStakeMinor: 1250,
      stakeMessage: null,
      portfolioId: 4,
    });
    const unpriced = { ...row.selections[0]!, odds_snapshot_id: null, best_price: null };
    expect(draftFromSelection(unpriced, 'x', null)).toBeNull();
  });
});
