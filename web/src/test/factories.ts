import type { BoardRow, BoardSelection, PortfolioOut } from '@/lib/api-types';

type SelectionPatch = Partial<BoardSelection> & Pick<BoardSelection, 'market' | 'selection'>;

export function selection(patch: SelectionPatch): BoardSelection {
  // The model is the fair price unless the patch says otherwise, as on a default board.
  const probability = patch.probability === undefined ? 0.3 : patch.probability;
  return {
    line: patch.market === 'over_under' ? '2.5' : null,
    probability,
    fair_probability: probability,
    fair_from_rates: false,
    fair_odds: probability ? 1 / probability : null,
    best_price: '3.00',
    bookmaker: 'B365',
    odds_snapshot_id: 100,
    edge: '-0.1000',
    suggested_stake_minor: null,
    stake_reason: null,
    stake_message: null,
    ...patch,
  };
}

export function boardRow(id: number, patch: Partial<BoardRow> = {}, selections: SelectionPatch[] = []): BoardRow {
  const defaults: SelectionPatch[] = [
    { market: '1x2', selection: 'home' },
    { market: '1x2', selection: 'draw' },
    { market: '1x2', selection: 'away' },
    { market: 'over_under', selection: 'over' },
    { market: 'over_under', selection: 'under' },
  ];
  return {
    fixture_id: id,
    competition: 'E0',
    kickoff: `2030-01-0${id}T15:00:00Z`,
    home_team: `Home ${id}`,
    away_team: `Away ${id}`,
    prediction_id: id * 10,
    model: 'dixon_coles',
    version: 'v1',
    predicted_at: '2029-12-31T12:00:00Z',
    ...patch,
    selections: defaults.map((base) =>
      selection({ ...base, ...selections.find((s) => s.market === base.market && s.selection === base.selection) }),
    ),
  };
}

export function portfolio(patch: Partial<PortfolioOut> = {}): PortfolioOut {
  return {
    id: 1,
    name: 'Main book',
    currency: 'EUR',
    kelly_fraction: '0.25',
    max_stake_fraction: '0.05',
    max_fixture_fraction: '0.1000',
    max_day_fraction: '0.2500',
    min_edge: '0.02',
    bankroll_minor: 100000,
    open_stakes_minor: 0,
    created_at: '2025-01-01T00:00:00Z',
    ...patch,
  };
}

export function page<T>(items: T[]) {
  return { items, total: items.length, limit: 100, offset: 0 };
}
