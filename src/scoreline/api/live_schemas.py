"""Response bodies of the live dashboard's routes: the board, score grids, exposure, model health.

Kept apart from ``api/schemas.py`` so the dashboard's read models can change
with the dashboard. As there, money is integer minor units and prices are
``Decimal`` (JSON strings); probabilities and scores are floats.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel

__all__ = [
    "BoardRow",
    "BoardSelection",
    "CompetitionExposure",
    "DriftOut",
    "ExposureOut",
    "FixtureExposure",
    "ModelHealth",
    "ReliabilityBin",
    "RollingPoint",
    "ScoreGridOut",
]

BoardMarket = Literal["1x2", "over_under"]
BoardSelectionName = Literal["home", "draw", "away", "over", "under"]


class BoardSelection(BaseModel):
    """One selection of an upcoming fixture: the model's view against the best price.

    ``best_price`` is the highest latest pre-match price of a real bookmaker
    (never the MAX or AVG aggregates, which cannot be bet), and
    ``odds_snapshot_id`` the stored snapshot holding it, so a bet can be placed
    against it. ``edge`` is ``probability * best_price - 1`` to four places.
    ``suggested_stake_minor`` is null without a portfolio, 0 when the edge is
    below the portfolio's minimum.
    """

    market: BoardMarket
    line: str | None
    selection: BoardSelectionName
    probability: float | None
    fair_odds: float | None
    best_price: Decimal | None
    bookmaker: str | None
    odds_snapshot_id: int | None
    edge: Decimal | None
    suggested_stake_minor: int | None


class BoardRow(BaseModel):
    """An upcoming fixture with the active model's newest prediction and its five selections."""

    fixture_id: int
    competition: str
    kickoff: datetime
    home_team: str
    away_team: str
    prediction_id: int | None
    model: str | None
    version: str | None
    predicted_at: datetime | None
    selections: list[BoardSelection]


class ScoreGridOut(BaseModel):
    """A prediction's exact-score grid: ``cells[h][a]`` is P(home h, away a)."""

    prediction_id: int
    model: str
    version: str
    max_goals: int
    home_rate: float
    away_rate: float
    rho: float
    cells: list[list[float]]


class FixtureExposure(BaseModel):
    """Open stakes on one fixture, and what they pay back if every one of them wins."""

    fixture_id: int
    competition: str
    kickoff: datetime
    home_team: str
    away_team: str
    stake_minor: int
    bets: int
    potential_payout_minor: int


class CompetitionExposure(BaseModel):
    """Open stakes in one competition."""

    competition: str
    stake_minor: int
    bets: int


class ExposureOut(BaseModel):
    """A portfolio's open bets, summed by fixture and by competition."""

    portfolio_id: int
    open_stakes_minor: int
    by_fixture: list[FixtureExposure]
    by_competition: list[CompetitionExposure]


class ReliabilityBin(BaseModel):
    """Forecasts of one selection in ``[bin_low, bin_high)``: mean forecast against outcome rate."""

    selection: Literal["home", "draw", "away"]
    bin_low: float
    bin_high: float
    predicted_mean: float
    observed_rate: float
    count: int


class RollingPoint(BaseModel):
    """Mean scores of the ``n`` matches up to ``at`` (lower is better).

    The market is scored on the matches of the window that had prices; null
    when none had.
    """

    at: datetime
    n: int
    rps_model: float
    rps_market: float | None
    log_loss_model: float
    log_loss_market: float | None


class DriftOut(BaseModel):
    """PSI of recent home probabilities against the model's training reference."""

    prediction_psi: float | None
    n_recent: int
    status: Literal["stable", "watch", "drift", "unknown"]


class ModelHealth(BaseModel):
    """How the active model has done on the latest finished matches, and whether it drifts."""

    model: str | None
    version: str | None
    window_start: datetime | None
    window_end: datetime | None
    n_matches: int
    reliability: list[ReliabilityBin]
    rolling: list[RollingPoint]
    drift: DriftOut
