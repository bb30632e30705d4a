"""Checks on decoded JSON, shared by the client (which raises) and the converter (which reports).

Each check raises ``ShapeError`` with a reason that names the field and what it
held; the caller adds where (which endpoint, event or market) and decides
whether the whole answer or one part of it is refused.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime

__all__ = [
    "ShapeError",
    "as_object",
    "field_list",
    "field_number",
    "field_text",
    "field_time",
    "iso_z",
]

_PREVIEW_CHARS = 60


class ShapeError(Exception):
    """A JSON value that is not what The Odds API documents; the message is the reason."""


def _preview(value: object) -> str:
    text = repr(value)
    return text if len(text) <= _PREVIEW_CHARS else text[:_PREVIEW_CHARS] + "…"


def as_object(value: object, what: str) -> Mapping[str, object]:
    """``value`` as a JSON object, else ShapeError naming ``what`` it should have been."""
    if not isinstance(value, Mapping):
        raise ShapeError(f"{what} must be an object, got {type(value).__name__}")
    return value


def field_text(obj: Mapping[str, object], name: str) -> str:
    """A non-empty string field, stripped."""
    value = obj.get(name)
    if not isinstance(value, str) or not value.strip():
        raise ShapeError(f"{name} must be a non-empty string, got {_preview(value)}")
    return value.strip()


def field_list(obj: Mapping[str, object], name: str) -> list[object]:
    """A list field (possibly empty)."""
    value = obj.get(name)
    if not isinstance(value, list):
        raise ShapeError(f"{name} must be a list, got {_preview(value)}")
    return value


def field_time(obj: Mapping[str, object], name: str) -> datetime:
    """An ISO 8601 time field with a zone (``dateFormat=iso``), as UTC."""
    text = field_text(obj, name)
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ShapeError(f"{name} {text!r} is not an ISO 8601 time") from None
    if value.tzinfo is None:
        raise ShapeError(f"{name} {text!r} has no time zone")
    return value.astimezone(UTC)


def field_number(obj: Mapping[str, object], name: str) -> float | int:
    """A finite JSON number field (booleans are not numbers here)."""
    value = obj.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ShapeError(f"{name} must be a number, got {_preview(value)}")
    if not math.isfinite(value):
        raise ShapeError(f"{name} must be finite, got {value!r}")
    return value


def iso_z(value: datetime) -> str:
    """A UTC time as the wire form of ``RawTick``: ISO 8601 ending in ``Z``."""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
