"""The live board: upcoming fixtures, the model against the best prices."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel

from scoreline.api.schemas.common import Page
from scoreline.api.schemas.fair import FairRead

__all__ = [
    "BoardMarket",
    "BoardPage",
    "BoardRowRead",
    "BoardSelection",
    "BoardSelectionName",
]

BoardMarket = Literal["1x2", "over_under", "asian_handicap"]

BoardSelectionName = Literal["home", "draw", "away", "over", "under"]


class BoardSelection(BaseModel):
    """One selection of an upcoming fixture: the model's view, the fair probability and the
    best price.

    ``probability`` is the model's; ``fair_probability`` the one of the board's fair rule
    (``BoardPage.fair``: the model, the sharp book's de-margined price or their blend),
    ``fair_odds`` its inverse; ``fair_from_rates`` is true where the market side was
    priced from the goal rates the sharp book's other prices imply, as it quotes no
    price of its own at the line.

    ``best_price`` is the highest latest pre-match price of a real bookmaker
    (never the MAX or AVG aggregates, which cannot be bet), and
    ``odds_snapshot_id`` the stored snapshot holding it, so a bet can be placed
    against it. ``edge`` is ``fair_probability * best_price - 1`` to four places.
    ``suggested_stake_minor`` is null without a portfolio; it is the stake still to
    add on top of what is open (Kelly on equity, per market jointly). Where it is 0,
    ``stake_reason`` is a code (``edge_below_minimum``, ``price_stale``,
    ``position_held``, ``not_in_kelly``, ``cap_per_bet``, ``cap_per_fixture``,
    ``cap_per_day``, ``cap_cash``) and ``stake_message`` says it in words, with money.
    Where a stake was cut to what the bookmaker account will take (its known
    maximum), ``stake_reason`` is ``account_limit`` beside the cut stake, and
    ``stake_message`` names the account and its maximum.
    """

    market: BoardMarket
    line: str | None
    selection: BoardSelectionName
    probability: float | None
    fair_probability: float | None
    fair_from_rates: bool
    fair_odds: float | None
    best_price: Decimal | None
    bookmaker: str | None
    odds_snapshot_id: int | None
    edge: Decimal | None
    suggested_stake_minor: int | None
    stake_reason: str | None
    stake_message: str | None


class BoardRowRead(BaseModel):
    """An upcoming fixture with the active model's newest prediction and its five selections."""

    fixture_id: int
    competition: str
    kickoff: datetime
    home_team: str
    away_team: str
    prediction_id: int | None
    model: str | None
    version: str | None
    predicted_at: datetime | None
    selections: list[BoardSelection]


class BoardPage(Page[BoardRowRead]):
    """A page of the board, and the fair price its edges are measured against."""

    fair: FairRead
