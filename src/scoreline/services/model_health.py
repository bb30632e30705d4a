"""Model health from settled matches: calibration by bins, rolling scores against the market, drift.

Pure computation on arrays, so the API reads the rows once and the numbers can
be checked by hand. Every probability matrix has shape (n, 3), columns home,
draw, away; ``outcomes`` has shape (n,) with 0 home win, 1 draw, 2 away win.
The market's rows are NaN where a match had no usable prices.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from scoreline.models.drift import ReferenceDistribution
from scoreline.pricing import scoring
from scoreline.pricing.devig import remove_margin

__all__ = [
    "DRIFT_THRESHOLD",
    "OUTCOMES",
    "WATCH_THRESHOLD",
    "Drift",
    "DriftStatus",
    "ReliabilityBin",
    "RollingScore",
    "drift_status",
    "market_probabilities",
    "prediction_drift",
    "reliability_bins",
    "rolling_scores",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
DriftStatus = Literal["stable", "watch", "drift", "unknown"]
Outcome = Literal["home", "draw", "away"]

OUTCOMES: tuple[Outcome, Outcome, Outcome] = ("home", "draw", "away")
WATCH_THRESHOLD = 0.1  # the usual PSI reading (models.drift.psi): a moderate shift from here
DRIFT_THRESHOLD = 0.25  # and a major one from here
# A forecast of exactly 0 for what happened has an infinite log loss, which JSON
# cannot carry and which would swamp every mean it enters; cap it at -log(1e-15).
_MAX_LOG_LOSS = -math.log(1e-15)


@dataclass(frozen=True, slots=True)
class ReliabilityBin:
    """The forecasts of one outcome falling in ``[bin_low, bin_high)`` (the last bin closed)."""

    selection: Outcome
    bin_low: float
    bin_high: float
    predicted_mean: float
    observed_rate: float
    count: int


@dataclass(frozen=True, slots=True)
class RollingScore:
    """Mean scores of the ``n`` matches ending at position ``end`` (inclusive)."""

    end: int
    n: int
    rps_model: float
    rps_market: float | None
    log_loss_model: float
    log_loss_market: float | None


@dataclass(frozen=True, slots=True)
class Drift:
    """PSI of recent home probabilities, how many there were, and what it means."""

    prediction_psi: float | None
    n_recent: int
    status: DriftStatus


def reliability_bins(
    probabilities: npt.ArrayLike, outcomes: npt.ArrayLike, *, n_bins: int = 10
) -> list[ReliabilityBin]:
    """Equal-width bins of each outcome's forecasts; empty bins are left out.

    Edges are ``b / n_bins`` exactly (not ``linspace``, whose 0.6 is
    0.6000000000000001), so a forecast of 0.6 opens the bin [0.6, 0.7) as a
    reader of the chart expects; 1.0 falls in the last bin.
    """
    p = np.asarray(probabilities, dtype=np.float64).reshape(-1, 3)
    y = np.asarray(outcomes, dtype=np.int64)
    edges = np.arange(n_bins + 1) / n_bins
    out: list[ReliabilityBin] = []
    for j, selection in enumerate(OUTCOMES):
        bins = np.searchsorted(edges[1:-1], p[:, j], side="right")
        counts = np.bincount(bins, minlength=n_bins)
        summed = np.bincount(bins, weights=p[:, j], minlength=n_bins)
        hits = np.bincount(bins, weights=(y == j).astype(np.float64), minlength=n_bins)
        out.extend(
            ReliabilityBin(
                selection=selection,
                bin_low=float(edges[b]),
                bin_high=float(edges[b + 1]),
                predicted_mean=float(summed[b] / counts[b]),
                observed_rate=float(hits[b] / counts[b]),
                count=int(counts[b]),
            )
            for b in range(n_bins)
            if counts[b] > 0
        )
    return out


def rolling_scores(
    model: npt.ArrayLike, market: npt.ArrayLike, outcomes: npt.ArrayLike, *, window: int
) -> list[RollingScore]:
    """Mean RPS and log loss over each run of ``window`` consecutive matches, model and market.

    One point per match from the ``window``-th on. The market is averaged over
    the matches of the window that had prices (as ``models.drift.RollingScores``
    does), and is None when none had.
    """
    p = np.asarray(model, dtype=np.float64).reshape(-1, 3)
    q = np.asarray(market, dtype=np.float64).reshape(-1, 3)
    y = np.asarray(outcomes, dtype=np.int64)
    n = len(p)
    if n < window or n == 0:
        return []
    model_rps, model_ll = _scores(p, y)  # each of shape (n,)
    priced = np.asarray(np.isfinite(q).all(axis=1), dtype=np.bool_)
    market_rps: FloatArray = np.zeros(n)
    market_ll: FloatArray = np.zeros(n)
    if priced.any():
        market_rps[priced], market_ll[priced] = _scores(q[priced], y[priced])

    def window_sums(values: FloatArray) -> FloatArray:
        total = np.concatenate([[0.0], np.cumsum(values)])
        sums: FloatArray = total[window:] - total[:-window]
        return sums

    rps_sum, ll_sum = window_sums(model_rps), window_sums(model_ll)
    market_rps_sum, market_ll_sum = window_sums(market_rps), window_sums(market_ll)
    market_n = window_sums(priced.astype(np.float64))
    points = []
    for k in range(n - window + 1):
        has_market = market_n[k] > 0
        points.append(
            RollingScore(
                end=k + window - 1,
                n=window,
                rps_model=float(rps_sum[k] / window),
                rps_market=float(market_rps_sum[k] / market_n[k]) if has_market else None,
                log_loss_model=float(ll_sum[k] / window),
                log_loss_market=float(market_ll_sum[k] / market_n[k]) if has_market else None,
            )
        )
    return points


def market_probabilities(odds: npt.ArrayLike) -> FloatArray:
    """De-margined 1X2 probabilities (power method, as the features use), shape (n, 3).

    Rows whose prices are missing or not all above 1 stay NaN instead of
    failing the batch.
    """
    prices = np.asarray(odds, dtype=np.float64).reshape(-1, 3)
    out = np.full(prices.shape, np.nan)
    usable = (np.isfinite(prices) & (prices > 1)).all(axis=1)
    if usable.any():
        out[usable] = remove_margin(prices[usable], method="power")
    return out


def drift_status(value: float | None) -> DriftStatus:
    """Stable below 0.1, watch up to 0.25, drift from there; unknown without a value."""
    if value is None or not math.isfinite(value):
        return "unknown"
    if value < WATCH_THRESHOLD:
        return "stable"
    return "watch" if value < DRIFT_THRESHOLD else "drift"


def prediction_drift(
    reference: ReferenceDistribution | None, home_probabilities: npt.ArrayLike
) -> Drift:
    """PSI of the recent home probabilities against the training reference's ``home`` column.

    Unknown when the model was saved without a reference for its home
    probability (a Dixon-Coles fit keeps none) or there is nothing recent.
    """
    recent = np.asarray(home_probabilities, dtype=np.float64).ravel()
    if reference is None or "home" not in reference.columns or len(recent) == 0:
        return Drift(None, len(recent), "unknown")
    value = reference.psi_of("home", recent)
    if not math.isfinite(value):
        return Drift(None, len(recent), "unknown")
    return Drift(value, len(recent), drift_status(value))


def _scores(probabilities: FloatArray, outcomes: IntArray) -> tuple[FloatArray, FloatArray]:
    rps = scoring.rps_per_row(probabilities, outcomes)
    log_loss = scoring.log_loss_per_row(probabilities, outcomes)
    return rps, np.minimum(log_loss, _MAX_LOG_LOSS)
