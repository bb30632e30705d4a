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

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Unpack

from scoreline.api.realtime._pusher import Emit, PusherOptions, StreamPusher
from scoreline.api.realtime.rooms import competition_room, fixture_room, user_room
from scoreline.domain.ids import is_id
from scoreline.messaging.bus import Bus, Delivery
from scoreline.messaging.consumer import Handler, Rejection
from scoreline.messaging.entries import EntryError, age_seconds, json_object
from scoreline.messaging.names import (
    BET_SETTLED,
    ODDS_UPDATE,
    PREDICTION_UPDATE,
    REALTIME_GROUP,
    Streams,
)
from scoreline.services import catalog

__all__ = ["Emit", "Push", "RealtimeBridge"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Push:
    """One emit: the event, the rooms it goes to and its payload."""

    event: str
    rooms: list[str]
    payload: dict[str, Any]


class RealtimeBridge(StreamPusher):
    """Reads the odds, predictions and settlements streams and pushes what arrives.

    Parameters are :class:`StreamPusher`'s; ``unit_of_work`` gives the competition of a
    predicted fixture (an entry names only the fixture).

    Attributes
    ----------
    forwarded, dropped : int
        Entries pushed, and entries acknowledged without a push (too old or unusable).
    """

    group = REALTIME_GROUP
    ready_part = "realtime-bridge"

    def __init__(self, bus: Bus, streams: Streams, **options: Unpack[PusherOptions]) -> None:
        super().__init__(bus, streams, **options)
        self.forwarded = self.dropped = 0
        self._competitions: dict[int, str] = {}

    def __repr__(self) -> str:
        return (
            f"RealtimeBridge(consumer={self.consumer!r}, "
            f"forwarded={self.forwarded}, dropped={self.dropped})"
        )

    def _handlers(self) -> list[tuple[str, Handler]]:
        return [
            (self.streams.odds, self._handler(self._odds)),
            (self.streams.predictions, self._handler(self._predictions)),
            (self.streams.settlements, self._handler(self._settlements)),
        ]

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
                    self._emit(outcome.event, outcome.payload, outcome.rooms)
                    pushes += 1
            with self._count:
                self.forwarded += pushes
                self.dropped += len(batch) - pushes
            return rejected

        return handle

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
