"""The whole pipeline in one process: replay feed, ingestion engine, bus and worker.

This is what ``scoreline replay`` (without Redis) and ``scoreline demo`` run:
the same ingestion engine and worker code as production, joined by the
in-process bus (or by Redis when one is configured), the worker on a thread.
Like the worker, a replay waits for Redis: when it goes away mid-run, each
call is retried with a log line until it is back (or the replay is stopped).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from scoreline.errors import BusUnavailableError
from scoreline.messaging.bus import Bus
from scoreline.messaging.names import Streams
from scoreline.pipeline.ingestion import IngestionEngine, IngestSummary
from scoreline.pipeline.worker import Worker
from scoreline.providers.replay import ReplayEvent, ReplayStats, play

__all__ = ["ReplayRun", "run_replay", "wait_for_bus"]

logger = logging.getLogger(__name__)
_T = TypeVar("_T")


@dataclass
class ReplayRun:
    """What a replay did: pacing figures, ticks by outcome, and the worker's counts."""

    stats: ReplayStats
    totals: IngestSummary = field(default_factory=IngestSummary)
    predictions: int = 0
    latencies_ms: list[float] = field(default_factory=list)  # tick in to prediction stored
    worker_seconds: float = 0.0  # first tick in to last prediction stored


def run_replay(
    events: Sequence[ReplayEvent],
    *,
    bus: Bus,
    streams: Streams,
    engine: IngestionEngine,
    worker: Worker | None,
    speed: float | None,
    stop: threading.Event,
    max_idle_seconds: float = 5.0,
    on_batch: Callable[[IngestSummary], None] | None = None,
    retry_s: float = 1.0,
) -> ReplayRun:
    """Play ``events`` into ``engine``; with a ``worker``, serve them on a thread and wait
    until it has predicted everything published before returning. While the bus is down
    each call waits ``retry_s`` between tries."""
    began = time.time()
    thread: threading.Thread | None = None
    if worker is not None:
        thread = threading.Thread(target=worker.run, name="worker", daemon=True)
        thread.start()
    totals = IngestSummary()

    def sink(batch: Sequence[Any]) -> None:
        summary = _while_bus_down(
            lambda: engine.submit(batch), stop, "submitting ticks", retry_s=retry_s
        )
        if summary is None:
            return  # stopped while the bus was down: stored ticks wait in the outbox
        for name in ("stored", "duplicate", "unchanged", "results", "dead_lettered"):
            setattr(totals, name, getattr(totals, name) + getattr(summary, name))
        if on_batch is not None:
            on_batch(summary)

    stats = play(events, speed=speed, sink=sink, stop=stop, max_idle_seconds=max_idle_seconds)
    _while_bus_down(engine.flush_outbox, stop, "publishing the outbox", retry_s=retry_s)
    run = ReplayRun(stats=stats, totals=totals)
    if worker is not None and thread is not None:
        _drain(bus, streams.odds, worker.config.group, stop)
        worker.stop()
        thread.join(timeout=30)
        run.predictions = worker.status.predictions
        run.latencies_ms, run.worker_seconds = _latencies(bus, streams.predictions, since=began)
    return run


def _drain(bus: Bus, stream: str, group: str, stop: threading.Event, timeout: float = 300) -> None:
    """Wait until the group has read and acknowledged everything on ``stream``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not stop.is_set():
        info = _while_bus_down(
            lambda: bus.group_info(stream, group), stop, "waiting for the worker"
        )
        if info is not None and info.lag == 0 and info.pending == 0:
            return
        time.sleep(0.05)


def wait_for_bus(bus: Bus, stop: threading.Event, *, retry_s: float = 1.0) -> bool:
    """Wait until ``bus`` answers, with a log line per try; False when stopped first."""
    while not bus.ping():
        logger.warning("the stream bus does not answer; retrying in %.0f s", retry_s)
        if stop.wait(retry_s):
            return False
    return True


def _while_bus_down(
    action: Callable[[], _T], stop: threading.Event, what: str, *, retry_s: float = 1.0
) -> _T | None:
    """``action()``, retried while the bus is unavailable (a Redis restart pauses the
    replay, it does not end it); None when stopped first."""
    while True:
        try:
            return action()
        except BusUnavailableError as error:
            logger.warning("%s while %s; retrying in %.0f s", error, what, retry_s)
            if stop.wait(retry_s):
                return None


def _latencies(bus: Bus, stream: str, *, since: float) -> tuple[list[float], float]:
    """Tick-to-prediction of this run's predictions (ticks received after ``since``), from
    their own timestamps, and the span from the first tick in to the last prediction."""
    out: list[float] = []
    first, last = float("inf"), float("-inf")
    after = "0"
    while True:
        entries = bus.tail(stream, after=after, count=10_000, block_ms=0)
        if not entries:
            return out, max(0.0, last - first)
        after = entries[-1].id
        for entry in entries:
            body = json.loads(entry.payload)
            predicted = datetime.fromisoformat(body["predicted_at"]).timestamp()
            received = float(body["received_at"])
            if received < since:
                continue
            first, last = min(first, received), max(last, predicted)
            out.append(1000 * (predicted - received))
