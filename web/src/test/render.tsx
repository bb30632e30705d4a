import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { createMemoryRouter, RouterProvider } from 'react-router';

export function testQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: { queries: { retry: false, staleTime: Infinity }, mutations: { retry: false } },
  });
}

/** Render `ui` at `route` inside a router and a fresh query cache. */
export function renderWithProviders(
  ui: ReactElement,
  { route = '/', path = '*', queryClient = testQueryClient() }: { route?: string; path?: string; queryClient?: QueryClient } = {},
) {
  const others = [
    { path: '/sign-in', element: <p>sign-in page</p> },
    { path: '/fixtures/:id', element: <p>fixture page</p> },
    { path: '*', element: <p>other page</p> },
  ].filter((item) => item.path !== path);
  const router = createMemoryRouter([{ path, element: ui }, ...others], { initialEntries: [route] });
  return { ...render(<QueryClientProvider client={queryClient}><RouterProvider router={router} /></QueryClientProvider>), router, queryClient };
}
