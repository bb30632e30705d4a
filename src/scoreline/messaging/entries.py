"""Reading a stream entry someone else wrote: a JSON object, and the ids it names.

Every consumer (the worker, settlement, the realtime bridge) reads entries that
anyone with access to Redis could have appended, so each field is checked before
it reaches a query: an entry is refused with ``EntryError`` and a stable
``reason``, which the consumer loop dead-letters:

    not_json        not UTF-8, not JSON, too deeply nested, or not a JSON object
    missing_field   a field the consumer needs is absent or null
    bad_id          an id that is not a whole number from 1 to the column's range
                    (``1e400``, ``2**64``, ``-3``, ``"7"``, ``true``, ``[1]`` ...)
"""

from __future__ import annotations

import json
import time
from typing import Any

from scoreline.domain.ids import MAX_BIG_ID, MAX_ID, is_id

__all__ = ["EntryError", "age_seconds", "json_object", "required_id"]


class EntryError(ValueError):
    """An entry that can never be used; ``reason`` is a stable code (see the module)."""

    def __init__(self, reason: str, message: str) -> None:
        self.reason = reason
        super().__init__(message)


def json_object(payload: bytes) -> dict[str, Any]:
    """The entry's JSON object, or ``EntryError("not_json")``."""
    try:
        body: object = json.loads(payload)
    except ValueError as error:  # not UTF-8, not JSON, or an integer of over 4,300 digits
        raise EntryError("not_json", f"not a JSON entry: {error}") from error
    except RecursionError as error:  # ``[[[[...`` deeper than the parser's stack
        raise EntryError("not_json", "the entry is nested too deeply to read") from error
    if not isinstance(body, dict):
        raise EntryError("not_json", "the entry is JSON but not an object")
    return body


def required_id(body: dict[str, Any], name: str, *, big: bool = False) -> int:
    """``body[name]`` as a row id (32-bit, or 64-bit when ``big``); ``EntryError`` saying
    why it is not one."""
    value = body.get(name)
    if value is None:
        raise EntryError("missing_field", f"the entry has no {name}")
    if not is_id(value, big=big):
        top = MAX_BIG_ID if big else MAX_ID
        shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:40] + "..."
        raise EntryError("bad_id", f"{name} {shown} is not a whole number from 1 to {top}")
    return int(value)


def age_seconds(entry_id: str) -> float:
    """Seconds since an entry was appended, from its ``<milliseconds>-<sequence>`` id (0 for
    an id of another shape): readers that only care about now skip older entries."""
    try:
        return time.time() - int(entry_id.partition("-")[0]) / 1000
    except ValueError:
        return 0.0
