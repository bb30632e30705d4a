import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import { resetSocket } from '@/lib/socket';
import { lastSocket } from '@/test/fake-socket';
import { mockFetch } from '@/test/fetch-mock';
import { boardRow, page, portfolio } from '@/test/factories';
import { renderWithProviders } from '@/test/render';
import { LiveBoard } from './live-board';

vi.mock('socket.io-client', () => import('@/test/fake-socket'));

const rows = [
  // Kicks off last, has the biggest edge (home 2.40 at 50%: +20%).
  boardRow(3, {}, [{ market: '1x2', selection: 'home', probability: 0.5, best_price: '2.40', edge: '0.2000', odds_snapshot_id: 31 }]),
  boardRow(1, {}, [{ market: '1x2', selection: 'home', probability: 0.45, best_price: '2.30', edge: '0.0350' }]),
  boardRow(2, {}, [{ market: 'over_under', selection: 'over', probability: 0.6, best_price: '1.80', edge: '0.0800' }]),
];

function setup() {
  return mockFetch({
    'GET /api/v1/board': page(rows),
    'GET /api/v1/competitions': page([{ code: 'E0', name: 'Premier League', country: 'England' }]),
    'GET /api/v1/portfolios': page([portfolio()]),
  });
}

function fixtureIds(): string[] {
  return screen.getAllByTestId('board-row').map((row) => row.getAttribute('data-fixture-id') ?? '');
}

function row(id: number): HTMLElement {
  const found = screen.getAllByTestId('board-row').find((item) => item.getAttribute('data-fixture-id') === String(id));
  if (!found) throw new Error(`no row for fixture ${id}`);
  return found;
}

beforeEach(() => {
  resetSocket();
});

