/**
 * Display formats. Money stays in integer minor units until it is shown; a decimal string
 * the user typed becomes minor units without passing through a float.
 */

const moneyFormats = new Map<string, Intl.NumberFormat>();

function moneyFormat(currency: string): Intl.NumberFormat {
  let format = moneyFormats.get(currency);
  if (!format) {
    try {
      format = new Intl.NumberFormat('en-GB', { style: 'currency', currency });
    } catch {
      format = new Intl.NumberFormat('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    }
    moneyFormats.set(currency, format);
  }
  return format;
}

/** 123456 minor units of EUR -> "€1,234.56". */
export function formatMoney(minor: number | null | undefined, currency = 'EUR'): string {
  if (minor === null || minor === undefined || !Number.isFinite(minor)) return '—';
  return moneyFormat(currency).format(minor / 100);
}

/** Signed money for P&L: "+€12.00" / "−€3.50". */
export function formatSignedMoney(minor: number | null | undefined, currency = 'EUR'): string {
  if (minor === null || minor === undefined || !Number.isFinite(minor)) return '—';
  const body = formatMoney(Math.abs(minor), currency);
  if (minor > 0) return `+${body}`;
  if (minor < 0) return `−${body}`;
  return body;
}

/** A number or a decimal string, or null when it is neither. */
export function toNumber(value: number | string | null | undefined): number | null {
  if (value === null || value === undefined || value === '') return null;
  const number = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(number) ? number : null;
}

/** A fraction (0.0523 or "0.0523") as a percentage: "5.2%"; `signed` adds "+" when positive. */
export function formatPercent(
  fraction: number | string | null | undefined,
  { digits = 1, signed = false }: { digits?: number; signed?: boolean } = {},
): string {
  const value = toNumber(fraction);
  if (value === null) return '—';
  const percent = (value * 100).toFixed(digits);
  const isZero = Number(percent) === 0;
  const text = `${isZero ? (0).toFixed(digits) : percent.replace('-', '−')}%`;
  return signed && value > 0 && !isZero ? `+${text}` : text;
}

/**
 * The colour of an edge wherever one is shown (board, fixture page): positive green, zero or
 * below red, none muted. Below zero is a price under fair: still bettable, never hidden.
 */
export function edgeTone(edge: number | string | null | undefined): string {
  const value = toNumber(edge);
  if (value === null) return 'text-muted';
  return value > 0 ? 'text-up' : 'text-down';
}

/** True when the price is below the fair price (a negative edge). */
export function isBelowFair(edge: number | string | null | undefined): boolean {
  const value = toNumber(edge);
  return value !== null && value < 0;
}

/** Decimal odds to two places: "2.10"; null as a dash. */
export function formatOdds(price: number | string | null | undefined): string {
  const value = toNumber(price);
  return value === null ? '—' : value.toFixed(2);
}

/** Parse an amount in currency units ("12.5", "1,000.05") into integer minor units, or null. */
export function toMinorUnits(amount: string): number | null {
  const text = amount.trim().replace(/[\s,]/g, '');
  const match = /^(\d+)(?:\.(\d{0,2}))?$/.exec(text);
  if (!match) return null;
  const whole = match[1] ?? '0';
  const cents = (match[2] ?? '').padEnd(2, '0');
  const minor = Number(whole) * 100 + Number(cents);
  return Number.isSafeInteger(minor) ? minor : null;
}

/** Minor units back to an editable amount: 1250 -> "12.50". */
export function fromMinorUnits(minor: number): string {
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(Math.trunc(minor));
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

const dateTime = new Intl.DateTimeFormat('en-GB', {
  weekday: 'short',
  day: '2-digit',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
});
const dateOnly = new Intl.DateTimeFormat('en-GB', { day: '2-digit', month: 'short', year: 'numeric' });

export function formatKickoff(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '—' : dateTime.format(date);
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '—' : dateOnly.format(date);
}

/**
 * How long ago, from a count of seconds, in the largest whole unit: 4 -> "4 s ago",
 * 125 -> "2 min ago", 7200 -> "2 h ago", 90000 -> "1 d ago"; negatives (a clock ahead) as 0.
 */
export function formatAgo(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  const whole = Math.max(0, Math.floor(seconds));
  if (whole < 60) return `${whole} s ago`;
  if (whole < 3600) return `${Math.floor(whole / 60)} min ago`;
  if (whole < 86400) return `${Math.floor(whole / 3600)} h ago`;
  return `${Math.floor(whole / 86400)} d ago`;
}

/** Fixed decimals for metrics (RPS, log loss): "0.2013"; below zero with a real minus, "−0.018". */
export function formatDecimal(value: number | string | null | undefined, digits = 4): string {
  const number = toNumber(value);
  if (number === null) return '—';
  const text = number.toFixed(digits);
  return Number(text) === 0 ? (0).toFixed(digits) : text.replace('-', '−');
}

/** A `YYYY-MM-DD` date input value as the ISO instant of that day's start (UTC, with Z). */
export function dateInputToIso(value: string, endOfDay = false): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return undefined;
  return `${value}T${endOfDay ? '23:59:59' : '00:00:00'}Z`;
}

/** A count as a whole number with thousands separators: 7038 -> "7,038" (never "7038.0000"). */
export function formatCount(value: number | string | null | undefined): string {
  const number = toNumber(value);
  return number === null ? '—' : Math.round(number).toLocaleString('en-GB');
}

/**
 * A fraction setting (Kelly fraction, a stake cap) as a percentage with no more digits than it
 * has: 0.25 -> "25%", 0.025 -> "2.5%", 0.0125 -> "1.25%".
 */
export function formatFraction(fraction: number | string | null | undefined): string {
  const value = toNumber(fraction);
  if (value === null) return '—';
  const percent = Number((value * 100).toFixed(4));
  return `${String(percent).replace('-', '−')}%`;
}

/** The markets as a bettor names them. */
const MARKET_NAMES: Record<string, string> = {
  '1x2': 'Match result',
  over_under: 'Total goals',
  asian_handicap: 'Asian handicap',
  btts: 'Both teams to score',
};

export function formatMarket(market: string): string {
  return MARKET_NAMES[market] ?? market.replace(/_/g, ' ');
}

/** A goal line without trailing zeros: "2.50" -> "2.5", "3.00" -> "3", "2.25" stays. */
function lineNumber(line: number | string): number | null {
  return toNumber(line);
}

/**
 * A handicap as it is quoted: a real minus sign, a plus on positive lines, "0" for level:
 * -0.25 -> "−0.25", 0.5 -> "+0.5", -1 -> "−1", 0 -> "0".
 */
export function formatHandicap(line: number | string | null | undefined): string {
  if (line === null || line === undefined) return '—';
  const value = lineNumber(line);
  if (value === null) return '—';
  if (value === 0) return '0';
  const body = String(Math.abs(value));
  return value > 0 ? `+${body}` : `−${body}`;
}

/** A totals line: "2.50" -> "2.5". */
export function formatGoalLine(line: number | string | null | undefined): string {
  if (line === null || line === undefined) return '—';
  const value = lineNumber(line);
  return value === null ? '—' : String(value);
}

export interface SelectionName {
  market: string;
  selection: string;
  /** Totals: the goal line; Asian handicap: the home side's handicap (the API's convention). */
  line?: number | string | null;
  home?: string | null;
  away?: string | null;
}

/**
 * A selection as a bettor says it: "Arsenal", "Draw", "Over 2.5", "Arsenal −0.25" (the away
 * side of a home −0.25 line is "Chelsea +0.25"). Team names fall back to "Home"/"Away".
 */
export function formatSelection({ market, selection, line, home, away }: SelectionName): string {
  const side = selection === 'home' ? home || 'Home' : selection === 'away' ? away || 'Away' : null;
  if (market === '1x2') {
    if (selection === 'draw') return 'Draw';
    return side ?? selection;
  }
  if (market === 'over_under') {
    const name = selection === 'over' ? 'Over' : selection === 'under' ? 'Under' : selection;
    return line === null || line === undefined ? name : `${name} ${formatGoalLine(line)}`;
  }
  if (market === 'asian_handicap') {
    const value = line === null || line === undefined ? null : toNumber(line);
    if (value === null || side === null) return side ?? selection;
    return `${side} ${formatHandicap(selection === 'away' ? -value : value)}`;
  }
  if (selection === 'yes' || selection === 'no') return selection === 'yes' ? 'Yes' : 'No';
  return side ?? selection.replace(/_/g, ' ');
}

/** The market and the selection together: "Total goals · Over 2.5". */
export function formatBetName(bet: SelectionName): string {
  return `${formatMarket(bet.market)} · ${formatSelection(bet)}`;
}

/** Aggregate columns of the odds files are market figures, not bookmakers one can bet with. */
const AGGREGATE_NAMES: Record<string, string> = { MAX: 'Best price', AVG: 'Market average' };

export function isAggregate(bookmaker: string | null | undefined): boolean {
  return Boolean(bookmaker && bookmaker in AGGREGATE_NAMES);
}

/** A bookmaker code as shown: "PS" stays, "MAX" -> "Best price", "AVG" -> "Market average". */
export function formatBookmaker(bookmaker: string | null | undefined): string {
  if (!bookmaker) return '—';
  return AGGREGATE_NAMES[bookmaker] ?? bookmaker;
}

/**
 * A model version short enough for a board row: registry versions are timestamps
 * ("20261203T100026123456Z") shown as their date and minute ("2026-12-03 10:00"); others are
 * cut to 12 characters.
 */
export function formatVersion(version: string | null | undefined): string {
  if (!version) return '';
  const stamp = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})/.exec(version);
  if (stamp) return `${stamp[1]}-${stamp[2]}-${stamp[3]} ${stamp[4]}:${stamp[5]}`;
  return version.length > 12 ? `${version.slice(0, 11)}…` : version;
}

