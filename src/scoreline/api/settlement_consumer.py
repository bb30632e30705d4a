"""Settles bets as results arrive: the ``results`` stream, consumer group ``settlement``.

Every stored result is published by the ingestion engine; one API process
(whichever the group hands the entry to) settles the fixture's open bets and
tells each owner over Socket.IO (``bet:settled``). Settlement is idempotent
(``services.book.settle_fixture`` moves a bet only while it is open), so a
redelivery after a crash settles nothing twice. A periodic sweep also settles
fixtures whose result came in while no API process was running.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import asdict
from typing import Any, Protocol

from scoreline.errors import BusUnavailableError, ScorelineError
from scoreline.messaging.bus import Bus
from scoreline.messaging.names import Streams
from scoreline.services import settlement
from scoreline.storage.unit_of_work import UnitOfWork

__all__ = ["SettlementConsumer"]

logger = logging.getLogger(__name__)

GROUP = "settlement"


class Notifier(Protocol):
    """Who hears about settled bets (the realtime server)."""

    async def bet_settled(self, user_id: int, payload: dict[str, Any]) -> None: ...


class SettlementConsumer:
    """A thread that settles fixtures as their results are published."""

    def __init__(
        self,
        unit_of_work: Callable[[], UnitOfWork],
        *,
        bus: Bus,
        streams: Streams,
        notify: Notifier | None = None,
        consumer: str = "api",
        sweep_every_s: float = 60.0,
    ) -> None:
        self.unit_of_work, self.bus, self.streams = unit_of_work, bus, streams
        self.notify, self.consumer, self.sweep_every_s = notify, consumer, sweep_every_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def start(self) -> None:
        """Run in the background (the caller's event loop receives the notifications)."""
        try:
            self._loop = asyncio.get_running_loop()
        except RuntimeError:
            self._loop = None
        self._thread = threading.Thread(target=self.run, name="settlement", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Finish the current entry and return."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def run(self) -> None:
        """Consume results until stopped; sweep now and then."""
        stream = self.streams.results
        last_sweep = 0.0
        while not self._stop.is_set():
            try:
                self.bus.ensure_group(stream, GROUP)
                entries = self.bus.claim_stale(
                    stream, GROUP, self.consumer, min_idle_ms=60_000, count=50
                ) or self.bus.read(stream, GROUP, self.consumer, count=50, block_ms=500)
                for entry in entries:
                    self._settle_entry(entry.payload)
                    self.bus.ack(stream, GROUP, [entry.id])
                if time.monotonic() - last_sweep >= self.sweep_every_s:
                    last_sweep = time.monotonic()
                    self.sweep()
            except BusUnavailableError as error:
                logger.warning("settlement: bus unavailable, retrying: %s", error)
                self._stop.wait(1.0)

    def sweep(self) -> list[int]:
        """Settle every finished fixture that still has open bets; the bet ids settled."""
        settled: list[int] = []
        for fixture_id in settlement.fixtures_to_settle(self.unit_of_work):
            settled += self._settle(fixture_id)
        return settled

    def _settle_entry(self, payload: bytes) -> None:
        try:
            fixture_id = int(json.loads(payload)["fixture_id"])
        except (ValueError, KeyError, TypeError) as error:
            logger.warning("settlement: unusable results entry (%s): %r", error, payload[:80])
            return
        self._settle(fixture_id)

    def _settle(self, fixture_id: int) -> list[int]:
        try:
            settled = settlement.settle_fixture(self.unit_of_work, fixture_id=fixture_id)
        except ScorelineError as error:
            logger.error("settlement of fixture %d failed: %s", fixture_id, error)
            return []
        if settled and self.notify is not None:
            self._tell(settled)
        return settled

    def _tell(self, bet_ids: list[int]) -> None:
        messages = [
            (n.owner_id, {k: v for k, v in asdict(n).items() if k != "owner_id"})
            for n in settlement.notices(self.unit_of_work, bet_ids)
        ]
        notify, loop = self.notify, self._loop
        if notify is None or loop is None:
            return
        for owner, message in messages:
            asyncio.run_coroutine_threadsafe(notify.bet_settled(owner, message), loop)
