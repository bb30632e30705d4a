import { useState, type FormEvent } from 'react';

import { Button } from '@/components/ui/button';
import { TextField } from '@/components/ui/field';
import { InlineError } from '@/components/ui/states';
import type { PortfolioOut, PortfolioSettingsIn } from '@/lib/api-types';
import { formatFraction, formatMoney, toMinorUnits, toNumber } from '@/lib/format';
import { useCreatePortfolio, useDeposit, useUpdateSettings } from '@/features/portfolio/api/portfolio';

type Settings = {
  kelly_fraction: string;
  max_stake_fraction: string;
  max_fixture_fraction: string;
  max_day_fraction: string;
  min_edge: string;
};

const FRACTION = /^(0(\.\d+)?|1(\.0+)?|\.\d+)$/;

/** A problem with the Kelly settings, or null; each is a fraction typed as a decimal, and the
 * caps nest (per bet ≤ per fixture ≤ per day) as the gateway requires. */
export function checkSettings(settings: Settings): string | null {
  const named: [keyof Settings, string][] = [
    ['kelly_fraction', 'Kelly fraction'],
    ['max_stake_fraction', 'Maximum stake'],
    ['max_fixture_fraction', 'Fixture cap'],
    ['max_day_fraction', 'Day cap'],
    ['min_edge', 'Minimum edge'],
  ];
  for (const [key, label] of named) {
    const text = settings[key].trim();
    if (!FRACTION.test(text)) return `${label} must be a fraction between 0 and 1, such as 0.25.`;
    if (key !== 'min_edge' && Number(text) === 0) return `${label} must be more than 0.`;
    if (key === 'min_edge' && Number(text) >= 1) return 'Minimum edge must be below 1.';
  }
  const bet = Number(settings.max_stake_fraction);
  const fixture = Number(settings.max_fixture_fraction);
  const day = Number(settings.max_day_fraction);
  if (bet > fixture) return 'The maximum stake cannot be above the fixture cap.';
  if (fixture > day) return 'The fixture cap cannot be above the day cap.';
  return null;
}

/** A stored fraction ("0.2500") as it is typed ("0.25"). */
function trimmed(fraction: string): string {
  const value = toNumber(fraction);
  return value === null ? fraction : String(value);
}

/** What a typed fraction means: "25% of full Kelly"; empty when it is not a number yet. */
function asPercent(fraction: string, what: string): string {
  return toNumber(fraction) === null ? what : `${formatFraction(fraction)} ${what}`;
}

function SettingsFields({ value, onChange }: { value: Settings; onChange: (next: Settings) => void }) {
  return (
    <>
      <TextField
        label="Kelly fraction"
        inputMode="decimal"
        value={value.kelly_fraction}
        hint={`${asPercent(value.kelly_fraction, 'of full Kelly')} (0.25 stakes a quarter of it).`}
        onChange={(event) => onChange({ ...value, kelly_fraction: event.target.value })}
      />
      <TextField
        label="Maximum stake (fraction of bankroll)"
        inputMode="decimal"
        value={value.max_stake_fraction}
        hint={asPercent(value.max_stake_fraction, 'of the bankroll per bet')}
        onChange={(event) => onChange({ ...value, max_stake_fraction: event.target.value })}
      />
      <TextField
        label="Fixture cap (open on one fixture)"
        inputMode="decimal"
        value={value.max_fixture_fraction}
        hint={asPercent(value.max_fixture_fraction, 'of the bankroll per fixture')}
        onChange={(event) => onChange({ ...value, max_fixture_fraction: event.target.value })}
      />
      <TextField
        label="Day cap (open on one kick-off day)"
        inputMode="decimal"
        value={value.max_day_fraction}
        hint={`${asPercent(value.max_day_fraction, 'of the bankroll per day')}; suggested stakes shrink to the room left under both caps.`}
        onChange={(event) => onChange({ ...value, max_day_fraction: event.target.value })}
      />
      <TextField
        label="Minimum edge"
        inputMode="decimal"
        value={value.min_edge}
        hint={`${asPercent(value.min_edge, 'over the fair price')} (0.02 bets only at 2% or more).`}
        onChange={(event) => onChange({ ...value, min_edge: event.target.value })}
      />
    </>
  );
}

