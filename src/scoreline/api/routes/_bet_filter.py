"""The query parameters that narrow a portfolio's bets, read once for every list of them
(the bets page, the history and its CSV export)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import Depends, Query

from scoreline.domain.bet_history import BetFilter
from scoreline.domain.betting import BetStatus

__all__ = ["BetQuery"]

_CODE = Query(min_length=1, max_length=16, pattern=r"^[A-Za-z0-9_.-]+$")


def _filter(
    *,
    placed_from: Annotated[
        datetime | None, Query(description="Placed at or after this instant (UTC if naive).")
    ] = None,
    placed_to: Annotated[
        datetime | None, Query(description="Placed before this instant (UTC if naive).")
    ] = None,
    competition: Annotated[str | None, _CODE] = None,
    market: Literal["1x2", "over_under", "asian_handicap"] | None = None,
    bookmaker: Annotated[str | None, _CODE] = None,
    status: Literal["open", "settled", "void"] | None = None,
    outcome: Literal["won", "half_won", "push", "half_lost", "lost", "void"] | None = None,
) -> BetFilter:
    """The bets a list asks for; every parameter left out matches every bet."""
    return BetFilter(
        placed_from=_utc(placed_from),
        placed_to=_utc(placed_to),
        competition=competition,
        market=market,
        bookmaker=bookmaker,
        status=None if status is None else BetStatus(status),
        outcome=outcome,
    )


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


BetQuery = Annotated[BetFilter, Depends(_filter)]
