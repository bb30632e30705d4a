"""Programs' API keys: stored as hashes, scoped, revocable."""

from __future__ import annotations

from sqlalchemy.orm import Session

__all__ = ["ApiKeyRepository"]


class ApiKeyRepository:
    """Programs' API keys: stored as hashes, scoped, revocable."""

    def __init__(self, session: Session) -> None:
        self.session = session
