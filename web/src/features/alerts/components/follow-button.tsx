import { Button } from '@/components/ui/button';
import { useFollowing, useSetFollowing } from '@/features/alerts/api/alerts';

/** Follow a fixture for line-move alerts, or stop; the state comes from the followed list. */
export function FollowButton({ fixtureId }: { fixtureId: number }) {
  const following = useFollowing();
  const change = useSetFollowing();
  const followed = following.data?.some((item) => item.fixture_id === fixtureId) ?? false;
  return (
    <Button
      size="sm"
      variant={followed ? 'secondary' : 'primary'}
      disabled={following.isPending || change.isPending}
      onClick={() => change.mutate({ fixtureId, follow: !followed })}
      title={change.error?.message ?? (followed ? 'Stop following this fixture' : 'Hear of this fixture’s line moves')}
      data-testid="follow-toggle"
    >
      {followed ? 'Following' : 'Follow'}
    </Button>
  );
}
