import { Link } from 'react-router';

import { EmptyState } from '@/components/ui/states';

export function NotFoundRoute() {
  return (
    <>
      <h1 className="mb-4 text-xl font-semibold">Page not found</h1>
      <EmptyState title="Nothing lives at this address">
        <Link className="text-accent underline" to="/">
          Go to the live board
        </Link>
      </EmptyState>
    </>
  );
}
