/** Reads several pages share: the competitions and the caller's portfolios. */
import { useQuery } from '@tanstack/react-query';

import { competitionsApiV1CompetitionsGet, listPortfoliosApiV1PortfoliosGet } from '@/client/sdk.gen';

export const competitionsQueryKey = ['competitions'] as const;
export const portfoliosQueryKey = ['portfolios'] as const;

export function useCompetitions() {
  return useQuery({
    queryKey: competitionsQueryKey,
    queryFn: async () => (await competitionsApiV1CompetitionsGet({ query: { limit: 500 } })).data,
    staleTime: 5 * 60_000,
  });
}

export function usePortfolios() {
  return useQuery({
    queryKey: portfoliosQueryKey,
    queryFn: async () => (await listPortfoliosApiV1PortfoliosGet({ query: { limit: 500 } })).data,
  });
}
