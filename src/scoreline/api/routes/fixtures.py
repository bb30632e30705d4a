"""Fixtures and what is known of each: its prices, its predictions and its score grid.

The latest prices and the latest prediction of a fixture are served from the
caches (``api.cache``), invalidated by the fixture's next odds or prediction
event; everything else is read from the database.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import TypeAdapter

from scoreline.api.cache import TieredPredictionCache
from scoreline.api.routes.common import ERRORS, FixtureId, Limit, Offset, Reader, State, errors
from scoreline.api.schemas.catalog import FixtureRead, OddsRead, PredictionRead, ScoreGridRead
from scoreline.api.schemas.common import Page
from scoreline.services import board, catalog

router = APIRouter(prefix="/fixtures", tags=["fixtures"], responses=ERRORS)

_ODDS_LIST = TypeAdapter(list[OddsRead])


@router.get("", response_model=Page[FixtureRead])
def fixtures(
    *,
    state: State,
    _: Reader,
    competition: Annotated[str | None, Query(max_length=16)] = None,
    start: datetime | None = None,
    end: datetime | None = None,
    status: Annotated[str | None, Query(pattern="^(scheduled|finished|postponed|awarded)$")] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Page[FixtureRead]:
    """Fixtures by kick-off: a competition, a time range [start, end), a status."""
    rows, total = catalog.fixtures(
        state.unit_of_work,
        competition=competition,
        start=start,
        end=end,
        status=status,
        limit=limit,
        offset=offset,
    )
    items = [FixtureRead.model_validate(row) for row in rows]
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.get("/{fixture_id}", response_model=FixtureRead)
def fixture(fixture_id: FixtureId, state: State, _: Reader) -> FixtureRead:
    """One fixture."""
    return FixtureRead.model_validate(catalog.fixture(state.unit_of_work, fixture_id))


@router.get("/{fixture_id}/odds", response_model=list[OddsRead])
def latest_odds(fixture_id: FixtureId, state: State, _: Reader) -> Response:
    """The latest price of every bookmaker, market, line and kind (cached: the market snapshot).

    Served from the market cache, invalidated by the fixture's next odds event.
    """

    def load() -> bytes:
        rows = catalog.latest_odds(state.unit_of_work, fixture_id)
        return _ODDS_LIST.dump_json([OddsRead.model_validate(r) for r in rows])

    return _cached_json(state.market_cache, fixture_id, load)


@router.get("/{fixture_id}/odds/history", response_model=Page[OddsRead])
def odds_history(
    fixture_id: FixtureId,
    *,
    state: State,
    _: Reader,
    market: Annotated[str | None, Query(pattern="^(1x2|over_under|asian_handicap)$")] = None,
    bookmaker: Annotated[str | None, Query(max_length=16)] = None,
    limit: Limit = 200,
    offset: Offset = 0,
) -> Page[OddsRead]:
    """Every stored snapshot of the fixture, in capture order."""
    rows, total = catalog.odds_history(
        state.unit_of_work,
        fixture_id,
        market=market,
        bookmaker=bookmaker,
        limit=limit,
        offset=offset,
    )
    items = [OddsRead.model_validate(row) for row in rows]
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.get("/{fixture_id}/prediction", response_model=PredictionRead)
def latest_prediction(fixture_id: FixtureId, state: State, _: Reader) -> Response:
    """The active model's newest prediction of the fixture (else the newest of an earlier
    version, which it names), with every market (cached)."""

    def load() -> bytes:
        found = catalog.latest_prediction(state.unit_of_work, fixture_id)
        return PredictionRead.model_validate(found).model_dump_json().encode()

    return _cached_json(state.predictions_cache, fixture_id, load)


@router.get("/{fixture_id}/predictions", response_model=Page[PredictionRead])
def prediction_history(
    fixture_id: FixtureId,
    state: State,
    _: Reader,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Page[PredictionRead]:
    """Every prediction of the fixture, newest first."""
    rows, total = catalog.prediction_history(
        state.unit_of_work, fixture_id, limit=limit, offset=offset
    )
    items = [PredictionRead.model_validate(row) for row in rows]
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.get("/{fixture_id}/prediction/grid", response_model=ScoreGridRead, responses=errors(409))
def prediction_grid(fixture_id: FixtureId, state: State, _: Reader) -> ScoreGridRead:
    """The exact-score grid of the fixture's prediction (the active model's newest, else an
    earlier version's).

    Rebuilt as a Dixon-Coles grid from the prediction's expected goals, which
    are that grid's Poisson rates (tau leaves both means unchanged), and its rho.
    """
    grid = board.score_grid(state.unit_of_work, fixture_id)
    return ScoreGridRead.model_validate(grid, from_attributes=True)


def _cached_json(
    cache: TieredPredictionCache | None, fixture_id: int, load: Callable[[], bytes]
) -> Response:
    """The fixture's entry of ``cache``, loaded on a miss; a load that fails (not found)
    raises through the cache and stores nothing."""
    body = None if cache is None else cache.read_fixture(fixture_id, load=load)
    return Response(body if body is not None else load(), media_type="application/json")
