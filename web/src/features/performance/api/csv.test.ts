import { describe, expect, it } from 'vitest';

import type { Figures, PerformanceOut } from '@/lib/api-types';
import { buildPerformanceCsv, clvHistogram, csvField } from './csv';

function figures(patch: Partial<Figures> = {}): Figures {
  return {
    n_bets: 4,
    staked_minor: 4000,
    profit_minor: 523,
    roi: '0.01234567890123456789012345',
    yield: '0.1308',
    bankroll_return: '0.0052',
    n_won: 2,
    n_lost: 2,
    n_returned: 0,
    win_rate: '0.5',
    n_with_close: 3,
    clv_mean: '0.021',
    clv_ci95: { low: '-0.0105', high: '0.0525', method: 't' },
    beat_close_share: '0.6666666666666666666666666667',
    beat_close_ci95: { low: '0.2077', high: '0.9385', method: 'wilson' },
    n_with_edge: 3,
    expected_profit_minor: 150,
    profit_with_edge_minor: 600,
    ...patch,
  };
}

const performance: PerformanceOut = {
  summary: figures(),
  by_competition: { SP1: figures({ n_bets: 1, staked_minor: 1000, profit_minor: -1000 }), E0: figures({ n_bets: 3 }) },
  by_market: { '1x2': figures() },
  by_bookmaker: { 'B365, "Bet"': figures({ roi: null }) },
  bankroll: [
    { at: '2025-01-01T00:00:00Z', bankroll_minor: 100000, equity_minor: 100000 },
    { at: '2025-01-05T20:00:00Z', bankroll_minor: 99523, equity_minor: 100523 },
  ],
  drawdown: [{ at: '2025-01-03T20:00:00Z', drawdown: '0.0100' }],
  max_drawdown: '0.0100',
  clv: [{ bet_id: 11, settled_at: '2025-01-05T20:00:00Z', clv: '0.0300' }],
};

describe('performance CSV', () => {
  it('writes the figures tables, then the series: money with two decimals, ratios to six places', () => {
    const lines = buildPerformanceCsv(performance, 'EUR').split('\r\n');
    expect(lines[0]).toBe(
      'table,key,n_bets,staked,profit,expected_profit,n_with_edge,roi,yield,bankroll_return,n_won,n_lost,n_returned,' +
        'win_rate,n_with_close,clv_mean,clv_ci95_low,clv_ci95_high,beat_close_share,beat_close_ci95_low,beat_close_ci95_high,currency',
    );
    // a 28-digit ROI from the API is written to six places
    const ratios = '0.130800,0.005200,2,2,0,0.500000,3,0.021000,-0.010500,0.052500,0.666667,0.207700,0.938500,EUR';
    expect(lines[1]).toBe(`summary,all,4,40.00,5.23,1.50,3,0.012346,${ratios}`);
    // competitions sorted by key; a loss keeps its sign
    expect(lines[2]).toBe(`by_competition,E0,3,40.00,5.23,1.50,3,0.012346,${ratios}`);
    expect(lines[3]).toBe(`by_competition,SP1,1,10.00,-10.00,1.50,3,0.012346,${ratios}`);
    expect(lines[4]).toBe(`by_market,1x2,4,40.00,5.23,1.50,3,0.012346,${ratios}`);
    // a key with a comma and quotes is quoted; a null ROI is an empty field
    expect(lines[5]).toBe(`by_bookmaker,"B365, ""Bet""",4,40.00,5.23,1.50,3,,${ratios}`);
    expect(lines[6]).toBe('');
    expect(lines.slice(7)).toEqual([
      'series,at,value,bet_id',
      'cash,2025-01-01T00:00:00Z,1000.00,',
      'cash,2025-01-05T20:00:00Z,995.23,',
      'equity,2025-01-01T00:00:00Z,1000.00,',
      'equity,2025-01-05T20:00:00Z,1005.23,',
      'drawdown,2025-01-03T20:00:00Z,0.010000,',
      'clv,2025-01-05T20:00:00Z,0.030000,11',
      '',
    ]);
  });

  it('defuses text a spreadsheet would run as a formula, but not negative numbers', () => {
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('-0.0100')).toBe('-0.0100');
    expect(csvField(null)).toBe('');
  });

  it('bins CLV into 2-point buckets from the lowest to the highest used', () => {
    const bins = clvHistogram([-0.031, -0.005, 0.0, 0.012, 0.019, 0.05]);
    expect(bins.map((bin) => [bin.label, bin.count])).toEqual([
      ['−4 to −2%', 1],
      ['−2 to 0%', 1],
      ['0 to 2%', 3],
      ['2 to 4%', 0],
      ['4 to 6%', 1],
    ]);
    expect(clvHistogram([])).toEqual([]);
  });
});
