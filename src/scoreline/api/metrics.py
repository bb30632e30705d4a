"""The gateway's Prometheus metrics, one registry per API process.

Requests by route and status, their latency, and the dead letters of the
consumer loops the process runs (settlement, the realtime bridge), under the
same name the pipeline uses (``messaging.metrics``). Built before the app and
its background work, so whatever the composition root starts can count here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest

from scoreline.messaging.metrics import counting, dead_letter_counter

__all__ = ["ApiMetrics"]


@dataclass
class ApiMetrics:
    """Every metric of one API process, on one registry."""

    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        r = self.registry
        self.requests = Counter(
            "scoreline_api_requests", "API requests by route and status.", ["route", "status"],
            registry=r,
        )  # fmt: skip
        self.latency = Histogram(
            "scoreline_api_request_seconds", "API request latency by route.", ["route"],
            registry=r,
        )  # fmt: skip
        self.dead_letters = dead_letter_counter(r)

    def dead_lettered(self, stage: str) -> Callable[[str], None]:
        """A consumer loop's ``on_dead_letter``, counting under ``stage`` (its group)."""
        return counting(self.dead_letters, stage)

    def exposition(self) -> bytes:
        """The registry in the Prometheus text format."""
        return generate_latest(self.registry)
