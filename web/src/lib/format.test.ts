import { describe, expect, it } from 'vitest';

import {
  dateInputToIso,
  edgeTone,
  formatAgo,
  formatBetName,
  formatBookmaker,
  formatCount,
  formatDecimal,
  formatFraction,
  formatGoalLine,
  formatHandicap,
  formatMarket,
  formatMoney,
  fractionToPercent,
  percentToFraction,
  formatOutcome,
  formatSelection,
  formatVersion,
  isBelowFair,
  isAggregate,
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

describe('markets and selections as a bettor says them', () => {
  const teams = { home: 'Arsenal', away: 'Chelsea' };

  it('names the 1X2 sides by team, and the draw', () => {
    expect(formatSelection({ market: '1x2', selection: 'home', ...teams })).toBe('Arsenal');
    expect(formatSelection({ market: '1x2', selection: 'draw', ...teams })).toBe('Draw');
    expect(formatSelection({ market: '1x2', selection: 'away', ...teams })).toBe('Chelsea');
    expect(formatSelection({ market: '1x2', selection: 'home' })).toBe('Home');
    expect(formatSelection({ market: '1x2', selection: 'away', home: null, away: null })).toBe('Away');
  });

  it('names totals by their goal line, half, whole and quarter', () => {
    expect(formatSelection({ market: 'over_under', selection: 'over', line: '2.50' })).toBe('Over 2.5');
    expect(formatSelection({ market: 'over_under', selection: 'under', line: 2.5 })).toBe('Under 2.5');
    expect(formatSelection({ market: 'over_under', selection: 'over', line: '3.00' })).toBe('Over 3');
    expect(formatSelection({ market: 'over_under', selection: 'under', line: '2.25' })).toBe('Under 2.25');
    expect(formatSelection({ market: 'over_under', selection: 'over', line: '0.75' })).toBe('Over 0.75');
    expect(formatSelection({ market: 'over_under', selection: 'over', line: null })).toBe('Over');
  });

  it('names Asian handicap sides with their own handicap and a real minus sign', () => {
    const ah = (selection: string, line: string | number) =>
      formatSelection({ market: 'asian_handicap', selection, line, ...teams });
    // quarter lines
    expect(ah('home', '-0.25')).toBe('Arsenal −0.25');
    expect(ah('away', '-0.25')).toBe('Chelsea +0.25');
    expect(ah('home', '0.75')).toBe('Arsenal +0.75');
    expect(ah('away', '0.75')).toBe('Chelsea −0.75');
    expect(ah('home', '-1.25')).toBe('Arsenal −1.25');
    // half lines
    expect(ah('home', '-0.50')).toBe('Arsenal −0.5');
    expect(ah('away', '-1.5')).toBe('Chelsea +1.5');
    expect(ah('home', 1.5)).toBe('Arsenal +1.5');
    // whole lines and level
    expect(ah('home', '-1.00')).toBe('Arsenal −1');
    expect(ah('away', '2')).toBe('Chelsea −2');
    expect(ah('home', '0.00')).toBe('Arsenal 0');
    expect(ah('away', 0)).toBe('Chelsea 0');
    expect(formatSelection({ market: 'asian_handicap', selection: 'home', line: '-0.25' })).toBe('Home −0.25');
  });

  it('names the markets and joins market and selection', () => {
    expect(formatMarket('1x2')).toBe('Match result');
    expect(formatMarket('over_under')).toBe('Total goals');
    expect(formatMarket('asian_handicap')).toBe('Asian handicap');
    expect(formatMarket('btts')).toBe('Both teams to score');
    expect(formatSelection({ market: 'btts', selection: 'yes' })).toBe('Yes');
    expect(formatBetName({ market: 'over_under', selection: 'over', line: '2.50' })).toBe('Total goals · Over 2.5');
    expect(formatBetName({ market: '1x2', selection: 'away', ...teams })).toBe('Match result · Chelsea');
  });

  it('formats handicaps and goal lines on their own', () => {
    expect(formatHandicap('-0.25')).toBe('−0.25');
    expect(formatHandicap('0.50')).toBe('+0.5');
    expect(formatHandicap(0)).toBe('0');
    expect(formatHandicap(null)).toBe('—');
    expect(formatGoalLine('2.50')).toBe('2.5');
    expect(formatGoalLine('bad')).toBe('—');
  });
});

describe('bookmakers, counts, fractions and versions', () => {
  it('labels the aggregate columns as market figures', () => {
    expect(formatBookmaker('MAX')).toBe('Best price');
    expect(formatBookmaker('AVG')).toBe('Market average');
    expect(formatBookmaker('PS')).toBe('PS');
    expect(formatBookmaker(null)).toBe('—');
    expect(isAggregate('MAX')).toBe(true);
    expect(isAggregate('B365')).toBe(false);
  });

  it('shows counts as whole numbers', () => {
    expect(formatCount(7038)).toBe('7,038');
    expect(formatCount('7038.0000')).toBe('7,038');
    expect(formatCount(0)).toBe('0');
    expect(formatCount(null)).toBe('—');
  });

  it('shows Kelly fractions and caps as percentages', () => {
    expect(formatFraction('0.2500')).toBe('25%');
    expect(formatFraction(0.05)).toBe('5%');
    expect(formatFraction('0.0125')).toBe('1.25%');
    expect(formatFraction('0.025')).toBe('2.5%');
    expect(formatFraction(1)).toBe('100%');
    expect(formatFraction(undefined)).toBe('—');
  });

  it('shortens registry versions for a board row', () => {
    expect(formatVersion('20261203T100026123456Z-0123456789ab')).toBe('2026-12-03 10:00');
    expect(formatVersion('v2')).toBe('v2');
    expect(formatVersion('a-very-long-version-name')).toBe('a-very-long…');
    expect(formatVersion(null)).toBe('');
  });

  it('says how long ago in the largest whole unit', () => {
    expect(formatAgo(0)).toBe('0 s ago');
    expect(formatAgo(59.9)).toBe('59 s ago');
    expect(formatAgo(125)).toBe('2 min ago');
    expect(formatAgo(3599)).toBe('59 min ago');
    expect(formatAgo(7200)).toBe('2 h ago');
    expect(formatAgo(90_000)).toBe('1 d ago');
    expect(formatAgo(-3)).toBe('0 s ago');
    expect(formatAgo(null)).toBe('—');
  });

  it('names outcomes in words', () => {
    expect(formatOutcome('half_won')).toBe('half won');
    expect(formatOutcome(null)).toBe('—');
  });

  it('moves the point between a typed percentage and the fraction the API takes, exactly', () => {
    expect(percentToFraction('3')).toBe('0.03');
    expect(percentToFraction('2.5%')).toBe('0.025');
    expect(percentToFraction('.5')).toBe('0.005');
    expect(percentToFraction('100')).toBe('1');
    expect(percentToFraction('12.34')).toBe('0.1234');
    expect(percentToFraction('0.1')).toBe('0.001');
    expect(percentToFraction('-1')).toBeNull();
    expect(percentToFraction('3e1')).toBeNull();
    expect(fractionToPercent('0.0300')).toBe('3');
    expect(fractionToPercent('0.0001')).toBe('0.01');
    expect(fractionToPercent('0.1234')).toBe('12.34');
    expect(fractionToPercent('1')).toBe('100');
    expect(fractionToPercent(null)).toBe('');
  });

  it('writes metrics to fixed places with a real minus sign', () => {
    expect(formatDecimal(-0.0181, 3)).toBe('−0.018');
    expect(formatDecimal('0.20134')).toBe('0.2013');
    expect(formatDecimal(-0.00001, 3)).toBe('0.000');
  });

  it('colours an edge and says when a price is below fair', () => {
    expect(edgeTone('0.0500')).toBe('text-up');
    expect(edgeTone(-0.032)).toBe('text-down');
    expect(edgeTone(null)).toBe('text-muted');
    expect(isBelowFair('-0.0001')).toBe(true);
    expect(isBelowFair('0.0000')).toBe(false);
    expect(isBelowFair(null)).toBe(false);
  });
});
