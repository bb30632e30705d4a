"""The ML worker: odds snapshots in, predictions out, at least once.

The worker is a composition of small parts::

    ConsumerLoop (odds, group "workers")          messaging.consumer: claim, read, retry,
        │                                         dead-letter, ack, graceful stop
        ├─ handle(batch)
        │     decode_odds ──► refused entries (not_json, missing_field)
        │     Predictor.predict_ticks ──► stored and committed (services.serving)
        │     publish on "predictions", then return: the loop acknowledges
        └─ between batches (on_idle), each on its own timer:
              ModelFollower      reload when another version became active
              StreamGauges       lag, pending, stream lengths
              DriftMonitor       PSI against the training reference
              refresh + score    step the features by new results; SettledScorer
              Heartbeat          who this worker is, the version it serves, its counts

A crash before the commit leaves the entries pending for another worker; a
crash after it leads to a harmless redelivery (predictions are unique per
snapshot and version). ``stop()`` (SIGTERM) lets the current batch finish and
be acknowledged, and the heartbeat row is marked ``stopped`` when ``run``
returns (a worker killed outright goes stale instead). While the bus or the
database is down the loop waits and retries; an entry whose fixture the
database does not know, or whose odds id is no stored snapshot of that fixture,
is dead-lettered (``unknown_fixture``, ``unknown_odds``), as is whatever else
fails ``max_deliveries`` times.
"""

from __future__ import annotations

import gc
import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from scoreline.domain.workers import WorkerState
from scoreline.errors import BusUnavailableError, ConfigError
from scoreline.messaging.bus import Bus, Delivery
from scoreline.messaging.consumer import ConsumerConfig, ConsumerLoop, Rejection
from scoreline.messaging.names import WORKER_GROUP, Streams, consumer_name
from scoreline.models.drift import ReferenceDistribution
from scoreline.models.serving import LiveModel
from scoreline.pipeline._every import Every
from scoreline.pipeline.decoding import OddsEntry, decode_odds
from scoreline.pipeline.following import ModelFollower
from scoreline.pipeline.heartbeat import Heartbeat
from scoreline.pipeline.metrics import PipelineMetrics
from scoreline.pipeline.monitoring import DriftMonitor, StreamGauges
from scoreline.pipeline.scoring import SettledScorer
from scoreline.services import health
from scoreline.services.model_versions import LoadedModel
from scoreline.services.serving import PredictionBatch, Predictor
from scoreline.storage.unit_of_work import UnitOfWorkFactory

__all__ = ["ModelLoader", "Worker", "WorkerConfig", "WorkerStatus"]

logger = logging.getLogger(__name__)

ModelLoader = Callable[[], LoadedModel]
"""Loads the version to serve (``services.model_versions.load_active`` with a registry)."""


CONSUMER_MAX = 200
"""The longest consumer name: the heartbeat row keeps it (``worker_heartbeats.consumer``)."""


@dataclass(frozen=True)
class WorkerConfig:
    """How a worker reads, retries and publishes."""

    group: str = WORKER_GROUP
    streams: Streams = field(default_factory=Streams)
    consumer: str = field(default_factory=consumer_name)
    batch: int = 256
    block_ms: int = 200
    claim_idle_ms: int = 15_000
    claim_every_s: float = 2.0
    max_deliveries: int = 5
    refresh_every_s: float = 60.0  # between checks for new results (and scoring them)
    predictions_maxlen: int = 1_000_000
    drift_every_s: float = 30.0  # between PSI updates
    gauges_every_s: float = 5.0  # between stream lag/pending/length readings
    follow_every_s: float = 5.0  # between checks that the active model is still ours
    heartbeat_every_s: float = 5.0  # between heartbeat rows (the admin status lists workers)
    retry_sleep_s: float = 0.2

    def __post_init__(self) -> None:
        if not 1 <= len(self.consumer) <= CONSUMER_MAX:
            raise ConfigError(
                f"worker consumer name {self.consumer[:40]!r}: use 1 to {CONSUMER_MAX}"
                f" characters, not {len(self.consumer)}"
            )
        if not self.heartbeat_every_s > 0:
            raise ConfigError(
                f"worker heartbeat_every_s {self.heartbeat_every_s}: use a positive number"
            )


