"""Walk-forward evaluation: every prediction is made by models fitted only on the past.

The timeline, for an evaluation window [start, end]::

    first match ── burn-in ──┬── history refits (28 days) ──┬── start ── weekly ── end
                             │ Dixon-Coles predictions become │ every model refits weekly;
                             │ features of later matches;     │ each week is predicted by
                             │ XGBoost refits once a year,    │ models fitted before it
                             │ its predictions feed the blend │

* **Dixon-Coles** is refitted (warm-started) on matches before each refit date
  within a trailing window and predicts the matches up to the next refit.
* **Features** are built point in time from the history plus those Dixon-Coles
  predictions (``models.features``).
* **XGBoost** is refitted on the same schedule on rows before the refit date.
* **Blend and calibration** are fitted at each refit on the pool of earlier
  walk-forward predictions (out of sample by construction, time-ordered):
  a log-linear blend of Dixon-Coles, XGBoost and the de-margined pre-match
  market (known when the bet is made; matches without pre-match prices use a
  Dixon-Coles and XGBoost blend), then isotonic calibration, kept only when a
  calibrator fitted on the older part of the pool improves its newest part.

Nothing here reads files or databases: it takes the history frame of
``services.history`` and returns predictions per match.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from itertools import pairwise

import numpy as np
import numpy.typing as npt
import pandas as pd

from scoreline.errors import DataError
from scoreline.models.boosting import BoostedClassifier
from scoreline.models.calibration import IsotonicCalibrator
from scoreline.models.dixon_coles import DixonColes, UnseenTeamWarning
from scoreline.models.ensemble import LogLinearBlend
from scoreline.models.features import FEATURE_COLUMNS, build_features
from scoreline.pricing import log_loss

__all__ = ["WalkForwardConfig", "WalkForwardResult", "outcomes", "run_walk_forward"]

logger = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float64]
Progress = Callable[[str, int, int], None]
DC_COLUMNS = ("dc_home", "dc_draw", "dc_away", "dc_home_goals", "dc_away_goals")
BOOST_COLUMNS = ("xgb_home", "xgb_draw", "xgb_away")
ENSEMBLE_COLUMNS = ("ens_home", "ens_draw", "ens_away")
BLEND_COLUMNS = ("blend_home", "blend_draw", "blend_away")
MARKET_COLUMNS = ("market_home", "market_draw", "market_away")
MIN_POOL = 300


@dataclass(frozen=True, slots=True)
class WalkForwardConfig:
    """The schedule and windows of a walk-forward run (days are calendar days)."""

    start: date
    end: date
    refit_days: int = 7
    history_refit_days: int = 28
    boost_history_refit_days: int = 365
    burn_in_days: int = 365
    dc_window_days: int = 5 * 365
    boost_window_days: int = 6 * 365
    pool_window_days: int = 8 * 365
    xi: float = 0.0018
    dc_prior_strength: float = 1.0
    seed: int = 0
    models: tuple[str, ...] = ("dixon-coles", "ensemble")

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise DataError(f"end {self.end} is before start {self.start}")
        for name in ("refit_days", "history_refit_days", "boost_history_refit_days"):
            if getattr(self, name) < 1:
                raise DataError(f"{name} must be at least 1 day")
        unknown = set(self.models) - {"dixon-coles", "ensemble"}
        if unknown:
            raise DataError(f"unknown models {sorted(unknown)}; choose from dixon-coles, ensemble")


@dataclass(slots=True)
class WalkForwardResult:
    """Walk-forward predictions for every history row (NaN where none was made)."""

    predictions: pd.DataFrame
    features: pd.DataFrame
    refits: dict[str, int] = field(default_factory=dict)
    blend_weights: list[tuple[str, list[float]]] = field(default_factory=list)
    final: dict[str, object] = field(default_factory=dict)
    """The estimators of the last refit (the model a user would run next week)."""


def outcomes(history: pd.DataFrame) -> npt.NDArray[np.int64]:
    """0 home win, 1 draw, 2 away win."""
    home = history["home_goals"].to_numpy()
    away = history["away_goals"].to_numpy()
    return np.where(home > away, 0, np.where(home == away, 1, 2)).astype(np.int64)


def _midnight(day: date) -> pd.Timestamp:
    return pd.Timestamp(datetime(day.year, day.month, day.day, tzinfo=UTC))


def _schedule(
    first: pd.Timestamp, start: date, end: date, before: int, during: int
) -> list[pd.Timestamp]:
    """Refit instants: every ``before`` days up to start, then every ``during`` days to end."""
    begin = _midnight(start)
    finish = _midnight(end) + pd.Timedelta(days=1)
    points: list[pd.Timestamp] = []
    point = begin
    while point > first:
        points.append(point)
        point -= pd.Timedelta(days=before)
    points.reverse()
    points = [p for p in points if p < begin]
    point = begin
    while point < finish:
        points.append(point)
        point += pd.Timedelta(days=during)
    return [*points, finish]


def _dixon_coles(
    history: pd.DataFrame, config: WalkForwardConfig, progress: Progress | None
) -> tuple[pd.DataFrame, int, DixonColes]:
    """Point-in-time Dixon-Coles probabilities and expected goals for every row after burn-in."""
    dates = history["date"]
    first = dates.iloc[0] + pd.Timedelta(days=config.burn_in_days)
    points = _schedule(
        first, config.start, config.end, config.history_refit_days, config.refit_days
    )
    out = pd.DataFrame(np.nan, index=history.index, columns=list(DC_COLUMNS))
    model = DixonColes(xi=config.xi, warm_start=True, prior_strength=config.dc_prior_strength)
    columns = ["date", "home_team", "away_team", "home_goals", "away_goals", "neutral"]
    for i, (point, following) in enumerate(pairwise(points)):
        train = history.loc[
            (dates < point) & (dates >= point - pd.Timedelta(days=config.dc_window_days)), columns
        ]
        target = history.loc[(dates >= point) & (dates < following)]
        if progress is not None:
            progress("dixon-coles", i + 1, len(points) - 1)
        if target.empty or len(train) < 50:
            continue
        model.fit(train, reference_date=(point - pd.Timedelta(days=1)).date())
        with warnings.catch_warnings():
            # Promoted teams are expected in a walk-forward: the newcomer prior prices them.
            warnings.simplefilter("ignore", UnseenTeamWarning)
            grid = model.predict(target[["home_team", "away_team", "neutral"]])
        p = grid.probabilities("1x2")
        goals = grid.probabilities("expected_goals")
        out.loc[target.index, list(DC_COLUMNS)] = np.column_stack([p, goals])
    return out, len(points) - 1, model


def _fit_members(
    features: pd.DataFrame, y: npt.NDArray[np.int64], rows: npt.NDArray[np.bool_], seed: int
) -> BoostedClassifier:
    model = BoostedClassifier(random_state=seed, n_jobs=2)
    return model.fit(features.loc[rows, list(FEATURE_COLUMNS)], y[rows])


def _calibrator(blended: FloatArray, y: npt.NDArray[np.int64]) -> IsotonicCalibrator | None:
    """Isotonic calibration fitted on the pool, or None when it would not help.

    The pool is in time order: a calibrator fitted on its older three quarters
    must lower the log loss of its newest quarter, else the blend is used as it
    is. Isotonic maps are step functions; on a pool whose blend is already
    calibrated their steps add noise rather than remove bias.
    """
    cut = int(len(y) * 0.75)
    if cut < MIN_POOL or len(y) - cut < MIN_POOL // 3:
        return None
    trial = IsotonicCalibrator().fit(blended[:cut], y[:cut])
    if log_loss(trial.predict_proba(blended[cut:]), y[cut:]) >= log_loss(blended[cut:], y[cut:]):
        return None
    return IsotonicCalibrator().fit(blended, y)


def run_walk_forward(
    history: pd.DataFrame, config: WalkForwardConfig, *, progress: Progress | None = None
) -> WalkForwardResult:
    """Walk-forward predictions of Dixon-Coles, XGBoost and the calibrated ensemble."""
    if history.empty:
        raise DataError("the history is empty: no finished matches were found")
    if not history["date"].is_monotonic_increasing:
        raise DataError("the history must be sorted by kick-off (services.history does this)")
    history = history.reset_index(drop=True)
    dc, dc_refits, dc_model = _dixon_coles(history, config, progress)
    predictions = dc.copy()
    refits = {"dixon_coles": dc_refits}
    if "ensemble" not in config.models:
        return WalkForwardResult(
            predictions, pd.DataFrame(index=history.index), refits, final={"dixon_coles": dc_model}
        )
    features = build_features(history, dixon_coles=dc)
    y = outcomes(history)
    dates = history["date"]
    has_dc = dc["dc_home"].notna().to_numpy()
    first = dates[has_dc].iloc[0] + pd.Timedelta(days=config.burn_in_days) if has_dc.any() else None
    if first is None:
        raise DataError("too little history before the start for Dixon-Coles features")
    points = _schedule(
        first, config.start, config.end, config.boost_history_refit_days, config.refit_days
    )
    boost = pd.DataFrame(np.nan, index=history.index, columns=list(BOOST_COLUMNS))
    ens = pd.DataFrame(np.nan, index=history.index, columns=list(ENSEMBLE_COLUMNS))
    raw_blend = pd.DataFrame(np.nan, index=history.index, columns=list(BLEND_COLUMNS))
    start = _midnight(config.start)
    weights: list[tuple[str, list[float]]] = []
    calibrated = 0
    final: dict[str, object] = {"dixon_coles": dc_model}
    # The market's de-margined pre-match probabilities are known when the bet is
    # made, so they join the blend as a third member where a match has them.
    market = features[list(MARKET_COLUMNS)].to_numpy(dtype=np.float64)
    has_market = np.isfinite(market).all(axis=1)
    dc_probabilities = dc.loc[:, list(DC_COLUMNS[:3])].to_numpy()
    for i, (point, following) in enumerate(pairwise(points)):
        if progress is not None:
            progress("ensemble", i + 1, len(points) - 1)
        target = ((dates >= point) & (dates < following)).to_numpy()
        if not target.any():
            continue
        window = (dates < point) & (dates >= point - pd.Timedelta(days=config.boost_window_days))
        train = window.to_numpy() & has_dc
        if train.sum() < 500:
            continue
        model = _fit_members(features, y, train, config.seed)
        boost.loc[target, list(BOOST_COLUMNS)] = model.predict_proba(
            features.loc[target, list(FEATURE_COLUMNS)]
        )
        if point < start:
            continue
        members = np.column_stack([dc_probabilities, boost.to_numpy()])
        pool = (
            (
                (dates < point) & (dates >= point - pd.Timedelta(days=config.pool_window_days))
            ).to_numpy()
            & boost["xgb_home"].notna().to_numpy()
            & has_dc
        )
        with_market = np.column_stack([members, market])
        for label, inputs, fit_rows, predict_rows in (
            ("dc+xgb+market", with_market, pool & has_market, target & has_market),
            ("dc+xgb", members, pool, target & ~has_market),
        ):
            if not predict_rows.any() or fit_rows.sum() < MIN_POOL:
                # Too few earlier walk-forward predictions to learn weights from:
                # these rows stay unpredicted and are counted as such when scored.
                continue
            blend = LogLinearBlend().fit(inputs[fit_rows], y[fit_rows])
            calibrator = _calibrator(blend.predict_proba(inputs[fit_rows]), y[fit_rows])
            final.update(
                {"xgboost": model, f"blend[{label}]": blend, f"calibrator[{label}]": calibrator}
            )
            uncalibrated = blend.predict_proba(inputs[predict_rows])
            raw_blend.loc[predict_rows, list(BLEND_COLUMNS)] = uncalibrated
            ens.loc[predict_rows, list(ENSEMBLE_COLUMNS)] = (
                uncalibrated if calibrator is None else calibrator.predict_proba(uncalibrated)
            )
            calibrated += calibrator is not None
            weights.append((f"{point.date().isoformat()} {label}", blend.weights_.tolist()))
    refits["ensemble"] = len(points) - 1
    refits["ensemble_calibrated"] = calibrated
    predictions = pd.concat([dc, boost, raw_blend, ens], axis=1)
    return WalkForwardResult(predictions, features, refits, weights, final)


def evaluation_rows(history: pd.DataFrame, config: WalkForwardConfig) -> pd.Series:
    """Rows whose kick-off falls in [start, end] (end inclusive, whole day)."""
    dates = history["date"]
    return (dates >= _midnight(config.start)) & (
        dates < _midnight(config.end) + pd.Timedelta(days=1)
    )
