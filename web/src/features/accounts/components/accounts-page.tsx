import { useState, type FormEvent } from 'react';

import { Button } from '@/components/ui/button';
import { SelectField, TextField } from '@/components/ui/field';
import { PageHeader, Panel } from '@/components/ui/layout';
import { EmptyState, ErrorState, InlineError, Spinner } from '@/components/ui/states';
import type { AccountReport, ExternalBetIn } from '@/lib/api-types';
import {
  formatBetName,
  formatBookmaker,
  formatKickoff,
  formatMarket,
  formatMoney,
  formatOdds,
  formatOutcome,
  formatPercent,
  formatSelection,
  formatSignedMoney,
  toMinorUnits,
} from '@/lib/format';
import { usePortfolios } from '@/lib/queries';
import {
  useAccountReport,
  useAddLimitation,
  useCreateAccount,
  useRecentBets,
  useRecordExternalBet,
  useUpcomingFixtures,
} from '@/features/accounts/api/accounts';

type Market = ExternalBetIn['market'];
type Side = ExternalBetIn['selection'];

const SIDES: Record<Market, Side[]> = {
  '1x2': ['home', 'draw', 'away'],
  asian_handicap: ['home', 'away'],
  over_under: ['over', 'under'],
};


/** Bookmaker accounts and the bets taken at them: record a bet placed anywhere, keep each
 * account's balance and known maximum stake, log limitations, and read P&L and CLV per account. */
export function AccountsPage() {
  const portfolios = usePortfolios();
  const [chosen, setChosen] = useState<number | null>(null);
  const items = portfolios.data?.items ?? [];
  const portfolio = items.find((item) => item.id === chosen) ?? items[0];

  if (portfolios.isPending) return <Spinner />;
  if (portfolios.isError) return <ErrorState error={portfolios.error} />;
  if (!portfolio) {
    return <EmptyState title="No portfolio yet">Create one on the Portfolio page first.</EmptyState>;
  }
  return (
    <div className="flex min-w-0 flex-col gap-4">
      <PageHeader title="Bookmaker accounts">
        <SelectField
          label="Portfolio"
          value={String(portfolio.id)}
          onChange={(event) => setChosen(Number(event.target.value))}
        >
          {items.map((item) => (
            <option key={item.id} value={String(item.id)}>
              {item.name} · {formatMoney(item.bankroll_minor, item.currency)}
            </option>
          ))}
        </SelectField>
      </PageHeader>
      <AccountsPanel portfolioId={portfolio.id} currency={portfolio.currency} />
      <div className="grid min-w-0 gap-4 lg:grid-cols-2">
        <RecordBetPanel portfolioId={portfolio.id} currency={portfolio.currency} />
        <div className="flex min-w-0 flex-col gap-4">
          <NewAccountPanel portfolioId={portfolio.id} currency={portfolio.currency} />
          <LimitationPanel portfolioId={portfolio.id} currency={portfolio.currency} />
        </div>
      </div>
      <RecentBetsPanel portfolioId={portfolio.id} currency={portfolio.currency} />
    </div>
  );
}

function AccountsPanel({ portfolioId, currency }: { portfolioId: number; currency: string }) {
  const report = useAccountReport(portfolioId);
  if (report.isPending) return <Spinner />;
  if (report.isError) return <ErrorState error={report.error} />;
  if (report.data.length === 0) {
    return (
      <Panel title="Accounts">
        <p className="text-sm text-muted">No account yet: add one below to track its balance and limits.</p>
      </Panel>
    );
  }
  return (
    <Panel title="Accounts">
      <ul className="grid gap-3 sm:grid-cols-2 xl:grid-cols-3" aria-label="Accounts">
        {report.data.map((item) => (
          <AccountCard key={item.account.id} item={item} currency={currency} />
        ))}
      </ul>
    </Panel>
  );
}

function AccountCard({ item, currency }: { item: AccountReport; currency: string }) {
  const { account, figures } = item;
  return (
    <li className="min-w-0 rounded-md border border-line p-3 text-sm" data-testid="account-card">
      <p className="font-semibold">{account.name}</p>
      <dl className="mt-2 grid grid-cols-2 gap-x-3 gap-y-1 tabular-nums">
        <dt className="text-muted">Balance</dt>
        <dd>{formatMoney(account.balance_minor, account.currency)}</dd>
        <dt className="text-muted">Max stake</dt>
        <dd>
          {account.max_stake_minor == null ? 'not known' : formatMoney(account.max_stake_minor, account.currency)}
        </dd>
        <dt className="text-muted">Settled P&amp;L</dt>
        <dd data-testid="account-profit">
          {formatSignedMoney(figures.profit_minor, currency)} · {figures.n_bets} settled
        </dd>
        <dt className="text-muted">CLV</dt>
        <dd>{figures.clv_mean == null ? 'no close' : formatPercent(figures.clv_mean)}</dd>
        <dt className="text-muted">Open</dt>
        <dd>
          {formatMoney(item.open_staked_minor, currency)} ({item.n_open})
        </dd>
        <dt className="text-muted">Limitations</dt>
        <dd>{item.n_limitations}</dd>
      </dl>
    </li>
  );
}

