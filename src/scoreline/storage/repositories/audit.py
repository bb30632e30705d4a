"""The audit chain's storage: links appended one at a time, read back in order.

Appends are serialised so two transactions never chain from the same tail: on
PostgreSQL by a transaction-scoped advisory lock taken in ``lock_tail`` (the
last lock of the book's order, ``services.lock_order``), on SQLite by its
single writer. The table's triggers refuse UPDATE and DELETE
(migration 0003). Hashing is the service's (``services.audit``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from scoreline.domain.bet_history import AuditEntry
from scoreline.domain.betting import AuditKind, AuditLink
from scoreline.storage.repositories._sql import chunks, is_postgres
from scoreline.storage.tables import AuditSnapshotRow

__all__ = ["AuditRepository"]

_LOCK_KEY = 0x5C0E_A0D1  # the advisory lock id of audit appends (any constant)


class AuditRepository:
    """Audit snapshots: the chain's tail, appends, and reads in id order."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def lock_tail(self) -> str | None:
        """Hold off other appends until this transaction ends; the tail's hash (None when
        the chain is empty)."""
        if is_postgres(self.session):
            self.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
        return self.session.scalar(
            select(AuditSnapshotRow.hash).order_by(AuditSnapshotRow.id.desc()).limit(1)
        )

    def add(
        self,
        *,
        bet_id: int,
        kind: AuditKind,
        payload: str,
        prev_hash: str,
        hash_: str,
        created_at: datetime,
    ) -> int:
        """Append one link after the tail ``lock_tail`` returned; its id."""
        row = AuditSnapshotRow(
            bet_id=bet_id,
            kind=kind.value,
            payload=payload,
            prev_hash=prev_hash,
            hash=hash_,
            created_at=created_at,
        )
        self.session.add(row)
        self.session.flush()
        return row.id

    def list_after(self, *, after_id: int, limit: int) -> list[AuditLink]:
        """The links after ``after_id``, in id (chain) order."""
        rows = self.session.execute(
            select(
                AuditSnapshotRow.id,
                AuditSnapshotRow.prev_hash,
                AuditSnapshotRow.payload,
                AuditSnapshotRow.hash,
            )
            .where(AuditSnapshotRow.id > after_id)
            .order_by(AuditSnapshotRow.id)
            .limit(limit)
        )
        return [AuditLink(int(r[0]), str(r[1]), str(r[2]), str(r[3])) for r in rows]

    def placed_payloads(self, *, bet_ids: Sequence[int]) -> dict[int, str]:
        """Each bet's placement snapshot payload (canonical JSON), by bet id; bets without
        one are left out."""
        found: dict[int, str] = {}
        for chunk in chunks(bet_ids):
            rows = self.session.execute(
                select(AuditSnapshotRow.bet_id, AuditSnapshotRow.payload).where(
                    AuditSnapshotRow.bet_id.in_(chunk),
                    AuditSnapshotRow.kind == AuditKind.PLACED.value,
                )
            )
            found.update({int(bet_id): str(payload) for bet_id, payload in rows})
        return found

    def list_for_bet(self, *, bet_id: int) -> list[AuditEntry]:
        """Every snapshot of one bet, in chain order."""
        rows = self.session.scalars(
            select(AuditSnapshotRow)
            .where(AuditSnapshotRow.bet_id == bet_id)
            .order_by(AuditSnapshotRow.id)
        )
        return [
            AuditEntry(
                id=row.id,
                kind=AuditKind(row.kind),
                created_at=row.created_at,
                payload=row.payload,
                prev_hash=row.prev_hash,
                hash=row.hash,
            )
            for row in rows
        ]
