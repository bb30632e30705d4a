/**
 * The signed-in user, from `GET /api/v1/auth/setup`: it names the session's user (or null)
 * and never answers 401, so a signed-out start logs no failed request in the console.
 */
import { useQuery, type UseQueryResult } from '@tanstack/react-query';

import { setupApiV1AuthSetupGet } from '@/client/sdk.gen';
import type { Role, UserOut } from './api-types';

export const userQueryKey = ['me'] as const;

export async function fetchUser(): Promise<UserOut | null> {
  const { data } = await setupApiV1AuthSetupGet();
  return data.user ?? null;
}

export function useUser(): UseQueryResult<UserOut | null> {
  return useQuery({ queryKey: userQueryKey, queryFn: fetchUser, staleTime: 60_000 });
}

export function hasRole(user: UserOut | null | undefined, ...roles: Role[]): boolean {
  return user ? roles.includes(user.role) : false;
}

/** Traders and admins place bets and manage portfolios; viewers only read. */
export function canTrade(user: UserOut | null | undefined): boolean {
  return hasRole(user, 'admin', 'trader');
}
