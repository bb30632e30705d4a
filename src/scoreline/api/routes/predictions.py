"""The latest predictions of a competition: the hottest read of the API.

``api.fast_path`` answers the default page before FastAPI when this process
already holds it; the bytes it serves are the ones ``load`` below puts in the
cache, so the two answers are the same to the byte.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from starlette.concurrency import run_in_threadpool

from scoreline.api.routes.common import ERRORS, Limit, Offset, Reader, State
from scoreline.api.schemas.catalog import PredictionRead
from scoreline.api.schemas.common import Page
from scoreline.services import catalog

router = APIRouter(prefix="/predictions", tags=["predictions"], responses=ERRORS)

_DEFAULT_PAGE = 100


@router.get("", response_model=Page[PredictionRead])
async def predictions(
    state: State,
    _: Reader,
    competition: Annotated[str, Query(min_length=1, max_length=16)],
    limit: Limit = _DEFAULT_PAGE,
    offset: Offset = 0,
) -> Any:
    """The latest prediction of every fixture of a competition.

    The first page at the default size is served from the cache (invalidated by
    every prediction event); other pages are read from the database.
    """

    def load() -> bytes:
        rows = catalog.latest_predictions(state.unit_of_work, competition=competition)
        page = Page[PredictionRead](
            items=[PredictionRead.model_validate(r) for r in rows[offset : offset + limit]],
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
