/** Bookmaker accounts and bets taken at other bookmakers: reads and writes of one portfolio. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import {
  addLimitationApiV1BookmakerAccountsAccountIdLimitationsPost,
  createAccountApiV1PortfoliosPortfolioIdBookmakerAccountsPost,
  fixturesApiV1FixturesGet,
  historyApiV1PortfoliosPortfolioIdHistoryGet,
  recordExternalBetApiV1PortfoliosPortfolioIdExternalBetsPost,
  reportAccountsApiV1PortfoliosPortfolioIdBookmakerAccountsReportGet,
} from '@/client/sdk.gen';
import type { AccountIn, ExternalBetIn, LimitationIn } from '@/lib/api-types';
import { portfoliosQueryKey } from '@/lib/queries';

export const accountKeys = {
  all: (portfolioId: number) => ['accounts', portfolioId] as const,
  report: (portfolioId: number) => ['accounts', portfolioId, 'report'] as const,
  bets: (portfolioId: number) => ['accounts', portfolioId, 'bets'] as const,
};

/** Each account with the P&L and CLV of the bets staked from it. */
export function useAccountReport(portfolioId: number | undefined) {
  return useQuery({
    queryKey: accountKeys.report(portfolioId ?? 0),
    queryFn: async () =>
      (
        await reportAccountsApiV1PortfoliosPortfolioIdBookmakerAccountsReportGet({
          path: { portfolio_id: portfolioId ?? 0 },
        })
      ).data,
    enabled: portfolioId !== undefined,
  });
}

/** The portfolio's latest bets, open and settled, wherever they were taken, from the history
 * (each names its fixture and teams, played or not). */
export function useRecentBets(portfolioId: number | undefined) {
  return useQuery({
    queryKey: accountKeys.bets(portfolioId ?? 0),
    queryFn: async () =>
      (
        await historyApiV1PortfoliosPortfolioIdHistoryGet({
          path: { portfolio_id: portfolioId ?? 0 },
          query: { limit: 20 },
        })
      ).data,
    enabled: portfolioId !== undefined,
  });
}

/** Fixtures still to kick off, to record a bet on. */
export function useUpcomingFixtures() {
  return useQuery({
    queryKey: ['fixtures', 'upcoming'],
    queryFn: async () =>
      (
        await fixturesApiV1FixturesGet({
          query: { status: 'scheduled', start: new Date().toISOString(), limit: 200 },
        })
      ).data,
  });
}

function useRefresh() {
  const queryClient = useQueryClient();
  return (portfolioId: number) => {
    void queryClient.invalidateQueries({ queryKey: accountKeys.all(portfolioId) });
    void queryClient.invalidateQueries({ queryKey: portfoliosQueryKey });
    void queryClient.invalidateQueries({ queryKey: ['portfolio', portfolioId] });
  };
}

export function useCreateAccount(portfolioId: number) {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: async (body: AccountIn) =>
      (
        await createAccountApiV1PortfoliosPortfolioIdBookmakerAccountsPost({
          path: { portfolio_id: portfolioId },
          body,
        })
      ).data,
    onSuccess: () => refresh(portfolioId),
  });
}

export function useAddLimitation(portfolioId: number) {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: async ({ accountId, body }: { accountId: number; body: LimitationIn }) =>
      (
        await addLimitationApiV1BookmakerAccountsAccountIdLimitationsPost({
          path: { account_id: accountId },
          body,
        })
      ).data,
    onSuccess: () => refresh(portfolioId),
  });
}

export function useRecordExternalBet(portfolioId: number) {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: async (body: ExternalBetIn) =>
      (
        await recordExternalBetApiV1PortfoliosPortfolioIdExternalBetsPost({
          path: { portfolio_id: portfolioId },
          body,
        })
      ).data,
    onSuccess: () => refresh(portfolioId),
  });
}
