/** How the history and a bet's page show a bet's result, close and CLV. */
import { Badge } from '@/components/ui/layout';
import type { BetHistoryOut } from '@/lib/api-types';
import { formatBetName, formatBookmaker, formatOdds, formatOutcome, formatPercent, formatSignedMoney, toNumber } from '@/lib/format';

export function tone(value: number | string | null | undefined): string {
  const number = toNumber(value);
  if (number === null || number === 0) return '';
  return number > 0 ? 'text-up' : 'text-down';
}

export function ResultBadge({ bet }: { bet: BetHistoryOut }) {
  if (bet.status === 'open') return <Badge tone="accent">open</Badge>;
  if (bet.status === 'void') return <Badge>void</Badge>;
  const outcome = bet.outcome ?? 'settled';
  const good = outcome === 'won' || outcome === 'half_won';
  const bad = outcome === 'lost' || outcome === 'half_lost';
  return <Badge tone={good ? 'up' : bad ? 'down' : 'neutral'}>{formatOutcome(outcome)}</Badge>;
}

/** "2.00 (PS, market)": the close and whose it is. */
export function closingText(bet: BetHistoryOut): string {
  if (bet.closing_odds === null || bet.closing_odds === undefined) return '—';
  const whose = bet.closing_source === 'market' ? `${formatBookmaker(bet.closing_bookmaker)}, market` : 'own book';
  return `${formatOdds(bet.closing_odds)} (${whose})`;
}

export function clvText(bet: BetHistoryOut): string {
  return formatPercent(bet.clv, { signed: true, digits: 2 });
}

export function profitText(bet: BetHistoryOut): string {
  return bet.profit_minor === null || bet.profit_minor === undefined
    ? '—'
    : formatSignedMoney(bet.profit_minor, bet.currency);
}

export function selectionText(bet: BetHistoryOut): string {
  return formatBetName({ ...bet, home: bet.home_team, away: bet.away_team });
}
