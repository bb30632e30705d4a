"""What the store says about ingestion and serving, for the admin status page.

The streams' side of the picture (lengths, group backlogs, dead letters) is the
bus's to tell and is read where the bus is held; this is the database's side,
in one transaction so its figures agree with one another.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from scoreline.domain.predictions import ModelVersionRecord
from scoreline.services import worker_heartbeats
from scoreline.storage.repositories.source_files import SourceFileRecord
from scoreline.storage.unit_of_work import UnitOfWorkFactory

__all__ = ["RECENT_FILES", "StoreStatus", "status"]

RECENT_FILES = 50


@dataclass(frozen=True, slots=True)
class StoreStatus:
    """The active version, live odds not yet on the stream, the newest live odds and
    prediction, the files loaded most recently (newest first), and the ML workers heard
    from lately (by consumer name)."""

    active_model: ModelVersionRecord | None
    odds_outbox: int
    last_odds_at: datetime | None
    last_prediction_at: datetime | None
    source_files: list[SourceFileRecord]
    workers: list[worker_heartbeats.ListedWorker]


def status(unit_of_work: UnitOfWorkFactory, *, now: datetime | None = None) -> StoreStatus:
    """The database's side of the admin status, as of ``now`` (the current time unless
    given): a worker's state and how long ago it was seen are reckoned from it."""
    now = now or datetime.now(UTC)
    with unit_of_work() as uow:
        active = uow.model_versions.active()
        beats = uow.worker_heartbeats.list_(seen_since=worker_heartbeats.seen_since(now))
        return StoreStatus(
            active_model=active,
            odds_outbox=uow.outbox.count(),
            last_odds_at=uow.odds.last_live_captured_at(),
            last_prediction_at=uow.predictions.last_created_at(),
            source_files=uow.source_files.list_recent(limit=RECENT_FILES),
            workers=worker_heartbeats.listed(
                beats, now=now, active_id=None if active is None else active.id
            ),
        )
