import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import {
  countDeadLettersApiV1AdminDeadLettersReasonsGet,
  listDeadLettersApiV1AdminDeadLettersGet,
  replayDeadLettersApiV1AdminDeadLettersReplayPost,
} from '@/client/sdk.gen';

export const DEAD_LETTERS_PAGE = 20;

export const deadLetterKeys = {
  all: ['admin', 'dead-letters'] as const,
  page: (reason: string | null, offset: number) => ['admin', 'dead-letters', 'page', reason, offset] as const,
  reasons: ['admin', 'dead-letters', 'reasons'] as const,
};

/** One page of dead letters, newest first, of one reason when given. */
export function useDeadLetters(reason: string | null, offset: number) {
  return useQuery({
    queryKey: deadLetterKeys.page(reason, offset),
    queryFn: async () =>
      (
        await listDeadLettersApiV1AdminDeadLettersGet({
          query: { limit: DEAD_LETTERS_PAGE, offset, ...(reason ? { reason } : {}) },
        })
      ).data,
    placeholderData: keepPreviousData,
  });
}

/** Dead letters by stage and reason, most first. */
export function useDeadLetterReasons() {
  return useQuery({
    queryKey: deadLetterKeys.reasons,
    queryFn: async () => (await countDeadLettersApiV1AdminDeadLettersReasonsGet()).data,
  });
}

/** Put letters back on their streams; each once, whoever asks. */
export function useReplayDeadLetters() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (ids: string[]) => (await replayDeadLettersApiV1AdminDeadLettersReplayPost({ body: { ids } })).data,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: deadLetterKeys.all }),
  });
}
