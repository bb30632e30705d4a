"""The bridge from the streams to Socket.IO: odds, predictions and settled bets, pushed.

::

    odds, predictions, settlements streams
        │  consumer group "api-bridge": each entry goes to ONE API process
        ▼
    RealtimeBridge: one ConsumerLoop per stream, each on its thread
        │  handler: decode, pick rooms, then emit on the event loop
        ▼  (run_coroutine_threadsafe(...).result(timeout))
    SocketServer.emit ── Redis manager (pub/sub) ──► the sockets of every API process
        competition:E0 + fixture:123   (odds:update, prediction:update)
        user:7                         (bet:settled, without its owner_id)

Why a consumer group *and* the Redis manager: the group makes sure an entry is
emitted once in all (two processes tailing the stream would both emit it, and a
client would see it twice); the manager makes that one emit reach the clients of
every process, wherever they are connected. Without Redis there is one process
and Socket.IO's in-process manager does the same job.

Entries older than ``max_age_seconds`` are acknowledged without being pushed: a
live board wants what is happening, and a group made on a long stream (the first
start, or after an outage) would otherwise replay history into every browser.
An entry that cannot be used (not JSON, no ``fixture_id`` or ``owner_id`` that is
a row id, a fixture of no known competition) is dead-lettered by the loop.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any

from scoreline.api.realtime.rooms import competition_room, fixture_room, user_room
from scoreline.domain.ids import is_id
from scoreline.messaging.bus import Bus, Delivery
from scoreline.messaging.consumer import LoopSet, Rejection
from scoreline.messaging.entries import EntryError, age_seconds, json_object
from scoreline.messaging.names import (
    BET_SETTLED,
    ODDS_UPDATE,
    PREDICTION_UPDATE,
    REALTIME_GROUP,
    Streams,
    consumer_name,
)
from scoreline.services import catalog, health
from scoreline.storage.unit_of_work import UnitOfWorkFactory

__all__ = ["Emit", "Push", "RealtimeBridge"]

logger = logging.getLogger(__name__)

Emit = Callable[[str, dict[str, Any], list[str]], Coroutine[Any, Any, None]]
"""Emits an event with its payload to rooms (``SocketServer.emit``)."""


@dataclass(frozen=True, slots=True)
class Push:
    """One emit: the event, the rooms it goes to and its payload."""

    event: str
    rooms: list[str]
    payload: dict[str, Any]


class RealtimeBridge:
    """Reads the odds, predictions and settlements streams and pushes what arrives.

    Parameters
    ----------
    bus, streams : Bus, Streams
        Where the entries arrive.
    unit_of_work : UnitOfWorkFactory
        For the competition of a predicted fixture (an entry names only the fixture).
    emit : Emit
        How to push, on the event loop ``start`` runs on.
    consumer : str, optional
        This process's name in the group; host, pid and a random part by default, so two
        processes never share one.
    max_age_seconds : float
        Older entries are acknowledged without a push (read on every batch).
    emit_timeout_s : float
        The longest a handler thread waits for one emit on the event loop.
    block_ms : int
        How long a read waits; bounds how long ``stop`` takes.
    on_dead_letter : callable, optional
        Told the reason of each entry the loops dead-letter (the API's metric).

    Attributes
    ----------
    forwarded, dropped : int
        Entries pushed, and entries acknowledged without a push (too old or unusable).
    """

    ready_part = "realtime-bridge"
    """Its name in the API's readiness checks."""

    def __init__(
        self,
        bus: Bus,
        streams: Streams,
        *,
        unit_of_work: UnitOfWorkFactory,
        emit: Emit,
        consumer: str | None = None,
        max_age_seconds: float = 300.0,
        emit_timeout_s: float = 5.0,
        block_ms: int = 500,
        on_dead_letter: Callable[[str], None] | None = None,
    ) -> None:
        self.bus, self.streams, self.unit_of_work, self.emit = bus, streams, unit_of_work, emit
        self.on_dead_letter = on_dead_letter
        self.consumer = consumer or consumer_name()
        self.max_age_seconds, self.emit_timeout_s, self.block_ms = (
            max_age_seconds, emit_timeout_s, block_ms,
        )  # fmt: skip
        self.forwarded = self.dropped = 0
        self._count = threading.Lock()
        self._competitions: dict[int, str] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loops: LoopSet | None = None

    def __repr__(self) -> str:
        return (
            f"RealtimeBridge(consumer={self.consumer!r}, "
            f"forwarded={self.forwarded}, dropped={self.dropped})"
        )

    # -- lifecycle ----------------------------------------------------------------------

    def start(self) -> None:
        """One consumer loop per stream, each on its thread; call on the event loop that
        emits (the ASGI lifespan)."""
        if self._loops is not None:
            raise RuntimeError(f"{self!r} was already started")
        self._loop = asyncio.get_running_loop()
        self._loops = LoopSet(
            self.bus,
            group=REALTIME_GROUP,
            consumer=self.consumer,
            dead_letter_stream=self.streams.dead_letter,
            block_ms=self.block_ms,
            on_dead_letter=self.on_dead_letter,
            healthy=self.parts_healthy,
        )
        self._loops.start(
            [
                (self.streams.odds, self._handler(self._odds)),
                (self.streams.predictions, self._handler(self._predictions)),
                (self.streams.settlements, self._handler(self._settlements)),
            ]
        )
        logger.info("realtime bridge started as %s in group %s", self.consumer, REALTIME_GROUP)

    def stop(self) -> None:
        """Let each loop finish its batch, then return (blocking: call off the event loop,
        which the last emits still need)."""
        if self._loops is not None:
            self._loops.stop(batch_timeout_s=self.emit_timeout_s)
        logger.info(
            "realtime bridge stopped: %d forwarded, %d dropped", self.forwarded, self.dropped
        )

    def is_alive(self) -> bool:
        """Whether every loop is running and went round recently (readiness)."""
        return self._loops is not None and self._loops.is_alive()

    def parts_healthy(self) -> bool:
        """Whether the bus and the database answer (a loop asks when a batch fails in a
        way that looks transient)."""
        return self.bus.ping() and health.database_problem(self.unit_of_work) is None

    # -- one batch ----------------------------------------------------------------------

    def _handler(
        self, decide: Callable[[list[dict[str, Any]]], list[Push | str]]
    ) -> Callable[[Sequence[Delivery]], list[Rejection]]:
        """A ConsumerLoop handler: decode, let ``decide`` turn bodies into pushes (or reasons
        to refuse), emit, count."""

        def handle(batch: Sequence[Delivery]) -> list[Rejection]:
            rejected: list[Rejection] = []
            fresh: list[tuple[Delivery, dict[str, Any]]] = []
            for delivery in batch:
                if age_seconds(delivery.id) > self.max_age_seconds:
                    logger.debug("%s entry %s is too old to push", delivery.stream, delivery.id)
                    continue
                try:
                    fresh.append((delivery, json_object(delivery.payload)))
                except EntryError as error:
                    rejected.append(Rejection(delivery, error.reason, str(error)))
            decided = decide([body for _, body in fresh]) if fresh else []
            pushes = 0
            for (delivery, _), outcome in zip(fresh, decided, strict=True):
                if isinstance(outcome, str):
                    rejected.append(Rejection(delivery, "unusable", outcome))
                else:
                    self._emit(outcome)
                    pushes += 1
            with self._count:
                self.forwarded += pushes
                self.dropped += len(batch) - pushes
            return rejected

        return handle

    def _emit(self, push: Push) -> None:
        loop = self._loop
        assert loop is not None, "start() sets the loop"
        future = asyncio.run_coroutine_threadsafe(
            self.emit(push.event, push.payload, push.rooms), loop
        )
        future.result(self.emit_timeout_s)

    def _odds(self, bodies: list[dict[str, Any]]) -> list[Push | str]:
        out: list[Push | str] = []
        for body in bodies:
            code, fixture_id = body.get("competition"), _integer(body, "fixture_id")
            if not isinstance(code, str) or not code or fixture_id is None:
                out.append("an odds entry needs an integer fixture_id and a competition")
                continue
            rooms = [fixture_room(fixture_id), competition_room(code)]
            out.append(Push(ODDS_UPDATE, rooms, body))
        return out

    def _predictions(self, bodies: list[dict[str, Any]]) -> list[Push | str]:
        """Prediction entries carry no competition: the fixture's is looked up, once."""
        ids = [_integer(body, "fixture_id") for body in bodies]
        self._learn_competitions({i for i in ids if i is not None})
        out: list[Push | str] = []
        for body, fixture_id in zip(bodies, ids, strict=True):
            code = None if fixture_id is None else self._competitions.get(fixture_id)
            if fixture_id is None or code is None:
                out.append(f"prediction for fixture {body.get('fixture_id')!r}, which is unknown")
                continue
            rooms = [fixture_room(fixture_id), competition_room(code)]
            out.append(Push(PREDICTION_UPDATE, rooms, {**body, "competition": code}))
        return out

    def _settlements(self, bodies: list[dict[str, Any]]) -> list[Push | str]:
        """To the bet's owner only, without naming them (the payload clients got before)."""
        out: list[Push | str] = []
        for body in bodies:
            owner = _integer(body, "owner_id")
            if owner is None:
                out.append("a settlement entry needs an integer owner_id")
                continue
            payload = {k: v for k, v in body.items() if k != "owner_id"}
            out.append(Push(BET_SETTLED, [user_room(owner)], payload))
        return out

    def _learn_competitions(self, fixture_ids: set[int]) -> None:
        """Remember the competition code of fixtures not seen before, in one query."""
        unknown = fixture_ids - self._competitions.keys()
        if not unknown:
            return
        if len(self._competitions) > 100_000:  # bound the memory of a long-lived process
            self._competitions.clear()
        self._competitions.update(catalog.competition_codes(self.unit_of_work, sorted(unknown)))


def _integer(body: dict[str, Any], name: str) -> int | None:
    """``body[name]`` when it is a row id (``domain.ids``), else None."""
    value = body.get(name)
    return value if is_id(value) else None
