import type { Alert, AlertPage, BoardRow, BoardSelection, PortfolioOut } from '@/lib/api-types';

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

export function alert(id: number, patch: Partial<Alert> = {}): Alert {
  return {
    id,
    kind: 'line_move',
    fixture_id: 7,
    competition: 'E0',
    kickoff: '2030-01-02T15:00:00Z',
    home_team: 'Arsenal',
    away_team: 'Chelsea',
    market: '1x2',
    line: null,
    selection: 'away',
    bookmaker: 'PS',
    price: '4.2000',
    previous_price: '3.7000',
    change: '0.1351',
    edge: null,
    odds_snapshot_id: 100 + id,
    title: 'Line move: Chelsea',
    message: `Arsenal v Chelsea: PS Chelsea 3.70 → 4.20 (+13.5%) #${id}`,
    created_at: `2030-01-01T10:0${id % 10}:00Z`,
    read_at: null,
    webhook: null,
    ...patch,
  };
}

export function alertPage(items: Alert[], patch: Partial<AlertPage> = {}): AlertPage {
  return {
    items,
    total: items.length,
    unread: items.filter((item) => !item.read_at).length,
    limit: 20,
    offset: 0,
    ...patch,
  };
}
