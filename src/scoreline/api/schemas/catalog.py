"""Competitions, teams, fixtures, odds, predictions and score grids."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

__all__ = [
    "CompetitionRead",
    "FixtureRead",
    "OddsRead",
    "PredictionRead",
    "ScoreGridRead",
    "TeamRead",
]


class CompetitionRead(BaseModel):
    """A league, by football-data.co.uk code."""

    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    country: str


class TeamRead(BaseModel):
    """A team."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    country: str


class FixtureRead(BaseModel):
    """A match, with its score once played."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    competition: str
    kickoff: datetime
    home_team: str
    away_team: str
    status: str
    home_goals: int | None
    away_goals: int | None


class OddsRead(BaseModel):
    """One bookmaker's prices for one market of a fixture at one time."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    bookmaker: str
    market: str
    line: str | None
    kind: str
    captured_at: datetime
    prices: dict[str, Decimal]


class PredictionRead(BaseModel):
    """A model's prediction of a fixture, every market priced from one score grid."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    fixture_id: int
    model: str
    version: str
    created_at: datetime
    odds_snapshot_id: int | None
    probabilities: list[float]
    fair_odds: list[float | None]
    expected_goals: list[float]
    markets: dict[str, object] | None
    feature_hash: str | None


class ScoreGridRead(BaseModel):
    """A prediction's exact-score grid: ``cells[h][a]`` is P(home h, away a)."""

    prediction_id: int
    model: str
    version: str
    max_goals: int
    home_rate: float
    away_rate: float
    rho: float
    cells: list[list[float]]
