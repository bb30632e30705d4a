/**
 * The notification centre's server state: the caller's alerts, settings and followed fixtures,
 * all in TanStack Query; `alert:new` (pushed to the user's own room) updates that cache.
 */
import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';

import {
  followApiV1FixturesFixtureIdFollowPut,
  getSettingsApiV1AlertsSettingsGet,
  listAlertsApiV1AlertsGet,
  listFollowingApiV1AlertsFollowingGet,
  markReadApiV1AlertsReadPost,
  putSettingsApiV1AlertsSettingsPut,
  unfollowApiV1FixturesFixtureIdFollowDelete,
} from '@/client/sdk.gen';
import type { Alert, AlertPage, AlertSettingsIn } from '@/lib/api-types';

/** How many alerts the panel lists (newest first); the alerts page lists more. */
export const PANEL_LIMIT = 20;

export const alertKeys = {
  all: ['alerts'] as const,
  list: (limit: number) => ['alerts', 'list', limit] as const,
  settings: ['alerts', 'settings'] as const,
  following: ['alerts', 'following'] as const,
};

export function useAlerts(limit = PANEL_LIMIT) {
  return useQuery({
    queryKey: alertKeys.list(limit),
    queryFn: async () => (await listAlertsApiV1AlertsGet({ query: { limit } })).data,
  });
}

/** Every cached page of alerts, with `change` applied (a mark-read, a pushed alert). */
function patchPages(queryClient: QueryClient, change: (page: AlertPage) => AlertPage): void {
  queryClient.setQueriesData<AlertPage>({ queryKey: ['alerts', 'list'] }, (page) => (page ? change(page) : page));
}

/** A pushed alert goes on top of every cached page at once (no round trip); the pages are then
 * read again so totals and anything missed while disconnected agree with the server. */
export function insertAlert(queryClient: QueryClient, alert: Alert): void {
  patchPages(queryClient, (page) => {
    if (page.items.some((item) => item.id === alert.id)) return page;
    return {
      ...page,
      items: [alert, ...page.items].slice(0, page.limit),
      total: page.total + 1,
      unread: page.unread + (alert.read_at ? 0 : 1),
    };
  });
  void queryClient.invalidateQueries({ queryKey: ['alerts', 'list'] });
}

/** Mark these alerts read (`'all'`: every unread one); the cached pages show it at once. */
export function useMarkRead() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (ids: number[] | 'all') =>
      (await markReadApiV1AlertsReadPost({ body: ids === 'all' ? { all: true } : { ids } })).data,
    onMutate: (ids) => {
      const now = new Date().toISOString();
      patchPages(queryClient, (page) => {
        const items = page.items.map((item) =>
          !item.read_at && (ids === 'all' || ids.includes(item.id)) ? { ...item, read_at: now } : item,
        );
        const marked = items.filter((item, index) => item.read_at !== page.items[index]?.read_at).length;
        return { ...page, items, unread: ids === 'all' ? 0 : Math.max(0, page.unread - marked) };
      });
    },
    onSuccess: (answer) => patchPages(queryClient, (page) => ({ ...page, unread: answer.unread })),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['alerts', 'list'] }),
  });
}

export function useAlertSettings() {
  return useQuery({
    queryKey: alertKeys.settings,
    queryFn: async () => (await getSettingsApiV1AlertsSettingsGet()).data,
  });
}

export function useSaveAlertSettings() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: AlertSettingsIn) => (await putSettingsApiV1AlertsSettingsPut({ body })).data,
    onSuccess: (saved) => queryClient.setQueryData(alertKeys.settings, saved),
  });
}

export function useFollowing() {
  return useQuery({
    queryKey: alertKeys.following,
    queryFn: async () => (await listFollowingApiV1AlertsFollowingGet()).data,
  });
}

/** Follow (`true`) or stop following (`false`) a fixture for line moves. */
export function useSetFollowing() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ fixtureId, follow }: { fixtureId: number; follow: boolean }) => {
      const path = { fixture_id: fixtureId };
      if (follow) await followApiV1FixturesFixtureIdFollowPut({ path });
      else await unfollowApiV1FixturesFixtureIdFollowDelete({ path });
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: alertKeys.following }),
  });
}
