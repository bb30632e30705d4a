/**
 * The bet history and a bet's own page, read from the API: every bet with its close, CLV and
 * P&L (`/portfolios/{id}/history`, the same filters as its CSV export) and one bet with its
 * audit snapshots (`/bets/{id}`).
 */
import { keepPreviousData, useQuery } from '@tanstack/react-query';

import { getBetApiV1BetsBetIdGet, historyApiV1PortfoliosPortfolioIdHistoryGet } from '@/client/sdk.gen';
import type { HistoryApiV1PortfoliosPortfolioIdHistoryGetData } from '@/client/types.gen';
import type { BetHistoryOut, BetPageOut, Page } from '@/lib/api-types';

export const HISTORY_PAGE = 100;

/** The history's filters as the page's search parameters hold them (empty: no filter). */
export interface HistoryFilters {
  start: string;
  end: string;
  competition: string;
  market: string;
  bookmaker: string;
  status: string;
  outcome: string;
}

export const FILTER_NAMES = ['start', 'end', 'competition', 'market', 'bookmaker', 'status', 'outcome'] as const;

const DAY_MS = 86_400_000;

/** A `YYYY-MM-DD` date as the instant its day starts (UTC); `nextDay` the instant it ends. */
function dayStart(value: string, nextDay = false): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return undefined;
  const start = Date.parse(`${value}T00:00:00Z`);
  if (Number.isNaN(start)) return undefined;
  return new Date(start + (nextDay ? DAY_MS : 0)).toISOString();
}

type HistoryQuery = NonNullable<HistoryApiV1PortfoliosPortfolioIdHistoryGetData['query']>;

const MARKETS = ['1x2', 'over_under', 'asian_handicap'] as const;
const STATUSES = ['open', 'settled', 'void'] as const;
const OUTCOMES = ['won', 'half_won', 'push', 'half_lost', 'lost', 'void'] as const;

function oneOf<T extends string>(allowed: readonly T[], value: string): T | undefined {
  return allowed.find((item) => item === value);
}

/** The API's query for these filters: dates become a half-open range of whole UTC days; a
 * value the API would refuse (a hand-edited address) is left out. */
export function historyQuery(filters: HistoryFilters): HistoryQuery {
  const query: HistoryQuery = {};
  const from = dayStart(filters.start);
  const to = dayStart(filters.end, true);
  if (from) query.placed_from = from;
  if (to) query.placed_to = to;
  if (filters.competition.trim()) query.competition = filters.competition.trim();
  if (filters.bookmaker.trim()) query.bookmaker = filters.bookmaker.trim();
  const market = oneOf(MARKETS, filters.market);
  const status = oneOf(STATUSES, filters.status);
  const outcome = oneOf(OUTCOMES, filters.outcome);
  if (market) query.market = market;
  if (status) query.status = status;
  if (outcome) query.outcome = outcome;
  return query;
}

/** Where the CSV export of these bets is downloaded from (same origin, the session's cookie). */
export function historyCsvUrl(portfolioId: number, filters: HistoryFilters): string {
  const entries = Object.entries(historyQuery(filters)).map(([key, value]) => [key, String(value)]);
  const query = new URLSearchParams(entries).toString();
  return `/api/v1/portfolios/${portfolioId}/history.csv${query ? `?${query}` : ''}`;
}

export function useBetHistory(portfolioId: number | undefined, filters: HistoryFilters, offset: number) {
  const query = historyQuery(filters);
  return useQuery({
    queryKey: ['portfolio', portfolioId ?? 0, 'history', query, offset],
    queryFn: async (): Promise<Page<BetHistoryOut>> =>
      (
        await historyApiV1PortfoliosPortfolioIdHistoryGet({
          path: { portfolio_id: portfolioId ?? 0 },
          query: { ...query, limit: HISTORY_PAGE, offset },
        })
      ).data,
    enabled: portfolioId !== undefined,
    placeholderData: keepPreviousData,
  });
}

export function useBetPage(betId: number) {
  return useQuery({
    queryKey: ['bet', betId],
    queryFn: async (): Promise<BetPageOut> => (await getBetApiV1BetsBetIdGet({ path: { bet_id: betId } })).data,
  });
}
