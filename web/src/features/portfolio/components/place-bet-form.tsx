import { useState, type FormEvent } from 'react';

import { Button } from '@/components/ui/button';
import { SelectField, TextField } from '@/components/ui/field';
import { Modal } from '@/components/ui/modal';
import { InlineError } from '@/components/ui/states';
import type { BetIn, BetOut, BoardSelection, PortfolioOut } from '@/lib/api-types';
import { formatMoney, formatOdds, fromMinorUnits, toMinorUnits } from '@/lib/format';
import { usePlaceBet } from '@/features/portfolio/api/portfolio';

export type BetSelection = BetIn['selection'];

export interface BetDraft {
  oddsSnapshotId: number;
  selection: BetSelection;
  price: string;
  /** What the bet is on, for people: "Home · Arsenal v Chelsea". */
  description: string;
  suggestedStakeMinor: number | null;
  /** Why nothing is suggested (a cap reached, the edge below the minimum, a stale price), or
   * why the suggestion was cut (the bookmaker account's maximum stake). */
  stakeMessage?: string | null;
  portfolioId: number | null;
}

/**
 * The draft of a bet on a priced selection, as the board and the fixture page both offer it:
 * its snapshot and price, the stake the portfolio would still add and, where none, why.
 * Null when the selection has no bookmaker's price to bet at.
 */
export function draftFromSelection(
  selection: BoardSelection,
  description: string,
  portfolioId: number | null,
): BetDraft | null {
  if (selection.odds_snapshot_id === null || selection.best_price === null) return null;
  return {
    oddsSnapshotId: selection.odds_snapshot_id,
    selection: selection.selection,
    price: selection.best_price,
    description,
    suggestedStakeMinor: selection.suggested_stake_minor,
    stakeMessage: selection.stake_message,
    portfolioId,
  };
}

export type StakeCheck = { ok: true; minor: number } | { ok: false; error: string };

/** A stake typed in currency units, checked and turned into minor units. */
export function checkStake(text: string, bankrollMinor: number | null, currency: string): StakeCheck {
  if (!text.trim()) return { ok: false, error: 'Enter a stake.' };
  const minor = toMinorUnits(text);
  if (minor === null) return { ok: false, error: 'Enter an amount such as 12.50 (at most two decimals).' };
  if (minor <= 0) return { ok: false, error: 'The stake must be more than zero.' };
  if (bankrollMinor !== null && minor > bankrollMinor) {
    return { ok: false, error: `The stake is more than the bankroll (${formatMoney(bankrollMinor, currency)}).` };
  }
  return { ok: true, minor };
}

export function PlaceBetForm({
  draft,
  portfolios,
  onPlaced,
  onCancel,
}: {
  draft: BetDraft;
  portfolios: PortfolioOut[];
  onPlaced: (bet: BetOut) => void;
  onCancel: () => void;
}) {
  const [portfolioId, setPortfolioId] = useState<number | null>(
    draft.portfolioId ?? portfolios[0]?.id ?? null,
  );
  const [stake, setStake] = useState(
    draft.suggestedStakeMinor && draft.suggestedStakeMinor > 0 ? fromMinorUnits(draft.suggestedStakeMinor) : '',
  );
  const [error, setError] = useState<string | null>(null);
  const placeBet = usePlaceBet();
  const portfolio = portfolios.find((item) => item.id === portfolioId) ?? null;
  const currency = portfolio?.currency ?? 'EUR';

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!portfolio) {
      setError('Choose a portfolio first (create one on the Portfolio page).');
      return;
    }
    const check = checkStake(stake, portfolio.bankroll_minor, currency);
    if (!check.ok) {
      setError(check.error);
      return;
    }
    setError(null);
    placeBet.mutate(
      {
        portfolioId: portfolio.id,
        bet: { odds_snapshot_id: draft.oddsSnapshotId, selection: draft.selection, stake_minor: check.minor },
      },
      { onSuccess: (bet) => onPlaced(bet) },
    );
  };

  return (
    <form onSubmit={submit} className="flex flex-col gap-3" aria-label="Place bet" noValidate>
      <p className="text-sm">
        <span className="font-semibold">{draft.description}</span> at{' '}
        <span className="font-semibold tabular-nums" data-testid="bet-price">
          {formatOdds(draft.price)}
        </span>
      </p>
      <SelectField
        label="Portfolio"
        value={portfolioId === null ? '' : String(portfolioId)}
        onChange={(event) => setPortfolioId(event.target.value ? Number(event.target.value) : null)}
      >
        {portfolios.length === 0 ? <option value="">No portfolio yet</option> : null}
        {portfolios.map((item) => (
          <option key={item.id} value={String(item.id)}>
            {item.name} · {formatMoney(item.bankroll_minor, item.currency)}
          </option>
        ))}
      </SelectField>
      <TextField
        label={`Stake (${currency})`}
        name="stake"
        data-autofocus
        inputMode="decimal"
        autoComplete="off"
        value={stake}
        onChange={(event) => setStake(event.target.value)}
        hint={
          draft.suggestedStakeMinor
            ? `Still to stake on the portfolio's Kelly position: ${formatMoney(draft.suggestedStakeMinor, currency)}` +
              (draft.stakeMessage ? ` (${draft.stakeMessage})` : '')
            : draft.stakeMessage
              ? `No stake suggested: ${draft.stakeMessage}`
              : undefined
        }
        error={error}
      />
      <InlineError message={placeBet.error?.message} />
      <div className="flex justify-end gap-2">
        <Button onClick={onCancel}>Cancel</Button>
        <Button type="submit" variant="primary" disabled={placeBet.isPending}>
          {placeBet.isPending ? 'Placing…' : 'Place bet'}
        </Button>
      </div>
    </form>
  );
}

export function PlaceBetDialog({
  draft,
  portfolios,
  onClose,
  onPlaced,
}: {
  draft: BetDraft;
  portfolios: PortfolioOut[];
  onClose: () => void;
  onPlaced?: (bet: BetOut) => void;
}) {
  return (
    <Modal title="Place bet" onClose={onClose}>
      <PlaceBetForm
        draft={draft}
        portfolios={portfolios}
        onCancel={onClose}
        onPlaced={(bet) => {
          onPlaced?.(bet);
          onClose();
        }}
      />
    </Modal>
  );
}
