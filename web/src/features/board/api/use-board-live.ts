import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';

import type { BoardRow, Page } from '@/lib/api-types';
import type { OddsUpdate, PredictionUpdate } from '@/lib/live-events';
import { ODDS_UPDATE, PREDICTION_UPDATE, useSocketEvent, useSocketRooms } from '@/lib/socket';
import { boardQueryRoot } from './board';
import {
  applyOddsUpdate,
  applyPredictionUpdate,
  type Flash,
  type FlashDirection,
  type PatchResult,
} from './live-patch';

export const FLASH_MS = 2000;
export const REFETCH_DELAY_MS = 1000;

/**
 * Keep every cached board page live: join the competitions' rooms, patch rows in place when
 * odds or predictions arrive, flash the changed cells, and refetch once per burst of events.
 */
export function useBoardLive(competitions: readonly string[]): Record<string, FlashDirection> {
  const queryClient = useQueryClient();
  const [flashes, setFlashes] = useState<Record<string, FlashDirection>>({});
  const timers = useRef(new Map<string, ReturnType<typeof setTimeout>>());
  const refetchTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const rooms = useMemo(
    () => [...new Set(competitions)].map((competition) => ({ competition })),
    [competitions],
  );
  useSocketRooms(rooms);

  useEffect(() => {
    const pending = timers.current;
    return () => {
      pending.forEach(clearTimeout);
      pending.clear();
      if (refetchTimer.current) clearTimeout(refetchTimer.current);
    };
  }, []);

  const flash = useCallback((changes: Flash[]) => {
    if (changes.length === 0) return;
    setFlashes((current) => {
      const next = { ...current };
      for (const change of changes) next[change.key] = change.direction;
      return next;
    });
    for (const change of changes) {
      const previous = timers.current.get(change.key);
      if (previous) clearTimeout(previous);
      timers.current.set(
        change.key,
        setTimeout(() => {
          timers.current.delete(change.key);
          setFlashes((current) => {
            const next = { ...current };
            delete next[change.key];
            return next;
          });
        }, FLASH_MS),
      );
    }
  }, []);

  const scheduleRefetch = useCallback(() => {
    if (refetchTimer.current) return;
    refetchTimer.current = setTimeout(() => {
      refetchTimer.current = null;
      void queryClient.invalidateQueries({ queryKey: boardQueryRoot });
    }, REFETCH_DELAY_MS);
  }, [queryClient]);

  const apply = useCallback(
    <E>(patch: (page: Page<BoardRow>, event: E) => PatchResult, event: E) => {
      const changes = new Map<string, Flash>();
      let touched = false;
      queryClient.setQueriesData<Page<BoardRow>>({ queryKey: boardQueryRoot }, (page) => {
        if (!page) return page;
        const result = patch(page, event);
        if (result.page !== page) touched = true;
        for (const change of result.flashes) changes.set(change.key, change);
        return result.page;
      });
      flash([...changes.values()]);
      if (touched) scheduleRefetch();
    },
    [queryClient, flash, scheduleRefetch],
  );

  useSocketEvent<OddsUpdate>(ODDS_UPDATE, (event) => apply(applyOddsUpdate, event));
  useSocketEvent<PredictionUpdate>(PREDICTION_UPDATE, (event) => apply(applyPredictionUpdate, event));

  return flashes;
}
