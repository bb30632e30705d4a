import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';

import { json, mockFetch } from '@/test/fetch-mock';
import { renderWithProviders } from '@/test/render';
import { BootstrapForm } from './bootstrap-form';
import { SignInForm } from './sign-in-form';

const user = { id: 1, email: 'ana@desk.io', role: 'trader', is_active: true, created_at: '2025-01-01T00:00:00Z' };

describe('SignInForm', () => {
  it('posts the credentials to the session endpoint and reports the user', async () => {
    const api = mockFetch({ 'POST /api/v1/auth/session': user });
    const onSignedIn = vi.fn();
    const people = userEvent.setup();
    const { queryClient } = renderWithProviders(<SignInForm onSignedIn={onSignedIn} />);
    await people.type(screen.getByLabelText('Email'), ' ana@desk.io ');
    await people.type(screen.getByLabelText('Password'), 'correct horse');
    await people.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(onSignedIn).toHaveBeenCalledWith(user));
    const [call] = api.callsTo('POST', '/api/v1/auth/session');
    expect(JSON.parse(call?.body ?? '')).toEqual({ email: 'ana@desk.io', password: 'correct horse' });
    expect(call?.headers.get('Content-Type')).toBe('application/json');
    expect(queryClient.getQueryData(['me'])).toEqual(user);
  });

  it("shows the API's message when the credentials are refused", async () => {
    mockFetch({
      'POST /api/v1/auth/session': json({ detail: [{ loc: [], msg: 'wrong email or password', type: 'auth' }] }, 401),
    });
    const onSignedIn = vi.fn();
    const people = userEvent.setup();
    renderWithProviders(<SignInForm onSignedIn={onSignedIn} />);
    await people.type(screen.getByLabelText('Email'), 'ana@desk.io');
    await people.type(screen.getByLabelText('Password'), 'nope');
    await people.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('wrong email or password');
    expect(onSignedIn).not.toHaveBeenCalled();
  });
});

describe('BootstrapForm', () => {
  it('refuses a short password, then creates the admin and signs in', async () => {
    const admin = { ...user, role: 'admin' };
    const api = mockFetch({
      'POST /api/v1/auth/bootstrap': json(admin, 201),
      'POST /api/v1/auth/session': admin,
    });
    const onSignedIn = vi.fn();
    const people = userEvent.setup();
    renderWithProviders(<BootstrapForm onSignedIn={onSignedIn} />);
    await people.type(screen.getByLabelText('Email'), 'ana@desk.io');
    await people.type(screen.getByLabelText('Password'), 'short');
    await people.click(screen.getByRole('button', { name: 'Create admin' }));
    expect(screen.getByText('The password needs at least 12 characters.')).toBeInTheDocument();
    expect(api.calls).toHaveLength(0);

    await people.type(screen.getByLabelText('Password'), '-but-longer');
    await people.click(screen.getByRole('button', { name: 'Create admin' }));
    await waitFor(() => expect(onSignedIn).toHaveBeenCalledWith(admin));
    expect(api.calls.map((call) => `${call.method} ${call.url.pathname}`)).toEqual([
      'POST /api/v1/auth/bootstrap',
      'POST /api/v1/auth/session',
    ]);
    expect(JSON.parse(api.calls[0]?.body ?? '')).toMatchObject({ email: 'ana@desk.io', password: 'short-but-longer' });
  });
});
