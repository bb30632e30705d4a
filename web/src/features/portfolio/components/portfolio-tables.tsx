import { useState } from 'react';
import { Link } from 'react-router';

import { Button } from '@/components/ui/button';
import { useConfirm } from '@/components/ui/confirm-dialog';
import { SelectField } from '@/components/ui/field';
import { Panel, rowClass, tableClass, TableFrame, td, th } from '@/components/ui/layout';
import { EmptyState, ErrorState, InlineError, Spinner } from '@/components/ui/states';
import type { BetOut, ExposureOut, PortfolioOut, ValueBet } from '@/lib/api-types';
import {
  edgeTone,
  formatBetName,
  formatBookmaker,
  formatCount,
  formatKickoff,
  formatMoney,
  formatOdds,
  formatPercent,
} from '@/lib/format';
import { useCompetitions } from '@/lib/queries';
import { useBets, useExposure, useFixtureNames, useValueBets, useVoidBet } from '@/features/portfolio/api/portfolio';

function fixtureLabel(exposure: ExposureOut | undefined, fixtureId: number): string {
  const found = exposure?.by_fixture.find((item) => item.fixture_id === fixtureId);
  return found ? `${found.home_team} v ${found.away_team}` : `Fixture ${fixtureId}`;
}

export function OpenBets({ portfolio, canTrade }: { portfolio: PortfolioOut; canTrade: boolean }) {
  const bets = useBets(portfolio.id, 'open');
  const exposure = useExposure(portfolio.id);
  const voidBet = useVoidBet(portfolio.id);
  const [voiding, setVoiding] = useState<number | null>(null);

  const confirm = useConfirm();
  const betName = (bet: BetOut) => {
    const teams = exposure.data?.by_fixture.find((item) => item.fixture_id === bet.fixture_id);
    return formatBetName({ ...bet, home: teams?.home_team, away: teams?.away_team });
  };

  const confirmVoid = (bet: BetOut) => {
    const stake = formatMoney(bet.stake_minor, portfolio.currency);
    confirm.ask({
      title: `Void bet ${bet.id}?`,
      message: `${betName(bet)} on ${fixtureLabel(exposure.data, bet.fixture_id)}: the stake of ${stake} goes back to the bankroll.`,
      confirmLabel: 'Void bet',
      onConfirm: () => {
        setVoiding(bet.id);
        voidBet.mutate(bet.id, { onSettled: () => setVoiding(null) });
      },
    });
  };

  return (
    <Panel title={`Open bets${bets.data ? ` (${bets.data.total})` : ''}`}>
      {confirm.dialog}
      <InlineError message={voidBet.error?.message} />
      {bets.isPending ? (
        <Spinner />
      ) : bets.isError ? (
        <ErrorState error={bets.error} title="Could not load the open bets" />
      ) : bets.data.items.length === 0 ? (
        <EmptyState title="No open bets">Place one from the live board or the value bets below.</EmptyState>
      ) : (
        <TableFrame label="Open bets">
          <table className={`${tableClass} stack-on-phone`}>
            <thead>
              <tr>
                <th scope="col" className={th}>Placed</th>
                <th scope="col" className={th}>Fixture</th>
                <th scope="col" className={th}>Selection</th>
                <th scope="col" className={`${th} text-right`}>Odds</th>
                <th scope="col" className={`${th} text-right`}>Stake</th>
                <th scope="col" className={`${th} text-right`}>Returns</th>
                {canTrade ? <th scope="col" className={th}><span className="sr-only">Actions</span></th> : null}
              </tr>
            </thead>
            <tbody>
              {bets.data.items.map((bet) => (
                <tr key={bet.id} data-testid="bet-row" data-bet-id={bet.id} className={rowClass}>
                  <td className={td} data-label="Placed">{formatKickoff(bet.placed_at)}</td>
                  <td className={td} data-label="Fixture">
                    <Link className="underline-offset-2 hover:underline" to={`/fixtures/${bet.fixture_id}`}>
                      {fixtureLabel(exposure.data, bet.fixture_id)}
                    </Link>
                  </td>
                  <td className={td} data-label="Selection">
                    {betName(bet)}
                  </td>
                  <td className={`${td} text-right`} data-label="Odds">{formatOdds(bet.odds)}</td>
                  <td className={`${td} text-right`} data-label="Stake">{formatMoney(bet.stake_minor, portfolio.currency)}</td>
                  <td className={`${td} text-right`} data-label="Returns">
                    {formatMoney(Math.floor(bet.stake_minor * Number(bet.odds)), portfolio.currency)}
                  </td>
                  {canTrade ? (
                    <td className={td}>
                      <Button
                        size="sm"
                        variant="danger"
                        disabled={voiding === bet.id}
                        aria-label={`Void bet ${bet.id}`}
                        onClick={() => confirmVoid(bet)}
                      >
                        Void
                      </Button>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </TableFrame>
      )}
    </Panel>
  );
}

export function ExposurePanel({ portfolio }: { portfolio: PortfolioOut }) {
  const exposure = useExposure(portfolio.id);
  const money = (minor: number) => formatMoney(minor, portfolio.currency);
  return (
    <Panel title="Exposure">
      {exposure.isPending ? (
        <Spinner />
      ) : exposure.isError ? (
        <ErrorState error={exposure.error} title="Could not load the exposure" />
      ) : exposure.data.by_fixture.length === 0 ? (
        <EmptyState title="Nothing at risk">No open stake on any fixture.</EmptyState>
      ) : (
        <div className="grid gap-3 lg:grid-cols-3">
          <div className="min-w-0 lg:col-span-2">
            <TableFrame label="Exposure by fixture">
              <table className={tableClass}>
                <caption className="px-2 py-1 text-left text-xs text-muted">By fixture</caption>
                <thead>
                  <tr>
                    <th scope="col" className={th}>Kickoff</th>
                    <th scope="col" className={th}>Fixture</th>
                    <th scope="col" className={`${th} text-right`}>Bets</th>
                    <th scope="col" className={`${th} text-right`}>Stake</th>
                    <th scope="col" className={`${th} text-right`}>Potential payout</th>
                  </tr>
                </thead>
                <tbody>
                  {exposure.data.by_fixture.map((item) => (
                    <tr key={item.fixture_id} className={rowClass}>
                      <td className={td}>{formatKickoff(item.kickoff)}</td>
                      <td className={td}>
                        <Link className="underline-offset-2 hover:underline" to={`/fixtures/${item.fixture_id}`}>
                          {item.home_team} v {item.away_team}
                        </Link>{' '}
                        <span className="text-xs text-muted">{item.competition}</span>
                      </td>
                      <td className={`${td} text-right`}>{formatCount(item.bets)}</td>
                      <td className={`${td} text-right`}>{money(item.stake_minor)}</td>
                      <td className={`${td} text-right`}>{money(item.potential_payout_minor)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableFrame>
          </div>
          <TableFrame label="Exposure by competition">
            <table className={tableClass}>
              <caption className="px-2 py-1 text-left text-xs text-muted">By competition</caption>
              <thead>
                <tr>
                  <th scope="col" className={th}>Competition</th>
                  <th scope="col" className={`${th} text-right`}>Bets</th>
                  <th scope="col" className={`${th} text-right`}>Stake</th>
                </tr>
              </thead>
              <tbody>
                {exposure.data.by_competition.map((item) => (
                  <tr key={item.competition} className={rowClass}>
                    <td className={td}>{item.competition}</td>
                    <td className={`${td} text-right`}>{formatCount(item.bets)}</td>
                    <td className={`${td} text-right`}>{money(item.stake_minor)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableFrame>
        </div>
      )}
    </Panel>
  );
}

export function ValueBets({
  portfolio,
  onPlace,
}: {
  portfolio: PortfolioOut;
  onPlace?: (bet: ValueBet, description: string) => void;
}) {
  const competitions = useCompetitions();
  // '' is "All competitions", the default: value bets are wherever the prices are.
  const [competition, setChosen] = useState('');
  const valueBets = useValueBets(portfolio.id, competition);
  const names = useFixtureNames(competition);

  const describe = (bet: ValueBet) => {
    const fixture = names.data?.get(bet.fixture_id);
    const match = fixture ? `${fixture.home_team} v ${fixture.away_team}` : `Fixture ${bet.fixture_id}`;
    const selection = formatBetName({
      market: '1x2',
      selection: bet.selection,
      home: fixture?.home_team,
      away: fixture?.away_team,
    });
    return `${selection} on ${match}`;
  };

  return (
    <Panel
      title="Value bets"
      actions={
        <SelectField label="Competition" value={competition} onChange={(event) => setChosen(event.target.value)} className="w-48">
          <option value="">All competitions</option>
          {competitions.data?.items.map((item) => (
            <option key={item.code} value={item.code}>
              {item.name} ({item.code})
            </option>
          ))}
        </SelectField>
      }
    >
      {competitions.data && competitions.data.items.length === 0 ? (
        <EmptyState title="No competition loaded">Upload football-data files on the Admin page.</EmptyState>
      ) : valueBets.isPending ? (
        <Spinner />
      ) : valueBets.isError ? (
        <ErrorState error={valueBets.error} title="Could not load the value bets" />
      ) : valueBets.data.items.length === 0 ? (
        <EmptyState title="No value bets right now">
          No price in {competition || 'any competition'} beats the model by the portfolio&apos;s minimum edge of{' '}
          {formatPercent(portfolio.min_edge)}.
        </EmptyState>
      ) : (
        <TableFrame label="Value bets">
          <table className={`${tableClass} stack-on-phone`}>
            <thead>
              <tr>
                <th scope="col" className={th}>Kickoff</th>
                <th scope="col" className={th}>Bet</th>
                <th scope="col" className={th}>Bookmaker</th>
                <th scope="col" className={`${th} text-right`}>Price</th>
                <th scope="col" className={`${th} text-right`}>Probability</th>
                <th scope="col" className={`${th} text-right`}>Edge</th>
                <th scope="col" className={`${th} text-right`}>Suggested stake</th>
                {onPlace ? <th scope="col" className={th}><span className="sr-only">Actions</span></th> : null}
              </tr>
            </thead>
            <tbody>
              {valueBets.data.items.map((bet) => (
                <tr key={`${bet.odds_snapshot_id}-${bet.selection}`} data-testid="value-bet-row" className={rowClass}>
                  <td className={td} data-label="Kickoff">{formatKickoff(names.data?.get(bet.fixture_id)?.kickoff)}</td>
                  <td className={td} data-label="Bet">
                    <Link className="underline-offset-2 hover:underline" to={`/fixtures/${bet.fixture_id}`}>
                      {describe(bet)}
                    </Link>
                  </td>
                  <td className={td} data-label="Bookmaker">{formatBookmaker(bet.bookmaker)}</td>
                  <td className={`${td} text-right`} data-label="Price">{formatOdds(bet.price)}</td>
                  <td className={`${td} text-right`} data-label="Probability">{formatPercent(bet.probability)}</td>
                  <td className={`${td} text-right ${edgeTone(bet.edge)}`} data-label="Edge">{formatPercent(bet.edge, { signed: true })}</td>
                  <td className={`${td} text-right`} data-label="Suggested stake">{formatMoney(bet.suggested_stake_minor, portfolio.currency)}</td>
                  {onPlace ? (
                    <td className={td}>
                      <Button
                        size="sm"
                        variant="primary"
                        aria-label={`Place bet: ${describe(bet)} at ${formatOdds(bet.price)}`}
                        onClick={() => onPlace(bet, describe(bet))}
                      >
                        Place bet
                      </Button>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </TableFrame>
      )}
    </Panel>
  );
}
