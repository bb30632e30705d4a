import { type QueryClient, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import {
  bootstrapApiV1AuthBootstrapPost,
  closeSessionApiV1AuthSessionDelete,
  openSessionApiV1AuthSessionPost,
  setupApiV1AuthSetupGet,
} from '@/client/sdk.gen';
import type { Credentials, SetupState, UserOut } from '@/lib/api-types';
import { userQueryKey } from '@/lib/auth';

export type { Credentials };

export const setupQueryKey = ['auth', 'setup'] as const;

export async function getSetup(): Promise<SetupState> {
  return (await setupApiV1AuthSetupGet()).data;
}

/** Sign in: the server answers with the user and sets the session and CSRF cookies. */
export async function createSession(credentials: Credentials): Promise<UserOut> {
  return (await openSessionApiV1AuthSessionPost({ body: credentials })).data;
}

export async function deleteSession(): Promise<void> {
  await closeSessionApiV1AuthSessionDelete();
}

export async function bootstrapAdmin(credentials: Credentials): Promise<UserOut> {
  const { data } = await bootstrapApiV1AuthBootstrapPost({
    body: { ...credentials, role: 'admin' },
  });
  return data;
}

export function useSetup() {
  return useQuery({ queryKey: setupQueryKey, queryFn: getSetup, staleTime: Infinity, retry: false });
}

export function useSignIn() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createSession,
    onSuccess: (user) => {
      queryClient.setQueryData(userQueryKey, user);
    },
  });
}

export function useBootstrap() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (credentials: Credentials) => {
      await bootstrapAdmin(credentials);
      return createSession(credentials);
    },
    onSuccess: (user) => {
      queryClient.setQueryData(setupQueryKey, { needs_bootstrap: false });
      queryClient.setQueryData(userQueryKey, user);
    },
  });
}

/**
 * Wait (at most ``limitMs``) until no query is fetching. A request still in flight when the
 * session closes comes back 401, which the browser reports as an error on a page the user
 * is leaving on purpose; the board's first load is several requests.
 */
export async function whenIdle(queryClient: QueryClient, limitMs = 3000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (queryClient.isFetching() > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export function useSignOut() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async () => {
      await whenIdle(queryClient);
      await deleteSession();
    },
    onSettled: () => {
      queryClient.clear();
      queryClient.setQueryData(userQueryKey, null);
    },
  });
}
