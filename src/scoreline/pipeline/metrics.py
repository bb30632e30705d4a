"""The pipeline's Prometheus metrics, one registry per process.

Each process (ingestion, worker, the all-in-one ``serve``) builds one
``PipelineMetrics`` on its own ``CollectorRegistry`` rather than the global
one, so tests can build many and read them without cross-talk. Names follow
Prometheus conventions (base units, ``_total`` counters, ``_seconds``); the
Grafana dashboard in ``deploy/grafana/`` queries exactly these names
(``METRIC_NAMES``), and a test keeps the two in step.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from scoreline.messaging.metrics import dead_letter_counter

__all__ = ["METRIC_NAMES", "PipelineMetrics"]

# Tick-to-prediction spans network, two database commits and two stream hops:
# buckets from 1 ms to 5 s. Inference of a batch is pure CPU: 0.1 ms to 1 s.
_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.02, 0.035, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
_INFERENCE_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 1.0)
_BATCH_BUCKETS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)

METRIC_NAMES: tuple[str, ...] = (
    "scoreline_ticks_total",
    "scoreline_predictions_total",
    "scoreline_dead_letters_total",
    "scoreline_inference_seconds",
    "scoreline_tick_to_prediction_seconds",
    "scoreline_batch_size",
    "scoreline_stream_length",
    "scoreline_stream_lag",
    "scoreline_stream_pending",
    "scoreline_provider_requests_remaining",
    "scoreline_provider_requests_used",
    "scoreline_provider_requests_last",
    "scoreline_feature_psi",
    "scoreline_prediction_psi",
    "scoreline_settled_predictions",
    "scoreline_settled_rps",
    "scoreline_settled_log_loss",
    "scoreline_settled_ece",
    "scoreline_model_info",
)


@dataclass
class PipelineMetrics:
    """Every metric of the ingestion engine and the ML worker, on one registry."""

    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        r = self.registry
        self.ticks = Counter(
            "scoreline_ticks",
            "Ticks seen by the ingestion engine, by outcome "
            "(stored, duplicate, unchanged, dead_lettered) and kind (odds, result).",
            ["outcome", "kind"],
            registry=r,
        )
        self.predictions = Counter(
            "scoreline_predictions",
            "Predictions stored and published by the worker.",
            registry=r,
        )
        self.dead_letters = dead_letter_counter(r)
        self.inference_seconds = Histogram(
            "scoreline_inference_seconds",
            "Model inference time of one batch (features to calibrated probabilities).",
            buckets=_INFERENCE_BUCKETS,
            registry=r,
        )
        self.tick_to_prediction_seconds = Histogram(
            "scoreline_tick_to_prediction_seconds",
            "From the tick's arrival at the ingestion engine to its prediction's publication.",
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.batch_size = Histogram(
            "scoreline_batch_size",
            "Entries handled per worker batch.",
            buckets=_BATCH_BUCKETS,
            registry=r,
        )
        self.stream_length = Gauge(
            "scoreline_stream_length", "Entries held in a stream.", ["stream"], registry=r
        )
        self.stream_lag = Gauge(
            "scoreline_stream_lag",
            "Entries of a stream not yet delivered to a consumer group.",
            ["stream", "group"],
            registry=r,
        )
        self.stream_pending = Gauge(
            "scoreline_stream_pending",
            "Entries delivered to a consumer group and not yet acknowledged.",
            ["stream", "group"],
            registry=r,
        )
        self.quota_remaining = Gauge(
            "scoreline_provider_requests_remaining",
            "Credits left this month, from the provider's x-requests-remaining header.",
            ["provider"],
            registry=r,
        )
        self.quota_used = Gauge(
            "scoreline_provider_requests_used",
            "Credits used this month, from the provider's x-requests-used header.",
            ["provider"],
            registry=r,
        )
        self.quota_last = Gauge(
            "scoreline_provider_requests_last",
            "Credits the last request cost, from the provider's x-requests-last header.",
            ["provider"],
            registry=r,
        )
        self.feature_psi = Gauge(
            "scoreline_feature_psi",
            "Population stability index of a live feature against the training reference.",
            ["feature"],
            registry=r,
        )
        self.prediction_psi = Gauge(
            "scoreline_prediction_psi",
            "Population stability index of a predicted probability against the training reference.",
            ["outcome"],
            registry=r,
        )
        self.settled_count = Gauge(
            "scoreline_settled_predictions",
            "Settled predictions in the rolling window the settled_* scores are computed on.",
            registry=r,
        )
        self.settled_rps = Gauge(
            "scoreline_settled_rps",
            "Rolling ranked probability score of settled predictions, model or market.",
            ["source"],
            registry=r,
        )
        self.settled_log_loss = Gauge(
            "scoreline_settled_log_loss",
            "Rolling log loss of settled predictions, model or market.",
            ["source"],
            registry=r,
        )
        self.settled_ece = Gauge(
            "scoreline_settled_ece",
            "Rolling expected calibration error of settled predictions, model or market.",
            ["source"],
            registry=r,
        )
        self.model_info = Gauge(
            "scoreline_model_info",
            "The model version the worker serves (value 1).",
            ["name", "version"],
            registry=r,
        )

    def serve_model(self, name: str, version: str) -> None:
        """Mark ``name``/``version`` as the one served (the previous label set is removed)."""
        self.model_info.clear()
        self.model_info.labels(name=name, version=version).set(1)

    def exposition(self) -> bytes:
        """The registry in the Prometheus text format."""
        return generate_latest(self.registry)
