"""Settles bets as results arrive: the ``results`` stream, consumer group ``settlement``.

Every stored result is published by the ingestion engine; one consumer of the
group (whichever the stream hands the entry to) settles the fixture's open
bets through ``services.settlement`` and, once that has committed, publishes
one entry per settled bet on ``settlements`` (a ``SettlementNotice`` as JSON,
its owner included). The API processes' bridge turns those into
``bet:settled`` for each owner. Settlement is idempotent (a bet moves only
while it is open), so a redelivery after a crash pays nothing twice. A
periodic sweep (between batches) also settles fixtures whose result came in
while nothing was listening.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict

from scoreline.errors import BusUnavailableError
from scoreline.messaging.bus import Bus, Delivery
from scoreline.messaging.consumer import ConsumerConfig, ConsumerLoop, Rejection
from scoreline.messaging.entries import EntryError
from scoreline.messaging.names import SETTLEMENT_GROUP, Streams, consumer_name
from scoreline.pipeline._every import Every
from scoreline.pipeline.decoding import decode_result
from scoreline.services import health, settlement
from scoreline.storage.unit_of_work import UnitOfWorkFactory

__all__ = ["SETTLEMENTS_MAXLEN", "SettlementConsumer"]

logger = logging.getLogger(__name__)

SETTLEMENTS_MAXLEN = 100_000


class SettlementConsumer:
    """A consumer loop on ``results`` that settles fixtures and announces the bets it settled.

    ``run()`` blocks; ``start()`` runs it on a daemon thread and ``stop()``
    ends it after the current batch.
    """

    ready_part = "settlement"
    """Its name in the API's readiness checks."""

    def __init__(
        self,
        bus: Bus,
        unit_of_work: UnitOfWorkFactory,
        *,
        streams: Streams,
        consumer: str | None = None,
        sweep_every_s: float = 60.0,
        block_ms: int = 500,
        claim_idle_ms: int = 60_000,
        retry_sleep_s: float = 0.5,
        max_deliveries: int = 5,
        on_dead_letter: Callable[[str], None] | None = None,
    ) -> None:
        self.bus, self.unit_of_work, self.streams = bus, unit_of_work, streams
        self.loop = ConsumerLoop(
            bus,
            ConsumerConfig(
                stream=streams.results,
                group=SETTLEMENT_GROUP,
                consumer=consumer or consumer_name(),
                dead_letter_stream=streams.dead_letter,
                batch=50,
                block_ms=block_ms,
                claim_idle_ms=claim_idle_ms,
                max_deliveries=max_deliveries,
                retry_sleep_s=retry_sleep_s,
            ),
            self.handle,
            on_dead_letter=on_dead_letter,
            on_idle=Every(sweep_every_s, self.sweep, due_now=True),
            healthy=self.parts_healthy,
        )
        self.settled = 0

    def __repr__(self) -> str:
        return f"SettlementConsumer({self.loop!r}, settled={self.settled})"

    # -- lifecycle ----------------------------------------------------------------------

    def run(self) -> None:
        """Settle until ``stop``."""
        self.loop.run()

    def start(self) -> SettlementConsumer:
        """Run on a daemon thread."""
        self.loop.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Finish the current batch and return (waiting up to ``timeout`` for the thread)."""
        self.loop.stop()
        self.loop.join(timeout)

    def is_alive(self, *, within_s: float = 30.0) -> bool:
        """Whether the loop is running and went round lately (readiness)."""
        return self.loop.is_alive(within_s=within_s)

    def parts_healthy(self) -> bool:
        """Whether the bus and the database answer (the loop asks when a batch fails in a
        way that looks transient)."""
        return self.bus.ping() and health.database_problem(self.unit_of_work) is None

    # -- work ---------------------------------------------------------------------------

    def handle(self, deliveries: Sequence[Delivery]) -> list[Rejection]:
        """Settle the fixture of each result entry; refuse entries that name none."""
        rejections: list[Rejection] = []
        for delivery in deliveries:
            try:
                entry = decode_result(delivery.payload)
            except EntryError as error:
                rejections.append(Rejection(delivery, error.reason, str(error)))
                continue
            self._settle(entry.fixture_id)
        return rejections

    def sweep(self) -> list[int]:
        """Settle every finished fixture that still has open bets; the bet ids settled."""
        settled: list[int] = []
        for fixture_id in settlement.fixtures_to_settle(self.unit_of_work):
            settled += self._settle(fixture_id)
        if settled:
            logger.info("sweep settled %d bets left open after their result", len(settled))
        return settled

    def _settle(self, fixture_id: int) -> list[int]:
        """Settle one fixture (committed by the service), then announce its settled bets."""
        bet_ids = settlement.settle_fixture(self.unit_of_work, fixture_id=fixture_id)
        if bet_ids:
            notices = settlement.notices(self.unit_of_work, bet_ids)
            self._publish([json.dumps(asdict(n)).encode() for n in notices])
            self.settled += len(bet_ids)
            logger.info("fixture %d: %d bets settled", fixture_id, len(bet_ids))
        return bet_ids

    def _publish(self, payloads: list[bytes]) -> None:
        """Announce on ``settlements``, waiting out a bus that is down: the bets are settled
        already, and a redelivery would settle nothing to announce."""
        while True:
            try:
                self.bus.publish(self.streams.settlements, payloads, maxlen=SETTLEMENTS_MAXLEN)
                return
            except BusUnavailableError as error:
                if self.loop.stopping:
                    logger.error("stopping with %d settlement notices unsent", len(payloads))
                    return
                logger.warning("bus unavailable while announcing settlements: %s", error)
                time.sleep(self.loop.config.retry_sleep_s)
