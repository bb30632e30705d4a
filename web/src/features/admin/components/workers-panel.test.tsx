import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import type { AdminStatus, WorkerOut } from '@/lib/api-types';
import { seriousViolations } from '@/test/axe';
import { mockFetch } from '@/test/fetch-mock';
import { renderWithProviders } from '@/test/render';
import { WorkersPanel } from './workers-panel';

const ACTIVE = '20261203T100026123456Z';
const OLDER = '20261201T080000000000Z';

function worker(name: string, change: Partial<WorkerOut> = {}): WorkerOut {
  return {
    name,
    host: 'box-1',
    pid: 4242,
    started_at: '2026-12-04T08:00:00Z',
    last_seen_at: '2026-12-04T09:00:00Z',
    seen_seconds_ago: 3,
    state: 'running',
    model: 'dixon-coles',
    version: ACTIVE,
    model_version_id: 2,
    serves_active: true,
    entries_handled: 12_500,
    predictions: 12_480,
    dead_lettered: 20,
    ...change,
  };
}

function status(workers: WorkerOut[]): AdminStatus {
  return {
    active_model: { name: 'dixon-coles', version: ACTIVE },
    streams: [],
    bus_error: null,
    dead_letters: 0,
    odds_outbox: 0,
    last_odds_at: null,
    last_prediction_at: null,
    source_files: [],
    workers,
    refit: { state: 'idle', started_at: null, finished_at: null, version: null, error: null },
  };
}

describe('WorkersPanel', () => {
  it('shows each worker with its state, the version it serves and whether that is the active one', async () => {
    mockFetch({
      'GET /api/v1/admin/status': status([
        worker('box-1-101-aaa'),
        worker('box-1-102-bbb', { version: OLDER, model_version_id: 1, serves_active: false, seen_seconds_ago: 4 }),
        worker('box-2-103-ccc', { state: 'stale', seen_seconds_ago: 600 }),
        worker('box-2-104-ddd', { state: 'stopped', version: OLDER, serves_active: false, seen_seconds_ago: 7200 }),
      ]),
    });
    renderWithProviders(<WorkersPanel />);
    const rows = await screen.findAllByTestId('worker-row');
    const shown = rows.map((row) => [
      within(row).getByRole('rowheader').textContent,
      within(row).getByTestId('worker-state').textContent,
      within(row).getByTestId('worker-model').textContent,
      within(row).getByTestId('worker-seen').textContent,
    ]);
    expect(shown).toEqual([
      ['box-1-101-aaa', 'running', 'dixon-coles 2026-12-03 10:00', '3 s ago'],
      ['box-1-102-bbb', 'running', 'dixon-coles 2026-12-01 08:00 not the active version', '4 s ago'],
      ['box-2-103-ccc', 'stale', 'dixon-coles 2026-12-03 10:00', '10 min ago'],
      // Stopped: the version it last served is no lag.
      ['box-2-104-ddd', 'stopped', 'dixon-coles 2026-12-01 08:00', '2 h ago'],
    ]);
    expect(rows[0]).toHaveTextContent('12,480');
    expect(rows[0]).toHaveTextContent('12,500');
    expect(screen.getByRole('region', { name: 'Workers' })).toBeInTheDocument();
    expect(await seriousViolations()).toEqual([]);
  });

  it('says how to start a worker when none has reported', async () => {
    mockFetch({ 'GET /api/v1/admin/status': status([]) });
    renderWithProviders(<WorkersPanel />);
    expect(await screen.findByTestId('workers-empty')).toHaveTextContent(
      'No worker has reported in the last day; start one with scoreline worker, or scoreline up to run one in the same process as the API.',
    );
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
  });
});
