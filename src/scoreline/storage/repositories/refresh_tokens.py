"""Issued refresh tokens by jti: spent on use, revocable."""

from __future__ import annotations

from sqlalchemy.orm import Session

__all__ = ["RefreshTokenRepository"]


class RefreshTokenRepository:
    """Issued refresh tokens by jti: spent on use, revocable."""

    def __init__(self, session: Session) -> None:
        self.session = session
