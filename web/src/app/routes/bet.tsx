import { useParams } from 'react-router';

import { BetPage } from '@/features/bets/components/bet-page';

export function BetRoute() {
  const id = Number(useParams().id);
  if (!Number.isInteger(id) || id < 1) {
    return <h1 className="text-xl font-semibold">No such bet</h1>;
  }
  return <BetPage key={id} id={id} />;
}