function RecordBetPanel({ portfolioId, currency }: { portfolioId: number; currency: string }) {
  const fixtures = useUpcomingFixtures();
  const report = useAccountReport(portfolioId);
  const record = useRecordExternalBet(portfolioId);
  const [fixtureId, setFixtureId] = useState('');
  const [market, setMarket] = useState<Market>('1x2');
  const [line, setLine] = useState('');
  const [side, setSide] = useState<Side>('home');
  const [bookmaker, setBookmaker] = useState('');
  const [price, setPrice] = useState('');
  const [stake, setStake] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const chosen = fixtures.data?.items.find((item) => String(item.id) === fixtureId);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const stakeMinor = toMinorUnits(stake);
    if (!fixtureId) return setError('Choose the fixture.');
    if (!bookmaker.trim()) return setError('Name the bookmaker.');
    if (!/^\d+(\.\d{1,4})?$/.test(price.trim())) return setError('Enter the price obtained, such as 1.95.');
    if (stakeMinor === null || stakeMinor <= 0) return setError('Enter a stake such as 25.00.');
    if (market !== '1x2' && !line.trim()) return setError('Enter the line, such as -0.75 or 2.5.');
    setError(null);
    record.mutate(
      {
        fixture_id: Number(fixtureId),
        market,
        line: market === '1x2' ? null : line.trim(),
        selection: side,
        price: price.trim(),
        stake_minor: stakeMinor,
        bookmaker: bookmaker.trim(),
      },
      {
        onSuccess: (bet) => {
          const fixture = fixtures.data?.items.find((item) => item.id === bet.fixture_id);
          const name = formatSelection({ ...bet, home: fixture?.home_team, away: fixture?.away_team });
          setDone(`Recorded: ${bet.bookmaker ?? ''} ${name} at ${formatOdds(bet.odds)}, ${formatMoney(bet.stake_minor, currency)}.`);
          setStake('');
          setPrice('');
        },
      },
    );
  };

  return (
    <Panel title="Record a bet taken elsewhere">
      <form onSubmit={submit} className="flex flex-col gap-3" aria-label="Record a bet" noValidate>
        <SelectField label="Fixture" value={fixtureId} onChange={(event) => setFixtureId(event.target.value)}>
          <option value="">Choose…</option>
          {(fixtures.data?.items ?? []).map((fixture) => (
            <option key={fixture.id} value={String(fixture.id)}>
              {fixture.home_team} v {fixture.away_team}
            </option>
          ))}
        </SelectField>
        <div className="grid grid-cols-2 gap-3">
          <SelectField
            label="Market"
            value={market}
            onChange={(event) => {
              const next = event.target.value as Market;
              setMarket(next);
              setSide(SIDES[next][0] ?? 'home');
            }}
          >
            {(Object.keys(SIDES) as Market[]).map((name) => (
              <option key={name} value={name}>
                {formatMarket(name)}
              </option>
            ))}
          </SelectField>
          <SelectField label="Selection" value={side} onChange={(event) => setSide(event.target.value as Side)}>
            {SIDES[market].map((name) => (
              <option key={name} value={name}>
                {formatSelection({ market, selection: name, home: chosen?.home_team, away: chosen?.away_team })}
              </option>
            ))}
          </SelectField>
        </div>
        {market !== '1x2' ? (
          <TextField label="Line" name="line" inputMode="decimal" value={line} onChange={(event) => setLine(event.target.value)} />
        ) : null}
        <TextField
          label="Bookmaker"
          name="bookmaker"
          list="account-names"
          autoComplete="off"
          value={bookmaker}
          onChange={(event) => setBookmaker(event.target.value)}
          hint="Any bookmaker; an account of that name is credited with the bet."
        />
        <datalist id="account-names">
          {(report.data ?? []).map((item) => (
            <option key={item.account.id} value={item.account.name} />
          ))}
        </datalist>
        <div className="grid grid-cols-2 gap-3">
          <TextField label="Price obtained" name="price" inputMode="decimal" value={price} onChange={(event) => setPrice(event.target.value)} />
          <TextField label={`Stake (${currency})`} name="external-stake" inputMode="decimal" value={stake} onChange={(event) => setStake(event.target.value)} />
        </div>
        <InlineError message={error ?? record.error?.message} />
        {done ? (
          <p className="text-sm text-up" role="status">
            {done}
          </p>
        ) : null}
        <div className="flex justify-end">
          <Button type="submit" variant="primary" disabled={record.isPending}>
            {record.isPending ? 'Recording…' : 'Record bet'}
          </Button>
        </div>
      </form>
    </Panel>
  );
}

