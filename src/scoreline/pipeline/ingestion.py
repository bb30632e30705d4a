"""The ingestion engine: provider ticks in; stored odds snapshots out on the ``odds`` stream.

For each batch of raw ticks (wire form in ``domain.ticks``):

1. parse and check them (prices in range, a known market and line, both teams);
2. hand the odds ticks to ``services.live_ingest``, which resolves them to
   fixtures and stores the new snapshots with their outbox entries in one
   commit, then publish those on ``odds``; likewise the results, on ``results``;
3. count every tick by outcome (``stored``, ``duplicate``, ``unchanged``,
   ``dead_lettered``).

A tick that fails any step goes to the dead-letter stream with its reason and
payload; nothing is dropped silently. If the bus is down after the commit, the
outbox keeps the entries and ``flush_outbox`` (run on start and before every
batch) publishes them once it is back, so a crash or a Redis restart between
commit and publish loses nothing.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from scoreline.domain.ticks import OddsTick, ResultTick, TickError, parse_tick
from scoreline.messaging.bus import Bus
from scoreline.messaging.dead_letters import DEAD_LETTER_MAXLEN, DeadLetter, encode_dead_letter
from scoreline.messaging.names import Streams
from scoreline.pipeline.metrics import PipelineMetrics
from scoreline.services.live_ingest import LiveIngest
from scoreline.storage.unit_of_work import UnitOfWorkFactory

__all__ = ["IngestSummary", "IngestionEngine"]

logger = logging.getLogger(__name__)

STAGE = "ingestion"
RESULTS_MAXLEN = 100_000


@dataclass
class IngestSummary:
    """Ticks of one call by outcome."""

    stored: int = 0
    duplicate: int = 0
    unchanged: int = 0
    results: int = 0
    dead_lettered: int = 0
    reasons: dict[str, int] = field(default_factory=dict)


class IngestionEngine:
    """Parse, store (through ``services.live_ingest``) and publish ticks; see the module
    docstring. One per feed process: the service it drives caches resolutions."""

    def __init__(
        self,
        bus: Bus,
        unit_of_work: UnitOfWorkFactory,
        *,
        metrics: PipelineMetrics | None = None,
        streams: Streams | None = None,
        odds_maxlen: int = 1_000_000,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.bus = bus
        # One clock for the whole engine: it stamps receipts and says whether a match has
        # kicked off (a result before kick-off is dead-lettered).
        self.live = LiveIngest(unit_of_work, clock=lambda: datetime.fromtimestamp(clock(), UTC))
        self.streams = streams or Streams()
        self.metrics = metrics or PipelineMetrics()
        self.odds_maxlen, self.clock = odds_maxlen, clock
        self.outbox_pending = True

    def submit(self, raws: Sequence[bytes | str | Mapping[str, Any]]) -> IngestSummary:
        """Ingest one batch; returns what happened to each tick, by outcome."""
        received = self.clock()
        summary = IngestSummary()
        if self.outbox_pending:
            self.flush_outbox()
        odds: list[tuple[OddsTick, bytes]] = []
        results: list[tuple[ResultTick, bytes]] = []
        for raw in raws:
            data = _bytes(raw)
            try:
                tick = parse_tick(raw)
            except TickError as error:
                self._dead_letter(summary, error, data, kind="odds")
                continue
            if isinstance(tick, ResultTick):
                results.append((tick, data))
            else:
                odds.append((tick, data))
        if odds:
            self._store_odds(summary, odds, received)
        for result, data in results:
            self._store_result(summary, result, data)
        return summary

    def flush_outbox(self, *, batch: int = 1000) -> int:
        """Publish snapshots stored but not yet on the stream; how many."""
        published = 0
        while entries := self.live.unpublished(limit=batch):
            self._publish(entries)
            published += len(entries)
        self.outbox_pending = False
        if published:
            logger.info("published %d odds snapshots left in the outbox", published)
        return published

    # -- steps ---------------------------------------------------------------------------

    def _store_odds(
        self, summary: IngestSummary, odds: list[tuple[OddsTick, bytes]], received: float
    ) -> None:
        outcome = self.live.store_odds([tick for tick, _ in odds], received_at=received)
        for position, error in outcome.rejected:
            self._dead_letter(summary, error, odds[position][1], kind="odds")
        summary.stored += len(outcome.stored)
        summary.duplicate += outcome.duplicate
        summary.unchanged += outcome.unchanged
        self.metrics.ticks.labels(outcome="stored", kind="odds").inc(len(outcome.stored))
        self.metrics.ticks.labels(outcome="duplicate", kind="odds").inc(outcome.duplicate)
        self.metrics.ticks.labels(outcome="unchanged", kind="odds").inc(outcome.unchanged)
        if outcome.stored:
            self.outbox_pending = True  # until the publish below has gone through
            self._publish(outcome.stored)
            self.outbox_pending = False

    def _publish(self, entries: Sequence[tuple[int, str]]) -> None:
        self.bus.publish(
            self.streams.odds,
            [_with_id(payload, odds_id) for odds_id, payload in entries],
            maxlen=self.odds_maxlen,
        )
        self.live.mark_published(odds_id for odds_id, _ in entries)

    def _store_result(self, summary: IngestSummary, result: ResultTick, raw: bytes) -> None:
        try:
            fixture_id = self.live.store_result(result)
        except TickError as error:
            self._dead_letter(summary, error, raw, kind="result")
            return
        summary.results += 1
        outcome = "duplicate" if fixture_id is None else "stored"
        self.metrics.ticks.labels(outcome=outcome, kind="result").inc()
        if fixture_id is not None:
            body = {
                "fixture_id": fixture_id,
                "home_goals": result.home_goals,
                "away_goals": result.away_goals,
                "kickoff": result.kickoff.isoformat(),
            }
            self.bus.publish(
                self.streams.results, [json.dumps(body).encode()], maxlen=RESULTS_MAXLEN
            )

    def _dead_letter(
        self, summary: IngestSummary, error: TickError, raw: bytes, *, kind: str
    ) -> None:
        logger.warning("dead-lettered a tick (%s): %s", error.reason, error)
        letter = DeadLetter(stage=STAGE, reason=error.reason, message=str(error), payload=raw)
        self.bus.publish(
            self.streams.dead_letter, [encode_dead_letter(letter)], maxlen=DEAD_LETTER_MAXLEN
        )
        summary.dead_lettered += 1
        summary.reasons[error.reason] = summary.reasons.get(error.reason, 0) + 1
        self.metrics.ticks.labels(outcome="dead_lettered", kind=kind).inc()
        self.metrics.dead_letters.labels(stage=STAGE, reason=error.reason).inc()


def _bytes(raw: bytes | str | Mapping[str, Any]) -> bytes:
    if isinstance(raw, bytes):
        return raw
    if isinstance(raw, str):
        return raw.encode()
    return json.dumps(raw, default=str, separators=(",", ":")).encode()


def _with_id(payload: str, odds_id: int) -> bytes:
    """The stream entry: the stored payload with the snapshot's id (known after insert)."""
    return b'{"odds_id":%d,%s' % (odds_id, payload[1:].encode())
