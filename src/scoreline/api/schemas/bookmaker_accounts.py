"""Bookmaker accounts, their limitation events and figures; bets taken at any bookmaker.

Money is in minor units of the portfolio's currency (``balance_minor``) with the
same amount as people read it beside (``balance``: ``"EUR 1,234.50"``).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, Field

from scoreline.api.schemas.common import MAX_ID, Lax, RequestBody
from scoreline.api.schemas.performance import Figures
from scoreline.domain.bookmaker_accounts import BookmakerAccountRecord, LimitationEventRecord
from scoreline.domain.money import format_money
from scoreline.services.bookmaker_accounts import AccountChange, AccountReport

__all__ = [
    "BookmakerAccountCreate",
    "BookmakerAccountRead",
    "BookmakerAccountReportRead",
    "ExternalBetCreate",
    "LimitationCreate",
    "LimitationRead",
]

MarketName = Literal["1x2", "over_under", "asian_handicap"]
_MAX_MINOR = 10**12


class BookmakerAccountCreate(RequestBody):
    """An account at a bookmaker, as its owner states it (also the body of a PUT, which
    restates all of it)."""

    name: str = Field(min_length=1, max_length=64, description="The bookmaker, any name.")
    balance_minor: int = Field(
        ge=0, le=_MAX_MINOR, description="The balance last read off the bookmaker's site."
    )
    max_stake_minor: int | None = Field(
        default=None, ge=1, le=_MAX_MINOR, description="The largest stake it is known to take."
    )

    def change(self) -> AccountChange:
        """The service's view of the body."""
        return AccountChange(self.name, self.balance_minor, self.max_stake_minor)


class BookmakerAccountRead(BaseModel):
    """An account; ``known`` when we hold the bookmaker's prices (its closes score bets,
    its suggestions are clipped to ``max_stake_minor``)."""

    id: int
    portfolio_id: int
    name: str
    currency: str
    balance_minor: int
    balance: str
    max_stake_minor: int | None
    max_stake: str | None
    known: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, account: BookmakerAccountRecord) -> BookmakerAccountRead:
        """The schema of a stored account, with its money as people read it."""
        limit = account.max_stake_minor
        return cls(
            id=account.id,
            portfolio_id=account.portfolio_id,
            name=account.name,
            currency=account.currency,
            balance_minor=account.balance_minor,
            balance=format_money(account.balance_minor, account.currency),
            max_stake_minor=limit,
            max_stake=None if limit is None else format_money(limit, account.currency),
            known=account.bookmaker_id is not None,
            created_at=account.created_at,
            updated_at=account.updated_at,
        )


class LimitationCreate(RequestBody):
    """What an account refused, and when; ``max_stake_minor`` the new maximum if the
    bookmaker said (it becomes the account's)."""

    occurred_on: Annotated[date, Lax]
    market: MarketName | None = None
    refused: str = Field(min_length=1, max_length=200)
    max_stake_minor: int | None = Field(default=None, ge=1, le=_MAX_MINOR)


class LimitationRead(BaseModel):
    """A recorded limitation event."""

    id: int
    account_id: int
    occurred_on: date
    market: str | None
    refused: str
    max_stake_minor: int | None
    created_at: datetime

    @classmethod
    def of(cls, event: LimitationEventRecord) -> LimitationRead:
        """The schema of a stored event."""
        return cls(
            id=event.id,
            account_id=event.account_id,
            occurred_on=event.occurred_on,
            market=event.market,
            refused=event.refused,
            max_stake_minor=event.max_stake_minor,
            created_at=event.created_at,
        )


class BookmakerAccountReportRead(BaseModel):
    """An account with what the bets staked from it made: settled figures (P&L, yield,
    CLV where a close exists) and the stakes still open."""

    account: BookmakerAccountRead
    figures: Figures
    n_open: int
    open_staked_minor: int
    n_limitations: int

    @classmethod
    def of(cls, report: AccountReport) -> BookmakerAccountReportRead:
        """The schema of an account's report."""
        return cls(
            account=BookmakerAccountRead.of(report.account),
            figures=Figures.model_validate(report.figures),
            n_open=report.n_open,
            open_staked_minor=report.open_staked_minor,
            n_limitations=report.n_limitations,
        )


class ExternalBetCreate(RequestBody):
    """A bet taken at any bookmaker, at the price actually obtained. Name the bookmaker,
    the account it was staked from, or both; ``line`` is null for 1X2 (``"-0.75"`` for a
    home handicap of three quarters); ``placed_at`` is now when left out."""

    fixture_id: int = Field(ge=1, le=MAX_ID)
    market: MarketName
    line: Annotated[Decimal, Lax] | None = None
    selection: Literal["home", "draw", "away", "over", "under"]
    price: Annotated[Decimal, Lax] = Field(description="Decimal odds, 1.01 to 1,000.")
    stake_minor: int = Field(ge=1, le=_MAX_MINOR)
    bookmaker: str | None = Field(default=None, min_length=1, max_length=64)
    bookmaker_account_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    placed_at: Annotated[AwareDatetime, Lax] | None = None
