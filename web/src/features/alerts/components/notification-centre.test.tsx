import { QueryClientProvider } from '@tanstack/react-query';
import { act, render as rtlRender, screen, waitFor, within } from '@testing-library/react';
import { createMemoryRouter, Outlet, RouterProvider } from 'react-router';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import { connectSocket, resetSocket } from '@/lib/socket';
import { seriousViolations } from '@/test/axe';
import { alert, alertPage } from '@/test/factories';
import { lastSocket } from '@/test/fake-socket';
import { mockFetch } from '@/test/fetch-mock';
import { testQueryClient } from '@/test/render';
import { NotificationCentre } from './notification-centre';

vi.mock('socket.io-client', () => import('@/test/fake-socket'));

const older = alert(1, { read_at: '2030-01-01T10:05:00Z', title: 'Line move: Arsenal', message: 'Arsenal v Chelsea: PS Arsenal 2.10 → 2.30 (+9.5%)' });
const newer = alert(2, {
  kind: 'value_bet',
  fixture_id: 9,
  title: 'Value bet: Over 2.5',
  message: 'Liverpool v Everton: Over 2.5 at 2.40 (B365), edge 6.1%',
  home_team: 'Liverpool',
  away_team: 'Everton',
});

function setup(items = [newer, older]) {
  let answer = alertPage(items);
  const api = mockFetch({
    'GET /api/v1/alerts': () => answer,
    'POST /api/v1/alerts/read': async (request: Request) => {
      const body = (await request.json()) as { ids?: number[]; all?: boolean };
      const now = '2030-01-01T11:00:00Z';
      answer = alertPage(answer.items.map((item) => (body.all || body.ids?.includes(item.id) ? { ...item, read_at: item.read_at ?? now } : item)));
      return { unread: answer.unread };
    },
  });
  const set = (next: typeof answer) => {
    answer = next;
  };
  return { api, set };
}

/** The centre stays mounted as the app's header keeps it, whichever page is shown. */
function render() {
  connectSocket();
  const queryClient = testQueryClient();
  const router = createMemoryRouter(
    [
      {
        path: '/',
        element: (
          <>
            <NotificationCentre />
            <Outlet />
          </>
        ),
        children: [
          { index: true, element: <p>board</p> },
          { path: 'fixtures/:id', element: <p>fixture page</p> },
        ],
      },
    ],
    { initialEntries: ['/'] },
  );
  rtlRender(
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>,
  );
  return { router };
}

beforeEach(() => resetSocket());

