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

/** Fixed decimals for metrics (RPS, log loss): "0.2013". */
export function formatDecimal(value: number | string | null | undefined, digits = 4): string {
  const number = toNumber(value);
  return number === null ? '—' : number.toFixed(digits);
}

/** A `YYYY-MM-DD` date input value as the ISO instant of that day's start (UTC, with Z). */
export function dateInputToIso(value: string, endOfDay = false): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return undefined;
  return `${value}T${endOfDay ? '23:59:59' : '00:00:00'}Z`;
}
