import { Link } from 'react-router';

import { Button } from '@/components/ui/button';
import { EmptyState, ErrorState, InlineError, Spinner } from '@/components/ui/states';
import { formatKickoff } from '@/lib/format';
import { useFollowing, useSetFollowing } from '@/features/alerts/api/alerts';

/** The fixtures followed for line moves, most recently followed first, each with Unfollow. */
export function FollowingList() {
  const following = useFollowing();
  const change = useSetFollowing();
  if (following.isPending) return <Spinner />;
  if (following.isError) return <ErrorState error={following.error} title="Could not load the fixtures you follow" />;
  if (following.data.length === 0) {
    return (
      <EmptyState title="You follow no fixture">
        Press Follow on a fixture&apos;s page to hear of its line moves.
      </EmptyState>
    );
  }
  return (
    <>
      <ul className="flex flex-col divide-y divide-line" aria-label="Followed fixtures">
        {following.data.map((item) => (
          <li key={item.fixture_id} data-testid="followed-fixture" className="flex min-w-0 items-center gap-2 py-2 text-sm">
            <div className="min-w-0 flex-1">
              <Link to={`/fixtures/${item.fixture_id}`} className="block break-words font-medium hover:underline">
                {item.home_team} v {item.away_team}
              </Link>
              <p className="text-xs text-muted tabular-nums">
                {item.competition} · {formatKickoff(item.kickoff)} · {item.status}
              </p>
            </div>
            <Button
              size="sm"
              onClick={() => change.mutate({ fixtureId: item.fixture_id, follow: false })}
              disabled={change.isPending}
              aria-label={`Unfollow ${item.home_team} v ${item.away_team}`}
            >
              Unfollow
            </Button>
          </li>
        ))}
      </ul>
      <InlineError message={change.error?.message} />
    </>
  );
}
