import { keepPreviousData, useQuery } from '@tanstack/react-query';

import { boardApiV1BoardGet } from '@/client/sdk.gen';
import type { BoardMarket, BoardRow, BoardSelectionName, Page } from '@/lib/api-types';

export const BOARD_PAGE_SIZE = 100;
export const boardQueryRoot = ['board'] as const;

export interface BoardParams {
  competition?: string;
  portfolioId?: number;
  offset?: number;
}

export function boardQueryKey(params: BoardParams) {
  return [
    ...boardQueryRoot,
    {
      competition: params.competition ?? null,
      portfolio_id: params.portfolioId ?? null,
      offset: params.offset ?? 0,
    },
  ] as const;
}

export async function getBoard(params: BoardParams): Promise<Page<BoardRow>> {
  const { data } = await boardApiV1BoardGet({
    query: {
      competition: params.competition,
      portfolio_id: params.portfolioId,
      limit: BOARD_PAGE_SIZE,
      offset: params.offset ?? 0,
    },
  });
  return data;
}

export function useBoard(params: BoardParams) {
  return useQuery({
    queryKey: boardQueryKey(params),
    queryFn: () => getBoard(params),
    placeholderData: keepPreviousData,
    refetchInterval: 60_000,
  });
}

/** The board's five selections, in column order. */
export interface Slot {
  market: BoardMarket;
  selection: BoardSelectionName;
  line: string | null;
  label: string;
}

export const SLOTS: readonly Slot[] = [
  { market: '1x2', selection: 'home', line: null, label: 'Home' },
  { market: '1x2', selection: 'draw', line: null, label: 'Draw' },
  { market: '1x2', selection: 'away', line: null, label: 'Away' },
  { market: 'over_under', selection: 'over', line: '2.5', label: 'Over 2.5' },
  { market: 'over_under', selection: 'under', line: '2.5', label: 'Under 2.5' },
];
