/**
 * A bet's own page: what was staked at what price, its close, CLV and P&L, and the audit
 * snapshots of its life (placed, then settled or voided) with the canonical payload each hash
 * covers, so a bettor can check the record against the chain.
 */
import { Link } from 'react-router';

import { PageHeader, Panel } from '@/components/ui/layout';
import { ErrorState, Spinner } from '@/components/ui/states';
import type { BetHistoryOut } from '@/lib/api-types';
import { formatBookmaker, formatKickoff, formatMoney, formatOdds } from '@/lib/format';
import { useBetPage } from '@/features/bets/api/history';
import { closingText, clvText, profitText, ResultBadge, selectionText, tone } from './bet-cells';

function pretty(payload: string): string {
  try {
    return JSON.stringify(JSON.parse(payload), null, 2);
  } catch {
    return payload;
  }
}

function Facts({ bet }: { bet: BetHistoryOut }) {
  const facts: [string, string, string?][] = [
    ['Fixture', `${bet.home_team} v ${bet.away_team} (${bet.competition})`],
    ['Kick-off', formatKickoff(bet.kickoff)],
    ['Selection', selectionText(bet)],
    ['Bookmaker', formatBookmaker(bet.bookmaker)],
    ['Odds taken', formatOdds(bet.odds)],
    ['Close', closingText(bet)],
    ['CLV', clvText(bet), tone(bet.clv)],
    ['Stake', formatMoney(bet.stake_minor, bet.currency)],
    ['Payout', bet.payout_minor === null ? '—' : formatMoney(bet.payout_minor, bet.currency)],
    ['P&L', profitText(bet), tone(bet.profit_minor)],
    ['Placed', formatKickoff(bet.placed_at)],
    ['Settled', formatKickoff(bet.settled_at)],
  ];
  return (
    <dl className="grid grid-cols-2 gap-2 md:grid-cols-4">
      {facts.map(([label, value, colour]) => (
        <div key={label} className="min-w-0 rounded-md border border-line bg-panel-2 p-3">
          <dt className="text-xs text-muted">{label}</dt>
          <dd
            className={`break-words text-sm font-semibold tabular-nums ${colour ?? ''}`}
            data-testid={`bet-${label.toLowerCase().replace(/\W+/g, '-')}`}
          >
            {value}
          </dd>
        </div>
      ))}
    </dl>
  );
}

export function BetPage({ id }: { id: number }) {
  const page = useBetPage(id);
  if (page.isPending) return <Spinner />;
  if (page.isError) return <ErrorState error={page.error} title={`Could not load bet ${id}`} />;
  const { bet, audit } = page.data;
  return (
    <>
      <PageHeader title={`${selectionText(bet)} · ${bet.home_team} v ${bet.away_team}`}>
        <span className="text-sm text-muted">Bet {bet.id}</span>
        <ResultBadge bet={bet} />
        <Link className="text-sm underline-offset-2 hover:underline" to={`/history?portfolio=${bet.portfolio_id}`}>
          Back to the history
        </Link>
      </PageHeader>
      <div className="grid gap-4">
        <Facts bet={bet} />
        <Panel title="Audit snapshots">
          <p className="mb-2 text-xs text-muted">
            Each snapshot&apos;s hash is SHA-256 of the previous snapshot&apos;s hash and this payload, so no step of the
            bet can be changed without breaking every hash after it.
          </p>
          <ol className="grid gap-3">
            {audit.map((entry) => (
              <li key={entry.id} className="min-w-0 rounded-md border border-line p-3" data-testid="audit-snapshot" data-kind={entry.kind}>
                <div className="mb-1 flex flex-wrap items-baseline justify-between gap-2">
                  <span className="font-semibold capitalize">{entry.kind}</span>
                  <span className="text-xs text-muted">{formatKickoff(entry.created_at)}</span>
                </div>
                <p className="break-all font-mono text-xs text-muted">hash {entry.hash}</p>
                <p className="break-all font-mono text-xs text-muted">after {entry.prev_hash}</p>
                {/* eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex */}
                <pre className="mt-2 max-h-80 overflow-auto rounded bg-panel-2 p-2 text-xs" tabIndex={0} aria-label={`${entry.kind} payload`}>
                  {pretty(entry.payload)}
                </pre>
              </li>
            ))}
          </ol>
        </Panel>
      </div>
    </>
  );
}
