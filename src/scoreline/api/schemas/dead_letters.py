"""Dead letters: what a consumer gave up on, why, and replays of them."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from scoreline.api.schemas.common import RequestBody

__all__ = [
    "PAYLOAD_SHOWN",
    "DeadLetterRead",
    "DeadLetterReplayCreate",
    "ReasonCountRead",
    "ReplayOutcomeRead",
    "ReplayRead",
]

PAYLOAD_SHOWN = 4096
"""Characters of a payload a page shows (a poison entry can be megabytes)."""

EntryId = Annotated[str, Field(pattern=r"^[0-9]{1,20}-[0-9]{1,20}$", max_length=41)]


class ReplayRead(BaseModel):
    """That a letter was replayed: when, by whom, and as which new entry (null until
    published)."""

    at: str
    by: str
    replayed_as: str | None


class DeadLetterRead(BaseModel):
    """One dead letter: the stage (consumer group) that gave up, a stable ``reason``, the
    words, where the entry came from, and its original bytes (as text, or hex when they are
    not UTF-8), cut to ``PAYLOAD_SHOWN`` characters (``payload_length`` is the whole)."""

    id: str
    stage: str
    reason: str
    message: str
    stream: str | None
    entry: str | None
    deliveries: int | None
    payload: str
    payload_length: int
    encoding: Literal["utf-8", "hex"]
    at: str | None
    replay: ReplayRead | None


class ReasonCountRead(BaseModel):
    """Dead letters of one stage and reason, and how many of them were replayed."""

    stage: str
    reason: str
    count: int
    replayed: int


class DeadLetterReplayCreate(RequestBody):
    """The dead letters to put back on their streams (ids on the dead-letter stream)."""

    ids: list[EntryId] = Field(min_length=1, max_length=500)


class ReplayOutcomeRead(BaseModel):
    """What became of one letter: ``replayed_as`` its new entry, or ``skipped`` with a
    stable code (``not_found``, ``already_replayed``, ``not_replayable``) and a message."""

    id: str
    replayed_as: str | None
    skipped: Literal["not_found", "already_replayed", "not_replayable"] | None
    message: str | None
