"""The replay provider: historical odds and results played back as a live feed.

``replay_events`` (in ``replay_events``) turns season files into timed ticks and
results; ``play`` hands them to a sink at a chosen pace. The schedule of a
finite-speed replay, in real seconds from the first event::

    due(e) = (e.at - first.at) / speed - idle cut before e

    simulated  |--Fri 16:00 ticks--| ...... night ...... |--Sat 15:00 closing--|
    real       |0 s                |max_idle_seconds     |
               └ one sink call per moment; a gap longer than max_idle_seconds
                 (real) is cut to it, so a quiet week does not stall a demo.

A moment's events go in one sink call (at most ``batch_max`` events; a larger
moment takes several calls, back to back). When the sink is slower than the
schedule, the pacer does not sleep: it sends everything already due in the next
batch and so catches up, never reorders.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from operator import attrgetter

from scoreline.domain.ticks import RawResult, RawTick
from scoreline.providers.replay_events import (
    PROVIDER,
    IncompleteGroup,
    ReplayEvent,
    ReplayEvents,
    ReplaySummary,
    replay_events,
)

__all__ = [
    "DEFAULT_MAX_IDLE_SECONDS",
    "PROVIDER",
    "IncompleteGroup",
    "ReplayEvent",
    "ReplayEvents",
    "ReplayStats",
    "ReplaySummary",
    "Sink",
    "play",
    "replay_events",
]

logger = logging.getLogger(__name__)

Sink = Callable[[Sequence[RawTick | RawResult]], None]
"""Receives the payloads of one batch, in order; a publisher onto the ingestion stream."""

DEFAULT_MAX_IDLE_SECONDS = 5.0
# The longest single sleep, so a set stop event is noticed within this many real seconds.
_STOP_POLL_SECONDS = 0.1


@dataclass(frozen=True, slots=True)
class ReplayStats:
    """What one ``play`` sent and how long it took.

    ``simulated_span`` runs from the first to the last event sent; ``real_seconds``
    is measured on the pacer's clock; ``stopped`` is true when the stop event cut
    the replay short.
    """

    events_sent: int
    ticks: int
    results: int
    batches: int
    simulated_span: timedelta
    real_seconds: float
    stopped: bool


def play(
    events: Iterable[ReplayEvent],
    *,
    speed: float | None,
    sink: Sink,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
    batch_max: int = 500,
    stop: threading.Event | None = None,
    max_idle_seconds: float | None = DEFAULT_MAX_IDLE_SECONDS,
) -> ReplayStats:
    """Hand events to ``sink`` in simulated-time order, paced by ``speed``.

    Parameters
    ----------
    events
        Replay events; sorted here by ``at`` (stably, so the order of ties is kept).
    speed
        Simulated seconds per real second: 600 plays ten minutes of history per
        second. None sends everything as fast as the sink takes it, in batches
        of ``batch_max``, and never sleeps.
    sink
        Called with each batch's payloads. An exception it raises ends the replay
        and propagates: the pacer cannot know whether a retry is safe.
    clock, sleep
        Monotonic seconds and a way to wait; tests pass fakes.
    batch_max
        Most payloads per sink call, so one crowded moment (a Saturday's closing
        prices) cannot become a single oversized message.
    stop
        When set, the replay ends before the next batch, and a wait is cut short
        within a tenth of a second.
    max_idle_seconds
        Longest real wait between two consecutive moments; a longer gap is cut to
        this, shifting the rest of the schedule earlier. None keeps every gap.

    Returns
    -------
    ReplayStats

    Raises
    ------
    ValueError
        When ``speed``, ``batch_max`` or ``max_idle_seconds`` is out of range.
    """
    if speed is not None and not (math.isfinite(speed) and speed > 0):
        raise ValueError(
            f"speed must be positive (simulated seconds per real second) or None, got {speed}"
        )
    if batch_max < 1:
        raise ValueError(f"batch_max must be at least 1, got {batch_max}")
    if max_idle_seconds is not None and not max_idle_seconds >= 0:
        raise ValueError(f"max_idle_seconds must be >= 0 or None, got {max_idle_seconds}")
    ordered = sorted(events, key=attrgetter("at"))
    pacer = _Pacer(ordered, sink=sink, clock=clock, sleep=sleep, batch_max=batch_max, stop=stop)
    if speed is None:
        pacer.run_unpaced()
    else:
        pacer.run_paced(speed, max_idle_seconds)
    stats = pacer.stats()
    logger.info(
        "replay %s: %d events (%d ticks, %d results) in %d batches, %s simulated in %.1f s",
        "stopped" if stats.stopped else "done",
        stats.events_sent,
        stats.ticks,
        stats.results,
        stats.batches,
        stats.simulated_span,
        stats.real_seconds,
    )
    return stats


class _Pacer:
    """The state of one ``play``: what has been sent, and when it started."""

    def __init__(
        self,
        events: list[ReplayEvent],
        *,
        sink: Sink,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
        batch_max: int,
        stop: threading.Event | None,
    ) -> None:
        self.events, self.sink, self.clock, self.sleep = events, sink, clock, sleep
        self.batch_max, self.stop = batch_max, stop
        self.sent = self.ticks = self.batches = 0
        self.stopped = False
        self.started = clock()

    def run_unpaced(self) -> None:
        for first in range(0, len(self.events), self.batch_max):
            if self._stop_requested():
                return
            self._send(first, min(first + self.batch_max, len(self.events)))

    def run_paced(self, speed: float, max_idle_seconds: float | None) -> None:
        due = _schedule(self.events, speed, max_idle_seconds)
        position = 0
        while position < len(self.events):
            self._wait_until(self.started + due[position])
            if self._stop_requested():
                return
            # Everything due by now goes, so a slow sink is caught up, not drifted from.
            now = self.clock() - self.started
            last = position + 1
            while last < len(self.events) and last - position < self.batch_max and due[last] <= now:
                last += 1
            self._send(position, last)
            position = last

    def _wait_until(self, deadline: float) -> None:
        while not self._stop_requested():
            remaining = deadline - self.clock()
            if remaining <= 0:
                return
            self.sleep(min(remaining, _STOP_POLL_SECONDS))

    def _stop_requested(self) -> bool:
        if self.stop is not None and self.stop.is_set():
            self.stopped = True
        return self.stopped

    def _send(self, first: int, last: int) -> None:
        payloads = [event.payload for event in self.events[first:last]]
        self.sink(payloads)
        self.sent += len(payloads)
        self.ticks += sum(1 for payload in payloads if payload["type"] == "odds")
        self.batches += 1

    def stats(self) -> ReplayStats:
        span = self.events[self.sent - 1].at - self.events[0].at if self.sent else timedelta(0)
        return ReplayStats(
            events_sent=self.sent,
            ticks=self.ticks,
            results=self.sent - self.ticks,
            batches=self.batches,
            simulated_span=span,
            real_seconds=self.clock() - self.started,
            stopped=self.stopped,
        )


def _schedule(
    events: Sequence[ReplayEvent], speed: float, max_idle_seconds: float | None
) -> list[float]:
    """Real seconds from the start at which each event is due, idle gaps cut.

    The cut is taken from the simulated gaps, not from how late the pacer runs, so
    the schedule is the same however slow the sink is.
    """
    if not events:
        return []
    due: list[float] = []
    offset = 0.0
    previous = events[0].at
    for event in events:
        gap = (event.at - previous).total_seconds() / speed
        if max_idle_seconds is not None and gap > max_idle_seconds:
            gap = max_idle_seconds
        offset += gap
        due.append(offset)
        previous = event.at
    return due
