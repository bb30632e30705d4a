"""Predicting the fixtures of a window with the active model and storing the predictions.

``scoreline predict`` calls this. It serves the whole active model (an ensemble
with its blend and calibrator, or Dixon-Coles alone) through the worker's own
path, ``services.serving.Predictor``: the same feature table, the market columns
from the latest stored 1X2 prices by the same consensus rule, and the
predictions stored under the version that made them.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from scoreline.domain.fixtures import FixtureRecord
from scoreline.services import model_versions
from scoreline.services.serving import Prediction, Predictor
from scoreline.storage.unit_of_work import UnitOfWorkFactory

__all__ = ["FixturePrediction", "predict_fixtures"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class FixturePrediction:
    """One fixture's probabilities and fair odds, with the score if it has been played."""

    fixture_id: int
    competition: str
    kickoff_utc: datetime
    home_team: str
    away_team: str
    home_goals_expectation: float
    away_goals_expectation: float
    home: float
    draw: float
    away: float
    over_2_5: float
    btts_yes: float
    model_version: str
    home_goals: int | None = None
    away_goals: int | None = None

    @property
    def fair_odds(self) -> tuple[float, float, float]:
        """1X2 fair decimal odds: the reciprocal probabilities."""
        return (1 / self.home, 1 / self.draw, 1 / self.away)


def predict_fixtures(
    unit_of_work: UnitOfWorkFactory,
    *,
    artifacts_dir: Path,
    start: datetime | None = None,
    days: float = 7.0,
    competitions: Sequence[str] | None = None,
    trigger: str = "cli",
) -> list[FixturePrediction]:
    """Predict fixtures kicking off within ``days`` of ``start`` (default now) with the active
    model, as the worker does, and store them under its version."""
    start = start or datetime.now(UTC)
    loaded = model_versions.load_active(unit_of_work, artifacts_dir=artifacts_dir)
    with unit_of_work() as uow:
        rows = uow.fixtures.list_between(
            start=start, end=start + timedelta(days=days), competitions=competitions
        )
    if not rows:
        return []
    predictor = Predictor(unit_of_work, loaded)
    batch = predictor.predict_fixtures([row.id for row in rows], trigger=trigger)
    for fixture_id in batch.unknown:
        logger.warning("fixture %d is not predicted: the model's history leaves it out", fixture_id)
    by_fixture = {p.fixture_id: p for p in batch.predictions}
    return [
        _fixture_prediction(row, by_fixture[row.id], loaded.model.version)
        for row in rows
        if row.id in by_fixture
    ]


def _fixture_prediction(row: FixtureRecord, p: Prediction, version: str) -> FixturePrediction:
    over_under: dict[str, list[float]] = p.markets["over_under"]
    return FixturePrediction(
        fixture_id=row.id,
        competition=row.competition,
        kickoff_utc=row.kickoff,
        home_team=row.home_team,
        away_team=row.away_team,
        home_goals_expectation=p.home_goals,
        away_goals_expectation=p.away_goals,
        home=p.probabilities[0],
        draw=p.probabilities[1],
        away=p.probabilities[2],
        over_2_5=float(over_under["2.5"][0]),
        btts_yes=float(p.markets["btts_yes"]),
        model_version=version,
        home_goals=row.home_goals,
        away_goals=row.away_goals,
    )
