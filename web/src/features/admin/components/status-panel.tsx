import { useRef, useState, type FormEvent } from 'react';

import type { IngestOut, RefitState } from '@/lib/api-types';
import { Button } from '@/components/ui/button';
import { inputClass } from '@/components/ui/field';
import { Badge, Panel, rowClass, tableClass, TableFrame, td, th } from '@/components/ui/layout';
import { ErrorState, InlineError, Spinner } from '@/components/ui/states';
import { formatCount, formatKickoff, formatVersion } from '@/lib/format';
import { STATUS_REFRESH_MS, useAdminStatus, useStartRefit, useUploadFootballData } from '@/features/admin/api/admin';

const REFIT_TONE = { idle: 'neutral', running: 'warn', done: 'up', failed: 'down' } as const;

function RefitControl({ refit }: { refit: RefitState }) {
  const start = useStartRefit();
  const state = refit.state ?? 'idle';
  const running = state === 'running' || start.isPending;
  return (
    <div className="flex flex-col gap-2">
      <div className="flex flex-wrap items-center gap-2">
        <Button variant="primary" disabled={running} onClick={() => start.mutate()}>
          {running ? 'Refitting…' : 'Refit model'}
        </Button>
        <Badge tone={REFIT_TONE[state]} testId="refit-state">
          {state}
        </Badge>
        {refit.version ? <span className="text-sm text-muted">version {refit.version}</span> : null}
      </div>
      <p className="text-xs text-muted tabular-nums">
        {refit.started_at ? `Started ${formatKickoff(refit.started_at)}` : 'No refit yet'}
        {refit.finished_at ? ` · finished ${formatKickoff(refit.finished_at)}` : ''}
      </p>
      <InlineError message={refit.error ?? start.error?.message} />
    </div>
  );
}

export function StatusPanel() {
  const status = useAdminStatus();
  return (
    <Panel title="Ingestion and workers" actions={<span className="text-xs text-muted">refreshed every {STATUS_REFRESH_MS / 1000} s</span>}>
      {status.isPending ? (
        <Spinner />
      ) : status.isError ? (
        <ErrorState error={status.error} title="Could not load the status" />
      ) : (
        <div className="grid gap-4">
          {status.data.bus_error ? (
            <p role="alert" className="rounded-md border border-down p-2 text-sm text-down">
              Bus unavailable: {status.data.bus_error}
            </p>
          ) : null}
          <dl className="grid grid-cols-2 gap-2 text-sm tabular-nums md:grid-cols-5">
            {[
              ['Active model', status.data.active_model ? `${status.data.active_model.name} ${formatVersion(status.data.active_model.version)}` : 'none'],
              ['Last odds', formatKickoff(status.data.last_odds_at)],
              ['Last prediction', formatKickoff(status.data.last_prediction_at)],
              ['Dead letters', formatCount(status.data.dead_letters)],
              ['Odds outbox', formatCount(status.data.odds_outbox)],
            ].map(([label, value]) => (
              <div key={label} className="rounded-md border border-line bg-panel-2 p-2">
                <dt className="text-xs text-muted">{label}</dt>
                <dd className="font-semibold" data-testid={`status-${(label ?? '').toLowerCase().replace(/\s+/g, '-')}`}>
                  {value}
                </dd>
              </div>
            ))}
          </dl>
          <RefitControl refit={status.data.refit} />
          <TableFrame label="Streams">
            <table className={tableClass}>
              <caption className="px-2 py-1 text-left text-xs text-muted">Streams and consumer groups</caption>
              <thead>
                <tr>
                  <th scope="col" className={th}>Stream</th>
                  <th scope="col" className={`${th} text-right`}>Length</th>
                  <th scope="col" className={th}>Group</th>
                  <th scope="col" className={`${th} text-right`}>Consumers</th>
                  <th scope="col" className={`${th} text-right`}>Pending</th>
                  <th scope="col" className={`${th} text-right`}>Lag</th>
                </tr>
              </thead>
              <tbody>
                {status.data.streams.flatMap((stream) =>
                  (stream.groups.length ? stream.groups : [null]).map((group) => (
                    <tr key={`${stream.name}-${group?.name ?? ''}`} className={rowClass} data-testid="stream-row">
                      <td className={td}>{stream.name}</td>
                      <td className={`${td} text-right`}>{formatCount(stream.length)}</td>
                      <td className={td} data-testid="stream-group">
                        {group ? group.name : '—'}
                        {group && !group.exists ? (
                          <>
                            {' '}
                            <Badge tone="warn">not created yet</Badge>
                          </>
                        ) : null}
                      </td>
                      <td className={`${td} text-right`}>{group?.consumers ?? '—'}</td>
                      <td className={`${td} text-right ${group && group.pending > 0 ? 'text-warn' : ''}`}>{group?.pending ?? '—'}</td>
                      <td className={`${td} text-right`}>{group?.lag ?? '—'}</td>
                    </tr>
                  )),
                )}
              </tbody>
            </table>
          </TableFrame>
          <TableFrame label="Source files">
            <table className={tableClass}>
              <caption className="px-2 py-1 text-left text-xs text-muted">
                Loaded source files{status.data.source_files.length ? ` (${formatCount(status.data.source_files.length)} most recent)` : ''}
              </caption>
              <thead>
                <tr>
                  <th scope="col" className={th}>Provider</th>
                  <th scope="col" className={th}>File</th>
                  <th scope="col" className={`${th} text-right`}>Matches</th>
                  <th scope="col" className={th}>Loaded</th>
                </tr>
              </thead>
              <tbody>
                {status.data.source_files.length === 0 ? (
                  <tr className={rowClass}>
                    <td className={`${td} text-muted`} colSpan={4}>
                      No file loaded yet.
                    </td>
                  </tr>
                ) : (
                  status.data.source_files.map((file) => (
                    <tr key={`${file.provider}-${file.path}`} className={rowClass}>
                      <td className={td}>{file.provider}</td>
                      <td className={`${td} font-mono text-xs whitespace-normal break-all`} data-testid="source-file">
                        {file.path}
                        {file.partial ? (
                          <>
                            {' '}
                            <Badge tone="warn">partial</Badge>
                          </>
                        ) : null}
                      </td>
                      <td className={`${td} text-right`}>{formatCount(file.rows)}</td>
                      <td className={td}>{formatKickoff(file.loaded_at)}</td>
                    </tr>
                  ))
                )}
              </tbody>
            </table>
          </TableFrame>
        </div>
      )}
    </Panel>
  );
}

