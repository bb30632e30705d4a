/**
 * The performance page as one CSV: the figures tables (summary, by competition, market,
 * bookmaker), then the bankroll, drawdown and CLV series. Money is in currency units with two
 * decimals, fractions stay fractions (0.0523), instants stay ISO.
 */
import type { Figures, PerformanceOut } from '@/lib/api-types';
import { fromMinorUnits } from '@/lib/format';

type Cell = string | number | null | undefined;

const NUMERIC = /^-?\d+(\.\d+)?(e-?\d+)?$/i;

/** One CSV field: quoted when needed; text that a spreadsheet would run as a formula is defused. */
export function csvField(value: Cell): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (!NUMERIC.test(text) && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(cells: readonly Cell[]): string {
  return cells.map(csvField).join(',');
}

export const FIGURE_COLUMNS = [
  'n_bets',
  'staked',
  'profit',
  'roi',
  'yield',
  'bankroll_return',
  'n_won',
  'n_lost',
  'n_returned',
  'win_rate',
  'n_with_close',
  'clv_mean',
  'beat_close_share',
] as const;

function figureCells(figures: Figures): Cell[] {
  return [
    figures.n_bets,
    fromMinorUnits(figures.staked_minor),
    fromMinorUnits(figures.profit_minor),
    figures.roi,
    figures.yield,
    figures.bankroll_return,
    figures.n_won,
    figures.n_lost,
    figures.n_returned,
    figures.win_rate,
    figures.n_with_close,
    figures.clv_mean,
    figures.beat_close_share,
  ];
}

export function buildPerformanceCsv(performance: PerformanceOut, currency: string): string {
  const lines: string[] = [csvLine(['table', 'key', ...FIGURE_COLUMNS, 'currency'])];
  lines.push(csvLine(['summary', 'all', ...figureCells(performance.summary), currency]));
  const groups: [string, Record<string, Figures>][] = [
    ['by_competition', performance.by_competition],
    ['by_market', performance.by_market],
    ['by_bookmaker', performance.by_bookmaker],
  ];
  for (const [table, rows] of groups) {
    for (const key of Object.keys(rows).sort()) {
      const figures = rows[key];
      if (figures) lines.push(csvLine([table, key, ...figureCells(figures), currency]));
    }
  }
  lines.push('');
  lines.push(csvLine(['series', 'at', 'value', 'bet_id']));
  for (const point of performance.bankroll) lines.push(csvLine(['bankroll', point.at, fromMinorUnits(point.bankroll_minor), null]));
  for (const point of performance.drawdown) lines.push(csvLine(['drawdown', point.at, point.drawdown, null]));
  for (const point of performance.clv) lines.push(csvLine(['clv', point.settled_at, point.clv, point.bet_id]));
  return `${lines.join('\r\n')}\r\n`;
}

/** Save `text` as a file, client-side. */
export function downloadCsv(filename: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

export interface HistogramBin {
  low: number;
  high: number;
  label: string;
  count: number;
}

/** CLV values (fractions) counted in bins of `width`, from the lowest to the highest bin used. */
export function clvHistogram(values: readonly number[], width = 0.02): HistogramBin[] {
  const finite = values.filter((value) => Number.isFinite(value));
  if (finite.length === 0) return [];
  const index = (value: number) => Math.floor(value / width + 1e-9);
  const lowest = Math.min(...finite.map(index));
  const highest = Math.max(...finite.map(index));
  const bins: HistogramBin[] = [];
  for (let i = lowest; i <= highest; i += 1) {
    const low = i * width;
    bins.push({
      low,
      high: low + width,
      label: `${(low * 100).toFixed(0)}%`,
      count: 0,
    });
  }
  for (const value of finite) {
    const bin = bins[index(value) - lowest];
    if (bin) bin.count += 1;
  }
  return bins;
}
