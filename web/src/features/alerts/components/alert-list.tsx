import { Link } from 'react-router';

import { Button } from '@/components/ui/button';
import type { Alert } from '@/lib/api-types';
import { formatDateTime } from '@/lib/format';

const KIND_NAMES: Record<Alert['kind'], string> = { value_bet: 'Value bet', line_move: 'Line move' };

/**
 * Alerts newest first (the server's order): title (a link to the fixture), the server's
 * message, when. Unread ones are marked; following the link or "Mark read" marks one read.
 */
export function AlertList({
  alerts,
  onOpen,
  onMarkRead,
}: {
  alerts: Alert[];
  /** The user followed an alert's link (mark it read; a panel also closes). */
  onOpen: (alert: Alert) => void;
  onMarkRead: (alert: Alert) => void;
}) {
  return (
    <ul className="flex flex-col divide-y divide-line" aria-label="Alerts">
      {alerts.map((alert) => {
        const unread = !alert.read_at;
        return (
          <li
            key={alert.id}
            data-testid="alert-item"
            data-alert-id={alert.id}
            data-kind={alert.kind}
            data-unread={unread ? 'true' : 'false'}
            className={`flex min-w-0 gap-2 py-2 ${unread ? '' : 'opacity-80'}`}
          >
            <span
              aria-hidden="true"
              className={`mt-1.5 inline-block h-2 w-2 shrink-0 rounded-full ${unread ? 'bg-accent' : 'bg-transparent'}`}
            />
            <div className="min-w-0 flex-1">
              <p className="text-xs text-muted">
                {unread ? <span className="font-semibold text-accent">New · </span> : null}
                {KIND_NAMES[alert.kind]} · {alert.competition} ·{' '}
                <time dateTime={alert.created_at} title={alert.created_at}>
                  {formatDateTime(alert.created_at)}
                </time>
              </p>
              <Link
                to={`/fixtures/${alert.fixture_id}`}
                onClick={() => onOpen(alert)}
                className={`block break-words text-sm hover:underline ${unread ? 'font-semibold text-ink' : 'text-ink'}`}
                data-testid="alert-link"
              >
                {alert.title}
              </Link>
              <p className="break-words text-sm text-muted" data-testid="alert-message">
                {alert.message}
              </p>
            </div>
            {unread ? (
              <Button
                size="sm"
                variant="ghost"
                className="shrink-0 self-start"
                onClick={() => onMarkRead(alert)}
                aria-label={`Mark read: ${alert.title}`}
              >
                Mark read
              </Button>
            ) : null}
          </li>
        );
      })}
    </ul>
  );
}
