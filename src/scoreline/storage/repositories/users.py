"""Users who sign in, by id and by email."""

from __future__ import annotations

from sqlalchemy.orm import Session

__all__ = ["UserRepository"]


class UserRepository:
    """Users who sign in, by id and by email."""

    def __init__(self, session: Session) -> None:
        self.session = session
