"""The dead-letter counter, defined once for every process that runs a consumer loop.

The worker and the ingestion engine count on the pipeline's registry
(``pipeline.metrics``), the API processes (settlement, the realtime bridge) on
the gateway's (``api.metrics``); each builds this one counter on its own
registry, so a dashboard sums ``scoreline_dead_letters_total`` by stage and
reason across every process alike.
"""

from __future__ import annotations

from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter

__all__ = ["DEAD_LETTERS", "counting", "dead_letter_counter"]

DEAD_LETTERS = "scoreline_dead_letters"
"""The counter's name (Prometheus adds ``_total``)."""


def dead_letter_counter(registry: CollectorRegistry) -> Counter:
    """``scoreline_dead_letters_total{stage, reason}`` on ``registry``."""
    return Counter(
        DEAD_LETTERS,
        "Entries moved to the dead-letter stream, by stage and reason.",
        ["stage", "reason"],
        registry=registry,
    )


def counting(counter: Counter, stage: str) -> Callable[[str], None]:
    """A consumer loop's ``on_dead_letter`` that counts each reason under ``stage``."""

    def count(reason: str) -> None:
        counter.labels(stage=stage, reason=reason).inc()

    return count
