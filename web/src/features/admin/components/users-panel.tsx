import { useState, type FormEvent } from 'react';

import type { Role } from '@/lib/api-types';
import { Button } from '@/components/ui/button';
import { useConfirm } from '@/components/ui/confirm-dialog';
import { inputClass, SelectField, TextField } from '@/components/ui/field';
import { Badge, Panel, rowClass, tableClass, TableFrame, td, th } from '@/components/ui/layout';
import { EmptyState, ErrorState, InlineError, Spinner } from '@/components/ui/states';
import { useUser } from '@/lib/auth';
import { formatDate } from '@/lib/format';
import { useChangeUser, useCreateUser, useUsers } from '@/features/admin/api/admin';

const ROLES: Role[] = ['admin', 'trader', 'viewer'];

function CreateUserForm() {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('trader');
  const [problem, setProblem] = useState<string | null>(null);
  const create = useCreateUser();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const issue = !email.includes('@')
      ? 'Enter an email address.'
      : password.length < 12
        ? 'The password needs at least 12 characters.'
        : null;
    setProblem(issue);
    if (issue) return;
    create.mutate(
      { email: email.trim(), password, role },
      {
        onSuccess: () => {
          setEmail('');
          setPassword('');
        },
      },
    );
  };

  return (
    <form onSubmit={submit} aria-label="Create user" className="grid gap-2 sm:grid-cols-4 sm:items-end" noValidate>
      <TextField label="Email" type="email" autoComplete="off" value={email} onChange={(event) => setEmail(event.target.value)} />
      <TextField
        label="Password"
        type="password"
        autoComplete="new-password"
        value={password}
        onChange={(event) => setPassword(event.target.value)}
      />
      <SelectField label="Role" value={role} onChange={(event) => setRole(event.target.value as Role)}>
        {ROLES.map((item) => (
          <option key={item} value={item}>
            {item}
          </option>
        ))}
      </SelectField>
      <Button type="submit" variant="primary" disabled={create.isPending}>
        Create user
      </Button>
      <div className="sm:col-span-4">
        <InlineError message={problem ?? create.error?.message} />
        {create.isSuccess ? (
          <p role="status" className="text-sm text-up">
            Created {create.data.email}.
          </p>
        ) : null}
      </div>
    </form>
  );
}

export function UsersPanel() {
  const users = useUsers();
  const me = useUser().data;
  const change = useChangeUser();
  const confirm = useConfirm();
  return (
    <Panel title="Users">
      {confirm.dialog}
      <InlineError message={change.error?.message} />
      {users.isPending ? (
        <Spinner />
      ) : users.isError ? (
        <ErrorState error={users.error} title="Could not load the users" />
      ) : users.data.items.length === 0 ? (
        <EmptyState title="No users" />
      ) : (
        <TableFrame label="Users">
          <table className={tableClass}>
            <thead>
              <tr>
                <th scope="col" className={th}>Email</th>
                <th scope="col" className={th}>Role</th>
                <th scope="col" className={th}>Status</th>
                <th scope="col" className={th}>Created</th>
                <th scope="col" className={th}><span className="sr-only">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              {users.data.items.map((user) => {
                const self = user.id === me?.id;
                return (
                  <tr key={user.id} className={rowClass} data-testid="user-row">
                    <td className={td}>
                      {user.email} {self ? <span className="text-xs text-muted">(you)</span> : null}
                    </td>
                    <td className={td}>
                      <select
                        aria-label={`Role of ${user.email}`}
                        className={inputClass.replace("w-full", "w-28")}
                        value={user.role}
                        disabled={self || change.isPending}
                        onChange={(event) => change.mutate({ id: user.id, change: { role: event.target.value as Role } })}
                      >
                        {ROLES.map((item) => (
                          <option key={item} value={item}>
                            {item}
                          </option>
                        ))}
                      </select>
                    </td>
                    <td className={td}>
                      <Badge tone={user.is_active ? 'up' : 'down'}>{user.is_active ? 'active' : 'disabled'}</Badge>
                    </td>
                    <td className={td}>{formatDate(user.created_at)}</td>
                    <td className={td}>
                      {self ? null : (
                        <Button
                          size="sm"
                          variant={user.is_active ? 'danger' : 'secondary'}
                          disabled={change.isPending}
                          onClick={() => {
                            const verb = user.is_active ? 'Disable' : 'Enable';
                            confirm.ask({
                              title: `${verb} ${user.email}?`,
                              message: user.is_active
                                ? 'They are signed out and can no longer sign in or use their keys.'
                                : 'They can sign in again.',
                              confirmLabel: verb,
                              tone: user.is_active ? 'danger' : 'primary',
                              onConfirm: () => change.mutate({ id: user.id, change: { is_active: !user.is_active } }),
                            });
                          }}
                        >
                          {user.is_active ? 'Disable' : 'Enable'} <span className="sr-only">{user.email}</span>
                        </Button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </TableFrame>
      )}
      <h3 className="mt-4 mb-2 text-sm font-semibold">New user</h3>
      <CreateUserForm />
    </Panel>
  );
}
