"""The ML worker: odds snapshots in, calibrated predictions out, at least once.

One loop, batch by batch:

1. take over entries left pending by a dead consumer (``claim_stale``), else
   read new ones (up to ``batch`` entries, waiting at most ``block_ms``): under
   load batches fill up, when quiet each tick is served alone at once;
2. dead-letter what cannot be served (not JSON, no fixture, delivered more than
   ``max_deliveries`` times) with its reason, and keep going;
3. bring the 1X2 market of the batch's fixtures up to date from the stored
   rows, build each tick's feature row, serve the model in one call;
4. store one prediction per tick (trigger ``odds:<snapshot id>``; a redelivered
   tick writes nothing new), commit, publish on ``predictions``, then ``XACK``.

A crash before the commit leaves the entries pending for another worker; a
crash after it leads to a harmless redelivery. ``stop()`` (SIGTERM) lets the
current batch finish and acknowledges it before the loop returns. While the bus
is down the worker waits and retries; while the database is down a batch stays
pending and is retried.
"""

from __future__ import annotations

import gc
import json
import logging
import os
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
from sqlalchemy.exc import SQLAlchemyError

from scoreline.errors import BusUnavailableError, NotFoundError, ScorelineError
from scoreline.messaging.bus import Bus, Delivery
from scoreline.messaging.names import Streams
from scoreline.models.drift import ReferenceDistribution, RollingScores
from scoreline.models.features import FEATURE_COLUMNS
from scoreline.models.serving import LiveModel
from scoreline.pipeline.feature_table import FeatureTable, MarketBook
from scoreline.pipeline.ingestion import dead_letter_payload
from scoreline.pipeline.metrics import PipelineMetrics
from scoreline.services import model_versions
from scoreline.storage.repositories.predictions import NewPrediction
from scoreline.storage.unit_of_work import UnitOfWork

__all__ = ["Worker", "WorkerConfig", "default_consumer_name"]

logger = logging.getLogger(__name__)

GROUP = "workers"


def default_consumer_name() -> str:
    """Host and process id: unique per worker process, stable for its lifetime."""
    return f"{socket.gethostname()}-{os.getpid()}"


@dataclass(frozen=True)
class WorkerConfig:
    """How a worker reads, retries and publishes."""

    group: str = GROUP
    streams: Streams = field(default_factory=Streams)
    consumer: str = field(default_factory=default_consumer_name)
    batch: int = 256
    block_ms: int = 200
    claim_idle_ms: int = 15_000
    claim_every_s: float = 2.0
    max_deliveries: int = 5
    refresh_every_s: float = 60.0
    predictions_maxlen: int = 1_000_000
    drift_every_s: float = 30.0  # between PSI updates, done between batches
    gauges_every_s: float = 5.0  # between stream lag/pending/length readings
    follow_every_s: float = 5.0  # between checks that the active model is still ours
    retry_sleep_s: float = 0.2


@dataclass
class _Tick:
    delivery: Delivery
    odds_id: int
    fixture_id: int
    received_at: float
    body: dict[str, Any]


@dataclass
class WorkerStatus:
    """What ``/admin/status`` reports."""

    consumer: str
    model: str
    version: str
    batches: int = 0
    predictions: int = 0
    dead_lettered: int = 0
    fixtures: int = 0
    started_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat())
    last_batch_at: str | None = None


