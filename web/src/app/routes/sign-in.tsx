import { useNavigate, useSearchParams } from 'react-router';

import { ErrorState, Spinner } from '@/components/ui/states';
import { BootstrapForm } from '@/features/auth/components/bootstrap-form';
import { SignInForm } from '@/features/auth/components/sign-in-form';
import { useSetup } from '@/features/auth/api/session';

/** Only same-site paths are followed after signing in (no open redirect). */
function safeNext(value: string | null): string {
  return value && value.startsWith('/') && !value.startsWith('//') ? value : '/';
}

export function SignInRoute() {
  const setup = useSetup();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const done = () => void navigate(safeNext(params.get('next')), { replace: true });
  const needsBootstrap = setup.data?.needs_bootstrap === true;

  return (
    <>
      <header className="border-b border-line bg-panel">
        <div className="mx-auto flex max-w-md items-center gap-2 px-4 py-3">
          <img src="/favicon.svg" alt="" width={24} height={24} />
          <span className="font-semibold tracking-tight">Scoreline</span>
        </div>
      </header>
      <main id="main" className="mx-auto max-w-md px-4 py-10">
        <h1 className="mb-4 text-xl font-semibold">
          {needsBootstrap ? 'Create the admin account' : 'Sign in'}
        </h1>
        <div className="rounded-lg border border-line bg-panel p-4">
          {setup.isPending ? (
            <Spinner />
          ) : needsBootstrap ? (
            <BootstrapForm onSignedIn={done} />
          ) : (
            <>
              {setup.isError ? (
                <div className="mb-3">
                  <ErrorState error={setup.error} title="Could not check the platform's setup" />
                </div>
              ) : null}
              <SignInForm onSignedIn={done} />
            </>
          )}
        </div>
      </main>
    </>
  );
}
