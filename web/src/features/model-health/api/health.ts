import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import {
  healthApiV1ModelsHealthGet,
  modelsApiV1ModelsGet,
  switchModelApiV1AdminModelsActivePut,
} from '@/client/sdk.gen';

export function useModelHealth(days: number, window: number) {
  return useQuery({
    queryKey: ['models', 'health', days, window],
    queryFn: async () => (await healthApiV1ModelsHealthGet({ query: { days, window } })).data,
    placeholderData: keepPreviousData,
  });
}

export function useModelVersions() {
  return useQuery({
    queryKey: ['models', 'versions'],
    queryFn: async () => (await modelsApiV1ModelsGet({ query: { limit: 100 } })).data,
  });
}

/** Admins switch the serving model; the board and health follow. */
export function useActivateModel() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ name, version }: { name: string; version: string }) =>
      (await switchModelApiV1AdminModelsActivePut({ body: { name, version } })).data,
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['models'] });
      void queryClient.invalidateQueries({ queryKey: ['board'] });
    },
  });
}
