"""Stored predictions and the model versions that make them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

__all__ = ["ModelVersionRecord", "PredictionRecord"]


@dataclass(frozen=True, slots=True)
class PredictionRecord:
    """A model version's prediction of a fixture.

    ``probabilities`` are home, draw, away; ``fair_odds`` their reciprocals
    (None for a zero probability); ``markets`` every market priced from the
    prediction's score grid, as the worker stored it (None for predictions made
    before it priced markets); ``rho`` the score grid's low-score correction.
    """

    id: int
    fixture_id: int
    model: str
    version: str
    created_at: datetime
    odds_snapshot_id: int | None
    probabilities: tuple[float, float, float]
    expected_goals: tuple[float, float]
    rho: float
    markets: Mapping[str, object] | None
    feature_hash: str | None

    @property
    def fair_odds(self) -> tuple[float | None, float | None, float | None]:
        """1X2 fair decimal odds, to four places."""
        home, draw, away = (round(1 / p, 4) if p > 0 else None for p in self.probabilities)
        return home, draw, away


@dataclass(frozen=True, slots=True)
class ModelVersionRecord:
    """A registered model version; exactly one is active platform-wide."""

    id: int
    name: str
    version: str
    created_at: datetime
    trained_from: date | None
    trained_to: date | None
    params: Mapping[str, object]
    metrics: Mapping[str, object]
    artifact_path: str | None
    is_active: bool