describe('notification centre', () => {
  it('names the unread count on the bell and lists alerts newest first, unread marked', async () => {
    setup();
    render();
    const bell = await screen.findByRole('button', { name: 'Notifications, 1 unread' });
    expect(screen.getByTestId('alerts-unread')).toHaveTextContent('1');
    expect(bell).toHaveAttribute('aria-expanded', 'false');
    await userEvent.setup().click(bell);
    const panel = screen.getByRole('dialog', { name: 'Notifications' });
    const items = within(panel).getAllByTestId('alert-item');
    expect(items.map((item) => within(item).getByTestId('alert-link').textContent)).toEqual([
      'Value bet: Over 2.5',
      'Line move: Arsenal',
    ]);
    expect(items.map((item) => item.dataset.unread)).toEqual(['true', 'false']);
    expect(within(items[0] as HTMLElement).getByTestId('alert-message')).toHaveTextContent(
      'Liverpool v Everton: Over 2.5 at 2.40 (B365), edge 6.1%',
    );
    expect(within(items[0] as HTMLElement).getByTestId('alert-link')).toHaveAttribute('href', '/fixtures/9');
    expect(within(panel).getByRole('link', { name: 'Alert settings and every alert' })).toHaveAttribute('href', '/alerts');
    expect(await seriousViolations()).toEqual([]);
  });

  it('marks an alert read when it is opened, and all with "Mark all read"', async () => {
    const { api } = setup([newer, alert(3, { title: 'Line move: Chelsea' }), older]);
    const { router } = render();
    const people = userEvent.setup();
    await people.click(await screen.findByRole('button', { name: 'Notifications, 2 unread' }));
    await people.click(screen.getByRole('link', { name: 'Value bet: Over 2.5' }));
    expect(router.state.location.pathname).toBe('/fixtures/9');
    expect(JSON.parse(api.callsTo('POST', '/api/v1/alerts/read')[0]?.body ?? '{}')).toEqual({ ids: [2] });
    await screen.findByRole('button', { name: 'Notifications, 1 unread' });
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();

    await people.click(screen.getByRole('button', { name: 'Notifications, 1 unread' }));
    await people.click(screen.getByRole('button', { name: 'Mark all read' }));
    expect(JSON.parse(api.callsTo('POST', '/api/v1/alerts/read')[1]?.body ?? '{}')).toEqual({ all: true });
    await screen.findByRole('button', { name: 'Notifications' });
    expect(screen.queryByTestId('alerts-unread')).not.toBeInTheDocument();
    expect(screen.getAllByTestId('alert-item').map((item) => item.dataset.unread)).toEqual(['false', 'false', 'false']);
    expect(screen.getByRole('button', { name: 'Mark all read' })).toBeDisabled();
  });

  it('counts a pushed alert:new at once, shows a toast, and lists it on top', async () => {
    const { set } = setup([older]);
    render();
    const people = userEvent.setup();
    await screen.findByRole('button', { name: 'Notifications' });
    const pushed = alert(5, { title: 'Line move: Chelsea', message: 'Arsenal v Chelsea: PS Chelsea 3.70 → 4.20 (+13.5%)' });
    set(alertPage([pushed, older]));
    act(() => lastSocket().push('alert:new', pushed));
    // The cache is written at once; TanStack Query tells the page on its next tick.
    const bell = await screen.findByRole('button', { name: 'Notifications, 1 unread' });
    const toast = screen.getByTestId('alert-toast');
    expect(toast).toHaveTextContent('Line move: Chelsea');
    expect(toast).toHaveTextContent('Arsenal v Chelsea: PS Chelsea 3.70 → 4.20 (+13.5%)');
    await people.click(bell);
    // The open panel lists it: the toast goes.
    expect(screen.queryByTestId('alert-toast')).not.toBeInTheDocument();
    const items = screen.getAllByTestId('alert-item');
    expect(items.map((item) => within(item).getByTestId('alert-link').textContent)).toEqual([
      'Line move: Chelsea',
      'Line move: Arsenal',
    ]);
    expect(items.map((item) => item.dataset.unread)).toEqual(['true', 'false']);
    // While the panel is open, a push goes straight into the list; the same alert pushed again
    // (another tab's reconnect) is neither listed nor counted twice.
    const next = alert(6, { kind: 'value_bet', title: 'Value bet: Draw', message: 'Arsenal v Chelsea: Draw at 4.10 (PS), edge +6.0%' });
    set(alertPage([next, pushed, older]));
    act(() => lastSocket().push('alert:new', next));
    act(() => lastSocket().push('alert:new', next));
    await waitFor(() =>
      expect(screen.getAllByTestId('alert-item').map((item) => within(item).getByTestId('alert-link').textContent)).toEqual([
        'Value bet: Draw',
        'Line move: Chelsea',
        'Line move: Arsenal',
      ]),
    );
    expect(await screen.findByRole('button', { name: 'Notifications, 2 unread' })).toBeInTheDocument();
    expect(screen.queryByTestId('alert-toast')).not.toBeInTheDocument();
  });

  it('says so when there is no alert, and closes on Escape with focus back on the bell', async () => {
    setup([]);
    render();
    const people = userEvent.setup();
    const bell = await screen.findByRole('button', { name: 'Notifications' });
    await people.click(bell);
    expect(await screen.findByText('No alerts yet')).toBeInTheDocument();
    await people.keyboard('{Escape}');
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(bell).toHaveFocus();
  });
});