function IngestReport({ report }: { report: IngestOut }) {
  const tone = report.status === 'loaded' ? 'up' : report.status === 'unchanged' ? 'neutral' : 'down';
  const counts: [string, number][] = [
    ['Matches', report.matches],
    ['Fixtures inserted', report.fixtures_inserted],
    ['Fixtures updated', report.fixtures_updated],
    ['Odds inserted', report.odds_inserted],
    ['Odds updated', report.odds_updated],
    ['Odds deleted', report.odds_deleted],
    ['Odds kept', report.odds_kept],
  ];
  return (
    <div role="status" data-testid="ingest-report" className="mt-3 rounded-md border border-line p-3 text-sm">
      <p className="flex items-center gap-2">
        Upload <Badge tone={tone}>{report.status}</Badge>
      </p>
      {report.error ? <p className="mt-1 text-down">{report.error}</p> : null}
      <dl className="mt-2 grid grid-cols-2 gap-1 tabular-nums sm:grid-cols-4">
        {counts.map(([label, value]) => (
          <div key={label}>
            <dt className="text-xs text-muted">{label}</dt>
            <dd>{formatCount(value)}</dd>
          </div>
        ))}
      </dl>
      {report.problems.length > 0 ? (
        <details className="mt-2">
          <summary className="cursor-pointer text-warn">{report.problems.length} problem rows</summary>
          <ul className="mt-1 max-h-48 list-disc overflow-auto pl-5 text-xs">
            {report.problems.map((problem, index) => (
              <li key={index}>{problem}</li>
            ))}
          </ul>
        </details>
      ) : null}
    </div>
  );
}

export function UploadPanel() {
  const input = useRef<HTMLInputElement>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const upload = useUploadFootballData();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const file = input.current?.files?.[0];
    if (!file) {
      setProblem('Choose a football-data CSV file (for example E0.csv).');
      return;
    }
    setProblem(null);
    upload.mutate(file);
  };

  return (
    <Panel title="Upload football-data CSV">
      <form onSubmit={submit} aria-label="Upload football-data CSV" className="flex flex-wrap items-end gap-2">
        <div className="flex flex-col gap-1">
          <label htmlFor="football-data-file" className="text-xs font-medium text-muted">
            Football-data CSV
          </label>
          <input id="football-data-file" ref={input} type="file" accept=".csv,text/csv" className={`${inputClass} w-72`} />
        </div>
        <Button type="submit" variant="primary" disabled={upload.isPending}>
          {upload.isPending ? 'Uploading…' : 'Upload'}
        </Button>
      </form>
      <InlineError message={problem ?? upload.error?.message} />
      {upload.data ? <IngestReport report={upload.data} /> : null}
    </Panel>
  );
}
