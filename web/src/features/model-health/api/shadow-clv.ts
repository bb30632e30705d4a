import { keepPreviousData, useQuery } from '@tanstack/react-query';

import { shadowClvReportApiV1ModelsHealthShadowClvGet } from '@/client/sdk.gen';

/** Shadow CLV of the active model's stored predictions over the same period as its health. */
export function useShadowClv(days: number) {
  return useQuery({
    queryKey: ['models', 'health', 'shadow-clv', days],
    queryFn: async () => (await shadowClvReportApiV1ModelsHealthShadowClvGet({ query: { days } })).data,
    placeholderData: keepPreviousData,
  });
}
