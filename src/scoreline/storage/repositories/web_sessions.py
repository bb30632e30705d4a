"""The dashboard's signed-in sessions, by the SHA-256 of their cookie."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from scoreline.storage.tables import UserRow, WebSessionRow

__all__ = ["WebSessionRepository"]


class WebSessionRepository:
    """The dashboard's signed-in sessions, by the SHA-256 of their cookie."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(
        self, *, token_hash: str, user_id: int, created_at: datetime, expires_at: datetime
    ) -> None:
        """A new open session."""
        self.session.add(
            WebSessionRow(
                token_hash=token_hash,
                user_id=user_id,
                created_at=created_at,
                expires_at=expires_at,
                revoked_at=None,
            )
        )

    def user_of(self, token_hash: str, *, now: datetime) -> int | None:
        """The active user of an open, unexpired session, or None."""
        row = self.session.execute(
            select(WebSessionRow.user_id, WebSessionRow.expires_at, WebSessionRow.revoked_at)
            .join(UserRow, UserRow.id == WebSessionRow.user_id)
            .where(WebSessionRow.token_hash == token_hash, UserRow.is_active.is_(True))
        ).first()
        if row is None or row.revoked_at is not None or row.expires_at <= now:
            return None
        return int(row.user_id)

    def revoke(self, token_hash: str, *, at: datetime) -> None:
        """End one session; an unknown or ended one is left as it is."""
        self.session.execute(
            update(WebSessionRow)
            .where(WebSessionRow.token_hash == token_hash, WebSessionRow.revoked_at.is_(None))
            .values(revoked_at=at)
        )

    def revoke_all(self, *, user_id: int, at: datetime) -> int:
        """End every open session of a user; how many."""
        result = self.session.execute(
            update(WebSessionRow)
            .where(WebSessionRow.user_id == user_id, WebSessionRow.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        return int(getattr(result, "rowcount", 0) or 0)
