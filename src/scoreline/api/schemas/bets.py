"""Bets and value bets."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from scoreline.api.schemas.common import MAX_BIG_ID, Page, RequestBody
from scoreline.api.schemas.fair import FairRead
from scoreline.domain.betting import BetRecord

__all__ = [
    "BetCreate",
    "BetRead",
    "ValueBetRead",
]


class BetCreate(RequestBody):
    """A stake on one selection of a stored odds snapshot, at its price."""

    odds_snapshot_id: int = Field(ge=1, le=MAX_BIG_ID)
    selection: Literal["home", "draw", "away", "over", "under"]
    stake_minor: int = Field(ge=1, le=10**12)


class BetRead(BaseModel):
    """A bet and how it ended. A bet taken at another bookmaker and recorded here has no
    ``odds_snapshot_id``; it has its ``bookmaker`` (and the account staked from, if any)."""

    id: int
    portfolio_id: int
    fixture_id: int
    odds_snapshot_id: int | None
    bookmaker: str | None = None
    bookmaker_account_id: int | None = None
    market: str
    selection: str
    line: str | None
    odds: Decimal
    stake_minor: int
    status: str
    outcome: str | None
    payout_minor: int | None
    placed_at: datetime
    settled_at: datetime | None

    @classmethod
    def of(cls, bet: BetRecord) -> BetRead:
        """The schema of a stored bet; its line as text (``"-0.75"``), None for 1X2."""
        return cls(
            id=bet.id,
            portfolio_id=bet.portfolio_id,
            fixture_id=bet.fixture_id,
            odds_snapshot_id=bet.odds_snapshot_id,
            bookmaker=bet.bookmaker,
            bookmaker_account_id=bet.bookmaker_account_id,
            market=bet.market,
            selection=bet.selection,
            line=None if bet.line is None else str(bet.line),
            odds=bet.odds,
            stake_minor=bet.stake_minor,
            status=bet.status.value,
            outcome=bet.outcome,
            payout_minor=bet.payout_minor,
            placed_at=bet.placed_at,
            settled_at=bet.settled_at,
        )


class ValueBetRead(BaseModel):
    """A price whose edge over the fair price (``ValueBetPage.fair``) clears the portfolio's
    minimum; ``probability`` is that fair probability.

    ``suggested_stake_minor`` is the stake still to add on top of what is open; where
    it is 0, ``stake_reason`` and ``stake_message`` say why (codes as on the board); where
    it was cut to the bookmaker account's known maximum, ``stake_reason`` is
    ``account_limit`` and ``stake_message`` names the account and its maximum.
    """

    model_config = ConfigDict(from_attributes=True)

    fixture_id: int
    odds_snapshot_id: int
    bookmaker: str
    selection: Literal["home", "draw", "away"]
    price: Decimal
    probability: float
    edge: Decimal
    suggested_stake_minor: int
    stake_reason: str | None
    stake_message: str | None


class ValueBetPage(Page[ValueBetRead]):
    """A page of value bets, and the fair price their edges are measured against."""

    fair: FairRead
