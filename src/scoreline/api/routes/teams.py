"""Teams, by name, optionally of one country."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from scoreline.api.routes.common import ERRORS, Limit, Offset, Reader, State
from scoreline.api.schemas.catalog import TeamRead
from scoreline.api.schemas.common import Page
from scoreline.services import catalog

router = APIRouter(prefix="/teams", tags=["teams"], responses=ERRORS)


@router.get("", response_model=Page[TeamRead])
def teams(
    *,
    state: State,
    _: Reader,
    country: Annotated[str | None, Query(max_length=60)] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Page[TeamRead]:
    """Teams, optionally of one country."""
    rows, total = catalog.teams(state.unit_of_work, country=country, limit=limit, offset=offset)
    items = [TeamRead.model_validate(row) for row in rows]
    return Page(items=items, total=total, limit=limit, offset=offset)
