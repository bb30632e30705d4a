"""Issued refresh tokens by jti: spent on use, revocable."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from scoreline.storage.tables import RefreshTokenRow

__all__ = ["RefreshTokenRepository"]


class RefreshTokenRepository:
    """Issued refresh tokens by jti: spent on use, revocable."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, *, jti: str, user_id: int, expires_at: datetime, family: str) -> None:
        """Remember an issued refresh token, so it can be spent once, in its family (the
        jti of the sign-in's first token)."""
        self.session.add(
            RefreshTokenRow(jti=jti, user_id=user_id, expires_at=expires_at, family=family)
        )

    def family_of(self, jti: str) -> str | None:
        """The family of a stored token, or None for a token never stored."""
        return self.session.scalar(select(RefreshTokenRow.family).where(RefreshTokenRow.jti == jti))

    def revoke_family(self, family: str, *, at: datetime) -> int:
        """Revoke every live token of a family; how many were live."""
        result = self.session.execute(
            update(RefreshTokenRow)
            .where(RefreshTokenRow.family == family, RefreshTokenRow.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def revoke(self, jti: str, *, at: datetime) -> bool:
        """Spend or revoke a token; whether it was still live (a conditional UPDATE, so two
        requests racing with one token spend it once)."""
        result = self.session.execute(
            update(RefreshTokenRow)
            .where(RefreshTokenRow.jti == jti, RefreshTokenRow.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        return int(getattr(result, "rowcount", 0) or 0) == 1
