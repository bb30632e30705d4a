"""How good were the probabilities? Proper scores and calibration.

Inputs everywhere: ``probabilities`` of shape (n, k), rows summing to 1, and
``outcomes`` of shape (n,), the index of the outcome that happened (0 .. k-1;
for 1X2 the order home, draw, away). Lower is better for every score here.

- ``rps``: ranked probability score, for ordered outcomes (Epstein 1969;
  Constantinou and Fenton 2012): ``sum_{i<k} (P_i - O_i)^2 / (k - 1)`` with P
  and O the cumulative forecast and outcome. In [0, 1].
- ``log_loss``: ``-log p[outcome]``; infinite where the outcome had p = 0.
- ``brier_score``: multi-class Brier, ``sum_j (p_j - o_j)^2``. In [0, 2].
- ``reliability_table``: calibration by bins, with the expected calibration error.

Each score has a ``*_per_row`` twin returning the (n,) scores it averages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from scoreline.errors import DataError
from scoreline.pricing._rows import check_rows

__all__ = [
    "ReliabilityTable",
    "brier_score",
    "brier_score_per_row",
    "expected_calibration_error",
    "log_loss",
    "log_loss_per_row",
    "reliability_table",
    "rps",
    "rps_per_row",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BinStrategy = Literal["uniform", "quantile"]
CalibrationTarget = Literal["all", "top_label"]

_SUM_TOLERANCE = 1e-6


@dataclass(frozen=True, slots=True)
class ReliabilityTable:
    """Forecast probabilities against observed frequencies, bin by bin.

    Attributes
    ----------
    bin_edges : array of shape (n_bins + 1,)
        Bins are ``[edge_b, edge_b+1)``, the last one closed.
    mean_predicted : array of shape (n_bins,)
        Mean forecast probability in each bin; NaN for an empty bin.
    observed_frequency : array of shape (n_bins,)
        Share of the bin's forecasts whose event happened; NaN for an empty bin.
    counts : array of shape (n_bins,)
        Forecasts in each bin.
    ece : float
        Expected calibration error, ``sum_b counts_b / N * |mean_predicted_b -
        observed_frequency_b|`` over non-empty bins.
    target : {"all", "top_label"}
        What was binned (see ``reliability_table``).
    """

    bin_edges: FloatArray
    mean_predicted: FloatArray
    observed_frequency: FloatArray
    counts: IntArray
    ece: float
    target: CalibrationTarget


def rps_per_row(probabilities: npt.ArrayLike, outcomes: npt.ArrayLike) -> FloatArray:
    """Ranked probability score of each forecast, shape (n,)."""
    p, y = _checked(probabilities, outcomes)
    k = p.shape[1]
    if k < 2:
        raise DataError("the ranked probability score needs at least two outcomes")
    # Cumulative forecast and outcome over the first k - 1 categories.
    forecast = np.cumsum(p, axis=1)[:, :-1]
    observed = (np.arange(k - 1) >= y[:, None]).astype(np.float64)
    per_row: FloatArray = ((forecast - observed) ** 2).sum(axis=1) / (k - 1)
    return per_row


def rps(probabilities: npt.ArrayLike, outcomes: npt.ArrayLike) -> float:
    """Mean ranked probability score."""
    return float(rps_per_row(probabilities, outcomes).mean())


def log_loss_per_row(probabilities: npt.ArrayLike, outcomes: npt.ArrayLike) -> FloatArray:
    """Negative natural log of the probability given to what happened, shape (n,)."""
    p, y = _checked(probabilities, outcomes)
    with np.errstate(divide="ignore"):  # p = 0 on the outcome is an honest inf
        per_row: FloatArray = -np.log(p[np.arange(len(p)), y])
    return per_row


def log_loss(probabilities: npt.ArrayLike, outcomes: npt.ArrayLike) -> float:
    """Mean log loss (natural log)."""
    return float(log_loss_per_row(probabilities, outcomes).mean())


def brier_score_per_row(probabilities: npt.ArrayLike, outcomes: npt.ArrayLike) -> FloatArray:
    """Multi-class Brier score of each forecast, shape (n,)."""
    p, y = _checked(probabilities, outcomes)
    observed = np.arange(p.shape[1]) == y[:, None]
    per_row: FloatArray = ((p - observed) ** 2).sum(axis=1)
    return per_row


def brier_score(probabilities: npt.ArrayLike, outcomes: npt.ArrayLike) -> float:
    """Mean multi-class Brier score."""
    return float(brier_score_per_row(probabilities, outcomes).mean())


def reliability_table(
    probabilities: npt.ArrayLike,
    outcomes: npt.ArrayLike,
    *,
    n_bins: int = 10,
    strategy: BinStrategy = "uniform",
    target: CalibrationTarget = "all",
) -> ReliabilityTable:
    """Bin forecasts, compare each bin's mean forecast with how often it happened.

    Parameters
    ----------
    probabilities : array-like of shape (n, k)
    outcomes : array-like of int, shape (n,)
    n_bins : int, default 10
    strategy : {"uniform", "quantile"}, default "uniform"
        Equal-width bins on [0, 1], or edges at quantiles of the binned
        forecasts (repeated edges merge, so there may be fewer bins).
    target : {"all", "top_label"}, default "all"
        "all" pools every outcome's probability as its own forecast: n * k pairs
        (p_ij, outcome_i == j), one-vs-rest over all classes together.
        "top_label" keeps one pair per row: the largest probability and whether
        that outcome happened.

    Raises
    ------
    DataError
        Bad probabilities or outcomes, or a bin count below 1.
    """
    p, y = _checked(probabilities, outcomes)
    if isinstance(n_bins, bool) or not isinstance(n_bins, int) or n_bins < 1:
        raise DataError(f"n_bins must be a whole number >= 1, got {n_bins!r}")
    if target == "all":
        forecast = p.ravel()
        happened = (np.arange(p.shape[1]) == y[:, None]).ravel()
    elif target == "top_label":
        top = p.argmax(axis=1)
        forecast, happened = p[np.arange(len(p)), top], top == y
    else:
        raise DataError(f"target must be 'all' or 'top_label', got {target!r}")
    if strategy == "uniform":
        edges = np.linspace(0.0, 1.0, n_bins + 1)
    elif strategy == "quantile":
        edges = np.unique(np.quantile(forecast, np.linspace(0.0, 1.0, n_bins + 1)))
        if len(edges) == 1:  # every forecast equal: one degenerate bin
            edges = np.repeat(edges, 2)
    else:
        raise DataError(f"strategy must be 'uniform' or 'quantile', got {strategy!r}")
    n_actual = len(edges) - 1
    bins = np.searchsorted(edges[1:-1], forecast, side="right")
    counts = np.bincount(bins, minlength=n_actual)
    summed = np.bincount(bins, weights=forecast, minlength=n_actual)
    hits = np.bincount(bins, weights=happened.astype(np.float64), minlength=n_actual)
    filled = counts > 0
    mean_predicted = np.full(n_actual, np.nan)
    observed = np.full(n_actual, np.nan)
    mean_predicted[filled] = summed[filled] / counts[filled]
    observed[filled] = hits[filled] / counts[filled]
    gaps = np.abs(mean_predicted[filled] - observed[filled])
    ece = float((counts[filled] * gaps).sum() / max(len(forecast), 1))
    return ReliabilityTable(edges, mean_predicted, observed, counts.astype(np.int64), ece, target)


def expected_calibration_error(
    probabilities: npt.ArrayLike,
    outcomes: npt.ArrayLike,
    *,
    n_bins: int = 10,
    strategy: BinStrategy = "uniform",
    target: CalibrationTarget = "all",
) -> float:
    """The ``ece`` of ``reliability_table`` with the same arguments."""
    table = reliability_table(
        probabilities, outcomes, n_bins=n_bins, strategy=strategy, target=target
    )
    return table.ece


def _checked(probabilities: npt.ArrayLike, outcomes: npt.ArrayLike) -> tuple[FloatArray, IntArray]:
    p = np.array(probabilities, dtype=np.float64)
    y = np.asarray(outcomes)
    if p.ndim != 2 or p.shape[1] < 1:
        raise DataError(f"probabilities must have shape (n, k), got {p.shape}")
    if y.shape != (len(p),):
        raise DataError(f"outcomes must have shape ({len(p)},), got {y.shape}")
    if len(p) == 0:
        raise DataError("no forecasts to score")
    if not np.issubdtype(y.dtype, np.integer):
        raise DataError(f"outcomes must be integer indices 0 .. {p.shape[1] - 1}, got {y.dtype}")
    check_rows((y < 0) | (y >= p.shape[1]), f"has an outcome outside 0 .. {p.shape[1] - 1}")
    check_rows(~((p >= 0) & (p <= 1)).all(axis=1), "has a probability outside [0, 1] or NaN")
    check_rows(~(np.abs(p.sum(axis=1) - 1) <= _SUM_TOLERANCE), "does not sum to 1")
    return p, y.astype(np.int64)
