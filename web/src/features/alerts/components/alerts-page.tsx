import { Button } from '@/components/ui/button';
import { PageHeader, Panel } from '@/components/ui/layout';
import { EmptyState, ErrorState, Spinner } from '@/components/ui/states';
import { formatCount } from '@/lib/format';
import { useAlerts, useMarkRead } from '@/features/alerts/api/alerts';
import { AlertList } from './alert-list';
import { AlertSettingsForm } from './alert-settings-form';
import { BrowserNotifications } from './browser-notifications';
import { FollowingList } from './following-list';

const PAGE_LIMIT = 100;

function EveryAlert() {
  const alerts = useAlerts(PAGE_LIMIT);
  const markRead = useMarkRead();
  const unread = alerts.data?.unread ?? 0;
  return (
    <Panel
      title="Every alert"
      actions={
        <Button size="sm" onClick={() => markRead.mutate('all')} disabled={unread === 0}>
          Mark all read
        </Button>
      }
    >
      {alerts.isPending ? (
        <Spinner />
      ) : alerts.isError ? (
        <ErrorState error={alerts.error} title="Could not load the alerts" />
      ) : alerts.data.items.length === 0 ? (
        <EmptyState title="No alerts yet" />
      ) : (
        <>
          <p className="text-xs text-muted">
            {formatCount(alerts.data.total)} in all, {formatCount(unread)} unread
            {alerts.data.total > alerts.data.items.length ? `; the newest ${formatCount(alerts.data.items.length)} shown` : ''}.
          </p>
          <AlertList
            alerts={alerts.data.items}
            onOpen={(alert) => !alert.read_at && markRead.mutate([alert.id])}
            onMarkRead={(alert) => markRead.mutate([alert.id])}
          />
        </>
      )}
    </Panel>
  );
}

/** Alert settings (thresholds, webhook, this browser's notifications and sound), the
 * fixtures followed, and every alert. */
export function AlertsPage() {
  return (
    <div className="flex min-w-0 flex-col gap-4">
      <PageHeader title="Alerts" />
      <div className="grid min-w-0 gap-4 lg:grid-cols-2">
        <Panel title="Alert settings">
          <AlertSettingsForm />
        </Panel>
        <div className="flex min-w-0 flex-col gap-4">
          <Panel title="In this browser">
            <BrowserNotifications />
          </Panel>
          <Panel title="Followed fixtures">
            <FollowingList />
          </Panel>
        </div>
      </div>
      <EveryAlert />
    </div>
  );
}
