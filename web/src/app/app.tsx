import { QueryClientProvider } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { RouterProvider } from 'react-router';

import { setUnauthorizedHandler } from '@/lib/api-client';
import { userQueryKey } from '@/lib/auth';
import { createQueryClient } from './query-client';
import { router } from './router';

export function App() {
  const [queryClient] = useState(createQueryClient);
  useEffect(() => {
    setUnauthorizedHandler(() => {
      queryClient.setQueryData(userQueryKey, null);
      const { pathname, search } = router.state.location;
      if (pathname === '/sign-in') return;
      void router.navigate(`/sign-in?next=${encodeURIComponent(pathname + search)}`, { replace: true });
    });
    return () => setUnauthorizedHandler(null);
  }, [queryClient]);
  return (
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  );
}
