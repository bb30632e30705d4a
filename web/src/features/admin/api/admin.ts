import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import {
  changeUserApiV1AdminUsersUserIdPatch,
  createKeyApiV1KeysPost,
  createUserApiV1AdminUsersPost,
  everyKeyApiV1AdminKeysGet,
  listKeysApiV1KeysGet,
  listUsersApiV1AdminUsersGet,
  revokeAnyKeyApiV1AdminKeysKeyIdDelete,
  revokeKeyApiV1KeysKeyIdDelete,
  startRefitApiV1AdminRefitPost,
  statusApiV1AdminStatusGet,
  uploadFootballDataApiV1AdminIngestFootballDataPost,
} from '@/client/sdk.gen';
import type { ApiKeyCreate as ApiKeyIn, UserUpdate as UserChange, UserCreate as UserIn } from '@/client/types.gen';

export const STATUS_REFRESH_MS = 5000;

export const adminKeys = {
  users: ['admin', 'users'] as const,
  ownKeys: ['keys', 'own'] as const,
  allKeys: ['admin', 'keys'] as const,
  status: ['admin', 'status'] as const,
};

export function useUsers() {
  return useQuery({
    queryKey: adminKeys.users,
    queryFn: async () => (await listUsersApiV1AdminUsersGet({ query: { limit: 500 } })).data,
  });
}

export function useCreateUser() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: UserIn) => (await createUserApiV1AdminUsersPost({ body })).data,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: adminKeys.users }),
  });
}

export function useChangeUser() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ id, change }: { id: number; change: UserChange }) =>
      (await changeUserApiV1AdminUsersUserIdPatch({ path: { user_id: id }, body: change })).data,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: adminKeys.users }),
  });
}

export function useOwnKeys() {
  return useQuery({
    queryKey: adminKeys.ownKeys,
    queryFn: async () => (await listKeysApiV1KeysGet({ query: { limit: 500 } })).data,
  });
}

export function useAllKeys() {
  return useQuery({
    queryKey: adminKeys.allKeys,
    queryFn: async () => (await everyKeyApiV1AdminKeysGet({ query: { limit: 500 } })).data,
  });
}

function useInvalidateKeys() {
  const queryClient = useQueryClient();
  return () => {
    void queryClient.invalidateQueries({ queryKey: adminKeys.ownKeys });
    void queryClient.invalidateQueries({ queryKey: adminKeys.allKeys });
  };
}

export function useCreateKey() {
  const invalidate = useInvalidateKeys();
  return useMutation({
    mutationFn: async (body: ApiKeyIn) => (await createKeyApiV1KeysPost({ body })).data,
    onSuccess: invalidate,
  });
}

export function useRevokeKey(scope: 'own' | 'any') {
  const invalidate = useInvalidateKeys();
  return useMutation({
    mutationFn: async (id: number) => {
      if (scope === 'own') await revokeKeyApiV1KeysKeyIdDelete({ path: { key_id: id } });
      else await revokeAnyKeyApiV1AdminKeysKeyIdDelete({ path: { key_id: id } });
    },
    onSuccess: invalidate,
  });
}

export function useAdminStatus() {
  return useQuery({
    queryKey: adminKeys.status,
    queryFn: async () => (await statusApiV1AdminStatusGet()).data,
    refetchInterval: STATUS_REFRESH_MS,
    refetchIntervalInBackground: false,
  });
}

export function useStartRefit() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async () => (await startRefitApiV1AdminRefitPost()).data,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: adminKeys.status }),
  });
}

export function useUploadFootballData() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (file: File) =>
      (await uploadFootballDataApiV1AdminIngestFootballDataPost({ body: file, query: { filename: file.name } })).data,
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: adminKeys.status });
      void queryClient.invalidateQueries({ queryKey: ['board'] });
      void queryClient.invalidateQueries({ queryKey: ['competitions'] });
    },
  });
}
