import { useState } from 'react';

import { Button } from '@/components/ui/button';
import { useConfirm } from '@/components/ui/confirm-dialog';
import { SelectField, TextField } from '@/components/ui/field';
import { Badge, PageHeader, Panel, rowClass, tableClass, TableFrame, td, th } from '@/components/ui/layout';
import { EmptyState, ErrorState, InlineError, Spinner } from '@/components/ui/states';
import type { ModelHealth, ModelVersionOut } from '@/lib/api-types';
import { hasRole, useUser } from '@/lib/auth';
import { formatCount, formatDate, formatDecimal, formatKickoff, formatVersion } from '@/lib/format';
import { useActivateModel, useModelHealth, useModelVersions } from '@/features/model-health/api/health';
import { ReliabilityChart, RollingChart } from './health-charts';
import { ShadowClvPanel } from './shadow-clv-panel';

const DRIFT_TONE = { stable: 'up', watch: 'warn', drift: 'down', unknown: 'neutral' } as const;
const DRIFT_TEXT = {
  stable: 'Stable: recent predictions look like the reference period.',
  watch: 'Watch: predictions are shifting; keep an eye on calibration.',
  drift: 'Drift: predictions differ markedly from the reference; consider a refit.',
} as const;

/**
 * Why drift is unknown, in agreement with the count beside it: the service says "unknown" when
 * nothing is recent, or when there are recent predictions but no training reference to
 * compare them with (a Dixon-Coles fit saves none).
 */
export function driftText(status: ModelHealth['drift']['status'], recent: number): string {
  if (status !== 'unknown') return DRIFT_TEXT[status];
  if (recent === 0) return 'Unknown: no recent predictions to compare.';
  return `Unknown: the active model was saved without a reference distribution, so its ${formatCount(recent)} recent predictions have nothing to be compared with.`;
}

function DriftPanel({ health }: { health: ModelHealth }) {
  const { drift } = health;
  return (
    <Panel title="Drift">
      <p className="flex flex-wrap items-center gap-2 text-sm">
        <Badge tone={DRIFT_TONE[drift.status]} testId="drift-status">
          {drift.status}
        </Badge>
        <span data-testid="drift-text">{driftText(drift.status, drift.n_recent)}</span>
      </p>
      <dl className="mt-3 grid grid-cols-2 gap-2 text-sm tabular-nums">
        <div>
          <dt className="text-xs text-muted">Prediction PSI</dt>
          <dd>{formatDecimal(drift.prediction_psi, 3)}</dd>
        </div>
        <div>
          <dt className="text-xs text-muted">Recent predictions</dt>
          <dd>{formatCount(drift.n_recent)}</dd>
        </div>
        <div>
          <dt className="text-xs text-muted">Settled matches scored</dt>
          <dd>{formatCount(health.n_matches)}</dd>
        </div>
        <div>
          <dt className="text-xs text-muted">Window</dt>
          <dd>
            {formatDate(health.window_start)} – {formatDate(health.window_end)}
          </dd>
        </div>
      </dl>
    </Panel>
  );
}