class Worker:
    """Consume ``odds``, serve the model, store and publish predictions."""

    def __init__(
        self,
        bus: Bus,
        unit_of_work: Callable[[], UnitOfWork],
        model_loader: Callable[[], tuple[int, LiveModel, ReferenceDistribution | None]],
        *,
        config: WorkerConfig | None = None,
        metrics: PipelineMetrics | None = None,
    ) -> None:
        self.bus, self.unit_of_work = bus, unit_of_work
        self.config = config or WorkerConfig()
        self.metrics = metrics or PipelineMetrics()
        self._load_model = model_loader
        self._stop = threading.Event()
        self._lock = threading.Lock()  # model switches happen between batches
        self._last_claim = 0.0
        self._last_refresh = 0.0
        self._last_drift = time.monotonic()
        self._last_gauges = 0.0
        self._last_follow = time.monotonic()
        self._followed: int | None = None
        self._bookmakers: dict[int, str] = {}
        self._results_seen: tuple[int, Any] | None = None
        # Results published from now on are scored; stream ids start with milliseconds.
        self._results_after = f"{int(time.time() * 1000)}-0"
        self._recent: deque[np.ndarray[Any, Any]] = deque(maxlen=2000)
        self._recent_probs: deque[np.ndarray[Any, Any]] = deque(maxlen=2000)
        self.rolling = RollingScores(window=500)
        self.reload_model()

    # -- model ------------------------------------------------------------------------

    def reload_model(self) -> None:
        """Load the active model version and rebuild the feature table for it."""
        version_id, model, reference = self._load_model()
        table = FeatureTable(model)
        with self.unit_of_work() as uow:
            table.rebuild(uow.fixtures.history())
            results = uow.fixtures.results_version()
        with self._lock:
            self.model, self.version_id, self.reference = model, version_id, reference
            self.table, self.book = table, MarketBook()
            self._results_seen = results
            self._last_refresh = time.monotonic()
        # The model and the feature table live as long as the process: moving them
        # out of the collector's view keeps full collections short between batches.
        gc.collect()
        gc.freeze()
        self.metrics.serve_model(model.name, model.version)
        self.status = WorkerStatus(self.config.consumer, model.name, model.version)
        self.status.fixtures = table.fixtures
        logger.info("serving %s %s on %d fixtures", model.name, model.version, table.fixtures)

    # -- loop ---------------------------------------------------------------------------

    def stop(self) -> None:
        """Finish the current batch, acknowledge it and return from ``run``."""
        self._stop.set()

    @property
    def stopping(self) -> bool:
        """Whether ``stop`` was called."""
        return self._stop.is_set()

    def run(self) -> None:
        """Serve batches until ``stop``."""
        self._retry(lambda: self.bus.ensure_group(self.config.streams.odds, self.config.group))
        while not self._stop.is_set():
            self.step()
        logger.info("worker %s stopped", self.config.consumer)

    def step(self) -> int:
        """One batch: stale entries first, else new ones; how many entries were handled."""
        c = self.config
        deliveries: list[Delivery] = []
        try:
            if time.monotonic() - self._last_claim >= c.claim_every_s:
                self._last_claim = time.monotonic()
                deliveries = self.bus.claim_stale(
                    self.config.streams.odds,
                    c.group,
                    c.consumer,
                    min_idle_ms=c.claim_idle_ms,
                    count=c.batch,
                )
            if not deliveries:
                deliveries = self.bus.read(
                    self.config.streams.odds,
                    c.group,
                    c.consumer,
                    count=c.batch,
                    block_ms=c.block_ms,
                )
        except BusUnavailableError as error:
            logger.warning("bus unavailable, retrying: %s", error)
            self._stop.wait(c.retry_sleep_s)
            return 0
        if deliveries:
            self.handle(deliveries)
        self._maybe_refresh()
        return len(deliveries)

    def handle(self, deliveries: Sequence[Delivery]) -> None:
        """Serve one batch; see the module docstring for the order of effects."""
        started = time.perf_counter()
        ticks: list[_Tick] = []
        done: list[str] = []  # dead-lettered ids, acknowledged with the batch
        for delivery in deliveries:
            reason, message, tick = self._decode(delivery)
            if tick is not None:
                ticks.append(tick)
                continue
            self._dead_letter(delivery, reason, message)
            done.append(delivery.id)
        if any(t.fixture_id not in self.table for t in ticks):
            refresh = time.perf_counter()
            self._refresh(force=True)
            logger.info(
                "new fixture(s): features rebuilt in %.0f ms", 1e3 * (time.perf_counter() - refresh)
            )
        for tick in [t for t in ticks if t.fixture_id not in self.table]:
            self._dead_letter(
                tick.delivery, "unknown_fixture", f"fixture {tick.fixture_id} unknown"
            )
            done.append(tick.delivery.id)
        ticks = [t for t in ticks if t.fixture_id in self.table]
        try:
            published = self._serve(ticks) if ticks else []
        except ScorelineError as error:
            # Left pending: retried on redelivery, dead-lettered after max_deliveries.
            logger.exception("batch of %d failed: %s", len(ticks), error)
            self._retry(lambda: self.bus.ack(self.config.streams.odds, self.config.group, done))
            return
        self._retry(
            lambda: (
                self.bus.publish(
                    self.config.streams.predictions,
                    published,
                    maxlen=self.config.predictions_maxlen,
                )
                if published
                else []
            )
        )
        self._retry(
            lambda: self.bus.ack(
                self.config.streams.odds, self.config.group, done + [t.delivery.id for t in ticks]
            )
        )
        now = time.time()
        for tick in ticks:
            self.metrics.tick_to_prediction_seconds.observe(max(0.0, now - tick.received_at))
        self.metrics.batch_size.observe(len(deliveries))
        self.metrics.predictions.inc(len(ticks))
        self.status.batches += 1
        self.status.predictions += len(ticks)
        self.status.last_batch_at = datetime.now(UTC).isoformat()
        took = time.perf_counter() - started
        (logger.warning if took > 0.5 else logger.debug)(
            "batch of %d in %.1f ms", len(deliveries), 1e3 * took
        )

    # -- steps ---------------------------------------------------------------------------

    def _decode(self, delivery: Delivery) -> tuple[str, str, _Tick | None]:
        if delivery.deliveries > self.config.max_deliveries:
            return (
                "too_many_deliveries",
                f"delivered {delivery.deliveries} times without success",
                None,
            )
        try:
            body = json.loads(delivery.payload)
            if not isinstance(body, dict):
                return "not_json", "the entry is JSON but not an object", None
            tick = _Tick(
                delivery,
                int(body["odds_id"]),
                int(body["fixture_id"]),
                float(body.get("received_at", time.time())),
                body,
            )
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            return "not_json", f"not a JSON entry: {error}", None
        except (KeyError, TypeError, ValueError) as error:
            return (
                "missing_field",
                f"odds entry lacks a usable odds_id or fixture_id: {error}",
                None,
            )
        return "", "", tick

    def _serve(self, ticks: list[_Tick]) -> list[bytes]:
        ticks.sort(key=lambda t: t.odds_id)
        with self._lock:
            model, table, book, version_id = self.model, self.table, self.book, self.version_id
        fixtures = sorted({t.fixture_id for t in ticks})
        with self.unit_of_work() as uow:
            after = min(book.seen(f) for f in fixtures)
            rows = uow.odds.match_odds_since(
                fixture_ids=fixtures, after_id=after, up_to_id=ticks[-1].odds_id
            )
            quotes = []
            position = 0
            if any(r[2] not in self._bookmakers for r in rows):
                self._bookmakers = uow.bookmakers.codes_by_id()
            for tick in ticks:
                while position < len(rows) and rows[position][0] <= tick.odds_id:
                    odds_id, fixture_id, bookmaker_id, home, draw, away = rows[position]
                    bookmaker = self._bookmakers.get(bookmaker_id, str(bookmaker_id))
                    book.apply(odds_id, fixture_id, bookmaker, (home, draw, away))
                    position += 1
                quotes.append(book.quote(tick.fixture_id))
            features = table.rows([t.fixture_id for t in ticks], MarketBook.features(quotes))
            inference = time.perf_counter()
            served = model.serve(features)
            self.metrics.inference_seconds.observe(time.perf_counter() - inference)
            now = datetime.now(UTC)
            rho = float(model.dixon_coles.rho_)
            p = served.probabilities
            records = [
                NewPrediction(
                    fixture_id=t.fixture_id,
                    model_version_id=version_id,
                    trigger=f"odds:{t.odds_id}",
                    created_at=now,
                    home_goals_expectation=float(served.home_goals[i]),
                    away_goals_expectation=float(served.away_goals[i]),
                    rho=rho,
                    p_home=float(p[i, 0]),
                    p_draw=float(p[i, 1]),
                    p_away=float(p[i, 2]),
                    odds_snapshot_id=t.odds_id,
                    markets=served.markets[i],
                    feature_hash=served.feature_hashes[i],
                )
                for i, t in enumerate(ticks)
            ]
            uow.predictions.add_many(records)
            uow.commit()
        self._track_drift(features, p)
        stamp = now.isoformat()
        return [
            json.dumps(
                {
                    "fixture_id": t.fixture_id,
                    "odds_id": t.odds_id,
                    "model": model.name,
                    "version": model.version,
                    "probabilities": served.markets[i]["1x2"],
                    "markets": served.markets[i],
                    "feature_hash": served.feature_hashes[i],
                    "received_at": t.received_at,
                    "predicted_at": stamp,
                },
                separators=(",", ":"),
            ).encode()
            for i, t in enumerate(ticks)
        ]

    def _track_drift(
        self, features: np.ndarray[Any, Any], probabilities: np.ndarray[Any, Any]
    ) -> None:
        """Keep the latest served rows; the PSI itself is computed on a timer (``_drift``)."""
        self._recent.extend(features)
        self._recent_probs.extend(probabilities)

    def _drift(self) -> None:
        """PSI of the recent features and probabilities against the training reference."""
        reference = self.reference
        if reference is None or not self._recent:
            return
        recent = np.array(self._recent)
        for i, name in enumerate(FEATURE_COLUMNS):
            if name in reference.columns:
                value = reference.psi_of(name, recent[:, i])
                if np.isfinite(value):
                    self.metrics.feature_psi.labels(feature=name).set(value)
        probs = np.array(self._recent_probs)
        for i, outcome in enumerate(("home", "draw", "away")):
            if outcome in reference.columns:
                value = reference.psi_of(outcome, probs[:, i])
                if np.isfinite(value):
                    self.metrics.prediction_psi.labels(outcome=outcome).set(value)

    def _dead_letter(self, delivery: Delivery, reason: str, message: str) -> None:
        logger.warning("dead-lettered entry %s (%s): %s", delivery.id, reason, message)
        payload = dead_letter_payload("worker", reason, message, delivery.payload)
        self._retry(
            lambda: self.bus.publish(self.config.streams.dead_letter, [payload], maxlen=100_000)
        )
        self.metrics.dead_letters.labels(stage="worker", reason=reason).inc()
        self.status.dead_lettered += 1

    def _maybe_refresh(self) -> None:
        if time.monotonic() - self._last_follow >= self.config.follow_every_s:
            self._last_follow = time.monotonic()
            self._follow_active()
        if time.monotonic() - self._last_gauges >= self.config.gauges_every_s:
            self._last_gauges = time.monotonic()
            self._update_stream_gauges()
        if time.monotonic() - self._last_drift >= self.config.drift_every_s:
            self._last_drift = time.monotonic()
            self._drift()
        if time.monotonic() - self._last_refresh >= self.config.refresh_every_s:
            started = time.perf_counter()
            self._refresh(force=False)
            self._score_settled()
            took = time.perf_counter() - started
            (logger.warning if took > 0.5 else logger.debug)(
                "periodic refresh in %.1f ms", 1e3 * took
            )

    def _follow_active(self) -> None:
        """Switch to the active version when someone else activated another one (a refit
        or a roll-back over the API): one cheap query, so every worker follows on its own."""
        try:
            active_id = model_versions.active(self.unit_of_work).id
        except NotFoundError:
            return  # nothing active: keep serving what we have
        except SQLAlchemyError as error:
            logger.warning("could not read the active model: %s", error)
            return
        if active_id not in {self.version_id, self._followed}:
            logger.info("active model changed (row %d); switching", active_id)
            self._followed = active_id  # a loader that serves something else tries once
            self.reload_model()

    def _score_settled(self) -> None:
        """Score the latest prediction of every newly settled fixture, and the market's."""
        try:
            entries = self.bus.tail(
                self.config.streams.results, after=self._results_after, count=1000, block_ms=0
            )
        except BusUnavailableError:
            return
        if not entries:
            return
        self._results_after = entries[-1].id
        settled: dict[int, int] = {}
        for entry in entries:
            try:
                body = json.loads(entry.payload)
                home, away = int(body["home_goals"]), int(body["away_goals"])
                settled[int(body["fixture_id"])] = 0 if home > away else 1 if home == away else 2
            except (ValueError, KeyError, TypeError):
                continue
        with self.unit_of_work() as uow:
            latest = uow.predictions.latest_by_version(
                fixture_ids=list(settled), model_version_id=self.version_id
            )
        quotes = [self.book.quote(f) for f in latest]
        market = MarketBook.features(quotes)
        for i, (fixture_id, probabilities) in enumerate(latest.items()):
            row = market[i, :3]
            self.rolling.add(
                np.array(probabilities),
                row if np.isfinite(row).all() else None,
                settled[fixture_id],
            )
        summary = self.rolling.summary()
        self.metrics.settled_count.set(summary["count"])
        for source in ("model", "market"):
            scores = summary[source]
            if scores["count"]:
                self.metrics.settled_rps.labels(source=source).set(scores["rps"])
                self.metrics.settled_log_loss.labels(source=source).set(scores["log_loss"])
                self.metrics.settled_ece.labels(source=source).set(scores["ece"])

    def _refresh(self, *, force: bool) -> None:
        """Rebuild base features when results or fixtures changed (or when asked to)."""
        with self.unit_of_work() as uow:
            results = uow.fixtures.results_version()
            if not force and results == self._results_seen:
                self._last_refresh = time.monotonic()
                return
            history = uow.fixtures.history()
        table = FeatureTable(self.model)
        table.rebuild(history)
        with self._lock:
            self.table, self._results_seen = table, results
            self._last_refresh = time.monotonic()
        self.status.fixtures = table.fixtures

    def _update_stream_gauges(self) -> None:
        try:
            info = self.bus.group_info(self.config.streams.odds, self.config.group)
            self.metrics.stream_lag.labels(
                stream=self.config.streams.odds, group=self.config.group
            ).set(info.lag)
            self.metrics.stream_pending.labels(
                stream=self.config.streams.odds, group=self.config.group
            ).set(info.pending)
            for stream in (
                self.config.streams.odds,
                self.config.streams.predictions,
                self.config.streams.dead_letter,
            ):
                self.metrics.stream_length.labels(stream=stream).set(self.bus.length(stream))
        except BusUnavailableError:
            return

    def _retry(self, action: Callable[[], object]) -> None:
        """Run ``action`` until the bus takes it (a Redis restart pauses, it does not lose)."""
        while True:
            try:
                action()
                return
            except BusUnavailableError as error:
                logger.warning("bus unavailable, retrying: %s", error)
                time.sleep(self.config.retry_sleep_s)
