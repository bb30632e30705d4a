import { describe, expect, it } from 'vitest';

import {
  dateInputToIso,
  formatMoney,
  formatOdds,
  formatPercent,
  formatSignedMoney,
  fromMinorUnits,
  toMinorUnits,
} from './format';

describe('money', () => {
  it('shows minor units as currency', () => {
    expect(formatMoney(123456, 'EUR')).toBe('€1,234.56');
    expect(formatMoney(5, 'GBP')).toBe('£0.05');
    expect(formatMoney(-2500, 'EUR')).toBe('-€25.00');
    expect(formatMoney(null)).toBe('—');
  });

  it('signs profit and loss', () => {
    expect(formatSignedMoney(1200, 'EUR')).toBe('+€12.00');
    expect(formatSignedMoney(-350, 'EUR')).toBe('−€3.50');
    expect(formatSignedMoney(0, 'EUR')).toBe('€0.00');
  });

  it('parses typed amounts into minor units without float error', () => {
    expect(toMinorUnits('12.5')).toBe(1250);
    expect(toMinorUnits('0.29')).toBe(29);
    expect(toMinorUnits('1,000.05')).toBe(100005);
    expect(toMinorUnits(' 7 ')).toBe(700);
    expect(toMinorUnits('4.')).toBe(400);
    expect(toMinorUnits('1.234')).toBeNull();
    expect(toMinorUnits('-3')).toBeNull();
    expect(toMinorUnits('abc')).toBeNull();
    expect(toMinorUnits('')).toBeNull();
  });

  it('turns minor units back into an editable amount', () => {
    expect(fromMinorUnits(1250)).toBe('12.50');
    expect(fromMinorUnits(7)).toBe('0.07');
    expect(fromMinorUnits(-105)).toBe('-1.05');
  });
});

describe('percent and odds', () => {
  it('formats fractions and decimal strings as percentages', () => {
    expect(formatPercent(0.0523)).toBe('5.2%');
    expect(formatPercent('0.0523', { digits: 2 })).toBe('5.23%');
    expect(formatPercent('0.031', { signed: true })).toBe('+3.1%');
    expect(formatPercent(-0.0449, { signed: true })).toBe('−4.5%');
    expect(formatPercent(-0.0001)).toBe('0.0%');
    expect(formatPercent(null)).toBe('—');
    expect(formatPercent('not a number')).toBe('—');
  });

  it('formats decimal odds to two places', () => {
    expect(formatOdds('2.1')).toBe('2.10');
    expect(formatOdds(1.876)).toBe('1.88');
    expect(formatOdds(null)).toBe('—');
  });

  it('turns date inputs into UTC instants with Z', () => {
    expect(dateInputToIso('2025-03-01')).toBe('2025-03-01T00:00:00Z');
    expect(dateInputToIso('2025-03-31', true)).toBe('2025-03-31T23:59:59Z');
    expect(dateInputToIso('')).toBeUndefined();
  });
});
