import { keepPreviousData, useQuery } from '@tanstack/react-query';

import { boardApiV1BoardGet } from '@/client/sdk.gen';
import type { BoardMarket, BoardPage, BoardSelectionName, DevigMethod, FairMode } from '@/lib/api-types';

export const BOARD_PAGE_SIZE = 100;
export const boardQueryRoot = ['board'] as const;

export interface BoardParams {
  competition?: string;
  portfolioId?: number;
  offset?: number;
  /** Whose probability edges are measured against; the server's default when absent. */
  fair?: FairMode;
  /** How the sharp book's margin is removed, for the market and blend modes. */
  devig?: DevigMethod;
}

export const FAIR_MODES: readonly { value: FairMode; label: string }[] = [
  { value: 'model', label: 'Model' },
  { value: 'market', label: 'Market (Pinnacle)' },
  { value: 'blend', label: 'Blend (model × market)' },
];

export const DEVIG_METHODS: readonly { value: DevigMethod; label: string }[] = [
  { value: 'power', label: 'Power' },
  { value: 'shin', label: 'Shin' },
  { value: 'multiplicative', label: 'Multiplicative' },
  { value: 'additive', label: 'Additive' },
  { value: 'odds_ratio', label: 'Odds ratio' },
  { value: 'logarithmic', label: 'Logarithmic' },
];

export function asFairMode(value: string | null): FairMode | undefined {
  return FAIR_MODES.find((item) => item.value === value)?.value;
}

export function asDevigMethod(value: string | null): DevigMethod | undefined {
  return DEVIG_METHODS.find((item) => item.value === value)?.value;
}

export function boardQueryKey(params: BoardParams) {
  return [
    ...boardQueryRoot,
    {
      competition: params.competition ?? null,
      portfolio_id: params.portfolioId ?? null,
      offset: params.offset ?? 0,
      fair: params.fair ?? null,
      devig: params.devig ?? null,
    },
  ] as const;
}

export async function getBoard(params: BoardParams): Promise<BoardPage> {
  const { data } = await boardApiV1BoardGet({
    query: {
      competition: params.competition,
      portfolio_id: params.portfolioId,
      limit: BOARD_PAGE_SIZE,
      offset: params.offset ?? 0,
      fair: params.fair,
      devig: params.devig,
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
