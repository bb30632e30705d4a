"""A portfolio's bet history: every bet with its closing price, CLV and P&L, a page at a time
or as one CSV file.

The plain list of a portfolio's bets (``GET /portfolios/{id}/bets``,
``routes.portfolios``) takes the same filters and stays the fast one; this one
labels each bet of the page with its fixture, bookmaker and close.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import StreamingResponse

from scoreline.api.routes._bet_filter import BetQuery
from scoreline.api.routes.common import ERRORS, Limit, Offset, Reader, State
from scoreline.api.schemas.bet_history import BetHistoryRead
from scoreline.api.schemas.common import MAX_ID, Page
from scoreline.services import bet_history

router = APIRouter(prefix="/portfolios", tags=["portfolios"], responses=ERRORS)

PortfolioId = Annotated[int, Path(ge=1, le=MAX_ID)]


@router.get("/{portfolio_id}/history", response_model=Page[BetHistoryRead])
def history(
    portfolio_id: PortfolioId,
    matching: BetQuery,
    *,
    state: State,
    principal: Reader,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Page[BetHistoryRead]:
    """Every bet of the portfolio, open, settled or void, newest first, as the filters narrow
    them: price taken, closing price (and whose), CLV and P&L."""
    found, total = bet_history.list_(
        state.unit_of_work,
        owner_id=principal.user_id,
        portfolio_id=portfolio_id,
        matching=matching,
        limit=limit,
        offset=offset,
    )
    items = [BetHistoryRead.of_line(line) for line in found]
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.get(
    "/{portfolio_id}/history.csv",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
def history_csv(
    portfolio_id: PortfolioId, matching: BetQuery, *, state: State, principal: Reader
) -> StreamingResponse:
    """The same bets as CSV, one row per bet: money in currency units with two decimals
    beside a currency column, CLV to six places, instants in ISO 8601 UTC."""
    text = bet_history.export_csv(
        state.unit_of_work,
        owner_id=principal.user_id,
        portfolio_id=portfolio_id,
        matching=matching,
    )
    return StreamingResponse(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="bets-{portfolio_id}.csv"'},
    )