function VersionRecords({ health }: { health: ModelHealth }) {
  return (
    <Panel title="Record by version">
      {health.versions.length === 0 ? (
        <EmptyState title="No settled predictions">Each version's record appears as its matches finish.</EmptyState>
      ) : (
        <TableFrame label="Record by version">
          <table className={tableClass}>
            <thead>
              <tr>
                <th scope="col" className={th}>Model</th>
                <th scope="col" className={`${th} text-right`}>Matches served</th>
                <th scope="col" className={`${th} text-right`}>RPS model</th>
                <th scope="col" className={`${th} text-right`}>RPS market</th>
                <th scope="col" className={`${th} text-right`}>Log loss model</th>
                <th scope="col" className={`${th} text-right`}>Log loss market</th>
              </tr>
            </thead>
            <tbody>
              {health.versions.map((record) => (
                <tr key={`${record.model} ${record.version}`} className={rowClass} data-testid="version-record">
                  <td className={td}>
                    {record.model}{' '}
                    <span className="text-muted" title={record.version}>
                      {formatVersion(record.version)}
                    </span>
                  </td>
                  <td className={`${td} text-right tabular-nums`}>{formatCount(record.n_matches)}</td>
                  <td className={`${td} text-right tabular-nums`}>{formatDecimal(record.rps_model, 4)}</td>
                  <td className={`${td} text-right tabular-nums`}>{formatDecimal(record.rps_market, 4)}</td>
                  <td className={`${td} text-right tabular-nums`}>{formatDecimal(record.log_loss_model, 4)}</td>
                  <td className={`${td} text-right tabular-nums`}>{formatDecimal(record.log_loss_market, 4)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableFrame>
      )}
    </Panel>
  );
}

function metricPreview(metrics: Record<string, unknown>): string {
  return Object.entries(metrics)
    .filter(([, value]) => typeof value === 'number' || typeof value === 'string')
    .slice(0, 4)
    .map(([key, value]) => {
      // counts ("matches 7,038") as whole numbers, scores to four places
      const shown = typeof value === 'number' ? (Number.isInteger(value) ? formatCount(value) : formatDecimal(value)) : String(value);
      return `${key.replace(/_/g, ' ')} ${shown}`;
    })
    .join(' · ');
}

function ModelVersions() {
  const versions = useModelVersions();
  const isAdmin = hasRole(useUser().data, 'admin');
  const activate = useActivateModel();
  const confirm = useConfirm();
  const confirmActivate = (model: ModelVersionOut) =>
    confirm.ask({
      title: `Serve ${model.name} ${formatVersion(model.version)}?`,
      message: `The workers switch to ${model.version} for every new prediction from now on.`,
      confirmLabel: 'Activate',
      tone: 'primary',
      onConfirm: () => activate.mutate({ name: model.name, version: model.version }),
    });
  return (
    <Panel title="Model versions">
      {confirm.dialog}
      <InlineError message={activate.error?.message} />
      {versions.isPending ? (
        <Spinner />
      ) : versions.isError ? (
        <ErrorState error={versions.error} title="Could not load the model versions" />
      ) : versions.data.items.length === 0 ? (
        <EmptyState title="No model registered">Train one (Admin → Refit model) to get predictions.</EmptyState>
      ) : (
        <TableFrame label="Model versions">
          <table className={tableClass}>
            <thead>
              <tr>
                <th scope="col" className={th}>Model</th>
                <th scope="col" className={th}>Created</th>
                <th scope="col" className={th}>Trained on</th>
                <th scope="col" className={th}>Metrics</th>
                <th scope="col" className={th}>Status</th>
              </tr>
            </thead>
            <tbody>
              {versions.data.items.map((model) => (
                <tr key={model.id} className={rowClass} data-testid="model-row">
                  <td className={td}>
                    {model.name}{' '}
                    <span className="text-muted" title={model.version}>
                      {formatVersion(model.version)}
                    </span>
                  </td>
                  <td className={td}>{formatKickoff(model.created_at)}</td>
                  <td className={td}>
                    {formatDate(model.trained_from)} – {formatDate(model.trained_to)}
                  </td>
                  <td className={`${td} min-w-48 text-xs whitespace-normal text-muted`}>{metricPreview(model.metrics) || '—'}</td>
                  <td className={td}>
                    {model.is_active ? (
                      <Badge tone="up">active</Badge>
                    ) : isAdmin ? (
                      <Button size="sm" disabled={activate.isPending} onClick={() => confirmActivate(model)}>
                        Activate <span className="sr-only">{`${model.name} ${model.version}`}</span>
                      </Button>
                    ) : (
                      <span className="text-muted">inactive</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableFrame>
      )}
    </Panel>
  );
}

export function ModelHealthPage() {
  const [days, setDays] = useState(90);
  const [windowText, setWindowText] = useState('50');
  const windowSize = Math.min(2000, Math.max(1, Math.round(Number(windowText)) || 50));
  const health = useModelHealth(days, windowSize);

  return (
    <>
      <PageHeader title="Model health">
        {health.data?.model ? (
          <Badge tone="accent">
            {health.data.model} {formatVersion(health.data.version)}
          </Badge>
        ) : null}
      </PageHeader>
      <form aria-label="Health window" className="mb-4 grid grid-cols-2 gap-2 sm:w-96" onSubmit={(event) => event.preventDefault()}>
        <SelectField label="Period" value={String(days)} onChange={(event) => setDays(Number(event.target.value))}>
          {[30, 90, 180, 365, 730].map((value) => (
            <option key={value} value={String(value)}>
              Last {value} days
            </option>
          ))}
        </SelectField>
        <TextField
          label="Rolling window (matches)"
          type="number"
          min={1}
          max={2000}
          value={windowText}
          onChange={(event) => setWindowText(event.target.value)}
        />
      </form>
      {health.isPending ? (
        <Spinner label="Scoring the model…" />
      ) : health.isError ? (
        <ErrorState error={health.error} title="Could not load the model health" />
      ) : !health.data.model ? (
        <EmptyState title="No active model">Health appears once a model is trained and serving.</EmptyState>
      ) : (
        <div className="grid gap-4">
          <div className="grid gap-4 lg:grid-cols-3">
            <Panel title="Reliability" className="lg:col-span-2">
              <ReliabilityChart bins={health.data.reliability} />
            </Panel>
            <DriftPanel health={health.data} />
          </div>
          <div className="grid gap-4 lg:grid-cols-2">
            <Panel title="Rolling RPS">
              <RollingChart points={health.data.rolling} metric="rps" />
            </Panel>
            <Panel title="Rolling log loss">
              <RollingChart points={health.data.rolling} metric="log_loss" />
            </Panel>
          </div>
          <VersionRecords health={health.data} />
          <ShadowClvPanel days={days} />
        </div>
      )}
      <div className="mt-4">
        <ModelVersions />
      </div>
    </>
  );
}
