import { useState, type FormEvent } from 'react';

import { Button } from '@/components/ui/button';
import { TextField } from '@/components/ui/field';
import { InlineError } from '@/components/ui/states';
import type { UserOut } from '@/lib/api-types';
import { useBootstrap } from '@/features/auth/api/session';

export const MIN_PASSWORD_LENGTH = 12;

/** First run: the platform has no user yet, so the first one is its admin. */
export function BootstrapForm({ onSignedIn }: { onSignedIn: (user: UserOut) => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [touched, setTouched] = useState(false);
  const bootstrap = useBootstrap();
  const tooShort = password.length < MIN_PASSWORD_LENGTH;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (tooShort || !email.trim()) return;
    bootstrap.mutate({ email: email.trim(), password }, { onSuccess: (user) => onSignedIn(user) });
  };

  return (
    <form onSubmit={submit} className="flex flex-col gap-3" aria-label="Create the admin account" noValidate>
      <p className="text-sm text-muted">
        No account exists yet. The first account is the administrator&apos;s.
      </p>
      <TextField
        label="Email"
        type="email"
        name="email"
        autoComplete="username"
        required
        value={email}
        onChange={(event) => setEmail(event.target.value)}
      />
      <TextField
        label="Password"
        type="password"
        name="password"
        autoComplete="new-password"
        required
        minLength={MIN_PASSWORD_LENGTH}
        value={password}
        hint={`At least ${MIN_PASSWORD_LENGTH} characters.`}
        error={touched && tooShort ? `The password needs at least ${MIN_PASSWORD_LENGTH} characters.` : null}
        onChange={(event) => setPassword(event.target.value)}
      />
      <InlineError message={bootstrap.error?.message} />
      <Button type="submit" variant="primary" disabled={bootstrap.isPending}>
        {bootstrap.isPending ? 'Creating…' : 'Create admin'}
      </Button>
    </form>
  );
}