/** An outcome word: "half_won" -> "half won". */
export function formatOutcome(outcome: string | null | undefined): string {
  return outcome ? outcome.replace(/_/g, ' ') : '—';
}

/** When something happened, to the minute: "Sat 03 Dec, 15:04" (an alert, a follow). */
export function formatDateTime(iso: string | null | undefined): string {
  return formatKickoff(iso);
}

/** Shift a plain decimal text's point `places` to the left (negative: right), as text. */
function shiftPoint(text: string, places: number): string {
  const match = /^(\d*)(?:\.(\d*))?$/.exec(text);
  const whole = match?.[1] ?? '';
  const fraction = match?.[2] ?? '';
  const digits = `${whole}${fraction}`;
  let point = whole.length - places;
  let padded = digits;
  if (point < 0) {
    padded = '0'.repeat(-point) + padded;
    point = 0;
  }
  if (point > padded.length) padded = padded.padEnd(point, '0');
  const head = padded.slice(0, point).replace(/^0+(?=\d)/, '') || '0';
  const tail = padded.slice(point).replace(/0+$/, '');
  return tail ? `${head}.${tail}` : head;
}

/**
 * A percentage the user typed ("3", "2.5", " 0.25 ") as the fraction the API takes ("0.03",
 * "0.025", "0.0025"), by moving the decimal point (never through a float); null when the text
 * is not a plain non-negative number. Blank is for the caller to read as "off".
 */
export function percentToFraction(percent: string): string | null {
  const text = percent.trim().replace(/%$/, '').trim();
  if (!/^(\d+(\.\d*)?|\.\d+)$/.test(text)) return null;
  return shiftPoint(text, 2);
}

/** A fraction from the API ("0.0300") as the percentage a field shows ("3"); blank for null. */
export function fractionToPercent(fraction: string | number | null | undefined): string {
  if (fraction === null || fraction === undefined || fraction === '') return '';
  const text = String(fraction);
  return /^\d*(\.\d*)?$/.test(text) ? shiftPoint(text, -2) : '';
}
