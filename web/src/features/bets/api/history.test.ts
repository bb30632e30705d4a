import { describe, expect, it } from 'vitest';

import { historyCsvUrl, historyQuery, type HistoryFilters } from './history';

const none: HistoryFilters = { start: '', end: '', competition: '', market: '', bookmaker: '', status: '', outcome: '' };

describe('historyQuery', () => {
  it('sends no filter when none is set', () => {
    expect(historyQuery(none)).toEqual({});
  });

  it('turns the dates into a half-open range of whole UTC days', () => {
    const query = historyQuery({ ...none, start: '2026-03-01', end: '2026-03-31' });
    expect(query).toEqual({ placed_from: '2026-03-01T00:00:00.000Z', placed_to: '2026-04-01T00:00:00.000Z' });
  });

  it('keeps the filters the API takes and leaves out values it would refuse', () => {
    const query = historyQuery({ ...none, competition: 'E0', bookmaker: ' B365 ', market: 'darts', status: 'settled', outcome: 'won' });
    expect(query).toEqual({ competition: 'E0', bookmaker: 'B365', status: 'settled', outcome: 'won' });
  });
});

describe('historyCsvUrl', () => {
  it('asks for the same bets as the page shows', () => {
    expect(historyCsvUrl(7, { ...none, competition: 'D1', outcome: 'lost' })).toBe(
      '/api/v1/portfolios/7/history.csv?competition=D1&outcome=lost',
    );
    expect(historyCsvUrl(7, none)).toBe('/api/v1/portfolios/7/history.csv');
  });
});
