"""The odds outbox: snapshots stored but not yet on the ``odds`` stream.

An entry is written in the snapshot's own transaction (``OddsRepository.insert_live``)
and deleted once the stream holds it, so a crash between commit and publish
loses nothing: the next ingestion engine publishes what is left here first.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from scoreline.storage.tables import OddsOutboxRow

__all__ = ["OutboxRepository"]


class OutboxRepository:
    """Outbox entries by odds snapshot id."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def list_(self, *, limit: int) -> list[tuple[int, str]]:
        """The oldest entries stored but not yet published: (odds id, payload)."""
        rows = self.session.execute(
            select(OddsOutboxRow.odds_snapshot_id, OddsOutboxRow.payload)
            .order_by(OddsOutboxRow.odds_snapshot_id)
            .limit(limit)
        )
        return [(r[0], r[1]) for r in rows]

    def delete(self, odds_ids: Iterable[int]) -> None:
        """Forget entries the stream now holds."""
        ids = list(odds_ids)
        if ids:
            self.session.execute(
                delete(OddsOutboxRow).where(OddsOutboxRow.odds_snapshot_id.in_(ids))
            )

    def count(self) -> int:
        """Entries waiting to be published."""
        return int(self.session.scalar(select(func.count()).select_from(OddsOutboxRow)) or 0)
