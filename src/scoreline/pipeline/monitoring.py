"""What a worker reports about itself between batches: input drift and stream backlogs.

Drift: the worker keeps the latest served feature rows and probabilities, and
now and then exports each one's population stability index against the
distribution the model was trained on (``models.drift.ReferenceDistribution``,
saved with the version). Backlogs: the ``odds`` group's lag and pending count,
and the length of the streams the worker reads and writes.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from scoreline.errors import BusUnavailableError
from scoreline.messaging.bus import Bus
from scoreline.models.drift import ReferenceDistribution
from scoreline.models.features import FEATURE_COLUMNS
from scoreline.pipeline.metrics import PipelineMetrics

__all__ = ["DriftMonitor", "StreamGauges"]

FloatArray = npt.NDArray[np.float64]
_OUTCOMES = ("home", "draw", "away")


class DriftMonitor:
    """PSI of recent features and probabilities against the training reference."""

    def __init__(self, metrics: PipelineMetrics, *, window: int = 2000) -> None:
        self.metrics = metrics
        self._features: deque[FloatArray] = deque(maxlen=window)
        self._probabilities: deque[FloatArray] = deque(maxlen=window)

    def track(self, features: FloatArray, probabilities: FloatArray) -> None:
        """Keep a batch's served rows; the PSI itself is computed on a timer (``update``)."""
        self._features.extend(features)
        self._probabilities.extend(probabilities)

    def update(self, reference: ReferenceDistribution | None) -> None:
        """Export the PSI of every column the reference knows (nothing without one)."""
        if reference is None or not self._features:
            return
        recent = np.array(self._features)
        for i, name in enumerate(FEATURE_COLUMNS):
            if name in reference.columns:
                value = reference.psi_of(name, recent[:, i])
                if np.isfinite(value):
                    self.metrics.feature_psi.labels(feature=name).set(value)
        probabilities = np.array(self._probabilities)
        for i, outcome in enumerate(_OUTCOMES):
            if outcome in reference.columns:
                value = reference.psi_of(outcome, probabilities[:, i])
                if np.isfinite(value):
                    self.metrics.prediction_psi.labels(outcome=outcome).set(value)


class StreamGauges:
    """A group's lag and pending count on its stream, and the length of some streams."""

    def __init__(
        self,
        bus: Bus,
        metrics: PipelineMetrics,
        *,
        stream: str,
        group: str,
        lengths_of: Sequence[str],
    ) -> None:
        self.bus, self.metrics = bus, metrics
        self.stream, self.group, self.lengths_of = stream, group, tuple(lengths_of)

    def update(self) -> None:
        """Read and export them; a bus that is down leaves the last values."""
        try:
            info = self.bus.group_info(self.stream, self.group)
            self.metrics.stream_lag.labels(stream=self.stream, group=self.group).set(info.lag)
            self.metrics.stream_pending.labels(stream=self.stream, group=self.group).set(
                info.pending
            )
            for stream in self.lengths_of:
                self.metrics.stream_length.labels(stream=stream).set(self.bus.length(stream))
        except BusUnavailableError:
            return
