import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';

import { json, mockFetch } from '@/test/fetch-mock';
import { renderWithProviders } from '@/test/render';
import { DeadLettersPanel } from './dead-letters-panel';

const letter = {
  id: '1700000000000-0',
  stage: 'workers',
  reason: 'bad_id',
  message: 'odds_id inf is not a whole number from 1 to 9223372036854775807',
  stream: 'scoreline:odds',
  entry: '1699999999999-0',
  deliveries: 1,
  payload: '{"odds_id": 1e400, "fixture_id": 3}',
  payload_length: 36,
  encoding: 'utf-8',
  at: '2030-01-01T10:00:00Z',
  replay: null,
};

const fromTheFeed = {
  ...letter,
  id: '1700000000001-0',
  stage: 'ingestion',
  reason: 'not_json',
  stream: null,
  entry: null,
  payload: 'fffe',
  encoding: 'hex',
};

function page(items: object[]) {
  return { items, total: items.length, limit: 20, offset: 0 };
}

describe('DeadLettersPanel', () => {
  it('lists each letter with its reason and counts by reason', async () => {
    mockFetch({
      'GET /api/v1/admin/dead-letters': page([letter, fromTheFeed]),
      'GET /api/v1/admin/dead-letters/reasons': [
        { stage: 'workers', reason: 'bad_id', count: 1, replayed: 0 },
        { stage: 'ingestion', reason: 'not_json', count: 1, replayed: 0 },
      ],
    });
    renderWithProviders(<DeadLettersPanel />);
    const row = await screen.findByTestId(`dead-letter-${letter.id}`);
    expect(row).toHaveTextContent('bad_id');
    expect(row).toHaveTextContent('{"odds_id": 1e400');
    expect(screen.getByText('workers · bad_id: 1')).toBeInTheDocument();
    expect(screen.getByTestId(`dead-letter-${fromTheFeed.id}`)).toHaveTextContent('no stream to go back to');
    expect(screen.getByText('2 dead letters, newest first')).toBeInTheDocument();
  });

  it('replays a letter and then shows it as replayed', async () => {
    let replayed = false;
    const api = mockFetch({
      'GET /api/v1/admin/dead-letters': () =>
        page([replayed ? { ...letter, replay: { at: 'now', by: 'user:1', replayed_as: '1700000000009-0' } } : letter]),
      'GET /api/v1/admin/dead-letters/reasons': [],
      'POST /api/v1/admin/dead-letters/replay': () => {
        replayed = true;
        return json([{ id: letter.id, replayed_as: '1700000000009-0', skipped: null, message: null }]);
      },
    });
    const people = userEvent.setup();
    renderWithProviders(<DeadLettersPanel />);
    await people.click(await screen.findByTestId(`replay-${letter.id}`));
    expect(await screen.findByTestId(`replayed-${letter.id}`)).toHaveTextContent('replayed as 1700000000009-0 by user:1');
    const [call] = api.callsTo('POST', '/api/v1/admin/dead-letters/replay');
    expect(JSON.parse(call?.body ?? '')).toEqual({ ids: [letter.id] });
  });

  it('asks for one reason when one is chosen', async () => {
    const api = mockFetch({
      'GET /api/v1/admin/dead-letters': page([letter]),
      'GET /api/v1/admin/dead-letters/reasons': [{ stage: 'workers', reason: 'bad_id', count: 1, replayed: 0 }],
    });
    const people = userEvent.setup();
    renderWithProviders(<DeadLettersPanel />);
    await screen.findByRole('option', { name: 'bad_id' });
    await people.selectOptions(screen.getByTestId('dead-letter-reason'), 'bad_id');
    await waitFor(() =>
      expect(api.callsTo('GET', '/api/v1/admin/dead-letters').some((c) => c.url.searchParams.get('reason') === 'bad_id')).toBe(
        true,
      ),
    );
  });
});