function NewAccountPanel({ portfolioId, currency }: { portfolioId: number; currency: string }) {
  const create = useCreateAccount(portfolioId);
  const [name, setName] = useState('');
  const [balance, setBalance] = useState('');
  const [limit, setLimit] = useState('');
  const [error, setError] = useState<string | null>(null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const balanceMinor = toMinorUnits(balance || '0');
    const limitMinor = limit.trim() ? toMinorUnits(limit) : null;
    if (!name.trim()) return setError('Name the bookmaker.');
    if (balanceMinor === null || balanceMinor < 0) return setError('Enter the balance, such as 1250.00.');
    if (limit.trim() && (limitMinor === null || limitMinor <= 0)) return setError('Enter the maximum stake, such as 200.00.');
    setError(null);
    create.mutate(
      { name: name.trim(), balance_minor: balanceMinor, max_stake_minor: limitMinor },
      {
        onSuccess: () => {
          setName('');
          setBalance('');
          setLimit('');
        },
      },
    );
  };

  return (
    <Panel title="Add an account">
      <form onSubmit={submit} className="flex flex-col gap-3" aria-label="Add an account" noValidate>
        <TextField label="Bookmaker" name="account-name" value={name} onChange={(event) => setName(event.target.value)} />
        <div className="grid grid-cols-2 gap-3">
          <TextField label={`Balance (${currency})`} name="balance" inputMode="decimal" value={balance} onChange={(event) => setBalance(event.target.value)} />
          <TextField label={`Max stake (${currency})`} name="max-stake" inputMode="decimal" value={limit} onChange={(event) => setLimit(event.target.value)} />
        </div>
        <InlineError message={error ?? create.error?.message} />
        <div className="flex justify-end">
          <Button type="submit" disabled={create.isPending}>
            Add account
          </Button>
        </div>
      </form>
    </Panel>
  );
}

function LimitationPanel({ portfolioId, currency }: { portfolioId: number; currency: string }) {
  const report = useAccountReport(portfolioId);
  const add = useAddLimitation(portfolioId);
  const [accountId, setAccountId] = useState('');
  const [refused, setRefused] = useState('');
  const [limit, setLimit] = useState('');
  const [error, setError] = useState<string | null>(null);
  const accounts = report.data ?? [];
  if (accounts.length === 0) return null;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const limitMinor = limit.trim() ? toMinorUnits(limit) : null;
    const chosen = accountId || String(accounts[0]?.account.id ?? '');
    if (!refused.trim()) return setError('Say what was refused.');
    if (limit.trim() && (limitMinor === null || limitMinor <= 0)) return setError('Enter the new maximum, such as 50.00.');
    setError(null);
    add.mutate(
      {
        accountId: Number(chosen),
        body: { occurred_on: new Date().toISOString().slice(0, 10), refused: refused.trim(), max_stake_minor: limitMinor },
      },
      { onSuccess: () => setRefused('') },
    );
  };

  return (
    <Panel title="Log a limitation">
      <form onSubmit={submit} className="flex flex-col gap-3" aria-label="Log a limitation" noValidate>
        <SelectField label="Account" value={accountId} onChange={(event) => setAccountId(event.target.value)}>
          {accounts.map((item) => (
            <option key={item.account.id} value={String(item.account.id)}>
              {item.account.name}
            </option>
          ))}
        </SelectField>
        <TextField label="What was refused" name="refused" value={refused} onChange={(event) => setRefused(event.target.value)} />
        <TextField label={`New max stake (${currency}, if given)`} name="new-max" inputMode="decimal" value={limit} onChange={(event) => setLimit(event.target.value)} />
        <InlineError message={error ?? add.error?.message} />
        <div className="flex justify-end">
          <Button type="submit" disabled={add.isPending}>
            Log limitation
          </Button>
        </div>
      </form>
    </Panel>
  );
}

function RecentBetsPanel({ portfolioId, currency }: { portfolioId: number; currency: string }) {
  const bets = useRecentBets(portfolioId);
  if (bets.isPending) return <Spinner />;
  if (bets.isError) return <ErrorState error={bets.error} />;
  return (
    <Panel title="Latest bets">
      {bets.data.items.length === 0 ? (
        <EmptyState title="No bets yet">Bets placed here or recorded from elsewhere are listed as they are taken.</EmptyState>
      ) : null}
      <ul className="flex flex-col divide-y divide-line text-sm" aria-label="Latest bets">
        {bets.data.items.map((bet) => (
          <li key={bet.id} className="flex flex-wrap justify-between gap-2 py-2" data-testid="recent-bet">
            <span>
              {bet.bookmaker ? formatBookmaker(bet.bookmaker) : 'placed here'} ·{' '}
              {formatBetName({ ...bet, home: bet.home_team, away: bet.away_team })} at {formatOdds(bet.odds)}
              <span className="block text-xs text-muted">
                {bet.home_team} v {bet.away_team} · {formatKickoff(bet.kickoff)}
              </span>
            </span>
            <span className="tabular-nums">
              {formatMoney(bet.stake_minor, currency)} · {bet.status}
              {bet.outcome ? ` (${formatOutcome(bet.outcome)})` : ''}
              {bet.payout_minor != null ? ` · paid ${formatMoney(bet.payout_minor, currency)}` : ''}
            </span>
          </li>
        ))}
      </ul>
    </Panel>
  );
}
