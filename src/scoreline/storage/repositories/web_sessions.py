"""The dashboard's signed-in sessions, by the SHA-256 of their cookie."""

from __future__ import annotations

from sqlalchemy.orm import Session

__all__ = ["WebSessionRepository"]


class WebSessionRepository:
    """The dashboard's signed-in sessions, by the SHA-256 of their cookie."""

    def __init__(self, session: Session) -> None:
        self.session = session
