"""Pages, bounds on ids, the base of every request body, and the error body every route
answers with (declared once, on every router: ``api.routes.common.ERRORS``)."""

from __future__ import annotations

from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Strict, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from scoreline.domain.ids import MAX_BIG_ID, MAX_ID
from scoreline.domain.text import control_character

__all__ = [
    "EMAIL_PATTERN",
    "MAX_BIG_ID",
    "MAX_ID",
    "MAX_OFFSET",
    "ErrorDetail",
    "ErrorResponse",
    "Lax",
    "Page",
    "RequestBody",
    "control_character",
]

T = TypeVar("T")

# Ids and offsets are bounded where they enter (the ranges: ``domain.ids``).
MAX_OFFSET = 10**9

EMAIL_PATTERN = r"^[!-?A-~]+@[!-?A-~]+\.[!-?A-~]+$"  # visible ASCII, one @


Lax = Strict(False)
"""Metadata for the fields of a :class:`RequestBody` that parse text: a ``Decimal`` (sent
as ``"2.10"`` or a number) and an enum (sent as its value). JSON has neither type, and
FastAPI validates bodies in Python mode, where strict would want the instance itself."""


class RequestBody(BaseModel):
    """The base of every request body: strict types and no control characters.

    Strict, so ``"stake_minor": true`` or ``1.0`` or ``"1"`` is a 422 rather than a
    one-unit bet: an integer field takes a JSON integer, a boolean a JSON boolean,
    text a JSON string. Decimals and enums are marked :data:`Lax` where declared.
    Text anywhere in a field (lists included) may hold no control character, tab
    and newline included: no request field is free text over several lines. The
    exceptions are listed in ``takes_any_character``: a password is hashed, never
    stored or shown, and one set before this rule must still sign in.
    """

    model_config = ConfigDict(strict=True)

    takes_any_character: ClassVar[frozenset[str]] = frozenset({"password"})

    @field_validator("*")
    @classmethod
    def _no_control_characters(cls, value: Any, info: ValidationInfo) -> Any:
        if info.field_name not in cls.takes_any_character:
            found = _first_control(value)
            if found is not None:
                raise PydanticCustomError(
                    "control_character",
                    "contains the control character {found}; remove it",
                    {"found": found},
                )
        return value


def _first_control(value: object) -> str | None:
    """The first control character in text, or in text inside lists and dicts."""
    if isinstance(value, str):
        return control_character(value)
    if isinstance(value, list | tuple | set | frozenset):
        return next((f for f in map(_first_control, value) if f is not None), None)
    if isinstance(value, dict):
        return _first_control([*value.keys(), *value.values()])
    return None


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
