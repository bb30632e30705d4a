import { useState, type FormEvent } from 'react';

import type { AdminKeyOut, ApiKeyCreated, ApiKeyOut, Scope } from '@/lib/api-types';
import { Button } from '@/components/ui/button';
import { useConfirm } from '@/components/ui/confirm-dialog';
import { TextField } from '@/components/ui/field';
import { Badge, Panel, rowClass, tableClass, TableFrame, td, th } from '@/components/ui/layout';
import { EmptyState, ErrorState, InlineError, Spinner } from '@/components/ui/states';
import { formatKickoff } from '@/lib/format';
import { useAllKeys, useCreateKey, useOwnKeys, useRevokeKey } from '@/features/admin/api/admin';

const SCOPES: { value: Scope; label: string }[] = [
  { value: 'read', label: 'read' },
  { value: 'trade', label: 'trade' },
  { value: 'admin', label: 'admin' },
];

function SecretOnce({ created, onDone }: { created: ApiKeyCreated; onDone: () => void }) {
  const [copied, setCopied] = useState<string | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(created.secret);
      setCopied('Copied to the clipboard.');
    } catch {
      setCopied('Copying failed: select the key and copy it by hand.');
    }
  };
  return (
    <div role="status" className="mb-3 rounded-md border border-warn p-3 text-sm">
      <p className="font-semibold text-warn">Copy the key &quot;{created.name}&quot; now: it is shown only once.</p>
      <div className="mt-2 flex flex-wrap items-center gap-2">
        <code data-testid="api-key-secret" className="break-all rounded bg-surface px-2 py-1 font-mono text-xs">
          {created.secret}
        </code>
        <Button size="sm" onClick={() => void copy()}>
          Copy key
        </Button>
        <Button size="sm" variant="ghost" onClick={onDone}>
          Done
        </Button>
      </div>
      {copied ? <p className="mt-1 text-xs text-muted">{copied}</p> : null}
    </div>
  );
}

function CreateKeyForm({ onCreated }: { onCreated: (created: ApiKeyCreated) => void }) {
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<Scope[]>(['read']);
  const [problem, setProblem] = useState<string | null>(null);
  const create = useCreateKey();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const issue = !name.trim() ? 'Name the key (what uses it).' : scopes.length === 0 ? 'Pick at least one scope.' : null;
    setProblem(issue);
    if (issue) return;
    create.mutate(
      { name: name.trim(), scopes },
      {
        onSuccess: (created) => {
          setName('');
          onCreated(created);
        },
      },
    );
  };

  return (
    <form onSubmit={submit} aria-label="Create API key" className="flex flex-wrap items-end gap-3" noValidate>
      <TextField label="Key name" value={name} maxLength={80} onChange={(event) => setName(event.target.value)} className="w-56" />
      <fieldset className="flex items-center gap-3">
        <legend className="mb-1 text-xs font-medium text-muted">Scopes</legend>
        {SCOPES.map((scope) => (
          <label key={scope.value} className="flex items-center gap-1 text-sm">
            <input
              type="checkbox"
              checked={scopes.includes(scope.value)}
              onChange={(event) =>
                setScopes((current) =>
                  event.target.checked ? [...current, scope.value] : current.filter((item) => item !== scope.value),
                )
              }
            />
            {scope.label}
          </label>
        ))}
      </fieldset>
      <Button type="submit" variant="primary" disabled={create.isPending}>
        Create key
      </Button>
      <div className="basis-full">
        <InlineError message={problem ?? create.error?.message} />
      </div>
    </form>
  );
}

function KeysTable({
  keys,
  label,
  onRevoke,
  busy,
}: {
  keys: (ApiKeyOut | AdminKeyOut)[];
  label: string;
  onRevoke: (key: ApiKeyOut) => void;
  busy: boolean;
}) {
  const showOwner = keys.some((key) => 'email' in key);
  return (
    <TableFrame label={label}>
      <table className={tableClass}>
        <thead>
          <tr>
            <th scope="col" className={th}>Name</th>
            {showOwner ? <th scope="col" className={th}>Owner</th> : null}
            <th scope="col" className={th}>Key id</th>
            <th scope="col" className={th}>Scopes</th>
            <th scope="col" className={th}>Created</th>
            <th scope="col" className={th}>Last used</th>
            <th scope="col" className={th}><span className="sr-only">Actions</span></th>
          </tr>
        </thead>
        <tbody>
          {keys.map((key) => (
            <tr key={key.id} className={rowClass} data-testid="api-key-row">
              <td className={td}>{key.name}</td>
              {showOwner ? <td className={td}>{'email' in key ? key.email : ''}</td> : null}
              <td className={`${td} font-mono text-xs`}>{key.public_id}</td>
              <td className={td}>{key.scopes.join(', ')}</td>
              <td className={td}>{formatKickoff(key.created_at)}</td>
              <td className={td}>{formatKickoff(key.last_used_at)}</td>
              <td className={td}>
                {key.revoked_at ? (
                  <Badge tone="down">revoked</Badge>
                ) : (
                  <Button size="sm" variant="danger" disabled={busy} onClick={() => onRevoke(key)}>
                    Revoke <span className="sr-only">{key.name}</span>
                  </Button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableFrame>
  );
}


export function KeysPanel() {
  const own = useOwnKeys();
  const all = useAllKeys();
  const revokeOwn = useRevokeKey('own');
  const revokeAny = useRevokeKey('any');
  const [created, setCreated] = useState<ApiKeyCreated | null>(null);
  const confirm = useConfirm();
  const confirmRevoke = (key: ApiKeyOut, revoke: (id: number) => void) =>
    confirm.ask({
      title: `Revoke the key "${key.name}"?`,
      message: 'Programs using it stop working at once.',
      confirmLabel: 'Revoke key',
      onConfirm: () => revoke(key.id),
    });

  return (
    <Panel title="API keys">
      {confirm.dialog}
      <h3 className="mb-2 text-sm font-semibold">Your keys</h3>
      {created ? <SecretOnce created={created} onDone={() => setCreated(null)} /> : null}
      <CreateKeyForm onCreated={setCreated} />
      <InlineError message={revokeOwn.error?.message ?? revokeAny.error?.message} />
      <div className="mt-3">
        {own.isPending ? (
          <Spinner />
        ) : own.isError ? (
          <ErrorState error={own.error} title="Could not load your keys" />
        ) : own.data.items.length === 0 ? (
          <EmptyState title="No API key yet">Programs use keys to call the API and the live socket.</EmptyState>
        ) : (
          <KeysTable
            keys={own.data.items}
            label="Your API keys"
            busy={revokeOwn.isPending}
            onRevoke={(key) => confirmRevoke(key, (id) => revokeOwn.mutate(id))}
          />
        )}
      </div>
      <h3 className="mt-4 mb-2 text-sm font-semibold">Every user&apos;s keys</h3>
      {all.isPending ? (
        <Spinner />
      ) : all.isError ? (
        <ErrorState error={all.error} title="Could not load every key" />
      ) : all.data.items.length === 0 ? (
        <EmptyState title="No API keys" />
      ) : (
        <KeysTable
          keys={all.data.items}
          label="Every user's API keys"
          busy={revokeAny.isPending}
          onRevoke={(key) => confirmRevoke(key, (id) => revokeAny.mutate(id))}
        />
      )}
    </Panel>
  );
}
