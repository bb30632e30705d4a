"""What the realtime bridge and the alert relay share: one consumer group's loops on
threads, and emits handed to the ASGI event loop they were started from.

A subclass names its group and its (stream, handler) pairs; its handlers call ``_emit``
from their loop threads, which waits for the emit on the event loop (at most
``emit_timeout_s``), so an entry is acknowledged only once it was pushed.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Coroutine, Sequence
from typing import Any, ClassVar, NotRequired, TypedDict, Unpack

from scoreline.messaging.bus import Bus
from scoreline.messaging.consumer import Handler, LoopSet
from scoreline.messaging.names import Streams, consumer_name
from scoreline.services import health
from scoreline.storage.unit_of_work import UnitOfWorkFactory

__all__ = ["Emit", "PusherOptions", "StreamPusher"]

logger = logging.getLogger(__name__)

Emit = Callable[[str, dict[str, Any], list[str]], Coroutine[Any, Any, None]]
"""Emits an event with its payload to rooms (``SocketServer.emit``)."""


class PusherOptions(TypedDict):
    """The keyword arguments of every pusher (see :class:`StreamPusher`), typed once."""

    unit_of_work: UnitOfWorkFactory
    emit: Emit
    consumer: NotRequired[str | None]
    max_age_seconds: NotRequired[float]
    emit_timeout_s: NotRequired[float]
    block_ms: NotRequired[int]
    on_dead_letter: NotRequired[Callable[[str], None] | None]


class StreamPusher:
    """One group's loops, reading streams on threads and pushing on the event loop.

    Parameters
    ----------
    bus, streams : Bus, Streams
        Where the entries arrive.
    unit_of_work : UnitOfWorkFactory
        The database the handlers read (and ``parts_healthy`` asks).
    emit : Emit
        How to push, on the event loop ``start`` runs on.
    consumer : str, optional
        This process's name in the group; host, pid and a random part by default, so two
        processes never share one.
    max_age_seconds : float
        Older entries are acknowledged without a push (read on every batch); 300 s.
    emit_timeout_s : float
        The longest a handler thread waits for one emit on the event loop; 5 s.
    block_ms : int
        How long a read waits; bounds how long ``stop`` takes; 500 ms.
    on_dead_letter : callable, optional
        Told the reason of each entry the loops dead-letter (the API's metric).
    """

    group: ClassVar[str]
    """The consumer group the loops read in."""
    ready_part: ClassVar[str]
    """Its name in the API's readiness checks."""

    def __init__(self, bus: Bus, streams: Streams, **options: Unpack[PusherOptions]) -> None:
        self.bus, self.streams = bus, streams
        self.unit_of_work, self.emit = options["unit_of_work"], options["emit"]
        self.on_dead_letter = options.get("on_dead_letter")
        self.consumer = options.get("consumer") or consumer_name()
        self.max_age_seconds = options.get("max_age_seconds", 300.0)
        self.emit_timeout_s = options.get("emit_timeout_s", 5.0)
        self.block_ms = options.get("block_ms", 500)
        self._count = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loops: LoopSet | None = None

    def _handlers(self) -> Sequence[tuple[str, Handler]]:
        """Each stream read, with its handler."""
        raise NotImplementedError

    def start(self) -> None:
        """One consumer loop per stream, each on its thread; call on the event loop that
        emits (the ASGI lifespan)."""
        if self._loops is not None:
            raise RuntimeError(f"{self!r} was already started")
        self._loop = asyncio.get_running_loop()
        self._loops = LoopSet(
            self.bus,
            group=self.group,
            consumer=self.consumer,
            dead_letter_stream=self.streams.dead_letter,
            block_ms=self.block_ms,
            on_dead_letter=self.on_dead_letter,
            healthy=self.parts_healthy,
        )
        self._loops.start(self._handlers())
        logger.info("%s started as %s in group %s", self.ready_part, self.consumer, self.group)

    def stop(self) -> None:
        """Let each loop finish its batch, then return (blocking: call off the event loop,
        which the last emits still need)."""
        if self._loops is not None:
            self._loops.stop(batch_timeout_s=self.emit_timeout_s)
        logger.info("%s stopped: %r", self.ready_part, self)

    def is_alive(self) -> bool:
        """Whether every loop is running and went round recently (readiness)."""
        return self._loops is not None and self._loops.is_alive()

    def parts_healthy(self) -> bool:
        """Whether the bus and the database answer (a loop asks when a batch fails in a
        way that looks transient)."""
        return self.bus.ping() and health.database_problem(self.unit_of_work) is None

    def _emit(self, event: str, payload: dict[str, Any], rooms: list[str]) -> None:
        """Push from a loop thread: hand the emit to the event loop and wait for it."""
        loop = self._loop
        assert loop is not None, "start() sets the loop"
        future = asyncio.run_coroutine_threadsafe(self.emit(event, payload, rooms), loop)
        future.result(self.emit_timeout_s)
