"""The live board: upcoming fixtures, the model against the best prices, suggested stakes.

(The score grid of a fixture is under ``routes.fixtures``.)
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from scoreline.api.routes.common import (
    ERRORS,
    DevigQuery,
    FairModeQuery,
    FixtureId,
    Limit,
    Offset,
    Reader,
    State,
)
from scoreline.api.schemas.board import BoardPage, BoardRowRead
from scoreline.api.schemas.common import MAX_ID
from scoreline.api.schemas.fair import FairRead
from scoreline.services import board as live_board
from scoreline.services import fair_prices

router = APIRouter(prefix="/board", tags=["board"], responses=ERRORS)


@router.get("", response_model=BoardPage)
def board(
    *,
    state: State,
    principal: Reader,
    competition: Annotated[str | None, Query(min_length=1, max_length=16)] = None,
    portfolio_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    fair: FairModeQuery = None,
    devig: DevigQuery = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> BoardPage:
    """Upcoming fixtures by kick-off with the model's probabilities, the best prices and edges
    against the chosen fair price (``fair``, ``devig``); with one of the caller's portfolios,
    the stakes it would suggest."""
    rule = fair_prices.rule(state.settings, mode=fair, method=devig)
    rows, total = live_board.board(
        state.unit_of_work,
        owner_id=principal.user_id,
        competition=competition,
        portfolio_id=portfolio_id,
        limit=limit,
        offset=offset,
        fair_rule=rule,
    )
    items = [BoardRowRead.model_validate(row, from_attributes=True) for row in rows]
    return BoardPage(
        items=items,
        total=total,
        limit=limit,
        offset=offset,
        fair=FairRead.of(rule, fair_prices.describe(rule)),
    )


@router.get("/fixtures/{fixture_id}", response_model=BoardRowRead)
def fixture_selections(
    fixture_id: FixtureId,
    *,
    state: State,
    principal: Reader,
    portfolio_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    fair: FairModeQuery = None,
    devig: DevigQuery = None,
) -> BoardRowRead:
    """One fixture as the board prices it, with every selection its prediction prices and a
    bookmaker quotes (1X2, each over/under and Asian handicap line): what the fixture page
    bets from, with the stakes one of the caller's portfolios would suggest and edges
    against the chosen fair price (``fair``, ``devig``: as on the board)."""
    row = live_board.fixture_selections(
        state.unit_of_work,
        owner_id=principal.user_id,
        fixture_id=fixture_id,
        portfolio_id=portfolio_id,
        fair_rule=fair_prices.rule(state.settings, mode=fair, method=devig),
    )
    return BoardRowRead.model_validate(row, from_attributes=True)
