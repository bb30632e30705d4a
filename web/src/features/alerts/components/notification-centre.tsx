import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState } from 'react';
import { Link } from 'react-router';

import { Button } from '@/components/ui/button';
import { EmptyState, ErrorState, Spinner } from '@/components/ui/states';
import type { Alert } from '@/lib/api-types';
import { formatCount } from '@/lib/format';
import type { AlertNew } from '@/lib/live-events';
import { ALERT_NEW, useSocketEvent } from '@/lib/socket';
import { insertAlert, useAlerts, useMarkRead } from '@/features/alerts/api/alerts';
import { announce } from '@/features/alerts/api/notify';
import { AlertList } from './alert-list';

const TOAST_MS = 6000;

function BellIcon() {
  return (
    <svg aria-hidden="true" viewBox="0 0 24 24" width="18" height="18" fill="none" stroke="currentColor" strokeWidth="2">
      <path d="M6 8a6 6 0 1 1 12 0c0 7 3 9 3 9H3s3-2 3-9" strokeLinecap="round" strokeLinejoin="round" />
      <path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}

/** A pushed alert, briefly, in the corner; it goes by itself after a few seconds. */
function Toast({ alert, onDismiss }: { alert: Alert; onDismiss: () => void }) {
  const dismiss = useRef(onDismiss);
  useEffect(() => {
    dismiss.current = onDismiss;
  });
  useEffect(() => {
    const timer = setTimeout(() => dismiss.current(), TOAST_MS);
    return () => clearTimeout(timer);
  }, []);
  return (
    <div data-testid="alert-toast" className="pointer-events-auto flex gap-2 rounded-lg border border-accent bg-panel p-3 text-sm shadow-xl">
      <div className="min-w-0 flex-1">
        <p className="break-words font-semibold">{alert.title}</p>
        <p className="break-words text-muted">{alert.message}</p>
      </div>
      <button type="button" onClick={onDismiss} className="self-start rounded px-1 text-muted hover:text-ink" aria-label="Dismiss">
        ×
      </button>
    </div>
  );
}

/**
 * The bell in the header: the unread count, and a panel of the newest alerts (a drawer over
 * the page on a phone, a panel under the bell on a wider screen). `alert:new` puts a pushed
 * alert in the list at once, shows a toast and, if the user opted in, a browser notification
 * and a beep.
 */
export function NotificationCentre({ className = '' }: { className?: string }) {
  const queryClient = useQueryClient();
  const alerts = useAlerts();
  const markRead = useMarkRead();
  const [open, setOpen] = useState(false);
  const [toasts, setToasts] = useState<Alert[]>([]);
  const panelId = useId();
  const titleId = useId();
  const wrapper = useRef<HTMLDivElement>(null);
  const bell = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLDivElement>(null);

  useSocketEvent<AlertNew>(ALERT_NEW, (alert) => {
    insertAlert(queryClient, alert);
    announce(alert);
    if (!open) setToasts((shown) => [...shown.filter((item) => item.id !== alert.id), alert].slice(-3));
  });

  const show = (next: boolean) => {
    setOpen(next);
    if (next) setToasts([]); // the panel lists them
  };

  const close = (refocus = true) => {
    setOpen(false);
    if (refocus) bell.current?.focus();
  };

  useEffect(() => {
    if (!open) return;
    panel.current?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') {
        setOpen(false);
        bell.current?.focus();
      }
    };
    const onPointer = (event: PointerEvent) => {
      if (wrapper.current && event.target instanceof Node && !wrapper.current.contains(event.target)) setOpen(false);
    };
    document.addEventListener('keydown', onKey);
    document.addEventListener('pointerdown', onPointer);
    return () => {
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('pointerdown', onPointer);
    };
  }, [open]);

  const unread = alerts.data?.unread ?? 0;
  const items = alerts.data?.items ?? [];
  const label = unread > 0 ? `Notifications, ${formatCount(unread)} unread` : 'Notifications';
  const read = (alert: Alert) => {
    if (!alert.read_at) markRead.mutate([alert.id]);
  };

  return (
    <div ref={wrapper} className={`relative ${className}`}>
      <button
        ref={bell}
        type="button"
        className="relative inline-flex items-center justify-center rounded-md border border-transparent px-2 py-1 text-ink hover:border-line"
        aria-label={label}
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => show(!open)}
        data-testid="alerts-bell"
      >
        <BellIcon />
        {unread > 0 ? (
          <span
            aria-hidden="true"
            data-testid="alerts-unread"
            className="absolute -right-1 -top-1 min-w-[1.1rem] rounded-full bg-accent px-1 text-center text-[10px] font-bold leading-[1.1rem] text-accent-ink tabular-nums"
          >
            {unread > 99 ? '99+' : formatCount(unread)}
          </span>
        ) : null}
      </button>
      {open ? (
        <div
          ref={panel}
          id={panelId}
          role="dialog"
          aria-labelledby={titleId}
          tabIndex={-1}
          data-testid="alerts-panel"
          className="fixed inset-x-0 top-0 bottom-0 z-40 flex flex-col overflow-hidden border-line bg-panel shadow-xl outline-none sm:absolute sm:inset-auto sm:right-0 sm:top-full sm:mt-2 sm:max-h-[min(36rem,80vh)] sm:w-[26rem] sm:rounded-lg sm:border"
        >
          <div className="flex flex-wrap items-center justify-between gap-2 border-b border-line px-3 py-2">
            <h2 id={titleId} className="text-base font-semibold">
              Notifications
            </h2>
            <div className="flex items-center gap-1">
              <Button
                size="sm"
                onClick={() => markRead.mutate('all')}
                disabled={unread === 0}
                data-testid="alerts-mark-all"
              >
                Mark all read
              </Button>
              <Button size="sm" variant="ghost" onClick={() => close()} aria-label="Close notifications">
                ×
              </Button>
            </div>
          </div>
          <div className="min-h-0 flex-1 overflow-y-auto px-3">
            {alerts.isPending ? (
              <Spinner />
            ) : alerts.isError ? (
              <div className="py-3">
                <ErrorState error={alerts.error} title="Could not load the alerts" />
              </div>
            ) : items.length === 0 ? (
              <div className="py-3">
                <EmptyState title="No alerts yet">
                  Set a value-bet edge, or follow a fixture to hear of its line moves, in alert settings.
                </EmptyState>
              </div>
            ) : (
              <AlertList
                alerts={items}
                onOpen={(alert) => {
                  read(alert);
                  close(false);
                }}
                onMarkRead={read}
              />
            )}
          </div>
          <div className="border-t border-line px-3 py-2 text-sm">
            <Link to="/alerts" onClick={() => close(false)} className="font-medium text-accent hover:underline" data-testid="alerts-settings-link">
              Alert settings and every alert
            </Link>
          </div>
        </div>
      ) : null}
      {/* Always there, so a screen reader hears what is added to it (a log: a stream of
          messages, polite; not a status, which names one message of the page's own); no toast
          while the open panel lists the alert already (on a phone it would cover the panel). */}
      <div
        role="log"
        aria-label="New alerts"
        className="pointer-events-none fixed inset-x-2 bottom-2 z-50 flex flex-col gap-2 sm:left-auto sm:right-4 sm:bottom-4 sm:w-96"
      >
        {toasts.map((alert) => (
          <Toast
            key={alert.id}
            alert={alert}
            onDismiss={() => setToasts((shown) => shown.filter((item) => item.id !== alert.id))}
          />
        ))}
      </div>
    </div>
  );
}
