"""The hash-chained audit snapshots of every bet, append-only."""

from __future__ import annotations

from sqlalchemy.orm import Session

__all__ = ["AuditRepository"]


class AuditRepository:
    """The hash-chained audit snapshots of every bet, append-only."""

    def __init__(self, session: Session) -> None:
        self.session = session
