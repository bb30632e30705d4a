import { isRouteErrorResponse, Link, useRouteError } from 'react-router';

export function RouteError() {
  const error = useRouteError();
  const message = isRouteErrorResponse(error)
    ? `${error.status} ${error.statusText}`
    : error instanceof Error
      ? error.message
      : 'Unknown error';
  return (
    <main id="main" className="mx-auto max-w-2xl p-6">
      <h1 className="text-xl font-semibold">Something went wrong</h1>
      <p role="alert" className="mt-2 text-sm text-down">
        {message}
      </p>
      <p className="mt-4 text-sm">
        <Link className="text-accent underline" to="/">
          Back to the live board
        </Link>
      </p>
    </main>
  );
}
