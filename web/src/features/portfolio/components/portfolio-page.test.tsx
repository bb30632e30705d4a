import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import { resetSocket } from '@/lib/socket';
import { lastSocket } from '@/test/fake-socket';
import { json, mockFetch } from '@/test/fetch-mock';
import { page, portfolio } from '@/test/factories';
import { renderWithProviders, testQueryClient } from '@/test/render';
import { PortfolioPage } from './portfolio-page';

vi.mock('socket.io-client', () => import('@/test/fake-socket'));

const bet = {
  id: 5,
  portfolio_id: 1,
  fixture_id: 7,
  odds_snapshot_id: 42,
  market: '1x2',
  selection: 'home',
  line: null,
  odds: '2.40',
  stake_minor: 1250,
  status: 'open',
  outcome: null,
  payout_minor: null,
  placed_at: '2030-01-01T10:00:00Z',
  settled_at: null,
};

const exposure = {
  portfolio_id: 1,
  open_stakes_minor: 1250,
  by_fixture: [
    {
      fixture_id: 7,
      competition: 'E0',
      kickoff: '2030-01-02T15:00:00Z',
      home_team: 'Arsenal',
      away_team: 'Chelsea',
      stake_minor: 1250,
      bets: 1,
      potential_payout_minor: 3000,
    },
  ],
  by_competition: [{ competition: 'E0', stake_minor: 1250, bets: 1 }],
};

function setup() {
  return mockFetch({
    'GET /api/v1/portfolios': page([portfolio({ bankroll_minor: 123456, open_stakes_minor: 1250 })]),
    'GET /api/v1/portfolios/1/bets': page([bet]),
    'GET /api/v1/portfolios/1/exposure': exposure,
    'GET /api/v1/competitions': page([{ code: 'E0', name: 'Premier League', country: 'England' }]),
    'GET /api/v1/portfolios/1/value-bets': page([]),
    'GET /api/v1/fixtures': page([]),
    'POST /api/v1/bets/5/void': json(null, 204),
  });
}

function render() {
  const queryClient = testQueryClient();
  queryClient.setQueryData(['me'], { id: 1, email: 'a@b.io', role: 'trader', is_active: true, created_at: '' });
  return renderWithProviders(<PortfolioPage />, { route: '/portfolio', path: '/portfolio', queryClient });
}

beforeEach(() => resetSocket());

describe('PortfolioPage', () => {
  it('shows the bankroll as money and the open bets with their fixture', async () => {
    setup();
    render();
    expect(await screen.findByTestId('bankroll')).toHaveTextContent('€1,234.56');
    const rows = await screen.findAllByTestId('bet-row');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toHaveTextContent('Arsenal v Chelsea');
    expect(rows[0]).toHaveTextContent('€12.50');
    // Value bets default to every competition, with no competition in the request.
    expect(await screen.findByText(/No price in any competition beats the model/)).toBeInTheDocument();
    expect(screen.getByRole('combobox', { name: 'Competition' })).toHaveValue('');
    expect(screen.getByRole('option', { name: 'All competitions' })).toBeInTheDocument();
  });

  it('voids a bet only after the in-app confirmation', async () => {
    const api = setup();
    const confirm = vi.spyOn(window, 'confirm');
    render();
    const row = (await screen.findAllByTestId('bet-row'))[0]!;
    const people = userEvent.setup();
    await people.click(within(row).getByRole('button', { name: 'Void bet 5' }));
    const asked = screen.getByRole('alertdialog', { name: 'Void bet 5?' });
    expect(asked).toHaveTextContent('Match result · Arsenal on Arsenal v Chelsea: the stake of €12.50 goes back to the bankroll.');
    expect(within(asked).getByRole('button', { name: 'Cancel' })).toHaveFocus();
    await people.keyboard('{Escape}');
    expect(screen.queryByRole('alertdialog')).not.toBeInTheDocument();
    expect(api.callsTo('POST', '/api/v1/bets/5/void')).toHaveLength(0);
    await people.click(within(row).getByRole('button', { name: 'Void bet 5' }));
    await people.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Void bet' }));
    await waitFor(() => expect(api.callsTo('POST', '/api/v1/bets/5/void')).toHaveLength(1));
    expect(confirm).not.toHaveBeenCalled();
  });

  it('refreshes when a bet is settled', async () => {
    const api = setup();
    render();
    await screen.findAllByTestId('bet-row');
    const before = api.callsTo('GET', '/api/v1/portfolios/1/bets').length;
    act(() => {
      lastSocket().push('bet:settled', {
        bet_id: 5,
        portfolio_id: 1,
        fixture_id: 7,
        outcome: 'won',
        payout_minor: 3000,
        profit_minor: 1750,
      });
    });
    expect(await screen.findByText('Bet 5 settled (won): +€17.50.')).toBeInTheDocument();
    await waitFor(() => expect(api.callsTo('GET', '/api/v1/portfolios/1/bets').length).toBeGreaterThan(before));
  });
});
