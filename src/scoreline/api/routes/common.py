"""The parameter and dependency types every route module shares, defined once, and the error
responses every router declares.

``State`` is the gateway's context; ``Caller`` is any signed-in caller, and
``Reader``, ``Trader`` and ``Admin`` the signed-in caller holding that
permission; ``Limit``/``Offset`` page every list alike; ``FixtureId`` is a path
id within the database's integer range.

``ERRORS`` goes on every router (``APIRouter(..., responses=ERRORS)``): the
error statuses any route can answer, each with the one error body
(``schemas.common.ErrorResponse``). A route adds the statuses only it answers
with ``responses=errors(409, 429)``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Query
from fastapi import Path as PathParam

from scoreline.api.context import ApiContext
from scoreline.api.deps import context, current_principal, require
from scoreline.api.schemas.common import MAX_ID, MAX_OFFSET, ErrorResponse
from scoreline.domain.people import Principal, Scope
from scoreline.pricing.devig import DevigMethod
from scoreline.pricing.fair import FairMode

__all__ = [
    "ERRORS",
    "Admin",
    "Caller",
    "DevigQuery",
    "FairModeQuery",
    "FixtureId",
    "Limit",
    "Offset",
    "Reader",
    "State",
    "Trader",
    "errors",
]

State = Annotated[ApiContext, Depends(context)]
Caller = Annotated[Principal, Depends(current_principal)]
Reader = Annotated[Principal, Depends(require(Scope.READ))]
Trader = Annotated[Principal, Depends(require(Scope.TRADE))]
Admin = Annotated[Principal, Depends(require(Scope.ADMIN))]
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]
FixtureId = Annotated[int, PathParam(ge=1, le=MAX_ID)]
FairModeQuery = Annotated[
    FairMode | None,
    Query(
        description="Whose probability edges are measured against: the model, the sharp "
        "book's de-margined price (market) or their log-linear blend; default from settings"
    ),
]
DevigQuery = Annotated[
    DevigMethod | None,
    Query(description="How the sharp book's margin is removed; default from settings"),
]

_MEANINGS = {
    401: "Not signed in, or the credential is not valid",
    403: "Signed in, without the permission (or CSRF token) this needs",
    404: "Not found, or not yours",
    409: "Conflicts with what is stored",
    413: "The body is too large",
    415: "The body's media type is not accepted",
    422: "The input is not valid",
    429: "Too many attempts; see Retry-After",
    500: "A bug; it is logged",
    503: "The database or the stream bus is unavailable; try again",
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI responses for these error statuses, each with the one error body."""
    return {
        status: {"model": ErrorResponse, "description": _MEANINGS.get(status, "Error")}
        for status in statuses
    }


ERRORS = errors(401, 403, 404, 422, 500, 503)
"""The error responses of every route (pass as ``responses=`` to each ``APIRouter``)."""
