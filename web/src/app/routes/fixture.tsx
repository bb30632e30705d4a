import { useParams } from 'react-router';

import { FixturePage } from '@/features/fixture/components/fixture-page';

export function FixtureRoute() {
  const id = Number(useParams().id);
  if (!Number.isInteger(id) || id < 1) {
    return <h1 className="text-xl font-semibold">No such fixture</h1>;
  }
  return <FixturePage key={id} id={id} />;
}
