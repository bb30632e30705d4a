"""ML workers' heartbeats, one row per consumer name."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from scoreline.domain.workers import WorkerHeartbeat, WorkerHeartbeatRecord, WorkerState
from scoreline.storage.repositories._sql import insert_ignoring
from scoreline.storage.tables import ModelVersion, WorkerHeartbeatRow

__all__ = ["WorkerHeartbeatRepository"]

# What a later beat of the same process replaces; its start and identity stay as first written.
_REPLACED = (
    "host",
    "pid",
    "last_seen_at",
    "model_version_id",
    "beat_every_s",
    "entries_handled",
    "predictions",
    "dead_lettered",
    "state",
)


class WorkerHeartbeatRepository:
    """Heartbeats by consumer name, and the ones seen lately."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def upsert(self, *, beat: WorkerHeartbeat) -> None:
        """Write a worker's beat, adding its row on the first one.

        One INSERT ... ON CONFLICT statement, so two writers of one name (a
        restarted process racing its predecessor's last beat) never collide.
        """
        values = {
            "consumer": beat.consumer,
            "host": beat.host,
            "pid": beat.pid,
            "started_at": beat.started_at,
            "last_seen_at": beat.last_seen_at,
            "model_version_id": beat.model_version_id,
            "beat_every_s": beat.beat_every_s,
            "entries_handled": beat.entries_handled,
            "predictions": beat.predictions,
            "dead_lettered": beat.dead_lettered,
            "state": beat.state,
        }
        statement = insert_ignoring(self.session, WorkerHeartbeatRow.__table__).values(values)
        self.session.execute(
            statement.on_conflict_do_update(
                index_elements=["consumer"],
                set_={name: statement.excluded[name] for name in _REPLACED},
            )
        )

    def get_by_consumer(self, *, consumer: str) -> WorkerHeartbeatRecord | None:
        """The latest beat of one worker, or None."""
        row = self.session.execute(
            _SELECT.where(WorkerHeartbeatRow.consumer == consumer)
        ).one_or_none()
        return None if row is None else _record(row)

    def list_(self, *, seen_since: datetime) -> list[WorkerHeartbeatRecord]:
        """The workers last seen at or after ``seen_since``, by consumer name."""
        rows = self.session.execute(
            _SELECT.where(WorkerHeartbeatRow.last_seen_at >= seen_since).order_by(
                WorkerHeartbeatRow.consumer
            )
        )
        return [_record(row) for row in rows]


_SELECT = select(WorkerHeartbeatRow, ModelVersion.name, ModelVersion.version).join(
    ModelVersion, ModelVersion.id == WorkerHeartbeatRow.model_version_id
)


def _record(row: Row[WorkerHeartbeatRow, str, str]) -> WorkerHeartbeatRecord:
    r, model, version = row
    beat = WorkerHeartbeat(
        consumer=r.consumer,
        host=r.host,
        pid=r.pid,
        started_at=r.started_at,
        last_seen_at=r.last_seen_at,
        model_version_id=r.model_version_id,
        beat_every_s=r.beat_every_s,
        entries_handled=r.entries_handled,
        predictions=r.predictions,
        dead_lettered=r.dead_lettered,
        state=cast(WorkerState, r.state),  # the table's check constraint holds it to these
    )
    return WorkerHeartbeatRecord(beat=beat, model=model, version=version)
