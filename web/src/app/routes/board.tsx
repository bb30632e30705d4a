import { useState } from 'react';

import { LiveBoard } from '@/features/board/components/live-board';
import { draftFromSelection, PlaceBetDialog, type BetDraft } from '@/features/portfolio/components/place-bet-form';
import { canTrade, useUser } from '@/lib/auth';
import { formatOdds } from '@/lib/format';
import { usePortfolios } from '@/lib/queries';

/** The board, with its "Bet" action wired to the portfolio's place-bet form. */
export function BoardRoute() {
  const user = useUser().data;
  const portfolios = usePortfolios();
  const [draft, setDraft] = useState<BetDraft | null>(null);
  const [placed, setPlaced] = useState<string | null>(null);

  return (
    <>
      {placed ? (
        <p role="status" className="mb-3 rounded-md border border-up p-2 text-sm text-up">
          {placed}
        </p>
      ) : null}
      <LiveBoard
        onBet={
          canTrade(user)
            ? ({ row, selection, label }, portfolioId) => {
                const next = draftFromSelection(selection, `${label} · ${row.home_team} v ${row.away_team}`, portfolioId);
                if (!next) return;
                setPlaced(null);
                setDraft(next);
              }
            : undefined
        }
      />
      {draft ? (
        <PlaceBetDialog
          draft={draft}
          portfolios={portfolios.data?.items ?? []}
          onClose={() => setDraft(null)}
          onPlaced={(bet) => setPlaced(`Bet ${bet.id} placed: ${draft.description} at ${formatOdds(bet.odds)}.`)}
        />
      ) : null}
    </>
  );
}
