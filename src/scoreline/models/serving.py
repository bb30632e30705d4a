"""The model the live worker serves: Dixon-Coles, XGBoost, the blend and its calibrator.

A registry artifact named ``ensemble`` (saved by ``scoreline backtest
--register``) holds the walk-forward's last refit of every member; one named
``dixon-coles`` (``scoreline fit``) holds Dixon-Coles alone. ``LiveModel``
serves either the same way, batch by batch:

1. the fixture's base features (Elo, pi-ratings, form, Dixon-Coles columns...)
   come from the worker's feature table, the market columns from the latest
   1X2 prices of the tick stream;
2. XGBoost, then the log-linear blend of Dixon-Coles, XGBoost and (when the
   fixture has prices) the de-margined market, then the isotonic calibrator
   where the walk-forward kept one;
3. a score grid per fixture solved to match the served 1X2 probabilities
   (``ScoreGrid.from_1x2`` started from Dixon-Coles's own rates), from which
   every other market is priced, so all markets agree with the 1X2.
"""

from __future__ import annotations

import hashlib
import warnings
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from scoreline.errors import ConvergenceWarning, ModelError
from scoreline.models.boosting import BoostedClassifier
from scoreline.models.calibration import IsotonicCalibrator
from scoreline.models.dixon_coles import DixonColes, UnseenTeamWarning
from scoreline.models.ensemble import LogLinearBlend
from scoreline.models.features import FEATURE_COLUMNS
from scoreline.models.grid import ScoreGrid
from scoreline.models.registry import ModelArtifact

__all__ = ["HANDICAP_LINES", "OVER_UNDER_LINES", "LiveModel", "ServedBatch"]

FloatArray = npt.NDArray[np.float64]

OVER_UNDER_LINES = ("0.5", "1.5", "2.5", "3.5", "4.5")
HANDICAP_LINES = tuple(str(Decimal(q) / 4) for q in range(-8, 9))
_MARKET = ("market_home", "market_draw", "market_away")
_DC = ("dc_home", "dc_draw", "dc_away", "dc_home_goals", "dc_away_goals")
_MARKET_POSITIONS = [FEATURE_COLUMNS.index(c) for c in _MARKET]
_DC_POSITIONS = [FEATURE_COLUMNS.index(c) for c in _DC]


def _trained_columns(
    boosting: BoostedClassifier | None, artifact: ModelArtifact
) -> tuple[int, ...] | None:
    """Where XGBoost's training columns sit in today's ``FEATURE_COLUMNS``; None when they
    are today's columns in today's order. ``ModelError`` naming any column this version no
    longer computes (such an artifact cannot be served: refit it)."""
    if boosting is None:
        return None
    names = getattr(boosting, "feature_names_in_", None)
    trained = [str(n) for n in names] if names is not None else list(artifact.feature_names)
    if not trained or trained == list(FEATURE_COLUMNS):
        return None
    missing = [name for name in trained if name not in FEATURE_COLUMNS]
    if missing:
        raise ModelError(
            f"model {artifact.name} {artifact.version} was trained on feature column(s) "
            f"{missing} that this version does not compute; refit it"
        )
    return tuple(FEATURE_COLUMNS.index(name) for name in trained)


@dataclass(frozen=True)
class ServedBatch:
    """A batch's served probabilities, goal expectations, priced markets and feature hashes."""

    probabilities: FloatArray  # (n, 3) home, draw, away
    home_goals: FloatArray
    away_goals: FloatArray
    markets: list[dict[str, Any]]
    feature_hashes: list[str]
    members: str  # which blend served the batch's rows, for the record


