import { afterEach, describe, expect, it, vi } from 'vitest';

import { mockFetch } from '@/test/fetch-mock';
import './api-client-config';
import { canTrade, fetchUser } from './auth';

const trader = {
  id: 2,
  email: 't@example.com',
  role: 'trader' as const,
  is_active: true,
  created_at: '2026-11-26T10:00:00Z',
};

describe('fetchUser', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('reads the session user from the setup call, never from a 401', async () => {
    const mock = mockFetch({ 'GET /api/v1/auth/setup': { needs_bootstrap: false, user: trader } });
    await expect(fetchUser()).resolves.toEqual(trader);
    expect(mock.callsTo('GET', '/api/v1/me')).toHaveLength(0);
  });

  it('is null for a signed-out browser', async () => {
    mockFetch({ 'GET /api/v1/auth/setup': { needs_bootstrap: false, user: null } });
    await expect(fetchUser()).resolves.toBeNull();
  });

  it('lets traders and admins trade, not viewers', () => {
    expect(canTrade(trader)).toBe(true);
    expect(canTrade({ ...trader, role: 'viewer' })).toBe(false);
    expect(canTrade(null)).toBe(false);
  });
});
