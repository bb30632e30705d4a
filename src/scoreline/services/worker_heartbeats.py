"""ML workers' heartbeats: each worker records its own; the admin status lists the recent ones.

A worker calls ``record`` every few seconds from its loop (and once more, as
``stopped``, when it stops cleanly); this module commits for it. Readers never
delete rows: a worker silent for over ``LISTED_FOR`` simply drops off the list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from scoreline.domain.workers import SeenState, WorkerHeartbeat, WorkerHeartbeatRecord, state_at
from scoreline.storage.unit_of_work import UnitOfWorkFactory

__all__ = ["LISTED_FOR", "ListedWorker", "listed", "record", "seen_since"]

LISTED_FOR = timedelta(days=1)
"""How long after its last heartbeat a worker, stopped or stale, is still listed."""


@dataclass(frozen=True, slots=True)
class ListedWorker:
    """A worker as the admin status shows it: its last beat, the model it serves, its state
    as of now (``stale`` when silent too long), and whether it serves the active version."""

    beat: WorkerHeartbeat
    model: str
    version: str
    state: SeenState
    seen_seconds_ago: float
    serves_active: bool


def record(unit_of_work: UnitOfWorkFactory, *, beat: WorkerHeartbeat) -> None:
    """Store a worker's heartbeat in a transaction of its own."""
    with unit_of_work() as uow:
        uow.worker_heartbeats.upsert(beat=beat)
        uow.commit()


def seen_since(now: datetime) -> datetime:
    """The oldest last heartbeat a listed worker may have."""
    return now - LISTED_FOR


def listed(
    records: Sequence[WorkerHeartbeatRecord], *, now: datetime, active_id: int | None
) -> list[ListedWorker]:
    """The workers of ``records`` heard from within ``LISTED_FOR`` of ``now``, each with its
    state as of ``now`` and whether it serves version ``active_id``."""
    return [
        ListedWorker(
            beat=r.beat,
            model=r.model,
            version=r.version,
            state=state_at(r.beat, now),
            # Another host's clock may run a little ahead: never "seen in the future".
            seen_seconds_ago=max(0.0, (now - r.beat.last_seen_at).total_seconds()),
            serves_active=r.beat.model_version_id == active_id,
        )
        for r in records
        if r.beat.last_seen_at >= seen_since(now)
    ]
