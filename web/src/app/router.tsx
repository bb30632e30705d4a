import { lazy, Suspense, type ComponentType, type ReactNode } from 'react';
import { createBrowserRouter } from 'react-router';

import { Spinner } from '@/components/ui/states';
import { AppShell } from './layout/app-shell';
import { RequireAuth, RequireRole } from './guards';
import { RouteError } from './routes/route-error';

/** Each page is its own chunk: Recharts only loads with the pages that draw charts. */
function page<K extends string>(load: () => Promise<Record<K, ComponentType>>, name: K) {
  return lazy(async (): Promise<{ default: ComponentType }> => ({ default: (await load())[name] }));
}

const SignInRoute = page(() => import('./routes/sign-in'), 'SignInRoute');
const BoardRoute = page(() => import('./routes/board'), 'BoardRoute');
const FixtureRoute = page(() => import('./routes/fixture'), 'FixtureRoute');
const PortfolioRoute = page(() => import('./routes/portfolio'), 'PortfolioRoute');
const HistoryRoute = page(() => import('./routes/history'), 'HistoryRoute');
const BetRoute = page(() => import('./routes/bet'), 'BetRoute');
const AccountsRoute = page(() => import('./routes/accounts'), 'AccountsRoute');
const PerformanceRoute = page(() => import('./routes/performance'), 'PerformanceRoute');
const ModelHealthRoute = page(() => import('./routes/model-health'), 'ModelHealthRoute');
const AlertsRoute = page(() => import('./routes/alerts'), 'AlertsRoute');
const AdminRoute = page(() => import('./routes/admin'), 'AdminRoute');
const NotFoundRoute = page(() => import('./routes/not-found'), 'NotFoundRoute');

function suspended(node: ReactNode) {
  return <Suspense fallback={<Spinner />}>{node}</Suspense>;
}

export const routes = [
  { path: '/sign-in', element: suspended(<SignInRoute />), errorElement: <RouteError /> },
  {
    path: '/',
    element: (
      <RequireAuth>
        <AppShell />
      </RequireAuth>
    ),
    errorElement: <RouteError />,
    children: [
      { index: true, element: suspended(<BoardRoute />) },
      { path: 'fixtures/:id', element: suspended(<FixtureRoute />) },
      { path: 'portfolio', element: suspended(<PortfolioRoute />) },
      { path: 'history', element: suspended(<HistoryRoute />) },
      { path: 'bets/:id', element: suspended(<BetRoute />) },
      { path: 'accounts', element: suspended(<AccountsRoute />) },
      { path: 'performance', element: suspended(<PerformanceRoute />) },
      { path: 'model-health', element: suspended(<ModelHealthRoute />) },
      { path: 'alerts', element: suspended(<AlertsRoute />) },
      {
        path: 'admin',
        element: <RequireRole allow="admin">{suspended(<AdminRoute />)}</RequireRole>,
      },
      { path: '*', element: suspended(<NotFoundRoute />) },
    ],
  },
];

export const router = createBrowserRouter(routes);
