/**
 * The performance page as one CSV: the figures tables (summary, by competition, market,
 * bookmaker), then the cash, equity, drawdown and CLV series. Money is in currency units with
 * two decimals; fractions stay fractions, to six places (0.052300 is 5.23%); instants stay ISO.
 */
import type { Figures, PerformanceOut } from '@/lib/api-types';
import { formatFraction, fromMinorUnits } from '@/lib/format';

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
  'expected_profit',
  'n_with_edge',
  'roi',
  'yield',
  'bankroll_return',
  'n_won',
  'n_lost',
  'n_returned',
  'win_rate',
  'n_with_close',
  'clv_mean',
  'clv_ci95_low',
  'clv_ci95_high',
  'beat_close_share',
  'beat_close_ci95_low',
  'beat_close_ci95_high',
] as const;

const RATIO_PLACES = 6;

/** A fraction as the API sends it (a decimal string of up to 28 digits) to six places; null stays empty. */
export function ratioCell(value: string | number | null | undefined): string | null {
  if (value === null || value === undefined || value === '') return null;
  const number = Number(value);
  if (!Number.isFinite(number)) return null;
  const text = number.toFixed(RATIO_PLACES);
  return Number(text) === 0 ? (0).toFixed(RATIO_PLACES) : text;
}

function figureCells(figures: Figures): Cell[] {
  return [
    figures.n_bets,
    fromMinorUnits(figures.staked_minor),
    fromMinorUnits(figures.profit_minor),
    fromMinorUnits(figures.expected_profit_minor),
    figures.n_with_edge,
    ratioCell(figures.roi),
    ratioCell(figures.yield),
    ratioCell(figures.bankroll_return),
    figures.n_won,
    figures.n_lost,
    figures.n_returned,
    ratioCell(figures.win_rate),
    figures.n_with_close,
    ratioCell(figures.clv_mean),
    ratioCell(figures.clv_ci95?.low),
    ratioCell(figures.clv_ci95?.high),
    ratioCell(figures.beat_close_share),
    ratioCell(figures.beat_close_ci95?.low),
    ratioCell(figures.beat_close_ci95?.high),
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
  for (const point of performance.bankroll) lines.push(csvLine(['cash', point.at, fromMinorUnits(point.bankroll_minor), null]));
  for (const point of performance.bankroll) lines.push(csvLine(['equity', point.at, fromMinorUnits(point.equity_minor), null]));
  for (const point of performance.drawdown) lines.push(csvLine(['drawdown', point.at, ratioCell(point.drawdown), null]));
  for (const point of performance.clv) lines.push(csvLine(['clv', point.settled_at, ratioCell(point.clv), point.bet_id]));
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
      // The whole bin, "4 to 6%": its lower edge alone read as the CLV of the bets in it.
      label: `${formatFraction(Number(low.toFixed(6))).replace('%', '')} to ${formatFraction(Number((low + width).toFixed(6)))}`,
      count: 0,
    });
  }
  for (const value of finite) {
    const bin = bins[index(value) - lowest];
    if (bin) bin.count += 1;
  }
  return bins;
}
