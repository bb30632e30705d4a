"""Pages, bounds on ids, and the error body every route answers with (declared once, on
every router: ``api.routes.common.ERRORS``)."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel

from scoreline.domain.ids import MAX_BIG_ID, MAX_ID

__all__ = [
    "EMAIL_PATTERN",
    "MAX_BIG_ID",
    "MAX_ID",
    "MAX_OFFSET",
    "ErrorDetail",
    "ErrorResponse",
    "Page",
]

T = TypeVar("T")

# Ids and offsets are bounded where they enter (the ranges: ``domain.ids``).
MAX_OFFSET = 10**9

EMAIL_PATTERN = r"^[!-?A-~]+@[!-?A-~]+\.[!-?A-~]+$"  # visible ASCII, one @


class ErrorDetail(BaseModel):
    """One thing that went wrong.

    ``type`` is a stable code (``unauthorized``, ``forbidden``, ``not_found``,
    ``conflict``, ``invalid``, ``rate_limited``, ``unavailable``, ``internal``…);
    ``msg`` says what and what to do next; ``loc`` names the input at fault
    (``["body", "email"]``, ``["query", "limit"]``), empty when none is.
    """

    loc: list[str | int]
    msg: str
    type: str


class ErrorResponse(BaseModel):
    """Every error the API answers, whatever the status: FastAPI's validation shape, so
    one parser reads them all."""

    detail: list[ErrorDetail]


class Page(BaseModel, Generic[T]):
    """One page of a list, and how many there are in all."""

    items: list[T]
    total: int
    limit: int
    offset: int
