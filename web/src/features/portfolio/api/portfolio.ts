import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import {
  createPortfolioApiV1PortfoliosPost,
  depositApiV1PortfoliosPortfolioIdDepositsPost,
  exposureApiV1PortfoliosPortfolioIdExposureGet,
  fixturesApiV1FixturesGet,
  listBetsApiV1PortfoliosPortfolioIdBetsGet,
  placeBetApiV1PortfoliosPortfolioIdBetsPost,
  updateSettingsApiV1PortfoliosPortfolioIdSettingsPut,
  valueBetsApiV1PortfoliosPortfolioIdValueBetsGet,
  voidBetApiV1BetsBetIdVoidPost,
} from '@/client/sdk.gen';
import type {
  BetIn,
  BetOut,
  ExposureOut,
  Page,
  PortfolioIn,
  PortfolioSettingsIn,
  ValueBet,
} from '@/lib/api-types';
import { portfoliosQueryKey } from '@/lib/queries';

export const portfolioKeys = {
  bets: (id: number, status: string) => ['portfolio', id, 'bets', status] as const,
  exposure: (id: number) => ['portfolio', id, 'exposure'] as const,
  valueBets: (id: number, competition: string) => ['portfolio', id, 'value-bets', competition] as const,
  all: (id: number) => ['portfolio', id] as const,
};

export function useBets(portfolioId: number | undefined, status: 'open' | 'settled' | 'void') {
  return useQuery({
    queryKey: portfolioKeys.bets(portfolioId ?? 0, status),
    queryFn: async (): Promise<Page<BetOut>> =>
      (
        await listBetsApiV1PortfoliosPortfolioIdBetsGet({
          path: { portfolio_id: portfolioId ?? 0 },
          query: { status, limit: 500 },
        })
      ).data,
    enabled: portfolioId !== undefined,
  });
}

export function useExposure(portfolioId: number | undefined) {
  return useQuery({
    queryKey: portfolioKeys.exposure(portfolioId ?? 0),
    queryFn: async (): Promise<ExposureOut> =>
      (await exposureApiV1PortfoliosPortfolioIdExposureGet({ path: { portfolio_id: portfolioId ?? 0 } })).data,
    enabled: portfolioId !== undefined,
  });
}

export function useValueBets(portfolioId: number | undefined, competition: string) {
  return useQuery({
    queryKey: portfolioKeys.valueBets(portfolioId ?? 0, competition),
    queryFn: async (): Promise<Page<ValueBet>> =>
      (
        await valueBetsApiV1PortfoliosPortfolioIdValueBetsGet({
          path: { portfolio_id: portfolioId ?? 0 },
          // '' is every competition: the API then searches them all.
          query: { competition: competition || undefined, limit: 200 },
        })
      ).data,
    enabled: portfolioId !== undefined,
  });
}

function useRefreshPortfolio() {
  const queryClient = useQueryClient();
  return (portfolioId: number) => {
    void queryClient.invalidateQueries({ queryKey: portfoliosQueryKey });
    void queryClient.invalidateQueries({ queryKey: portfolioKeys.all(portfolioId) });
    void queryClient.invalidateQueries({ queryKey: ['board'] });
  };
}

export function useCreatePortfolio() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: PortfolioIn) => (await createPortfolioApiV1PortfoliosPost({ body })).data,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: portfoliosQueryKey }),
  });
}

export function useUpdateSettings(portfolioId: number) {
  const refresh = useRefreshPortfolio();
  return useMutation({
    mutationFn: async (body: PortfolioSettingsIn) =>
      (await updateSettingsApiV1PortfoliosPortfolioIdSettingsPut({ path: { portfolio_id: portfolioId }, body }))
        .data,
    onSuccess: () => refresh(portfolioId),
  });
}

export function useDeposit(portfolioId: number) {
  const refresh = useRefreshPortfolio();
  return useMutation({
    mutationFn: async (amountMinor: number) =>
      (
        await depositApiV1PortfoliosPortfolioIdDepositsPost({
          path: { portfolio_id: portfolioId },
          body: { amount_minor: amountMinor },
        })
      ).data,
    onSuccess: () => refresh(portfolioId),
  });
}

export function usePlaceBet() {
  const refresh = useRefreshPortfolio();
  return useMutation({
    mutationFn: async ({ portfolioId, bet }: { portfolioId: number; bet: BetIn }) =>
      (await placeBetApiV1PortfoliosPortfolioIdBetsPost({ path: { portfolio_id: portfolioId }, body: bet }))
        .data,
    onSuccess: (_bet, { portfolioId }) => refresh(portfolioId),
  });
}

export function useVoidBet(portfolioId: number) {
  const refresh = useRefreshPortfolio();
  return useMutation({
    mutationFn: async (betId: number) => {
      await voidBetApiV1BetsBetIdVoidPost({ path: { bet_id: betId } });
    },
    onSuccess: () => refresh(portfolioId),
  });
}

/** Upcoming fixtures of a competition by id, to name the fixtures value bets point at. */
export function useFixtureNames(competition: string) {
  return useQuery({
    queryKey: ['fixtures', 'names', competition],
    queryFn: async () => {
      const { data } = await fixturesApiV1FixturesGet({
        query: {
          competition: competition || undefined,
          start: new Date(Date.now() - 3 * 3600_000).toISOString(),
          limit: 500,
        },
      });
      return new Map(data.items.map((item) => [item.id, item]));
    },
    staleTime: 5 * 60_000,
  });
}
