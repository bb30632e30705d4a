"""The one consumer loop every stream reader runs: the worker, settlement, the realtime bridge.

::

    ensure group ─► claim stale entries (every claim_every_s) or read new ones
        │
        ├─ delivered more than max_deliveries times ─► dead letter, ack
        ├─ handler(batch) returns ─► its rejections dead-lettered, everything acked
        ├─ handler raises a transient error (bus or database down)
        │       ─► are the parts healthy (``healthy()``)? no: wait, then the same
        │          batch again (nothing is acked or lost); yes: the failure is the
        │          entries' own (a poison entry can make a statement fail in a way
        │          that looks transient), handled as below
        └─ handler raises anything else (whatever the exception)
                ─► a batch is split and each entry handled alone, so one poison
                   entry never holds back the valid ones beside it; an entry that
                   still fails stays pending, is claimed again after
                   claim_idle_ms, and is dead-lettered at its max_deliveries-th try

Nothing an entry does ends the loop: an error outside the handler (a bus
answering nonsense) is logged and the loop goes round again after a pause.
``stop()`` lets the current batch finish and be acknowledged; ``run()`` then
returns with one log line of counts. A handler must have committed (and
published) its effects before it returns: the loop acknowledges right after,
and a crash in between only redelivers, which handlers tolerate because every
write they make is idempotent.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from scoreline.errors import BusUnavailableError, StorageUnavailableError
from scoreline.messaging.bus import Bus, Delivery
from scoreline.messaging.dead_letters import DEAD_LETTER_MAXLEN, DeadLetter, encode_dead_letter

__all__ = [
    "TRANSIENT",
    "ConsumerConfig",
    "ConsumerLoop",
    "ConsumerStats",
    "Handler",
    "LoopSet",
    "Rejection",
]

logger = logging.getLogger(__name__)

TRANSIENT: tuple[type[Exception], ...] = (BusUnavailableError, StorageUnavailableError)
"""Failures of the parts, not of the entry: retried as they are, never dead-lettered."""


@dataclass(frozen=True, slots=True)
class Rejection:
    """An entry a handler cannot use, ever: dead-lettered with ``reason`` (a stable code)."""

    delivery: Delivery
    reason: str
    message: str


Handler = Callable[[Sequence[Delivery]], Sequence[Rejection]]
"""Handles a batch; returns the entries it refuses. Raising means "not handled"."""


@dataclass(frozen=True, slots=True)
class ConsumerConfig:
    """Where a loop reads and how it retries.

    ``consumer`` must be unique per process: two processes under one name would
    share pending entries and claim each other's work as if it were their own.
    """

    stream: str
    group: str
    consumer: str
    dead_letter_stream: str
    batch: int = 100
    block_ms: int = 500
    claim_idle_ms: int = 15_000
    claim_every_s: float = 2.0
    max_deliveries: int = 5
    retry_sleep_s: float = 0.5


@dataclass
class ConsumerStats:
    """What a loop has done since it started."""

    batches: int = 0
    handled: int = 0
    dead_lettered: int = 0
    failures: int = 0
    reasons: dict[str, int] = field(default_factory=dict)


class ConsumerLoop:
    """Reads one stream through one group and hands batches to ``handler``.

    Parameters
    ----------
    bus : Bus
        Where the stream lives.
    config : ConsumerConfig
        Stream, group, consumer name and tuning.
    handler : Handler
        What to do with a batch (see the module docstring).
    on_dead_letter : callable, optional
        Told each dead letter's reason (metrics).
    on_idle : callable, optional
        Called after every read, with or without entries: periodic work of the
        process (gauges, following the active model) that must run between batches.
    transient : tuple of exception types
        Failures retried as they are (default: the bus or the database unavailable).
    healthy : callable, optional
        Whether the parts the handler needs answer (the bus, the database); asked when
        the handler raises a transient error, to tell an outage (wait and retry) from
        an entry that only looks like one (isolate it). Default: the bus answers a ping.
    """

    def __init__(
        self,
        bus: Bus,
        config: ConsumerConfig,
        handler: Handler,
        *,
        on_dead_letter: Callable[[str], None] | None = None,
        on_idle: Callable[[], None] | None = None,
        transient: tuple[type[Exception], ...] = TRANSIENT,
        healthy: Callable[[], bool] | None = None,
    ) -> None:
        self.bus, self.config, self.handler = bus, config, handler
        self.on_dead_letter, self.on_idle, self.transient = on_dead_letter, on_idle, transient
        self.healthy = healthy or bus.ping
        self.stats = ConsumerStats()
        self.beat_at = time.monotonic()
        self._stop = threading.Event()
        self._running = threading.Event()
        self._last_claim = 0.0
        self._thread: threading.Thread | None = None

    def __repr__(self) -> str:
        c, s = self.config, self.stats
        return (
            f"ConsumerLoop({c.stream!r}, group={c.group!r}, consumer={c.consumer!r},"
            f" handled={s.handled}, dead_lettered={s.dead_lettered}, failures={s.failures})"
        )

    # -- lifecycle ----------------------------------------------------------------------

    @property
    def stopping(self) -> bool:
        """Whether ``stop`` was called."""
        return self._stop.is_set()

    def stop(self) -> None:
        """Finish the current batch, acknowledge it, and return from ``run``."""
        self._stop.set()

    def start(self) -> ConsumerLoop:
        """Run in a daemon thread named after the stream and group."""
        if self._thread is not None:
            raise RuntimeError(f"{self!r} was already started")
        name = f"consumer:{self.config.group}:{self.config.stream}"
        self._thread = threading.Thread(target=self.run, name=name, daemon=True)
        self._thread.start()
        return self

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the thread; whether it has ended."""
        if self._thread is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def is_alive(self, *, within_s: float = 30.0) -> bool:
        """Whether ``run`` is running, on this loop's thread or the caller's, and went round
        within ``within_s`` (readiness): a loop never started, stopped, or stuck is not."""
        recent = time.monotonic() - self.beat_at <= within_s
        return self._running.is_set() and not self.stopping and recent

    def run(self) -> None:
        """Read and handle until ``stop``; failures are logged and retried, never fatal."""
        c = self.config
        self._running.set()
        try:
            self._retry(lambda: self.bus.ensure_group(c.stream, c.group), "creating the group")
            logger.info("consumer %s reading %s in group %s", c.consumer, c.stream, c.group)
            while not self._stop.is_set():
                try:
                    self.step()
                except Exception:  # never fatal: the bug is logged and the loop goes on
                    self.stats.failures += 1
                    logger.exception("consumer %s on %s failed a round", c.consumer, c.stream)
                    self._stop.wait(c.retry_sleep_s)
        finally:
            self._running.clear()
        s = self.stats
        logger.info(
            "consumer %s on %s stopped: %d handled in %d batches, %d dead-lettered, %d failures",
            c.consumer, c.stream, s.handled, s.batches, s.dead_lettered, s.failures,
        )  # fmt: skip

    def step(self) -> int:
        """One read and its handling; how many entries came."""
        self.beat_at = time.monotonic()
        try:
            deliveries = self._next()
        except self.transient as error:
            logger.warning("%s: %s; retrying", self.config.stream, error)
            self._stop.wait(self.config.retry_sleep_s)
            return 0
        if deliveries:
            self._handle(deliveries)
        if self.on_idle is not None:
            try:
                self.on_idle()
            except Exception:  # periodic work must not end the loop; the bug is logged
                logger.exception("periodic work of consumer %s failed", self.config.consumer)
        return len(deliveries)

    # -- one batch ----------------------------------------------------------------------

    def _next(self) -> list[Delivery]:
        c = self.config
        if time.monotonic() - self._last_claim >= c.claim_every_s:
            self._last_claim = time.monotonic()
            stale = self.bus.claim_stale(
                c.stream, c.group, c.consumer, min_idle_ms=c.claim_idle_ms, count=c.batch
            )
            if stale:
                logger.warning("%s: took over %d stale entries", c.stream, len(stale))
                return stale
        return self.bus.read(c.stream, c.group, c.consumer, count=c.batch, block_ms=c.block_ms)

    def _handle(self, deliveries: Sequence[Delivery]) -> None:
        c = self.config
        fresh: list[Delivery] = []
        for delivery in deliveries:
            if delivery.deliveries > c.max_deliveries:
                self._dead_letter(
                    delivery,
                    "too_many_deliveries",
                    f"delivered {delivery.deliveries} times without being handled",
                )
            else:
                fresh.append(delivery)
        if fresh:
            self._attempt(fresh)
        self.stats.batches += 1

    def _attempt(self, batch: Sequence[Delivery]) -> None:
        while True:
            try:
                rejected = self.handler(batch)
            except self.transient as error:
                if self._stop.is_set():
                    return  # left pending: another consumer (or this one, restarted) takes it
                if self._parts_healthy():
                    self._failed(batch, error)  # the parts answer: the entries are at fault
                    return
                logger.warning("%s: %s; retrying the batch", self.config.stream, error)
                self._stop.wait(self.config.retry_sleep_s)
                continue
            except Exception as error:
                self._failed(batch, error)
                return
            break
        refused = {r.delivery.id for r in rejected}
        for rejection in rejected:
            self._dead_letter(rejection.delivery, rejection.reason, rejection.message)
        done = [d.id for d in batch if d.id not in refused]
        self._ack(done)
        self.stats.handled += len(done)

    def _parts_healthy(self) -> bool:
        try:
            return bool(self.healthy())
        except Exception:  # a check that cannot tell counts as "not healthy": wait
            return False

    def _failed(self, batch: Sequence[Delivery], error: Exception) -> None:
        """A handler raised: isolate the entry at fault (see the module docstring)."""
        self.stats.failures += 1
        if len(batch) > 1:
            logger.warning(
                "%s: a batch of %d failed (%s: %s); handling its entries one by one",
                self.config.stream, len(batch), type(error).__name__, error,
            )  # fmt: skip
            for delivery in batch:
                self._attempt([delivery])
            return
        delivery = batch[0]
        if delivery.deliveries >= self.config.max_deliveries:
            self._dead_letter(
                delivery,
                "handler_failed",
                f"failed {delivery.deliveries} times; last: {type(error).__name__}: {error}",
            )
            return
        logger.error(
            "%s entry %s failed (try %d of %d); left pending for another try",
            self.config.stream, delivery.id, delivery.deliveries, self.config.max_deliveries,
            exc_info=error,
        )  # fmt: skip

    def _dead_letter(self, delivery: Delivery, reason: str, message: str) -> None:
        c = self.config
        letter = DeadLetter(
            stage=c.group,
            reason=reason,
            message=message,
            payload=delivery.payload,
            stream=c.stream,
            entry=delivery.id,
            deliveries=delivery.deliveries,
        )
        logger.warning("%s entry %s dead-lettered (%s): %s", c.stream, delivery.id, reason, message)
        self._retry(
            lambda: self.bus.publish(
                c.dead_letter_stream, [encode_dead_letter(letter)], maxlen=DEAD_LETTER_MAXLEN
            ),
            "dead-lettering",
        )
        self._ack([delivery.id])
        self.stats.dead_lettered += 1
        self.stats.reasons[reason] = self.stats.reasons.get(reason, 0) + 1
        if self.on_dead_letter is not None:
            self.on_dead_letter(reason)

    def _ack(self, ids: Sequence[str]) -> None:
        if ids:
            c = self.config
            self._retry(lambda: self.bus.ack(c.stream, c.group, ids), "acknowledging")

    def _retry(self, action: Callable[[], object], what: str) -> None:
        """Run ``action`` until the bus takes it: a Redis restart pauses the loop, it does not
        lose an acknowledgement. Gives up only when stopping (the entries stay pending)."""
        while True:
            try:
                action()
                return
            except BusUnavailableError as error:
                if self._stop.is_set():
                    return
                logger.warning("%s while %s; retrying", error, what)
                self._stop.wait(self.config.retry_sleep_s)


