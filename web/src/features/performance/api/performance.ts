import { keepPreviousData, useQuery } from '@tanstack/react-query';

import { performanceApiV1PortfoliosPortfolioIdPerformanceGet } from '@/client/sdk.gen';

export function usePerformance(portfolioId: number | undefined, start?: string, end?: string) {
  return useQuery({
    queryKey: ['portfolio', portfolioId ?? 0, 'performance', start ?? null, end ?? null],
    queryFn: async () =>
      (
        await performanceApiV1PortfoliosPortfolioIdPerformanceGet({
          path: { portfolio_id: portfolioId ?? 0 },
          query: { start, end },
        })
      ).data,
    enabled: portfolioId !== undefined,
    placeholderData: keepPreviousData,
  });
}
