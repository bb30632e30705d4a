"""The audit chain: an append-only, hash-chained record of every bet's life.

Each snapshot's ``hash`` is SHA-256 over the previous snapshot's hash and this
snapshot's canonical JSON payload (sorted keys, no spaces, Decimals and times
as strings), so changing, removing or reordering any snapshot breaks every
hash after it. The first snapshot chains from 64 zeros.

Appends are serialised so two transactions never chain from the same tail: on
PostgreSQL by a transaction-scoped advisory lock, on SQLite by its single
writer. The table's triggers refuse UPDATE and DELETE (migration 0003).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from scoreline.storage.tables import AuditSnapshotRow
from scoreline.storage.unit_of_work import UnitOfWork

__all__ = ["GENESIS", "ChainReport", "append_snapshot", "canonical", "chain_hash", "verify_chain"]

GENESIS = "0" * 64
_LOCK_KEY = 0x5C0E_A0D1  # the advisory lock id of audit appends (any constant)


def canonical(payload: Mapping[str, Any]) -> str:
    """The one JSON text of ``payload`` that is hashed."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), default=_plain)


def chain_hash(prev_hash: str, payload_text: str) -> str:
    """SHA-256 of the previous hash and this payload's canonical text."""
    return hashlib.sha256(f"{prev_hash}\n{payload_text}".encode()).hexdigest()


def append_snapshot(
    session: Session, *, bet_id: int, kind: str, payload: Mapping[str, Any], now: datetime
) -> AuditSnapshotRow:
    """Chain one snapshot onto the tail, inside the caller's transaction."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
    tail = session.scalar(
        select(AuditSnapshotRow.hash).order_by(AuditSnapshotRow.id.desc()).limit(1)
    )
    body = canonical(payload)
    prev = tail or GENESIS
    row = AuditSnapshotRow(
        bet_id=bet_id,
        kind=kind,
        payload=body,
        prev_hash=prev,
        hash=chain_hash(prev, body),
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row


@dataclass(frozen=True, slots=True)
class ChainReport:
    """How many snapshots were checked, and the first broken link if any."""

    checked: int
    broken_at: int | None = None  # the snapshot id
    reason: str | None = None

    @property
    def ok(self) -> bool:
        """Whether every link holds."""
        return self.broken_at is None


def verify_chain(unit_of_work: Callable[[], UnitOfWork], *, batch: int = 5000) -> ChainReport:
    """Recompute every hash in id order; name the first snapshot whose link fails."""
    prev = GENESIS
    checked = 0
    for row in _rows(unit_of_work, batch):
        snapshot_id, row_prev, payload, stored = row
        if row_prev != prev:
            return ChainReport(
                checked, snapshot_id, f"prev_hash {row_prev[:12]}… is not the hash before it"
            )
        if chain_hash(prev, payload) != stored:
            return ChainReport(checked, snapshot_id, "its payload does not match its hash")
        prev = stored
        checked += 1
    return ChainReport(checked)


def _rows(
    unit_of_work: Callable[[], UnitOfWork], batch: int
) -> Iterator[tuple[int, str, str, str]]:
    after = 0
    while True:
        with unit_of_work() as uow:
            rows = uow.session.execute(
                select(
                    AuditSnapshotRow.id,
                    AuditSnapshotRow.prev_hash,
                    AuditSnapshotRow.payload,
                    AuditSnapshotRow.hash,
                )
                .where(AuditSnapshotRow.id > after)
                .order_by(AuditSnapshotRow.id)
                .limit(batch)
            ).all()
        if not rows:
            return
        for r in rows:
            yield int(r[0]), str(r[1]), str(r[2]), str(r[3])
        after = int(rows[-1][0])


def _plain(value: object) -> str:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not part of an audit payload")
