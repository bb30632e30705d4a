"""Bookmaker accounts and their limitation events, always found through a portfolio.

An account is reached by its id only together with its owner (``get``): someone
else's account is as if it did not exist.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from scoreline.domain.bookmaker_accounts import BookmakerAccountRecord, LimitationEventRecord
from scoreline.storage.tables import (
    BetRow,
    Bookmaker,
    BookmakerAccountRow,
    LimitationEventRow,
    PortfolioRow,
)

__all__ = ["BookmakerAccountRepository"]


class BookmakerAccountRepository:
    """A portfolio's accounts at bookmakers, and what each refused."""

    def __init__(self, session: Session) -> None:
        self.session = session

    # -- accounts ----------------------------------------------------------------------

    def add(
        self,
        *,
        portfolio_id: int,
        name: str,
        currency: str,
        balance_minor: int,
        max_stake_minor: int | None,
        bookmaker_id: int | None,
        now: datetime,
    ) -> int:
        """Store a new account; its id."""
        row = BookmakerAccountRow(
            portfolio_id=portfolio_id,
            name=name,
            currency=currency,
            balance_minor=balance_minor,
            max_stake_minor=max_stake_minor,
            bookmaker_id=bookmaker_id,
            created_at=now,
            updated_at=now,
        )
        self.session.add(row)
        self.session.flush()
        return row.id

    def get(self, *, account_id: int, owner_id: int) -> BookmakerAccountRecord | None:
        """The account if ``owner_id`` owns its portfolio, else None."""
        row = self.session.scalar(
            select(BookmakerAccountRow)
            .join(PortfolioRow, PortfolioRow.id == BookmakerAccountRow.portfolio_id)
            .where(BookmakerAccountRow.id == account_id, PortfolioRow.owner_id == owner_id)
        )
        return None if row is None else _account(row)

    def get_by_name(self, *, portfolio_id: int, name: str) -> BookmakerAccountRecord | None:
        """The portfolio's account of that name, whatever its case, or None."""
        row = self.session.scalar(
            select(BookmakerAccountRow).where(
                BookmakerAccountRow.portfolio_id == portfolio_id,
                func.lower(BookmakerAccountRow.name) == name.lower(),
            )
        )
        return None if row is None else _account(row)

    def list_(self, *, portfolio_id: int) -> list[BookmakerAccountRecord]:
        """The portfolio's accounts, by name."""
        rows = self.session.scalars(
            select(BookmakerAccountRow)
            .where(BookmakerAccountRow.portfolio_id == portfolio_id)
            .order_by(BookmakerAccountRow.name, BookmakerAccountRow.id)
        )
        return [_account(row) for row in rows]

    def update(
        self,
        *,
        account_id: int,
        name: str,
        balance_minor: int,
        max_stake_minor: int | None,
        bookmaker_id: int | None,
        now: datetime,
    ) -> None:
        """Change an account's name, recorded balance and known maximum stake."""
        self.session.execute(
            update(BookmakerAccountRow)
            .where(BookmakerAccountRow.id == account_id)
            .values(
                name=name,
                balance_minor=balance_minor,
                max_stake_minor=max_stake_minor,
                bookmaker_id=bookmaker_id,
                updated_at=now,
            )
        )

    def delete(self, *, account_id: int) -> None:
        """Remove an account and its limitation events (the caller checks it has no bets)."""
        self.session.execute(
            delete(LimitationEventRow).where(LimitationEventRow.account_id == account_id)
        )
        self.session.execute(
            delete(BookmakerAccountRow).where(BookmakerAccountRow.id == account_id)
        )

    def count_bets(self, *, account_id: int) -> int:
        """How many bets were staked from the account."""
        return int(
            self.session.scalar(
                select(func.count(BetRow.id)).where(BetRow.bookmaker_account_id == account_id)
            )
            or 0
        )

    def known_bookmaker_id(self, *, name: str) -> int | None:
        """The id of the bookmaker we hold prices from whose code or name is ``name``
        (case aside), or None for a bookmaker we know nothing of."""
        wanted = name.strip().lower()
        return self.session.scalar(
            select(Bookmaker.id)
            .where(or_(func.lower(Bookmaker.code) == wanted, func.lower(Bookmaker.name) == wanted))
            .order_by(Bookmaker.id)
            .limit(1)
        )

    # -- limitation events -------------------------------------------------------------

    def add_limitation(
        self,
        *,
        account_id: int,
        occurred_on: date,
        market: str | None,
        refused: str,
        max_stake_minor: int | None,
        now: datetime,
    ) -> int:
        """Store what an account refused; its id."""
        row = LimitationEventRow(
            account_id=account_id,
            occurred_on=occurred_on,
            market=market,
            refused=refused,
            max_stake_minor=max_stake_minor,
            created_at=now,
        )
        self.session.add(row)
        self.session.flush()
        return row.id

    def list_limitations(self, *, account_id: int) -> list[LimitationEventRecord]:
        """An account's limitation events, newest first."""
        rows = self.session.scalars(
            select(LimitationEventRow)
            .where(LimitationEventRow.account_id == account_id)
            .order_by(LimitationEventRow.occurred_on.desc(), LimitationEventRow.id.desc())
        )
        return [
            LimitationEventRecord(
                id=row.id,
                account_id=row.account_id,
                occurred_on=row.occurred_on,
                market=row.market,
                refused=row.refused,
                max_stake_minor=row.max_stake_minor,
                created_at=row.created_at,
            )
            for row in rows
        ]


def _account(row: BookmakerAccountRow) -> BookmakerAccountRecord:
    return BookmakerAccountRecord(
        id=row.id,
        portfolio_id=row.portfolio_id,
        name=row.name,
        currency=row.currency,
        balance_minor=row.balance_minor,
        max_stake_minor=row.max_stake_minor,
        bookmaker_id=row.bookmaker_id,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )
