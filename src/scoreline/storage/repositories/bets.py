"""Bets: placed once, settled or voided once, never deleted."""

from __future__ import annotations

from sqlalchemy.orm import Session

__all__ = ["BetRepository"]


class BetRepository:
    """Bets: placed once, settled or voided once, never deleted."""

    def __init__(self, session: Session) -> None:
        self.session = session
