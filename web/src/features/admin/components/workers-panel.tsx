import type { WorkerOut, WorkerState } from '@/lib/api-types';
import { Badge, Panel, rowClass, tableClass, TableFrame, td, th } from '@/components/ui/layout';
import { ErrorState, Spinner } from '@/components/ui/states';
import { formatAgo, formatCount, formatKickoff, formatVersion } from '@/lib/format';
import { useAdminStatus } from '@/features/admin/api/admin';

const pinned = 'sticky left-0 z-[1] bg-panel';

const STATE_TONE: Record<WorkerState, 'up' | 'warn' | 'down' | 'neutral'> = {
  running: 'up',
  stopping: 'warn',
  stale: 'down',
  stopped: 'neutral',
};

/** The model a worker serves, and a warning while it lags behind the active version. */
function ModelCell({ worker }: { worker: WorkerOut }) {
  // A stopped worker serves nothing: the version it last served is history, not a lag.
  const isBehind = !worker.serves_active && worker.state !== 'stopped';
  return (
    <td className={td} data-testid="worker-model" data-label="Model served" data-wide>
      <span title={`${worker.model} ${worker.version}`}>
        {worker.model} {formatVersion(worker.version)}
      </span>
      {isBehind ? (
        <>
          {' '}
          <Badge tone="warn">not the active version</Badge>
        </>
      ) : null}
    </td>
  );
}

function WorkersTable({ workers }: { workers: WorkerOut[] }) {
  return (
    <TableFrame label="Workers">
      <table className={`${tableClass} stack-on-phone`}>
        <thead>
          <tr>
            <th scope="col" className={`${th} ${pinned}`}>Worker</th>
            <th scope="col" className={th}>State</th>
            <th scope="col" className={th}>Model served</th>
            <th scope="col" className={th}>Last seen</th>
            <th scope="col" className={`${th} text-right`}>Predictions</th>
            <th scope="col" className={`${th} text-right`}>Entries</th>
            <th scope="col" className={`${th} text-right`}>Dead letters</th>
            <th scope="col" className={th}>Host</th>
            <th scope="col" className={`${th} text-right`}>PID</th>
            <th scope="col" className={th}>Started</th>
          </tr>
        </thead>
        <tbody>
          {workers.map((worker) => (
            <tr key={worker.name} className={rowClass} data-testid="worker-row">
              <th scope="row" className={`${td} ${pinned} break-all text-left font-mono text-xs font-medium`}>
                {worker.name}
              </th>
              <td className={td} data-label="State">
                <Badge tone={STATE_TONE[worker.state]} testId="worker-state">
                  {worker.state}
                </Badge>
              </td>
              <ModelCell worker={worker} />
              <td className={td} title={formatKickoff(worker.last_seen_at)} data-testid="worker-seen" data-label="Last seen">
                {formatAgo(worker.seen_seconds_ago)}
              </td>
              <td className={`${td} text-right`} data-label="Predictions">{formatCount(worker.predictions)}</td>
              <td className={`${td} text-right`} data-label="Entries">{formatCount(worker.entries_handled)}</td>
              <td className={`${td} text-right ${worker.dead_lettered > 0 ? 'text-warn' : ''}`} data-label="Dead letters">
                {formatCount(worker.dead_lettered)}
              </td>
              <td className={`${td} break-all`} data-label="Host">{worker.host}</td>
              <td className={`${td} text-right`} data-label="PID">{worker.pid}</td>
              <td className={td} data-label="Started">{formatKickoff(worker.started_at)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableFrame>
  );
}

export function WorkersPanel() {
  const status = useAdminStatus();
  return (
    <Panel title="Workers">
      {status.isPending ? (
        <Spinner />
      ) : status.isError ? (
        <ErrorState error={status.error} title="Could not load the workers" />
      ) : status.data.workers.length === 0 ? (
        <p className="text-sm text-muted" data-testid="workers-empty">
          No worker has reported in the last day; start one with <code>scoreline worker</code>, or{' '}
          <code>scoreline up</code> to run one in the same process as the API.
        </p>
      ) : (
        <>
          {/* Not a caption: a table stacked into cards on a phone squeezes its caption. */}
          <p className="mb-2 text-xs text-muted">
            ML workers heard from in the last day, from their heartbeats; stale means silent for three beats (at least
            30 s) without having stopped.
          </p>
          <WorkersTable workers={status.data.workers} />
        </>
      )}
    </Panel>
  );
}
