"""Predicting fixtures with the active model and storing the predictions."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd

from scoreline.models import UnseenTeamWarning
from scoreline.services import model_versions
from scoreline.storage.repositories.predictions import NewPrediction
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
    """Predict fixtures kicking off within ``days`` of ``start`` (default now) and store them."""
    start = start or datetime.now(UTC)
    loaded = model_versions.load_active(unit_of_work, artifacts_dir=artifacts_dir)
    model, version = loaded.model.dixon_coles, loaded.model.version
    with unit_of_work() as uow:
        rows = uow.fixtures.list_between(
            start=start,
            end=start + timedelta(days=days),
            competitions=competitions,
        )
        if not rows:
            return []
        frame = pd.DataFrame(
            {
                "home_team": [r.home_team for r in rows],
                "away_team": [r.away_team for r in rows],
                "neutral": [r.neutral for r in rows],
            }
        )
        with warnings.catch_warnings(record=True) as caught:
            # A promoted team is priced by the model's newcomer prior: say so, do not fail.
            warnings.simplefilter("always", UnseenTeamWarning)
            grid = model.predict(frame[["home_team", "away_team", "neutral"]])
        for warning in caught:
            logger.warning("%s", warning.message)
        p1x2 = grid.probabilities("1x2")
        goals = grid.probabilities("expected_goals")
        over = grid.probabilities("over_under", 2.5)[:, 0]
        btts = grid.probabilities("btts")[:, 0]
        now = datetime.now(UTC)
        uow.predictions.upsert_many(
            [
                NewPrediction(
                    fixture_id=row.id,
                    model_version_id=loaded.version_id,
                    trigger=trigger,
                    created_at=now,
                    home_goals_expectation=float(goals[i, 0]),
                    away_goals_expectation=float(goals[i, 1]),
                    rho=float(model.rho_),
                    p_home=float(p1x2[i, 0]),
                    p_draw=float(p1x2[i, 1]),
                    p_away=float(p1x2[i, 2]),
                )
                for i, row in enumerate(rows)
            ]
        )
        uow.commit()
    return [
        FixturePrediction(
            fixture_id=row.id,
            competition=row.competition,
            kickoff_utc=row.kickoff,
            home_team=row.home_team,
            away_team=row.away_team,
            home_goals_expectation=float(goals[i, 0]),
            away_goals_expectation=float(goals[i, 1]),
            home=float(p1x2[i, 0]),
            draw=float(p1x2[i, 1]),
            away=float(p1x2[i, 2]),
            over_2_5=float(over[i]),
            btts_yes=float(btts[i]),
            model_version=version,
            home_goals=row.home_goals,
            away_goals=row.away_goals,
        )
        for i, row in enumerate(rows)
    ]