@dataclass
class WorkerStatus:
    """What ``/health`` and the command line report."""

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
    """Consume ``odds``, serve the active model, store and publish predictions."""

    def __init__(
        self,
        bus: Bus,
        unit_of_work: UnitOfWorkFactory,
        load_model: ModelLoader,
        *,
        config: WorkerConfig | None = None,
        metrics: PipelineMetrics | None = None,
    ) -> None:
        self.bus, self.unit_of_work, self._load_model = bus, unit_of_work, load_model
        self.config = c = config or WorkerConfig()
        self.metrics = metrics or PipelineMetrics()
        self.loop = ConsumerLoop(
            bus,
            ConsumerConfig(
                stream=c.streams.odds,
                group=c.group,
                consumer=c.consumer,
                dead_letter_stream=c.streams.dead_letter,
                batch=c.batch,
                block_ms=c.block_ms,
                claim_idle_ms=c.claim_idle_ms,
                claim_every_s=c.claim_every_s,
                max_deliveries=c.max_deliveries,
                retry_sleep_s=c.retry_sleep_s,
            ),
            self.handle,
            on_dead_letter=self._dead_lettered,
            on_idle=self._between_batches,
            healthy=self.parts_healthy,
        )
        self.follower = ModelFollower(unit_of_work)
        self.drift = DriftMonitor(self.metrics)
        self.gauges = StreamGauges(
            bus,
            self.metrics,
            stream=c.streams.odds,
            group=c.group,
            lengths_of=(c.streams.odds, c.streams.predictions, c.streams.dead_letter),
        )
        self.scorer = SettledScorer(bus, c.streams.results, self.metrics)
        self._timers = (
            # First, so that a periodic task failing (which ends the round) never silences it.
            Every(c.heartbeat_every_s, self._beat, due_now=True),
            Every(c.follow_every_s, self._follow, due_now=False),
            Every(c.gauges_every_s, self.gauges.update, due_now=True),
            Every(c.drift_every_s, lambda: self.drift.update(self.reference), due_now=False),
            Every(c.refresh_every_s, self._refresh, due_now=False),
        )
        started = datetime.now(UTC)
        self.status = WorkerStatus(c.consumer, "", "", started_at=started.isoformat())
        self.heartbeat = Heartbeat(
            unit_of_work, consumer=c.consumer, every_s=c.heartbeat_every_s, started_at=started
        )
        self.predictor: Predictor
        self.reload_model()

    def __repr__(self) -> str:
        s = self.status
        return (
            f"Worker({s.consumer!r}, model={s.model!r}, version={s.version!r},"
            f" predictions={s.predictions}, dead_lettered={s.dead_lettered})"
        )

    # -- the model ----------------------------------------------------------------------

    @property
    def model(self) -> LiveModel:
        """The model served."""
        return self.predictor.model

    @property
    def version_id(self) -> int:
        """The row id of the version served: predictions are stored under it."""
        return self.predictor.version_id

    @property
    def reference(self) -> ReferenceDistribution | None:
        """The training distribution drift is measured against, when the version saved one."""
        return self.predictor.reference

    def reload_model(self) -> None:
        """Load the version to serve and build its feature table (between batches)."""
        self.predictor = Predictor(self.unit_of_work, self._load_model())
        # The model and the feature table live as long as the process: moving them
        # out of the collector's view keeps full collections short between batches.
        gc.collect()
        gc.freeze()
        model = self.predictor.model
        self.metrics.serve_model(model.name, model.version)
        self.status.model, self.status.version = model.name, model.version
        self.status.fixtures = self.predictor.fixtures
        logger.info(
            "serving %s %s on %d fixtures", model.name, model.version, self.predictor.fixtures
        )

    # -- the loop -----------------------------------------------------------------------

    def run(self) -> None:
        """Serve batches until ``stop``, then mark the heartbeat row ``stopped``."""
        try:
            self.loop.run()
        finally:
            self._beat("stopped")

    def step(self) -> int:
        """One read, its batch and the periodic work; how many entries came."""
        return self.loop.step()

    def stop(self) -> None:
        """Finish the current batch, acknowledge it and return from ``run``."""
        self.loop.stop()

    @property
    def stopping(self) -> bool:
        """Whether ``stop`` was called."""
        return self.loop.stopping

    def is_alive(self, *, within_s: float = 30.0) -> bool:
        """Whether the loop is running and went round lately (readiness)."""
        return self.loop.is_alive(within_s=within_s)

    def problems(self) -> dict[str, str]:
        """What keeps this worker from working, by part (empty when nothing does)."""
        problems: dict[str, str] = {}
        if not self.bus.ping():
            problems["bus"] = "down: the stream bus does not answer"
        database = health.database_problem(self.unit_of_work)
        if database:
            problems["database"] = database
        if not self.is_alive():
            problems["consumer"] = "stopped" if self.stopping else "not going round"
        return problems

    def parts_healthy(self) -> bool:
        """Whether the bus and the database answer (the loop asks when a batch fails in a
        way that looks transient)."""
        return self.bus.ping() and health.database_problem(self.unit_of_work) is None

    def handle(self, deliveries: Sequence[Delivery]) -> list[Rejection]:
        """Serve one batch: store, commit and publish its predictions; the entries refused."""
        started = time.perf_counter()
        entries, rejections = decode_odds(deliveries)
        if entries:
            batch = self.predictor.predict_ticks([e.ref for e in entries])
            unknown = set(batch.unknown)
            stray = set(batch.stray)
            rejections += [
                Rejection(e.delivery, "unknown_fixture", f"fixture {e.ref.fixture_id} unknown")
                for e in entries
                if e.ref.fixture_id in unknown
            ]
            rejections += [
                Rejection(
                    e.delivery,
                    "unknown_odds",
                    f"odds {e.ref.odds_id} is no stored snapshot of fixture {e.ref.fixture_id}",
                )
                for e in entries
                if e.ref in stray and e.ref.fixture_id not in unknown
            ]
            self._publish(batch, entries)
            self._count(batch, entries)
            self.status.fixtures = self.predictor.fixtures
        self.metrics.batch_size.observe(len(deliveries))
        self.status.batches += 1
        self.status.last_batch_at = datetime.now(UTC).isoformat()
        took = time.perf_counter() - started
        (logger.warning if took > 0.5 else logger.debug)(
            "batch of %d in %.1f ms", len(deliveries), 1e3 * took
        )
        return rejections

    # -- steps --------------------------------------------------------------------------

    def _publish(self, batch: PredictionBatch, entries: Sequence[OddsEntry]) -> None:
        """Put the batch's predictions on ``predictions``, waiting out a bus that is down
        (the predictions are committed; only stopping gives up, leaving the entries pending)."""
        if not batch.predictions:
            return
        received: dict[int | None, float] = {e.ref.odds_id: e.received_at for e in entries}
        model, stamp = self.predictor.model, batch.created_at.isoformat()
        payloads = [
            json.dumps(
                {
                    "fixture_id": p.fixture_id,
                    "odds_id": p.odds_id,
                    "model": model.name,
                    "version": model.version,
                    "probabilities": p.markets["1x2"],
                    "markets": p.markets,
                    "feature_hash": p.feature_hash,
                    "received_at": received[p.odds_id],
                    "predicted_at": stamp,
                },
                separators=(",", ":"),
            ).encode()
            for p in batch.predictions
        ]
        c = self.config
        while True:
            try:
                self.bus.publish(c.streams.predictions, payloads, maxlen=c.predictions_maxlen)
                return
            except BusUnavailableError as error:
                if self.loop.stopping:
                    raise
                logger.warning("bus unavailable while publishing predictions: %s", error)
                time.sleep(c.retry_sleep_s)

    def _count(self, batch: PredictionBatch, entries: Sequence[OddsEntry]) -> None:
        now = time.time()
        served = {p.odds_id for p in batch.predictions}
        for entry in entries:
            if entry.ref.odds_id in served:
                self.metrics.tick_to_prediction_seconds.observe(max(0.0, now - entry.received_at))
        if batch.predictions:
            self.metrics.inference_seconds.observe(batch.inference_seconds)
            self.drift.track(batch.features, batch.probabilities)
        self.metrics.predictions.inc(len(batch.predictions))
        self.status.predictions += len(batch.predictions)

    def _dead_lettered(self, reason: str) -> None:
        self.metrics.dead_letters.labels(stage=self.config.group, reason=reason).inc()
        self.status.dead_lettered += 1

    def _between_batches(self) -> None:
        for timer in self._timers:
            timer()

    def _beat(self, state: WorkerState | None = None) -> None:
        """Write the heartbeat: ``stopping`` once ``stop`` was called, unless told."""
        self.heartbeat.beat(
            model_version_id=self.version_id,
            entries_handled=self.loop.stats.handled,
            predictions=self.status.predictions,
            dead_lettered=self.status.dead_lettered,
            state=state or ("stopping" if self.stopping else "running"),
        )

    def _follow(self) -> None:
        if self.follower.has_changed(self.version_id):
            self.reload_model()

    def _refresh(self) -> None:
        """Bring the base features up to date when results came in (a step of the live
        state, not a rebuild: ``Predictor.refresh``), and score the settled fixtures."""
        started = time.perf_counter()
        if self.predictor.refresh(force=False):
            self.status.fixtures = self.predictor.fixtures
        self.scorer.score(self.predictor)
        took = time.perf_counter() - started
        (logger.warning if took > 0.5 else logger.debug)("periodic refresh in %.1f ms", 1e3 * took)
