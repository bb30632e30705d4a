"""The append-only ledger of each portfolio's money, in minor units."""

from __future__ import annotations

from sqlalchemy.orm import Session

__all__ = ["LedgerRepository"]


class LedgerRepository:
    """The append-only ledger of each portfolio's money, in minor units."""

    def __init__(self, session: Session) -> None:
        self.session = session
