"""Competitions: the leagues Scoreline stores, by football-data.co.uk code."""

from __future__ import annotations

from fastapi import APIRouter

from scoreline.api.routes.common import ERRORS, Limit, Offset, Reader, State
from scoreline.api.schemas.catalog import CompetitionRead
from scoreline.api.schemas.common import Page
from scoreline.services import catalog

router = APIRouter(prefix="/competitions", tags=["competitions"], responses=ERRORS)


@router.get("", response_model=Page[CompetitionRead])
def competitions(
    state: State, _: Reader, limit: Limit = 100, offset: Offset = 0
) -> Page[CompetitionRead]:
    """Every competition."""
    rows, total = catalog.competitions(state.unit_of_work, limit=limit, offset=offset)
    items = [CompetitionRead.model_validate(row) for row in rows]
    return Page(items=items, total=total, limit=limit, offset=offset)
