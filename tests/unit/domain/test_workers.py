"""When a worker's heartbeat says it is stale."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from scoreline.domain.workers import WorkerHeartbeat, WorkerState, stale_after, state_at

SEEN = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


def heard(*, every_s: float = 5.0, state: WorkerState = "running") -> WorkerHeartbeat:
    return WorkerHeartbeat(
        consumer="box-1-4242-abc",
        host="box-1",
        pid=4242,
        started_at=SEEN - timedelta(hours=1),
        last_seen_at=SEEN,
        model_version_id=1,
        beat_every_s=every_s,
        entries_handled=0,
        predictions=0,
        dead_lettered=0,
        state=state,
    )


@pytest.mark.parametrize(
    ("every_s", "threshold_s"),
    [(5.0, 30), (10.0, 30), (20.0, 60)],  # three beats, never under 30 s
)
def test_stale_after_three_beats_and_at_least_thirty_seconds(
    every_s: float, threshold_s: int
) -> None:
    assert stale_after(heard(every_s=every_s)) == timedelta(seconds=threshold_s)


@pytest.mark.parametrize("state", ["running", "stopping"])
def test_a_worker_silent_past_the_threshold_is_stale(state: WorkerState) -> None:
    beat = heard(state=state)
    assert state_at(beat, SEEN + timedelta(seconds=30)) == state
    assert state_at(beat, SEEN + timedelta(seconds=30, microseconds=1)) == "stale"


def test_a_stopped_worker_stays_stopped_however_old() -> None:
    assert state_at(heard(state="stopped"), SEEN + timedelta(days=3)) == "stopped"
