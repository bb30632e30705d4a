import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';

import { json, mockFetch } from '@/test/fetch-mock';
import { portfolio } from '@/test/factories';
import { renderWithProviders } from '@/test/render';
import { checkStake, PlaceBetForm, type BetDraft } from './place-bet-form';

const draft: BetDraft = {
  oddsSnapshotId: 42,
  selection: 'home',
  price: '2.40',
  description: 'Home · Arsenal v Chelsea',
  suggestedStakeMinor: 1234,
  portfolioId: 7,
};

const bet = {
  id: 5,
  portfolio_id: 7,
  fixture_id: 1,
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

function renderForm(onPlaced = vi.fn()) {
  renderWithProviders(
    <PlaceBetForm draft={draft} portfolios={[portfolio({ id: 7, bankroll_minor: 5000 })]} onPlaced={onPlaced} onCancel={vi.fn()} />,
  );
  return onPlaced;
}

describe('checkStake', () => {
  it('converts currency units to minor units', () => {
    expect(checkStake('12.5', 5000, 'EUR')).toEqual({ ok: true, minor: 1250 });
    expect(checkStake('50', 5000, 'EUR')).toEqual({ ok: true, minor: 5000 });
  });

  it('refuses blanks, bad amounts, zero and more than the bankroll', () => {
    expect(checkStake('', 5000, 'EUR')).toEqual({ ok: false, error: 'Enter a stake.' });
    expect(checkStake('1.005', 5000, 'EUR').ok).toBe(false);
    expect(checkStake('0', 5000, 'EUR')).toEqual({ ok: false, error: 'The stake must be more than zero.' });
    expect(checkStake('50.01', 5000, 'EUR')).toEqual({
      ok: false,
      error: 'The stake is more than the bankroll (€50.00).',
    });
  });
});

describe('PlaceBetForm', () => {
  it('is prefilled with the suggested stake and the price', () => {
    renderForm();
    expect(screen.getByLabelText('Stake (EUR)')).toHaveValue('12.34');
    expect(screen.getByTestId('bet-price')).toHaveTextContent('2.40');
    expect(screen.getByLabelText('Portfolio')).toHaveValue('7');
  });

  it('validates the stake before sending anything', async () => {
    const api = mockFetch({});
    const people = userEvent.setup();
    renderForm();
    const stake = screen.getByLabelText('Stake (EUR)');
    await people.clear(stake);
    await people.type(stake, '80');
    await people.click(screen.getByRole('button', { name: 'Place bet' }));
    expect(screen.getByText('The stake is more than the bankroll (€50.00).')).toBeInTheDocument();
    expect(stake).toHaveAttribute('aria-invalid', 'true');
    await people.clear(stake);
    await people.type(stake, 'ten');
    await people.click(screen.getByRole('button', { name: 'Place bet' }));
    expect(screen.getByText(/Enter an amount such as 12.50/)).toBeInTheDocument();
    expect(api.calls).toHaveLength(0);
  });

  it('sends the stake in minor units with the snapshot and selection', async () => {
    const api = mockFetch({ 'POST /api/v1/portfolios/7/bets': json(bet, 201) });
    const people = userEvent.setup();
    const onPlaced = renderForm();
    const stake = screen.getByLabelText('Stake (EUR)');
    await people.clear(stake);
    await people.type(stake, '12.5');
    await people.click(screen.getByRole('button', { name: 'Place bet' }));
    await waitFor(() => expect(onPlaced).toHaveBeenCalledWith(bet));
    const [call] = api.callsTo('POST', '/api/v1/portfolios/7/bets');
    expect(JSON.parse(call?.body ?? '')).toEqual({ odds_snapshot_id: 42, selection: 'home', stake_minor: 1250 });
  });

  it("shows the API's refusal", async () => {
    mockFetch({
      'POST /api/v1/portfolios/7/bets': json(
        { detail: [{ loc: [], msg: 'fixture 1 (Arsenal v Chelsea) kicked off at 2099-08-20T15:00:00Z; no more bets on it', type: 'conflict' }] },
        409,
      ),
    });
    const people = userEvent.setup();
    const onPlaced = renderForm();
    await people.click(screen.getByRole('button', { name: 'Place bet' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('fixture 1 (Arsenal v Chelsea) kicked off at 2099-08-20T15:00:00Z; no more bets on it');
    expect(onPlaced).not.toHaveBeenCalled();
  });
});
