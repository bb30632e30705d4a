import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import type { ShadowClv, ShadowClvRow } from '@/lib/api-types';
import { mockFetch } from '@/test/fetch-mock';
import { renderWithProviders } from '@/test/render';
import { ShadowClvPanel } from './shadow-clv-panel';

function row(overrides: Partial<ShadowClvRow>): ShadowClvRow {
  return {
    league: 'all',
    market: 'all',
    bucket: 'all',
    n_bets: 0,
    mean: null,
    ci95_low: null,
    ci95_high: null,
    bets_needed: null,
    ...overrides,
  };
}

const report: ShadowClv = {
  model: 'ensemble',
  version: 'v1',
  window_start: '2023-03-01T00:00:00Z',
  window_end: '2023-06-01T00:00:00Z',
  n_predictions: 420,
  overall: row({ n_bets: 300, mean: -0.0123, ci95_low: -0.02, ci95_high: -0.0046, bets_needed: 120 }),
  decay: [
    row({ bucket: '>24h', n_bets: 100, mean: -0.02, ci95_low: -0.03, ci95_high: -0.01, bets_needed: 40 }),
    row({ bucket: '6-24h' }),
    row({ bucket: '1-6h', n_bets: 120, mean: 0.015, ci95_low: 0.002, ci95_high: 0.028, bets_needed: 90 }),
    row({ bucket: '<1h', n_bets: 80, mean: 0.001, ci95_low: -0.01, ci95_high: 0.012, bets_needed: 9000 }),
  ],
  rows: [row({ league: 'E0', market: '1x2', bucket: '1-6h', n_bets: 120, mean: 0.015, ci95_low: 0.002, ci95_high: 0.028, bets_needed: 90 })],
  definition: 'CLV = close/p - 1',
};

describe('ShadowClvPanel', () => {
  it('shows each row with its interval, bets needed and verdict, and the edge-decay chart', async () => {
    const api = mockFetch({ 'GET /api/v1/models/health/shadow-clv': report });
    renderWithProviders(<ShadowClvPanel days={90} />);

    const rows = await screen.findAllByTestId('shadow-clv-row');
    expect(rows).toHaveLength(2);
    const overall = within(rows[0]!);
    expect(overall.getByText('−1.23%')).toBeInTheDocument();
    expect(overall.getByText('−2.00% to −0.46%')).toBeInTheDocument();
    expect(overall.getByText('120')).toBeInTheDocument();
    expect(overall.getByText('no edge')).toBeInTheDocument();
    const league = within(rows[1]!);
    expect(league.getByText('E0')).toBeInTheDocument();
    expect(league.getByText('+1.50%')).toBeInTheDocument();
    expect(league.getByText('edge')).toBeInTheDocument();
    expect(screen.getByTestId('shadow-clv-definition')).toHaveTextContent('close/p - 1');
    const chart = screen.getByTestId('chart-edge-decay');
    expect(chart).toHaveTextContent('>24h −2.00% (100 bets)');
    expect(chart).toHaveTextContent('<1h +0.10% (80 bets)');
    expect(chart).not.toHaveTextContent('6-24h');
    expect(api.callsTo('GET', '/api/v1/models/health/shadow-clv')[0]!.url.searchParams.get('days')).toBe('90');
  });
});
