"""Dead letters, for administrators: list them, count them by reason, replay them.

They live on the streams, not in the database (``messaging.dead_letter_box``):
with the bus down these answer 503, like any part that cannot be reached; a
process started without the streams has none to show.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from scoreline.api.context import ApiContext
from scoreline.api.routes.common import ERRORS, Admin, Limit, State
from scoreline.api.schemas.common import Page
from scoreline.api.schemas.dead_letters import (
    PAYLOAD_SHOWN,
    DeadLetterRead,
    DeadLetterReplayCreate,
    ReasonCountRead,
    ReplayOutcomeRead,
    ReplayRead,
)
from scoreline.messaging.dead_letter_box import DeadLetterBox, StoredDeadLetter
from scoreline.messaging.dead_letters import DEAD_LETTER_MAXLEN
from scoreline.messaging.memory_bus import MemoryBus
from scoreline.messaging.names import Streams

router = APIRouter(prefix="/admin/dead-letters", tags=["admin"], responses=ERRORS)

Code = Annotated[str | None, Query(max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]


@router.get("", response_model=Page[DeadLetterRead])
def list_dead_letters(
    state: State,
    _: Admin,
    limit: Limit = 50,
    offset: Annotated[int, Query(ge=0, le=DEAD_LETTER_MAXLEN)] = 0,
    reason: Code = None,
    stage: Code = None,
) -> Page[DeadLetterRead]:
    """Dead letters, newest first, of one ``reason`` and ``stage`` when given."""
    page = _box(state).list_(limit=limit, offset=offset, reason=reason, stage=stage)
    return Page(
        items=[_read(letter) for letter in page.items], total=page.total, limit=limit, offset=offset
    )


@router.get("/reasons", response_model=list[ReasonCountRead])
def count_dead_letters(state: State, _: Admin) -> list[ReasonCountRead]:
    """How many dead letters each stage gave up on for each reason, most first."""
    return [
        ReasonCountRead.model_validate(c, from_attributes=True)
        for c in _box(state).count_by_reason()
    ]


@router.post("/replay", response_model=list[ReplayOutcomeRead])
def replay_dead_letters(
    body: DeadLetterReplayCreate, state: State, caller: Admin
) -> list[ReplayOutcomeRead]:
    """Put each letter's original entry back on the stream it came from, once: a letter
    replayed before (by anyone) is skipped and says when and by whom."""
    outcomes = _box(state).replay(body.ids, by=f"user:{caller.user_id}")
    return [ReplayOutcomeRead.model_validate(o, from_attributes=True) for o in outcomes]


def _box(state: ApiContext) -> DeadLetterBox:
    """The deployment's dead letters; a process started without the streams has none (an
    empty in-process bus answers for it, so its pages are empty, never an error)."""
    if state.bus is None or state.streams is None:
        return DeadLetterBox(MemoryBus(), Streams())
    return DeadLetterBox(state.bus, state.streams)


def _read(letter: StoredDeadLetter) -> DeadLetterRead:
    replay = letter.replay
    return DeadLetterRead(
        id=letter.id,
        stage=letter.stage,
        reason=letter.reason,
        message=letter.message,
        stream=letter.stream,
        entry=letter.entry,
        deliveries=letter.deliveries,
        payload=letter.payload[:PAYLOAD_SHOWN],
        payload_length=len(letter.payload),
        encoding="hex" if letter.encoding == "hex" else "utf-8",
        at=letter.at,
        replay=None
        if replay is None
        else ReplayRead(at=replay.at, by=replay.by, replayed_as=replay.replayed_as),
    )