export function CreatePortfolioForm({ onCreated }: { onCreated: (portfolio: PortfolioOut) => void }) {
  const [name, setName] = useState('');
  const [currency, setCurrency] = useState('EUR');
  const [settings, setSettings] = useState<Settings>({
    kelly_fraction: '0.25',
    max_stake_fraction: '0.05',
    max_fixture_fraction: '0.1',
    max_day_fraction: '0.25',
    min_edge: '0.02',
  });
  const [problem, setProblem] = useState<string | null>(null);
  const create = useCreatePortfolio();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const issue = !name.trim()
      ? 'Give the portfolio a name.'
      : !/^[A-Z]{3}$/.test(currency)
        ? 'The currency is a three-letter ISO code such as EUR.'
        : checkSettings(settings);
    setProblem(issue);
    if (issue) return;
    create.mutate(
      { name: name.trim(), currency, ...settings },
      {
        onSuccess: (portfolio) => {
          setName('');
          onCreated(portfolio);
        },
      },
    );
  };

  return (
    <form
      onSubmit={submit}
      aria-label="Create portfolio"
      className="grid gap-2 sm:grid-cols-2 lg:grid-cols-7 lg:items-start"
      noValidate
    >
      <TextField label="Name" value={name} onChange={(event) => setName(event.target.value)} maxLength={80} />
      <TextField
        label="Currency"
        value={currency}
        maxLength={3}
        onChange={(event) => setCurrency(event.target.value.toUpperCase())}
      />
      <SettingsFields value={settings} onChange={setSettings} />
      <div className="flex flex-col gap-2 sm:col-span-2 lg:col-span-7">
        <InlineError message={problem ?? create.error?.message} />
        <Button type="submit" variant="primary" disabled={create.isPending} className="self-start">
          Create portfolio
        </Button>
      </div>
    </form>
  );
}

export function SettingsForm({ portfolio }: { portfolio: PortfolioOut }) {
  const [settings, setSettings] = useState<Settings>({
    kelly_fraction: trimmed(portfolio.kelly_fraction),
    max_stake_fraction: trimmed(portfolio.max_stake_fraction),
    max_fixture_fraction: trimmed(portfolio.max_fixture_fraction),
    max_day_fraction: trimmed(portfolio.max_day_fraction),
    min_edge: trimmed(portfolio.min_edge),
  });
  const [problem, setProblem] = useState<string | null>(null);
  const update = useUpdateSettings(portfolio.id);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const issue = checkSettings(settings);
    setProblem(issue);
    if (!issue) update.mutate(settings satisfies PortfolioSettingsIn);
  };

  return (
    <form onSubmit={submit} aria-label="Staking settings" className="grid gap-2 sm:grid-cols-3" noValidate>
      <SettingsFields value={settings} onChange={setSettings} />
      <div className="flex items-center gap-2 sm:col-span-3">
        <Button type="submit" disabled={update.isPending}>
          Save settings
        </Button>
        {update.isSuccess ? (
          <span role="status" className="text-sm text-up">
            Saved.
          </span>
        ) : null}
      </div>
      <InlineError message={problem ?? update.error?.message} />
    </form>
  );
}

export function DepositForm({ portfolio }: { portfolio: PortfolioOut }) {
  const [amount, setAmount] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const deposit = useDeposit(portfolio.id);

  const send = (sign: 1 | -1) => {
    const minor = toMinorUnits(amount);
    if (minor === null || minor === 0) {
      setProblem('Enter an amount such as 250 or 99.95.');
      return;
    }
    setProblem(null);
    deposit.mutate(sign * minor, { onSuccess: () => setAmount('') });
  };

  return (
    <form
      aria-label="Deposit or withdraw"
      className="flex flex-wrap items-end gap-2"
      onSubmit={(event) => {
        event.preventDefault();
        send(1);
      }}
      noValidate
    >
      <TextField
        label={`Amount (${portfolio.currency})`}
        inputMode="decimal"
        value={amount}
        className="w-40"
        onChange={(event) => setAmount(event.target.value)}
      />
      <Button type="submit" variant="primary" disabled={deposit.isPending}>
        Deposit
      </Button>
      <Button onClick={() => send(-1)} disabled={deposit.isPending}>
        Withdraw
      </Button>
      {deposit.isSuccess ? (
        <span role="status" className="text-sm text-up">
          Bankroll now {formatMoney(deposit.data.bankroll_minor, portfolio.currency)}.
        </span>
      ) : null}
      <div className="basis-full">
        <InlineError message={problem ?? deposit.error?.message} />
      </div>
    </form>
  );
}
