import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';

import { EmptyState, ErrorState, Spinner } from '@/components/ui/states';
import type { Role } from '@/lib/api-types';
import { useUser } from '@/lib/auth';

export function RequireAuth({ children }: { children: ReactNode }) {
  const user = useUser();
  const location = useLocation();
  if (user.isPending) {
    return (
      <main id="main" className="mx-auto max-w-7xl p-4">
        <Spinner label="Checking your session…" />
      </main>
    );
  }
  if (user.isError) {
    return (
      <main id="main" className="mx-auto max-w-7xl p-4">
        <h1 className="sr-only">Scoreline</h1>
        <ErrorState error={user.error} title="Could not reach Scoreline" />
      </main>
    );
  }
  if (!user.data) {
    const next = encodeURIComponent(location.pathname + location.search);
    return <Navigate to={`/sign-in?next=${next}`} replace />;
  }
  return <>{children}</>;
}

export function RequireRole({ allow, children }: { allow: Role; children: ReactNode }) {
  const user = useUser();
  if (user.data?.role !== allow) {
    return (
      <>
        <h1 className="mb-4 text-xl font-semibold">Not allowed</h1>
        <EmptyState title="This page is for administrators">
          Ask an administrator if you need access.
        </EmptyState>
      </>
    );
  }
  return <>{children}</>;
}
