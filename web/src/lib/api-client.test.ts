import { afterEach, describe, expect, it, vi } from 'vitest';

import {
  changeUserApiV1AdminUsersUserIdPatch,
  closeSessionApiV1AuthSessionDelete,
  createPortfolioApiV1PortfoliosPost,
  listPortfoliosApiV1PortfoliosGet,
  meApiV1MeGet,
  openSessionApiV1AuthSessionPost,
} from '@/client/sdk.gen';
import { json, mockFetch } from '@/test/fetch-mock';
import { ApiError, errorMessage, setUnauthorizedHandler } from './api-client';

const portfolio = {
  id: 1,
  name: 'Main',
  currency: 'EUR',
  kelly_fraction: '0.25',
  max_stake_fraction: '0.05',
  max_fixture_fraction: '0.1000',
  max_day_fraction: '0.2500',
  min_edge: '0.02',
  bankroll_minor: 0,
  open_stakes_minor: 0,
  created_at: '2025-01-01T00:00:00Z',
};

afterEach(() => setUnauthorizedHandler(null));

describe('api client', () => {
  it('sends the CSRF cookie as X-CSRF-Token on writes', async () => {
    document.cookie = 'scoreline_csrf=tok%2Ben123';
    const api = mockFetch({ 'POST /api/v1/portfolios': json(portfolio, 201) });
    await createPortfolioApiV1PortfoliosPost({ body: { name: 'Main' } });
    const [call] = api.callsTo('POST', '/api/v1/portfolios');
    expect(call?.headers.get('X-CSRF-Token')).toBe('tok+en123');
    expect(JSON.parse(call?.body ?? '')).toEqual({ name: 'Main' });
  });

  it('sends no CSRF header on reads', async () => {
    document.cookie = 'scoreline_csrf=abc';
    const api = mockFetch({ 'GET /api/v1/portfolios': { items: [], total: 0, limit: 50, offset: 0 } });
    await listPortfoliosApiV1PortfoliosGet();
    expect(api.calls[0]?.headers.has('X-CSRF-Token')).toBe(false);
  });

  it('adds the CSRF header to DELETE and PATCH too', async () => {
    document.cookie = 'scoreline_csrf=xyz';
    const api = mockFetch({ 'DELETE /api/v1/auth/session': json(null, 204), 'PATCH /api/v1/admin/users/3': {} });
    await closeSessionApiV1AuthSessionDelete();
    await changeUserApiV1AdminUsersUserIdPatch({ path: { user_id: 3 }, body: { role: 'viewer' } });
    expect(api.calls.map((call) => call.headers.get('X-CSRF-Token'))).toEqual(['xyz', 'xyz']);
  });

  it('turns the validation detail into a readable message', async () => {
    mockFetch({
      'POST /api/v1/portfolios': json(
        {
          detail: [
            { loc: ['body', 'name'], msg: 'String should have at least 1 character', type: 'string_too_short' },
            { loc: ['body', 'currency'], msg: "String should match pattern '^[A-Z]{3}$'", type: 'string_pattern_mismatch' },
          ],
        },
        422,
      ),
    });
    const failure = createPortfolioApiV1PortfoliosPost({ body: { name: '' } });
    await expect(failure).rejects.toBeInstanceOf(ApiError);
    await expect(failure).rejects.toMatchObject({
      status: 422,
      message: "name: String should have at least 1 character; currency: String should match pattern '^[A-Z]{3}$'",
    });
  });

  it('uses a detail string as it is, and a status message when the body says nothing', () => {
    expect(errorMessage({ detail: 'stake 5000 exceeds the bankroll 1000' }, 409)).toBe(
      'stake 5000 exceeds the bankroll 1000',
    );
    expect(errorMessage({ detail: [{ loc: ['query', 'limit'], msg: 'too big', type: 'x' }] }, 422)).toBe(
      'limit: too big',
    );
    expect(errorMessage('<html>Bad gateway</html>', 502)).toBe('The server failed (HTTP 502); try again later.');
  });

  it('calls the unauthorized handler on a 401 outside /auth', async () => {
    const handler = vi.fn();
    setUnauthorizedHandler(handler);
    mockFetch({ 'GET /api/v1/me': json({ detail: [{ loc: [], msg: 'not signed in', type: 'auth' }] }, 401) });
    await expect(meApiV1MeGet()).rejects.toMatchObject({ status: 401, message: 'not signed in' });
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it('does not redirect when signing in fails', async () => {
    const handler = vi.fn();
    setUnauthorizedHandler(handler);
    mockFetch({
      'POST /api/v1/auth/session': json({ detail: [{ loc: [], msg: 'wrong email or password', type: 'auth' }] }, 401),
    });
    await expect(openSessionApiV1AuthSessionPost({ body: { email: 'a@b.co', password: 'x' } })).rejects.toThrow(
      'wrong email or password',
    );
    expect(handler).not.toHaveBeenCalled();
  });

  it('reports a network failure as a readable error', async () => {
    vi.stubGlobal('fetch', vi.fn(() => Promise.reject(new TypeError('Failed to fetch'))));
    await expect(meApiV1MeGet()).rejects.toMatchObject({
      status: 0,
      message: 'Could not reach the server (Failed to fetch).',
    });
  });
});