describe('LiveBoard', () => {
  it('renders the rows from the API, by kick-off', async () => {
    const api = setup();
    renderWithProviders(<LiveBoard />);
    expect(await screen.findAllByTestId('board-row')).toHaveLength(3);
    expect(fixtureIds()).toEqual(['1', '2', '3']);
    expect(within(row(3)).getByTestId('price-1x2-home')).toHaveTextContent('2.40');
    expect(within(row(3)).getByTestId('prob-1x2-home')).toHaveTextContent('50.0%');
    expect(within(row(3)).getByTestId('price-1x2-home')).toHaveTextContent('+20.0%');
    expect(within(row(1)).getByRole('link', { name: 'Home 1 v Away 1' })).toHaveAttribute('href', '/fixtures/1');
    const [call] = api.callsTo('GET', '/api/v1/board');
    expect(call?.url.searchParams.get('limit')).toBe('100');
  });

  it('asks for the chosen fair price and de-margin method and says which is in use', async () => {
    const api = mockFetch({
      'GET /api/v1/board': {
        ...page(rows),
        fair: { mode: 'market', method: 'shin', blend_weight: 0.5, label: 'fair: Pinnacle, Shin method' },
      },
      'GET /api/v1/competitions': page([]),
      'GET /api/v1/portfolios': page([]),
    });
    const user = userEvent.setup();
    renderWithProviders(<LiveBoard />);
    await screen.findAllByTestId('board-row');
    expect(screen.getByTestId('fair-label')).toHaveTextContent('fair: Pinnacle, Shin method');
    await user.selectOptions(screen.getByLabelText('Fair price'), 'blend');
    await user.selectOptions(screen.getByLabelText('De-margin method'), 'power');
    await waitFor(() => {
      const last = api.callsTo('GET', '/api/v1/board').at(-1);
      expect(last?.url.searchParams.get('fair')).toBe('blend');
      expect(last?.url.searchParams.get('devig')).toBe('power');
    });
    await user.selectOptions(screen.getByLabelText('Fair price'), 'model');
    expect(screen.getByLabelText('De-margin method')).toBeDisabled();
  });

  it('sorts by best edge when the header button is pressed', async () => {
    setup();
    const user = userEvent.setup();
    renderWithProviders(<LiveBoard />);
    await screen.findAllByTestId('board-row');
    const header = screen.getByRole('button', { name: /best edge/i });
    await user.click(header);
    expect(fixtureIds()).toEqual(['3', '2', '1']);
    expect(header.closest('th')).toHaveAttribute('aria-sort', 'descending');
    await user.click(header);
    expect(fixtureIds()).toEqual(['1', '2', '3']);
    expect(header.closest('th')).toHaveAttribute('aria-sort', 'ascending');
    expect(screen.getByRole('button', { name: /kickoff/i }).closest('th')).toHaveAttribute('aria-sort', 'none');
  });

  it('filters rows by minimum edge and by market', async () => {
    setup();
    const user = userEvent.setup();
    renderWithProviders(<LiveBoard />);
    await screen.findAllByTestId('board-row');
    await user.type(screen.getByLabelText('Minimum edge (%)'), '5');
    expect(fixtureIds()).toEqual(['2', '3']);
    await user.selectOptions(screen.getByLabelText('Market'), '1x2');
    expect(fixtureIds()).toEqual(['3']);
    expect(screen.queryByTestId('price-over_under-over')).not.toBeInTheDocument();
    await user.clear(screen.getByLabelText('Minimum edge (%)'));
    await user.type(screen.getByLabelText('Minimum edge (%)'), '50');
    expect(screen.getByText('No fixture matches the filters')).toBeInTheDocument();
  });

  it('applies an odds:update in place and flashes the cell', async () => {
    setup();
    renderWithProviders(<LiveBoard />);
    await screen.findAllByTestId('board-row');
    const socket = lastSocket();
    act(() => {
      socket.connect();
    });
    expect(screen.getByTestId('live-status')).toHaveTextContent('Live');
    expect(socket.emitted).toContainEqual(expect.objectContaining({ event: 'subscribe', args: [{ competition: 'E0' }, expect.any(Function)] }));

    act(() => {
      socket.push('odds:update', {
        fixture_id: 1,
        competition: 'E0',
        bookmaker: 'Pinnacle',
        market: '1x2',
        line: null,
        kind: 'prematch',
        prices: { home: '2.50', draw: '2.90', away: '3.40' },
        captured_at: '2030-01-01T10:00:00Z',
        received_at: '2030-01-01T10:00:01Z',
      });
    });

    const home = within(row(1)).getByTestId('price-1x2-home');
    expect(home).toHaveTextContent('2.50');
    expect(home).toHaveTextContent('Pinnacle');
    // 0.45 * 2.50 - 1 = +12.5%
    expect(home).toHaveTextContent('+12.5%');
    expect(home).toHaveAttribute('data-flash', 'up');
    // draw was 3.00 at B365: 2.90 from another bookmaker does not beat it
    expect(within(row(1)).getByTestId('price-1x2-draw')).toHaveTextContent('3.00');
    expect(within(row(1)).getByTestId('price-1x2-draw')).not.toHaveAttribute('data-flash');
    // the other rows are untouched
    expect(within(row(3)).getByTestId('price-1x2-home')).not.toHaveAttribute('data-flash');
  });

  it('flashes down when the best bookmaker lowers its price, and clears the flash after 2 s', async () => {
    setup();
    renderWithProviders(<LiveBoard />);
    await screen.findAllByTestId('board-row');
    vi.useFakeTimers();
    try {
      act(() => {
        lastSocket().push('odds:update', {
          fixture_id: 3,
          competition: 'E0',
          bookmaker: 'B365',
          market: '1x2',
          line: null,
          kind: 'prematch',
          prices: { home: '2.20' },
          captured_at: '2030-01-01T10:00:00Z',
          received_at: '2030-01-01T10:00:01Z',
        });
      });
      const home = within(row(3)).getByTestId('price-1x2-home');
      expect(home).toHaveTextContent('2.20');
      expect(home).toHaveAttribute('data-flash', 'down');
      act(() => {
        vi.advanceTimersByTime(2100);
      });
      expect(home).not.toHaveAttribute('data-flash');
    } finally {
      vi.useRealTimers();
    }
  });

  it('applies a prediction:update to probabilities', async () => {
    setup();
    renderWithProviders(<LiveBoard />);
    await screen.findAllByTestId('board-row');
    act(() => {
      lastSocket().push('prediction:update', {
        fixture_id: 2,
        competition: 'E0',
        odds_id: 9,
        model: 'dixon_coles',
        version: 'v2',
        probabilities: [0.5, 0.3, 0.2],
        markets: { '1x2': [0.5, 0.3, 0.2], over_under: { '2.5': [0.55, 0.45] }, btts_yes: 0.5 },
        feature_hash: 'abc',
        received_at: '2030-01-01T10:00:01Z',
        predicted_at: '2030-01-01T10:00:00Z',
      });
    });
    const over = within(row(2)).getByTestId('prob-over_under-over');
    expect(over).toHaveTextContent('55.0%');
    expect(over).toHaveTextContent('fair 1.82');
    expect(over).toHaveAttribute('data-flash', 'down');
    expect(within(row(2)).getByTestId('prob-1x2-home')).toHaveAttribute('data-flash', 'up');
    expect(within(row(2)).getByText(/dixon_coles v2/)).toBeInTheDocument();
  });

  it('says why the board is empty', async () => {
    mockFetch({
      'GET /api/v1/board': page([]),
      'GET /api/v1/competitions': page([]),
      'GET /api/v1/portfolios': page([]),
    });
    renderWithProviders(<LiveBoard />);
    expect(await screen.findByText('No upcoming fixtures')).toBeInTheDocument();
    expect(screen.getByTestId('live-status')).toHaveTextContent('Offline');
  });

  it('warns when no model is active', async () => {
    mockFetch({
      'GET /api/v1/board': page([boardRow(1, { prediction_id: null, model: null, version: null })]),
      'GET /api/v1/competitions': page([]),
      'GET /api/v1/portfolios': page([]),
    });
    renderWithProviders(<LiveBoard />);
    expect(await screen.findByText(/No active model/)).toBeInTheDocument();
  });

  it('offers a Bet on positive edges and hands over the selection', async () => {
    setup();
    const onBet = vi.fn();
    const user = userEvent.setup();
    renderWithProviders(<LiveBoard onBet={onBet} />, { route: '/?portfolio=1' });
    await screen.findAllByTestId('board-row');
    expect(within(row(1)).queryByRole('button', { name: /Bet Draw/ })).not.toBeInTheDocument();
    await user.click(within(row(3)).getByRole('button', { name: 'Bet Home 3, Home 3 v Away 3, at 2.40' }));
    expect(onBet).toHaveBeenCalledWith(
      expect.objectContaining({ selection: expect.objectContaining({ odds_snapshot_id: 31, selection: 'home' }) }),
      1,
    );
    await waitFor(() => expect(screen.getByLabelText('Stakes for portfolio')).toHaveValue('1'));
  });

  it('moves between rows and selections with the keyboard and bets with b', async () => {
    setup();
    const onBet = vi.fn();
    const user = userEvent.setup();
    renderWithProviders(<LiveBoard onBet={onBet} />, { route: '/?portfolio=1' });
    await screen.findAllByTestId('board-row');
    await user.keyboard('?');
    const help = screen.getByRole('dialog', { name: 'Keyboard shortcuts' });
    expect(help).toHaveTextContent('Bet on the marked selection');
    await user.keyboard('b'); // ignored while a dialog is open
    expect(onBet).not.toHaveBeenCalled();
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    const target = fixtureIds().indexOf('3');
    for (let step = 0; step <= target; step += 1) await user.keyboard('j');
    expect(row(3)).toHaveFocus();
    expect(row(3).querySelector('td[data-active]')).toHaveAttribute('data-label', 'Home 3');
    await user.keyboard('l');
    expect(row(3).querySelector('td[data-active]')).toHaveAttribute('data-label', 'Draw');
    await user.keyboard('h');
    await user.keyboard('b');
    expect(onBet).toHaveBeenCalledWith(
      expect.objectContaining({ label: 'Home 3', selection: expect.objectContaining({ odds_snapshot_id: 31 }) }),
      1,
    );
    // keys typed into a field are the field's
    onBet.mockClear();
    await user.click(screen.getByLabelText('Minimum edge (%)'));
    await user.keyboard('b');
    expect(onBet).not.toHaveBeenCalled();
  });
});
