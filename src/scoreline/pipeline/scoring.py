"""Scoring what was served once the matches are played: rolling RPS, log loss and calibration.

The worker tails the ``results`` stream outside any group (every worker sees
every result), takes the latest prediction its model version stored for each
newly finished fixture and the market's consensus from its book, and exports
the rolling scores of both (``models.drift.RollingScores``): a model that
falls behind the market it bets against is the drift that matters.
"""

from __future__ import annotations

import time

import numpy as np

from scoreline.errors import BusUnavailableError
from scoreline.messaging.bus import Bus
from scoreline.messaging.entries import EntryError
from scoreline.models.drift import RollingScores
from scoreline.pipeline.decoding import decode_result
from scoreline.pipeline.metrics import PipelineMetrics
from scoreline.services.serving import Predictor

__all__ = ["SettledScorer"]


class SettledScorer:
    """Rolling scores of settled predictions, from results published after it started."""

    def __init__(
        self, bus: Bus, stream: str, metrics: PipelineMetrics, *, window: int = 500
    ) -> None:
        self.bus, self.stream, self.metrics = bus, stream, metrics
        self.rolling = RollingScores(window=window)
        # Results published from now on are scored; stream ids start with milliseconds.
        self.after = f"{int(time.time() * 1000)}-0"

    def score(self, predictor: Predictor) -> int:
        """Score the fixtures settled since the last call; how many were scored."""
        settled = self._settled()
        if not settled:
            return 0
        latest = predictor.latest_probabilities(list(settled))
        market = predictor.market(list(latest))
        for i, (fixture_id, probabilities) in enumerate(latest.items()):
            row = market[i, :3]
            self.rolling.add(
                probabilities, row if np.isfinite(row).all() else None, settled[fixture_id]
            )
        self._export()
        return len(latest)

    def _settled(self) -> dict[int, int]:
        """Newly published results: fixture id to outcome (0 home, 1 draw, 2 away)."""
        try:
            entries = self.bus.tail(self.stream, after=self.after, count=1000, block_ms=0)
        except BusUnavailableError:
            return {}
        if entries:
            self.after = entries[-1].id
        settled: dict[int, int] = {}
        for entry in entries:
            try:
                result = decode_result(entry.payload)
            except EntryError:
                continue  # settlement's group dead-letters it; there is nothing to score
            if result.outcome is not None:
                settled[result.fixture_id] = result.outcome
        return settled

    def _export(self) -> None:
        summary = self.rolling.summary()
        self.metrics.settled_count.set(summary["count"])
        for source, scores in (("model", summary["model"]), ("market", summary["market"])):
            if scores["count"]:
                self.metrics.settled_rps.labels(source=source).set(scores["rps"])
                self.metrics.settled_log_loss.labels(source=source).set(scores["log_loss"])
                self.metrics.settled_ece.labels(source=source).set(scores["ece"])
