"""``scoreline replay`` waits for Redis like the worker: at start, and through an outage
mid-run, with a log line per try, never exiting because the bus went away."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Any

import pytest

from scoreline.errors import BusUnavailableError
from scoreline.messaging.memory_bus import MemoryBus
from scoreline.messaging.names import Streams
from scoreline.pipeline import embedded
from scoreline.pipeline.embedded import run_replay, wait_for_bus
from scoreline.pipeline.ingestion import IngestSummary
from scoreline.providers.replay import ReplayEvent


class FlakyBus(MemoryBus):
    """Does not answer a ping for the first ``down`` asks."""

    def __init__(self, down: int) -> None:
        super().__init__()
        self.down = down

    def ping(self) -> bool:
        self.down -= 1
        return self.down < 0


class FlakyEngine:
    """An ingestion engine whose bus is down for the first ``down`` calls."""

    def __init__(self, down: int) -> None:
        self.down, self.batches = down, 0

    def _call(self) -> None:
        if self.down > 0:
            self.down -= 1
            raise BusUnavailableError("Redis at redis://…@127.0.0.1:6379 unavailable")

    def submit(self, batch: Sequence[Any]) -> IngestSummary:
        self._call()
        self.batches += 1
        return IngestSummary(stored=len(batch))

    def flush_outbox(self) -> int:
        self._call()
        return 0


def test_waiting_for_the_bus_logs_each_try_until_it_answers(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING):
        assert wait_for_bus(FlakyBus(down=3), threading.Event(), retry_s=0.0)
    assert sum("does not answer" in r.message for r in caplog.records) == 3


def test_waiting_for_the_bus_ends_when_stopped() -> None:
    stop = threading.Event()
    stop.set()
    assert not wait_for_bus(FlakyBus(down=10**9), stop, retry_s=0.0)


def test_a_replay_goes_on_through_an_outage(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def play(events: Sequence[ReplayEvent], *, sink: Any, **_: Any) -> Any:
        for event in events:
            sink([event])
        return object()

    monkeypatch.setattr(embedded, "play", play)
    engine = FlakyEngine(down=4)
    with caplog.at_level(logging.WARNING):
        run = run_replay(
            [object(), object(), object()],  # type: ignore[list-item]
            bus=MemoryBus(),
            streams=Streams(prefix="r"),
            engine=engine,  # type: ignore[arg-type]
            worker=None,
            speed=None,
            stop=threading.Event(),
            retry_s=0.0,
        )
    assert engine.batches == 3  # every batch went in once the bus was back
    assert run.totals.stored == 3
    assert sum("retrying" in r.message for r in caplog.records) == 4
