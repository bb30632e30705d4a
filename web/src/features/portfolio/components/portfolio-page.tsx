import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useSearchParams } from 'react-router';

import { SelectField } from '@/components/ui/field';
import { PageHeader, Panel } from '@/components/ui/layout';
import { EmptyState, ErrorState, Spinner } from '@/components/ui/states';
import type { BetSettled } from '@/lib/live-events';
import type { PortfolioOut } from '@/lib/api-types';
import { canTrade, useUser } from '@/lib/auth';
import { formatFraction, formatMoney, formatOdds, formatPercent, formatSignedMoney } from '@/lib/format';
import { portfoliosQueryKey, usePortfolios } from '@/lib/queries';
import { BET_SETTLED, useSocketEvent } from '@/lib/socket';
import { CreatePortfolioForm, DepositForm, SettingsForm } from './portfolio-forms';
import { ExposurePanel, OpenBets, ValueBets } from './portfolio-tables';
import { PlaceBetDialog, type BetDraft } from './place-bet-form';

function Figure({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <div className="rounded-md border border-line bg-panel-2 p-3">
      <dt className="text-xs text-muted">{label}</dt>
      <dd className="text-lg font-semibold tabular-nums" data-testid={testId}>
        {value}
      </dd>
    </div>
  );
}

function Summary({ portfolio }: { portfolio: PortfolioOut }) {
  return (
    <dl className="grid grid-cols-2 gap-2 sm:grid-cols-4">
      <Figure label="Bankroll" value={formatMoney(portfolio.bankroll_minor, portfolio.currency)} testId="bankroll" />
      <Figure
        label="Open stakes"
        value={formatMoney(portfolio.open_stakes_minor, portfolio.currency)}
        testId="open-stakes"
      />
      <Figure label="Kelly fraction" value={formatFraction(portfolio.kelly_fraction)} />
      <Figure label="Minimum edge" value={formatPercent(portfolio.min_edge)} />
    </dl>
  );
}

export function PortfolioPage() {
  const user = useUser().data;
  const trader = canTrade(user);
  const portfolios = usePortfolios();
  const queryClient = useQueryClient();
  const [params, setParams] = useSearchParams();
  const [draft, setDraft] = useState<BetDraft | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const items = portfolios.data?.items ?? [];
  const chosenId = Number(params.get('id')) || items[0]?.id;
  const portfolio = items.find((item) => item.id === chosenId) ?? null;
  const choose = (id: number) => setParams({ id: String(id) }, { replace: true });

  useSocketEvent<BetSettled>(BET_SETTLED, (event) => {
    void queryClient.invalidateQueries({ queryKey: portfoliosQueryKey });
    void queryClient.invalidateQueries({ queryKey: ['portfolio', event.portfolio_id] });
    const currency = items.find((item) => item.id === event.portfolio_id)?.currency ?? 'EUR';
    setNotice(
      `Bet ${event.bet_id} settled${event.outcome ? ` (${event.outcome})` : ''}: ${formatSignedMoney(event.profit_minor, currency)}.`,
    );
  });

  return (
    <>
      <PageHeader title="Portfolio">
        {items.length > 0 ? (
          <SelectField
            label="Portfolio"
            value={portfolio ? String(portfolio.id) : ''}
            onChange={(event) => choose(Number(event.target.value))}
            className="w-56"
          >
            {items.map((item) => (
              <option key={item.id} value={String(item.id)}>
                {item.name} ({item.currency})
              </option>
            ))}
          </SelectField>
        ) : null}
      </PageHeader>
      {notice ? (
        <p role="status" className="mb-3 rounded-md border border-up p-2 text-sm text-up">
          {notice}
        </p>
      ) : null}

      {portfolios.isPending ? (
        <Spinner label="Loading your portfolios…" />
      ) : portfolios.isError ? (
        <ErrorState error={portfolios.error} title="Could not load your portfolios" />
      ) : (
        <div className="grid gap-4">
          {portfolio ? (
            <>
              <Panel title={portfolio.name}>
                <Summary portfolio={portfolio} />
                {trader ? (
                  <div className="mt-4 grid gap-4">
                    <DepositForm key={`deposit-${portfolio.id}`} portfolio={portfolio} />
                    <SettingsForm key={`settings-${portfolio.id}-${portfolio.kelly_fraction}-${portfolio.max_stake_fraction}-${portfolio.max_fixture_fraction}-${portfolio.max_day_fraction}-${portfolio.min_edge}`} portfolio={portfolio} />
                  </div>
                ) : null}
              </Panel>
              <OpenBets portfolio={portfolio} canTrade={trader} />
              <ExposurePanel portfolio={portfolio} />
              <ValueBets
                portfolio={portfolio}
                onPlace={
                  trader
                    ? (bet, description) =>
                        setDraft({
                          oddsSnapshotId: bet.odds_snapshot_id,
                          selection: bet.selection,
                          price: bet.price,
                          description,
                          suggestedStakeMinor: bet.suggested_stake_minor,
                          stakeMessage: bet.stake_message,
                          portfolioId: portfolio.id,
                        })
                    : undefined
                }
              />
            </>
          ) : (
            <EmptyState title="No portfolio yet">
              {trader ? 'Create one below to track bankroll, stakes and performance.' : 'Viewers have no portfolios.'}
            </EmptyState>
          )}
          {trader ? (
            <Panel title="New portfolio">
              <CreatePortfolioForm onCreated={(created) => choose(created.id)} />
            </Panel>
          ) : null}
        </div>
      )}
      {draft ? (
        <PlaceBetDialog
          draft={draft}
          portfolios={items}
          onClose={() => setDraft(null)}
          onPlaced={(bet) => setNotice(`Bet ${bet.id} placed: ${draft.description} at ${formatOdds(bet.odds)}.`)}
        />
      ) : null}
    </>
  );
}
