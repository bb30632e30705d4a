"""Competitions, teams, fixtures, odds, predictions and models: what anyone signed in may read."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Response
from pydantic import TypeAdapter
from starlette.concurrency import run_in_threadpool

from scoreline.api.routes.common import Limit, Offset, Reader, State
from scoreline.api.schemas.catalog import Competition, Fixture, Odds, Prediction, Team
from scoreline.api.schemas.common import MAX_ID, Page
from scoreline.api.schemas.models import ModelVersionOut
from scoreline.services import catalog, model_versions

router = APIRouter(tags=["catalog"])

_DEFAULT_PAGE = 100
_ODDS_LIST = TypeAdapter(list[Odds])


@router.get("/competitions", response_model=Page[Competition])
def competitions(state: State, _: Reader, limit: Limit = 100, offset: Offset = 0) -> Page[Any]:
    """Every competition."""
    rows, total = catalog.competitions(state.unit_of_work, limit=limit, offset=offset)
    return Page(items=rows, total=total, limit=limit, offset=offset)


@router.get("/teams", response_model=Page[Team])
def teams(
    *,
    state: State,
    _: Reader,
    country: Annotated[str | None, Query(max_length=60)] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Page[Any]:
    """Teams, optionally of one country."""
    rows, total = catalog.teams(state.unit_of_work, country=country, limit=limit, offset=offset)
    return Page(items=rows, total=total, limit=limit, offset=offset)


@router.get("/fixtures", response_model=Page[Fixture])
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
) -> Page[Any]:
    """Fixtures by kick-off: a competition, a time range [start, end), a status."""
    for name, value in (("start", start), ("end", end)):
        if value is not None and value.tzinfo is None:
            raise HTTPException(422, f"{name} needs a time zone, e.g. 2023-05-01T00:00:00Z")
    rows, total = catalog.fixtures(
        state.unit_of_work,
        competition=competition,
        start=start,
        end=end,
        status=status,
        limit=limit,
        offset=offset,
    )
    return Page(items=rows, total=total, limit=limit, offset=offset)


@router.get("/fixtures/{fixture_id}", response_model=Fixture, responses={404: {}})
def fixture(fixture_id: Annotated[int, Path(ge=1, le=MAX_ID)], state: State, _: Reader) -> Any:
    """One fixture."""
    return catalog.fixture(state.unit_of_work, fixture_id)


@router.get("/fixtures/{fixture_id}/odds", response_model=list[Odds], responses={404: {}})
def latest_odds(fixture_id: Annotated[int, Path(ge=1, le=MAX_ID)], state: State, _: Reader) -> Any:
    """The latest price of every bookmaker, market, line and kind (cached: the market snapshot).

    Served from the market cache, invalidated by the fixture's next odds event.
    """

    def load() -> bytes | None:
        rows = catalog.latest_odds(state.unit_of_work, fixture_id)
        return _ODDS_LIST.dump_json([Odds.model_validate(r, from_attributes=True) for r in rows])

    cache = state.market_cache
    body = load() if cache is None else cache.read_fixture(fixture_id, load=load)
    if body is None:
        raise HTTPException(404, f"fixture {fixture_id} not found")
    return Response(body, media_type="application/json")


@router.get("/fixtures/{fixture_id}/odds/history", response_model=Page[Odds], responses={404: {}})
def odds_history(
    fixture_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    *,
    state: State,
    _: Reader,
    market: Annotated[str | None, Query(pattern="^(1x2|over_under|asian_handicap)$")] = None,
    bookmaker: Annotated[str | None, Query(max_length=16)] = None,
    limit: Limit = 200,
    offset: Offset = 0,
) -> Page[Any]:
    """Every stored snapshot of the fixture, in capture order."""
    rows, total = catalog.odds_history(
        state.unit_of_work,
        fixture_id,
        market=market,
        bookmaker=bookmaker,
        limit=limit,
        offset=offset,
    )
    return Page(items=rows, total=total, limit=limit, offset=offset)


@router.get("/fixtures/{fixture_id}/prediction", response_model=Prediction, responses={404: {}})
def latest_prediction(
    fixture_id: Annotated[int, Path(ge=1, le=MAX_ID)], state: State, _: Reader
) -> Any:
    """The active model's newest prediction of the fixture, with every market (cached)."""

    def load() -> bytes | None:
        rows = catalog.latest_predictions(state.unit_of_work, fixture_ids=[fixture_id])
        if not rows:
            return None
        return Prediction.model_validate(rows[0], from_attributes=True).model_dump_json().encode()

    cache = state.predictions_cache
    body = load() if cache is None else cache.read_fixture(fixture_id, load=load)
    if body is None:
        raise HTTPException(404, f"no prediction of fixture {fixture_id} yet")
    return Response(body, media_type="application/json")


@router.get("/fixtures/{fixture_id}/predictions", response_model=Page[Prediction])
def prediction_history(
    fixture_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    state: State,
    _: Reader,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Page[Any]:
    """Every prediction of the fixture, newest first."""
    rows, total = catalog.prediction_history(
        state.unit_of_work, fixture_id, limit=limit, offset=offset
    )
    return Page(items=rows, total=total, limit=limit, offset=offset)


@router.get("/predictions", response_model=Page[Prediction])
async def predictions(
    state: State,
    _: Reader,
    competition: Annotated[str, Query(min_length=1, max_length=16)],
    limit: Limit = 100,
    offset: Offset = 0,
) -> Any:
    """The latest prediction of every fixture of a competition.

    The first page at the default size is served from the cache (invalidated by
    every prediction event); other pages are read from the database.
    """

    def load() -> bytes:
        rows = catalog.latest_predictions(state.unit_of_work, competition=competition)
        page = Page[Prediction](
            items=[
                Prediction.model_validate(r, from_attributes=True)
                for r in rows[offset : offset + limit]
            ],
            total=len(rows),
            limit=limit,
            offset=offset,
        )
        return page.model_dump_json().encode()

    cache = state.predictions_cache
    body = None
    if cache is not None and (limit, offset) == (_DEFAULT_PAGE, 0):
        # A hit in this process's memory is answered on the event loop; a miss goes
        # to Redis and the database on a thread.
        body = cache.peek_competition(competition) or await run_in_threadpool(
            cache.read_competition, competition, load=load
        )
    if body is None:
        body = await run_in_threadpool(load)
    return Response(body, media_type="application/json")


@router.get("/models", response_model=Page[ModelVersionOut])
def models(state: State, _: Reader, limit: Limit = 50, offset: Offset = 0) -> Page[Any]:
    """Registered model versions, newest first, with their backtest metrics; one is active."""
    rows, total = model_versions.list_(state.unit_of_work, limit=limit, offset=offset)
    items = [ModelVersionOut.model_validate(r, from_attributes=True) for r in rows]
    return Page(items=items, total=total, limit=limit, offset=offset)