class LoopSet:
    """One group's consumer loops, one per stream, each on its thread, started, watched and
    stopped together: how a process reads several streams for one purpose (the API's
    realtime bridge, its alert relay).

    Parameters
    ----------
    bus : Bus
        Where the streams live.
    group, consumer, dead_letter_stream : str
        As in :class:`ConsumerConfig`, shared by every loop.
    block_ms : int
        How long a read waits; bounds how long ``stop`` takes.
    on_dead_letter, healthy : callable, optional
        As in :class:`ConsumerLoop`.
    """

    def __init__(
        self,
        bus: Bus,
        *,
        group: str,
        consumer: str,
        dead_letter_stream: str,
        block_ms: int,
        on_dead_letter: Callable[[str], None] | None = None,
        healthy: Callable[[], bool] | None = None,
    ) -> None:
        self.bus, self.group, self.consumer = bus, group, consumer
        self.dead_letter_stream, self.block_ms = dead_letter_stream, block_ms
        self.on_dead_letter, self.healthy = on_dead_letter, healthy
        self.loops: list[ConsumerLoop] = []

    def start(self, handlers: Sequence[tuple[str, Handler]]) -> None:
        """A loop per (stream, handler), each started on its thread."""
        if self.loops:
            raise RuntimeError(f"the {self.group} loops were already started")
        for stream, handler in handlers:
            config = ConsumerConfig(
                stream=stream,
                group=self.group,
                consumer=self.consumer,
                dead_letter_stream=self.dead_letter_stream,
                block_ms=self.block_ms,
            )
            loop = ConsumerLoop(
                self.bus,
                config,
                handler,
                on_dead_letter=self.on_dead_letter,
                healthy=self.healthy,
            )
            self.loops.append(loop.start())

    def stop(self, *, batch_timeout_s: float) -> None:
        """Let each loop finish its batch (waiting at most a read plus ``batch_timeout_s``
        and 5 s for each), then return."""
        for loop in self.loops:
            loop.stop()
        for loop in self.loops:
            loop.join(timeout=self.block_ms / 1000 + batch_timeout_s + 5)

    def is_alive(self) -> bool:
        """Whether every loop is running and went round recently (readiness)."""
        return bool(self.loops) and all(loop.is_alive() for loop in self.loops)
