"""Bets and value bets."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

from scoreline.api.schemas.common import MAX_BIG_ID

__all__ = [
    "BetIn",
    "BetOut",
    "ValueBet",
]


class BetIn(BaseModel):
    """A stake on one selection of a stored odds snapshot, at its price."""

    odds_snapshot_id: int = Field(ge=1, le=MAX_BIG_ID)
    selection: Literal["home", "draw", "away", "over", "under"]
    stake_minor: int = Field(ge=1, le=10**12)


class BetOut(BaseModel):
    """A bet and how it ended."""

    id: int
    portfolio_id: int
    fixture_id: int
    odds_snapshot_id: int
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


class ValueBet(BaseModel):
    """A price whose edge over the active model clears the portfolio's minimum."""

    fixture_id: int
    odds_snapshot_id: int
    bookmaker: str
    selection: Literal["home", "draw", "away"]
    price: Decimal
    probability: float
    edge: Decimal
    suggested_stake_minor: int
