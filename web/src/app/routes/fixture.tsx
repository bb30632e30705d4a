import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useParams } from 'react-router';

import { FollowButton } from '@/features/alerts/components/follow-button';
import { fixtureKeys } from '@/features/fixture/api/fixture';
import { FixturePage } from '@/features/fixture/components/fixture-page';
import { draftFromSelection, PlaceBetDialog, type BetDraft } from '@/features/portfolio/components/place-bet-form';
import { formatOdds } from '@/lib/format';
import { usePortfolios } from '@/lib/queries';

/** The fixture page, its "Bet" buttons wired to the board's place-bet dialog. */
function FixtureWithBets({ id }: { id: number }) {
  const queryClient = useQueryClient();
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
      <FixturePage
        id={id}
        actions={<FollowButton fixtureId={id} />}
        onBet={(selection, description, portfolioId) => {
          const next = draftFromSelection(selection, description, portfolioId);
          if (!next) return;
          setPlaced(null);
          setDraft(next);
        }}
      />
      {draft ? (
        <PlaceBetDialog
          draft={draft}
          portfolios={portfolios.data?.items ?? []}
          onClose={() => setDraft(null)}
          onPlaced={(bet) => {
            setPlaced(`Bet ${bet.id} placed: ${draft.description} at ${formatOdds(bet.odds)}.`);
            // The stakes still suggested change with the new position.
            void queryClient.invalidateQueries({ queryKey: fixtureKeys.all(id) });
          }}
        />
      ) : null}
    </>
  );
}

export function FixtureRoute() {
  const id = Number(useParams().id);
  if (!Number.isInteger(id) || id < 1) {
    return <h1 className="text-xl font-semibold">No such fixture</h1>;
  }
  return <FixtureWithBets key={id} id={id} />;
}