@dataclass(frozen=True)
class LiveModel:
    """A registry artifact ready to serve (see the module docstring)."""

    name: str
    version: str
    dixon_coles: DixonColes
    boosting: BoostedClassifier | None = None
    blend_market: LogLinearBlend | None = None
    blend_plain: LogLinearBlend | None = None
    calibrator_market: IsotonicCalibrator | None = None
    calibrator_plain: IsotonicCalibrator | None = None
    boosting_columns: tuple[int, ...] | None = None
    """Positions in ``FEATURE_COLUMNS`` of the columns XGBoost was trained on, in its order:
    an artifact saved before a feature column was added is served the columns it knows."""

    @classmethod
    def from_artifact(cls, artifact: ModelArtifact) -> LiveModel:
        """Serve an ``ensemble`` or ``dixon-coles`` artifact; ``ModelError`` if it has neither."""
        est = artifact.estimators
        dc = est.get("dixon_coles")
        if not isinstance(dc, DixonColes):
            raise ModelError(f"model {artifact.name} {artifact.version} holds no Dixon-Coles fit")

        def typed(key: str, kind: type[Any]) -> Any:
            value = est.get(key)
            return value if isinstance(value, kind) else None

        boosting = typed("xgboost", BoostedClassifier)
        return cls(
            name=artifact.name,
            version=str(artifact.version),
            dixon_coles=dc,
            boosting=boosting,
            boosting_columns=_trained_columns(boosting, artifact),
            blend_market=typed("blend[dc+xgb+market]", LogLinearBlend),
            blend_plain=typed("blend[dc+xgb]", LogLinearBlend),
            calibrator_market=typed("calibrator[dc+xgb+market]", IsotonicCalibrator),
            calibrator_plain=typed("calibrator[dc+xgb]", IsotonicCalibrator),
        )

    @property
    def is_ensemble(self) -> bool:
        """Whether XGBoost and a blend take part (else Dixon-Coles serves alone)."""
        return self.boosting is not None and (
            self.blend_market is not None or self.blend_plain is not None
        )

    def dixon_coles_columns(self, fixtures: pd.DataFrame) -> pd.DataFrame:
        """The dc_* feature columns of fixtures (home_team, away_team, neutral).

        Each fixture's columns are the same to the last bit whatever batch it comes in: the
        worker reads a new fixture alone, a rebuild reads every fixture at once, and both
        must give the row (and the feature hash) ``scoreline predict`` gives.
        """
        pairs = fixtures[["home_team", "away_team", "neutral"]]
        if len(pairs) == 1:
            # numpy sums the Poisson columns of one fixture pairwise and those of several
            # row by row: a lone fixture is read as two (itself twice).
            pairs = pd.concat([pairs, pairs])
        with warnings.catch_warnings():
            # A promoted team is priced by the newcomer prior; the fit reported it.
            warnings.simplefilter("ignore", UnseenTeamWarning)
            grid = self.dixon_coles.predict(pairs)
        p = _one_x_two(grid.probabilities("correct_score"))
        goals = grid.probabilities("expected_goals")
        columns = np.column_stack([p, goals])[: len(fixtures)]
        return pd.DataFrame(columns, index=fixtures.index, columns=list(_DC))

    def serve(self, x: FloatArray) -> ServedBatch:
        """Calibrated probabilities and every market for feature rows in ``FEATURE_COLUMNS``
        order, shape (n, len(FEATURE_COLUMNS))."""
        dc = x[:, _DC_POSITIONS[:3]]
        market = x[:, _MARKET_POSITIONS]
        has_market = np.isfinite(market).all(axis=1)
        probabilities = dc.copy()
        members = "dc"
        if self.is_ensemble and self.boosting is not None:
            columns = self.boosting_columns
            boosted = self.boosting.predict_proba_trusted(
                x if columns is None else np.ascontiguousarray(x[:, columns])
            )
            for rows, blend, calibrator, label in (
                (has_market, self.blend_market, self.calibrator_market, "dc+xgb+market"),
                (~has_market, self.blend_plain, self.calibrator_plain, "dc+xgb"),
            ):
                if not rows.any() or blend is None:
                    continue
                inputs = np.column_stack([dc[rows], boosted[rows]])
                if label.endswith("market"):
                    inputs = np.column_stack([inputs, market[rows]])
                blended = blend.predict_proba_trusted(inputs)
                probabilities[rows] = (
                    blended if calibrator is None else calibrator.predict_proba_trusted(blended)
                )
                members = label if members == "dc" else f"{members}|{label}"
        probabilities /= probabilities.sum(axis=1, keepdims=True)
        grid = self._grid(probabilities, x[:, _DC_POSITIONS[3]], x[:, _DC_POSITIONS[4]])
        goals = grid.probabilities("expected_goals")
        markets = self._markets(grid, probabilities)
        prefix = self.version.encode()
        hashes = [
            hashlib.sha256(prefix + row.tobytes()).hexdigest() for row in np.ascontiguousarray(x)
        ]
        return ServedBatch(probabilities, goals[:, 0], goals[:, 1], markets, hashes, members)

    def _grid(
        self, probabilities: FloatArray, home_rate: FloatArray, away_rate: FloatArray
    ) -> ScoreGrid:
        with warnings.catch_warnings():
            # A fixture the solver matches only with rho = 0 is still a fine grid.
            warnings.simplefilter("ignore", ConvergenceWarning)
            return ScoreGrid.from_1x2(
                probabilities,
                rho=float(self.dixon_coles.rho_),
                initial_rates=(home_rate, away_rate),
            )

    @staticmethod
    def _markets(grid: ScoreGrid, probabilities: FloatArray) -> list[dict[str, Any]]:
        # Rounded a line at a time in numpy, then split per fixture: per-value rounding in
        # Python cost more than the model itself.
        p1x2 = np.round(probabilities, 6).tolist()
        over = {
            line: np.round(grid.probabilities("over_under", Decimal(line))[:, :2], 6).tolist()
            for line in OVER_UNDER_LINES
        }
        handicap = {
            line: np.round(grid.fair_odds("asian_handicap", Decimal(line))[:, :2], 4).tolist()
            for line in HANDICAP_LINES
        }
        btts = np.round(grid.probabilities("btts")[:, 0], 6).tolist()
        return [
            {
                "1x2": p1x2[i],
                "over_under": {line: values[i] for line, values in over.items()},
                "asian_handicap_fair_odds": {line: values[i] for line, values in handicap.items()},
                "btts_yes": btts[i],
            }
            for i in range(len(probabilities))
        ]


def _one_x_two(cells: FloatArray) -> FloatArray:
    """Home win, draw and away win mass of (n, g, g) score grids, (n, 3), the cells of each
    fixture added one by one in a fixed order.

    ``ScoreGrid.probabilities("1x2")`` sums a whole batch in one matrix product, and a
    numpy reduction picks its order by the array's shape: either way the last bit depends
    on the batch's size. Adding cell columns in turn is elementwise, so it does not.
    """
    n, g = cells.shape[0], cells.shape[1]
    sums = np.zeros((3, n))
    for home in range(g):
        for away in range(g):
            outcome = 0 if home > away else 1 if home == away else 2
            sums[outcome] += cells[:, home, away]
    return sums.T.copy()
