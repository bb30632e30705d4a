import { useSocketConnected } from '@/lib/socket';

/** "Live" while the socket is connected, "Offline" otherwise. */
export function LiveStatus() {
  const connected = useSocketConnected();
  return (
    <span
      data-testid="live-status"
      role="status"
      className={`inline-flex items-center gap-1.5 rounded-full border px-2 py-0.5 text-xs font-semibold ${
        connected ? 'border-up text-up' : 'border-line text-muted'
      }`}
    >
      <span
        aria-hidden="true"
        className={`inline-block h-2 w-2 rounded-full ${connected ? 'animate-pulse bg-up' : 'bg-muted'}`}
      />
      {connected ? 'Live' : 'Offline'}
    </span>
  );
}
