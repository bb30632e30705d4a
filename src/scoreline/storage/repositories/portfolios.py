"""Portfolios, always found through their owner.

The five settings map to columns of the same names, read off
``domain.betting.SETTINGS``, so a new setting needs a column and nothing here.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from scoreline.domain.betting import SETTINGS, PortfolioRecord, PortfolioSettings
from scoreline.storage.repositories._sql import count_of, is_postgres
from scoreline.storage.tables import PortfolioRow

__all__ = ["PortfolioRepository"]


class PortfolioRepository:
    """Portfolios, always found through their owner."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(
        self,
        *,
        owner_id: int,
        name: str,
        currency: str,
        settings: PortfolioSettings,
        created_at: datetime,
    ) -> int:
        """Store a new portfolio; its id."""
        row = PortfolioRow(
            owner_id=owner_id,
            name=name,
            currency=currency,
            created_at=created_at,
            **settings.as_dict(),
        )
        self.session.add(row)
        self.session.flush()
        return row.id

    def get(self, *, portfolio_id: int, owner_id: int) -> PortfolioRecord | None:
        """The portfolio if ``owner_id`` owns it, else None (as if it did not exist)."""
        row = self.session.scalar(
            select(PortfolioRow).where(
                PortfolioRow.id == portfolio_id, PortfolioRow.owner_id == owner_id
            )
        )
        return None if row is None else _record(row)

    def get_by_name(self, *, owner_id: int, name: str) -> PortfolioRecord | None:
        """The owner's portfolio of that name, or None."""
        row = self.session.scalar(
            select(PortfolioRow).where(PortfolioRow.owner_id == owner_id, PortfolioRow.name == name)
        )
        return None if row is None else _record(row)

    def list_(self, *, owner_id: int, limit: int, offset: int) -> tuple[list[PortfolioRecord], int]:
        """The owner's portfolios by id; and how many there are."""
        mine = select(PortfolioRow).where(PortfolioRow.owner_id == owner_id)
        rows = self.session.scalars(mine.order_by(PortfolioRow.id).limit(limit).offset(offset))
        return [_record(row) for row in rows], count_of(self.session, mine)

    def update_settings(self, *, portfolio_id: int, settings: PortfolioSettings) -> None:
        """Replace every setting of a portfolio at once."""
        self.session.execute(
            update(PortfolioRow).where(PortfolioRow.id == portfolio_id).values(**settings.as_dict())
        )

    def lock(self, *, portfolio_id: int) -> None:
        """Serialise money movements of one portfolio until the transaction ends.

        ``FOR NO KEY UPDATE`` on PostgreSQL, the first lock of the book's order
        (``services.lock_order``); SQLite has a single writer already.
        """
        if is_postgres(self.session):
            self.session.execute(
                select(PortfolioRow.id)
                .where(PortfolioRow.id == portfolio_id)
                .with_for_update(key_share=True)
            )


def _record(row: PortfolioRow) -> PortfolioRecord:
    return PortfolioRecord(
        id=row.id,
        owner_id=row.owner_id,
        name=row.name,
        currency=row.currency,
        settings=PortfolioSettings.stored(
            **{setting.name: getattr(row, setting.name) for setting in SETTINGS}
        ),
        created_at=row.created_at,
    )
