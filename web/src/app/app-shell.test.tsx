import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import { resetSocket } from '@/lib/socket';
import { seriousViolations } from '@/test/axe';
import { boardRow, page } from '@/test/factories';
import { json, mockFetch } from '@/test/fetch-mock';
import { renderWithProviders, testQueryClient } from '@/test/render';
import { AppShell } from './layout/app-shell';
import { BoardRoute } from './routes/board';
import { SignInRoute } from './routes/sign-in';
import { createMemoryRouter, RouterProvider } from 'react-router';
import { QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';

vi.mock('socket.io-client', () => import('@/test/fake-socket'));

const admin = { id: 1, email: 'ana@desk.io', role: 'admin', is_active: true, created_at: '2025-01-01T00:00:00Z' };

function renderShell(role: 'admin' | 'trader') {
  const queryClient = testQueryClient();
  queryClient.setQueryData(['me'], { ...admin, role });
  const router = createMemoryRouter(
    [
      { path: '/', element: <AppShell />, children: [{ index: true, element: <BoardRoute /> }] },
      { path: '/sign-in', element: <p>sign-in page</p> },
    ],
    { initialEntries: ['/'] },
  );
  render(
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>,
  );
  return router;
}

beforeEach(() => resetSocket());

describe('app shell', () => {
  beforeEach(() => {
    mockFetch({
      'GET /api/v1/board': page([boardRow(1)]),
      'GET /api/v1/competitions': page([]),
      'GET /api/v1/portfolios': page([]),
      'DELETE /api/v1/auth/session': json(null, 204),
    });
  });

  it('has the header, the main navigation and one main, with the admin link for admins', async () => {
    renderShell('admin');
    await screen.findAllByTestId('board-row');
    const nav = screen.getByRole('navigation', { name: 'Main' });
    expect(within(nav).getAllByRole('link').map((link) => link.textContent)).toEqual([
      'Live board',
      'Portfolio',
      'History',
      'Accounts',
      'Performance',
      'Model health',
      'Admin',
    ]);
    expect(within(nav).getByRole('link', { name: 'Live board' })).toHaveAttribute('aria-current', 'page');
    expect(screen.getByRole('banner')).toBeInTheDocument();
    expect(screen.getAllByRole('main')).toHaveLength(1);
    expect(screen.getAllByRole('heading', { level: 1 })).toHaveLength(1);
    expect(screen.getByRole('link', { name: 'Skip to content' })).toHaveAttribute('href', '#main');
    expect(await seriousViolations()).toEqual([]);
  }, 15_000); // axe over the whole shell and board: seconds on a busy 2-core runner

  it('names the theme the toggle switches to, in either theme', async () => {
    renderShell('trader');
    await screen.findAllByTestId('board-row');
    const people = userEvent.setup();
    const before = document.documentElement.classList.contains('dark');
    const toggle = screen.getByTestId('theme-toggle');
    expect(toggle).toHaveTextContent(before ? 'Light theme' : 'Dark theme');
    await people.click(toggle);
    expect(document.documentElement.classList.contains('dark')).toBe(!before);
    expect(toggle).toHaveTextContent(before ? 'Dark theme' : 'Light theme');
    await people.click(toggle);
    expect(toggle).toHaveTextContent(before ? 'Light theme' : 'Dark theme');
  });

  it('opens the navigation as a menu', async () => {
    renderShell('admin');
    await screen.findAllByTestId('board-row');
    const people = userEvent.setup();
    const menu = screen.getByRole('button', { name: 'Menu' });
    expect(menu).toHaveAttribute('aria-expanded', 'false');
    await people.click(menu);
    expect(screen.getByRole('button', { name: 'Close menu' })).toHaveAttribute('aria-expanded', 'true');
    expect(screen.getByRole('link', { name: 'Admin' })).toBeInTheDocument();
    await people.click(screen.getByRole('link', { name: 'Live board' }));
    expect(screen.getByRole('button', { name: 'Menu' })).toHaveAttribute('aria-expanded', 'false');
  });

  it('hides Admin from traders', async () => {
    renderShell('trader');
    await screen.findAllByTestId('board-row');
    expect(screen.queryByRole('link', { name: 'Admin' })).not.toBeInTheDocument();
  });

  it('signs out through the session endpoint and goes to sign-in', async () => {
    const api = mockFetch({
      'GET /api/v1/board': page([]),
      'GET /api/v1/competitions': page([]),
      'GET /api/v1/portfolios': page([]),
      'DELETE /api/v1/auth/session': json(null, 204),
    });
    const router = renderShell('trader');
    await userEvent.setup().click(screen.getByRole('button', { name: 'Sign out' }));
    expect(await screen.findByText('sign-in page')).toBeInTheDocument();
    expect(router.state.location.pathname).toBe('/sign-in');
    expect(api.callsTo('DELETE', '/api/v1/auth/session')).toHaveLength(1);
  });
});

describe('sign-in page', () => {
  it('offers the admin bootstrap on a fresh platform', async () => {
    mockFetch({ 'GET /api/v1/auth/setup': { needs_bootstrap: true } });
    renderWithProviders(<SignInRoute />, { route: '/sign-in', path: '/sign-in' });
    expect(await screen.findByRole('heading', { level: 1, name: 'Create the admin account' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Create admin' })).toBeInTheDocument();
    expect(await seriousViolations()).toEqual([]);
  });

  it('signs in and follows the next parameter', async () => {
    mockFetch({ 'GET /api/v1/auth/setup': { needs_bootstrap: false }, 'POST /api/v1/auth/session': admin });
    const { router } = renderWithProviders(<SignInRoute />, { route: '/sign-in?next=%2Fportfolio', path: '/sign-in' });
    const people = userEvent.setup();
    await people.type(await screen.findByLabelText('Email'), 'ana@desk.io');
    await people.type(screen.getByLabelText('Password'), 'a long passphrase');
    expect(await seriousViolations()).toEqual([]);
    await people.click(screen.getByRole('button', { name: 'Sign in' }));
    await vi.waitFor(() => expect(router.state.location.pathname).toBe('/portfolio'));
  });
});
