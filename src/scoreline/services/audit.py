"""The audit chain: an append-only, hash-chained record of every bet's life.

Each snapshot's ``hash`` is SHA-256 over the previous snapshot's hash and this
snapshot's canonical JSON payload (sorted keys, no spaces, Decimals and times
as strings), so changing, removing or reordering any snapshot breaks every
hash after it. The first snapshot chains from 64 zeros.

Appends happen inside the transaction that places, settles or voids the bet,
and are serialised by the repository (``uow.audit.lock_tail``) so two
transactions never chain from the same tail. That lock is the last of the
book's lock order (``services.lock_order``): a transaction appends only once
it holds every portfolio and bet lock it needs, and takes none after.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from scoreline.domain.betting import AuditKind, AuditLink
from scoreline.storage.unit_of_work import UnitOfWork, UnitOfWorkFactory

__all__ = ["GENESIS", "ChainReport", "append_snapshot", "canonical", "chain_hash", "verify_chain"]

GENESIS = "0" * 64


def canonical(payload: Mapping[str, Any]) -> str:
    """The one JSON text of ``payload`` that is hashed."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), default=_plain)


def chain_hash(prev_hash: str, payload_text: str) -> str:
    """SHA-256 of the previous hash and this payload's canonical text."""
    return hashlib.sha256(f"{prev_hash}\n{payload_text}".encode()).hexdigest()


def append_snapshot(
    uow: UnitOfWork, *, bet_id: int, kind: AuditKind, payload: Mapping[str, Any], now: datetime
) -> int:
    """Chain one snapshot onto the tail inside the caller's transaction; its id.

    Takes the tail's lock until the transaction ends: call it after every other lock
    the transaction needs (``services.lock_order``)."""
    prev = uow.audit.lock_tail() or GENESIS
    body = canonical(payload)
    return uow.audit.add(
        bet_id=bet_id,
        kind=kind,
        payload=body,
        prev_hash=prev,
        hash_=chain_hash(prev, body),
        created_at=now,
    )


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


def verify_chain(unit_of_work: UnitOfWorkFactory, *, batch: int = 5000) -> ChainReport:
    """Recompute every hash in id order; name the first snapshot whose link fails."""
    prev = GENESIS
    checked = 0
    for link in _links(unit_of_work, batch):
        if link.prev_hash != prev:
            return ChainReport(
                checked, link.id, f"prev_hash {link.prev_hash[:12]}… is not the hash before it"
            )
        if chain_hash(prev, link.payload) != link.hash:
            return ChainReport(checked, link.id, "its payload does not match its hash")
        prev = link.hash
        checked += 1
    return ChainReport(checked)


def _links(unit_of_work: UnitOfWorkFactory, batch: int) -> Iterator[AuditLink]:
    """Every link in id order, read a batch per short transaction."""
    after = 0
    while True:
        with unit_of_work() as uow:
            links = uow.audit.list_after(after_id=after, limit=batch)
        if not links:
            return
        yield from links
        after = links[-1].id


def _plain(value: object) -> str:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not part of an audit payload")
