import { PageHeader } from '@/components/ui/layout';
import { DeadLettersPanel } from './dead-letters-panel';
import { KeysPanel } from './keys-panel';
import { StatusPanel, UploadPanel } from './status-panel';
import { UsersPanel } from './users-panel';
import { WorkersPanel } from './workers-panel';

export function AdminPage() {
  return (
    <>
      <PageHeader title="Admin" />
      <div className="grid gap-4">
        <StatusPanel />
        <WorkersPanel />
        <DeadLettersPanel />
        <UploadPanel />
        <UsersPanel />
        <KeysPanel />
      </div>
    </>
  );
}
