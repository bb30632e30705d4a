"""Is the live world still the one the model was trained on? Drift statistics.

Two questions, asked of different data:

- Inputs and outputs: has the distribution of a feature, or of a predicted
  probability, moved away from the training data? Answered by the population
  stability index (``psi``), against bins fixed at training time
  (``ReferenceDistribution``), so the training frame need not travel with the model.
- Results: are the settled predictions still as good as they were, and still
  better than the market? Answered by proper scores over a rolling window of
  settled matches (``RollingScores``), computed with ``scoreline.pricing.scoring``.

The worker publishes both as Prometheus gauges (``scoreline_feature_psi``,
``scoreline_prediction_psi``, ``scoreline_settled_*``).

References
----------
Siddiqi, N. (2006). *Credit Risk Scorecards*, Wiley, ch. 8 (the population
stability index and its usual thresholds).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypedDict

import numpy as np
import numpy.typing as npt
import pandas as pd
import polars as pl

from scoreline.errors import DataError
from scoreline.pricing import scoring

__all__ = ["ReferenceDistribution", "RollingScores", "ScoreSummary", "SourceScores", "psi"]

FloatArray = npt.NDArray[np.float64]
ReferenceLike = pd.DataFrame | pl.DataFrame | npt.ArrayLike

N_OUTCOMES = 3  # home, draw, away
_SUM_TOLERANCE = 1e-6  # the tolerance scoring applies, so a row accepted here scores there


def psi(
    reference: npt.ArrayLike,
    live: npt.ArrayLike,
    *,
    bins: int = 10,
    epsilon: float = 1e-4,
) -> float:
    """Population stability index of ``live`` against ``reference``.

    ``sum_b (live_b - ref_b) * ln(live_b / ref_b)`` over bins ``b``, with
    ``live_b`` and ``ref_b`` the shares of each sample in the bin. The bins are
    cut at quantiles of the reference, so each holds about ``1 / bins`` of it
    and the index weighs every part of the training distribution alike.

    The usual reading: below 0.1 stable; 0.1 to 0.25 a moderate shift worth a
    look; above 0.25 a major shift, time to refit or to find the broken feed.

    Parameters
    ----------
    reference : array-like of shape (n,)
        The training sample. NaN and infinite values are ignored.
    live : array-like of shape (m,)
        The recent sample. NaN and infinite values are ignored.
    bins : int, default 10
        Quantile bins wanted. Repeated quantiles merge (a feature with few
        distinct values gets fewer bins, and each value keeps a bin of its own).
        The outer bins are open-ended, so live values beyond the reference's
        range still count, in the first or last bin.
    epsilon : float, default 1e-4
        Floor on every share, so an empty bin gives a large but finite term
        instead of ``ln 0``.

    Returns
    -------
    float
        The index, 0 for identical distributions and never negative; NaN when
        ``live`` has no finite value (nothing to compare yet).

    Raises
    ------
    DataError
        ``bins`` below 1, ``epsilon`` outside (0, 1), or a reference with fewer
        than ``2 * bins`` finite values (too few for its quantiles to mean much).
    """
    _check_epsilon(epsilon)
    cuts, shares = _reference_bins(reference, bins=bins, label="reference")
    return _psi_against(cuts, shares, live, epsilon=epsilon)


@dataclass(frozen=True, eq=False)
class ReferenceDistribution:
    """Training-time bins of several columns, to compute PSI against later.

    Only the bin cuts and the reference shares are kept: a few numbers per
    column, so it pickles small next to the model and the training frame can
    be thrown away. ``psi_of(column, x)`` equals ``psi(training[column], x)``
    with the same ``bins`` and ``epsilon``.

    Attributes
    ----------
    columns : tuple of str
        The columns, in the order given (feature names, or outcomes for
        predicted probabilities).
    cuts : dict of str to array of shape (n_bins - 1,)
        Inner bin edges per column; bins are ``(-inf, c0), [c0, c1), ... [c_last, inf)``.
    shares : dict of str to array of shape (n_bins,)
        Share of the reference in each bin, per column.
    epsilon : float
        Floor on every share (see ``psi``).
    """

    columns: tuple[str, ...]
    cuts: dict[str, FloatArray]
    shares: dict[str, FloatArray]
    epsilon: float = 1e-4

    @classmethod
    def from_frame(
        cls,
        frame: ReferenceLike,
        columns: Sequence[str] | None = None,
        *,
        bins: int = 10,
        epsilon: float = 1e-4,
    ) -> ReferenceDistribution:
        """Bin each column of a reference frame or matrix.

        Parameters
        ----------
        frame : pandas or polars DataFrame, or array-like of shape (n, k)
            The training data (features) or the probabilities predicted on it.
        columns : sequence of str, optional
            For a frame, the columns to bin (default: all of them). For an
            array, the names of its ``k`` columns, in order (required).
        bins, epsilon
            As in ``psi``.

        Raises
        ------
        DataError
            A missing or non-numeric column, names that do not match the array,
            or a column that ``psi`` would refuse as a reference.
        """
        _check_epsilon(epsilon)
        matrix = _columns_of(frame, columns, label="reference")
        cuts: dict[str, FloatArray] = {}
        shares: dict[str, FloatArray] = {}
        for name, values in matrix.items():
            cuts[name], shares[name] = _reference_bins(
                values, bins=bins, label=f"reference column {name!r}"
            )
        return cls(columns=tuple(matrix), cuts=cuts, shares=shares, epsilon=epsilon)

    def psi_of(self, column: str, live_values: npt.ArrayLike) -> float:
        """PSI of one column's live values against its reference bins."""
        if column not in self.cuts:
            raise DataError(f"no reference for column {column!r}; known: {', '.join(self.columns)}")
        return _psi_against(self.cuts[column], self.shares[column], live_values, self.epsilon)

    def psi_all(self, live_frame: ReferenceLike) -> dict[str, float]:
        """PSI of every reference column, read from a live frame or (n, k) array.

        An array must hold the columns in the order of ``columns``; a frame may
        hold more columns than the reference, which are ignored.
        """
        live = _columns_of(live_frame, self.columns, label="live")
        return {name: self.psi_of(name, values) for name, values in live.items()}


class SourceScores(TypedDict):
    """Scores of one source's settled predictions; NaN when there are none."""

    count: int
    rps: float
    log_loss: float
    ece: float


class ScoreSummary(TypedDict):
    """What ``RollingScores.summary`` returns."""

    count: int
    model: SourceScores
    market: SourceScores


class RollingScores:
    """Proper scores of the last ``window`` settled predictions, model and market.

    Drift in the inputs matters only if it hurts the forecasts; this measures
    the hurt directly. The market's de-margined probabilities on the same
    matches are the bar: a model that falls behind them is worth less than the
    price it bets against.

    Parameters
    ----------
    window : int, default 500
        Settled predictions kept; the oldest is dropped when a new one comes.
        About a season of a big league: long enough for a steady RPS, short
        enough to show a change within weeks.
    n_bins : int, default 10
        Uniform bins of the expected calibration error (see
        ``scoring.reliability_table``).
    """

    def __init__(self, window: int = 500, *, n_bins: int = 10) -> None:
        if isinstance(window, bool) or not isinstance(window, int) or window < 1:
            raise DataError(f"window must be a whole number >= 1, got {window!r}")
        if isinstance(n_bins, bool) or not isinstance(n_bins, int) or n_bins < 1:
            raise DataError(f"n_bins must be a whole number >= 1, got {n_bins!r}")
        self.window = window
        self.n_bins = n_bins
        self._rows: deque[tuple[FloatArray, FloatArray | None, int]] = deque(maxlen=window)

    def add(
        self,
        model_probs: npt.ArrayLike,
        market_probs: npt.ArrayLike | None,
        outcome: int,
    ) -> None:
        """Record one settled prediction.

        Parameters
        ----------
        model_probs : array-like of shape (3,)
            The model's home, draw, away probabilities.
        market_probs : array-like of shape (3,), or None
            The market's de-margined probabilities, when odds were known.
        outcome : int
            What happened: 0 home, 1 draw, 2 away.

        Raises
        ------
        DataError
            A row that is not three probabilities summing to 1, or an outcome
            outside 0, 1, 2. Checked here so one bad row cannot poison every
            summary of the window it sits in.
        """
        model = _probability_row(model_probs, "model_probs")
        market = None if market_probs is None else _probability_row(market_probs, "market_probs")
        if isinstance(outcome, bool) or not isinstance(outcome, int | np.integer):
            raise DataError(f"outcome must be 0, 1 or 2, got {outcome!r}")
        if not 0 <= outcome < N_OUTCOMES:
            raise DataError(f"outcome must be 0, 1 or 2, got {outcome}")
        self._rows.append((model, market, int(outcome)))

    def summary(self) -> ScoreSummary:
        """Count, and RPS, log loss and ECE of the model and of the market.

        The market is scored only on rows that had market probabilities, so its
        ``count`` may be lower than the model's.
        """
        outcomes = np.array([row[2] for row in self._rows], dtype=np.int64)
        model = _scores([row[0] for row in self._rows], outcomes, self.n_bins)
        has_market = np.array([row[1] is not None for row in self._rows], dtype=bool)
        market_rows = [row[1] for row in self._rows if row[1] is not None]
        market = _scores(market_rows, outcomes[has_market], self.n_bins)
        return ScoreSummary(count=len(self._rows), model=model, market=market)

    def __len__(self) -> int:
        return len(self._rows)

    def __repr__(self) -> str:
        return f"RollingScores(window={self.window}, count={len(self._rows)})"


def _check_epsilon(epsilon: float) -> None:
    if not 0.0 < epsilon < 1.0:
        raise DataError(f"epsilon must lie in (0, 1), got {epsilon!r}")


def _finite(values: npt.ArrayLike, label: str) -> FloatArray:
    try:
        array = np.asarray(values, dtype=np.float64).ravel()
    except (TypeError, ValueError) as exc:
        raise DataError(f"{label} must be numbers: {exc}") from exc
    finite: FloatArray = array[np.isfinite(array)]
    return finite


def _reference_bins(
    values: npt.ArrayLike, *, bins: int, label: str
) -> tuple[FloatArray, FloatArray]:
    """Inner cuts at the reference's quantiles, and its share in each bin."""
    if isinstance(bins, bool) or not isinstance(bins, int) or bins < 1:
        raise DataError(f"bins must be a whole number >= 1, got {bins!r}")
    reference = _finite(values, label)
    if len(reference) < 2 * bins:
        raise DataError(
            f"{label} has {len(reference)} finite values; {bins} quantile bins need at "
            f"least {2 * bins}: use fewer bins or a longer reference period"
        )
    # Interior quantiles only: the outer bins stay open-ended. Repeated
    # quantiles (ties, discrete features) merge into one cut.
    cuts = np.unique(np.quantile(reference, np.arange(1, bins) / bins))
    return cuts, _shares(cuts, reference)


def _shares(cuts: FloatArray, values: FloatArray) -> FloatArray:
    index = np.searchsorted(cuts, values, side="right")
    counts = np.bincount(index, minlength=len(cuts) + 1)
    shares: FloatArray = counts / len(values)
    return shares


def _psi_against(
    cuts: FloatArray, reference_shares: FloatArray, live: npt.ArrayLike, epsilon: float
) -> float:
    values = _finite(live, "live values")
    if len(values) == 0:
        return math.nan
    expected = np.maximum(reference_shares, epsilon)
    actual = np.maximum(_shares(cuts, values), epsilon)
    return float(np.sum((actual - expected) * np.log(actual / expected)))


def _columns_of(
    frame: ReferenceLike, columns: Sequence[str] | None, *, label: str
) -> dict[str, FloatArray]:
    """Named float columns of a pandas or polars frame, or of a 2-D array."""
    if isinstance(frame, pd.DataFrame | pl.DataFrame):
        names = [str(c) for c in frame.columns] if columns is None else list(columns)
        missing = [name for name in names if name not in frame.columns]
        if missing:
            raise DataError(f"{label} frame has no column(s) {', '.join(map(repr, missing))}")
        return {name: _numeric_column(frame, name, label) for name in names}
    if columns is None:
        raise DataError(f"{label} is an array: pass the names of its columns")
    try:
        matrix = np.asarray(frame, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise DataError(f"{label} must be a frame or a numeric array: {exc}") from exc
    if matrix.ndim != 2 or matrix.shape[1] != len(columns):
        raise DataError(
            f"{label} array must have shape (n, {len(columns)}) for columns "
            f"{', '.join(columns)}; got {matrix.shape}"
        )
    return {name: matrix[:, i] for i, name in enumerate(columns)}


def _numeric_column(frame: pd.DataFrame | pl.DataFrame, name: str, label: str) -> FloatArray:
    try:
        if isinstance(frame, pd.DataFrame):
            return frame[name].to_numpy(dtype=np.float64, na_value=np.nan)
        column: FloatArray = frame.get_column(name).cast(pl.Float64).to_numpy()
    except (TypeError, ValueError, pl.exceptions.PolarsError) as exc:
        raise DataError(f"{label} column {name!r} is not numeric: {exc}") from exc
    return column


def _probability_row(values: npt.ArrayLike, label: str) -> FloatArray:
    try:
        row = np.array(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise DataError(f"{label} must be numbers: {exc}") from exc
    if row.shape != (N_OUTCOMES,):
        raise DataError(f"{label} must have shape (3,) (home, draw, away), got {row.shape}")
    if not ((row >= 0) & (row <= 1)).all() or abs(row.sum() - 1.0) > _SUM_TOLERANCE:
        raise DataError(f"{label} must be probabilities in [0, 1] summing to 1, got {row}")
    return row


def _scores(rows: list[FloatArray], outcomes: npt.NDArray[np.int64], n_bins: int) -> SourceScores:
    if not rows:
        return SourceScores(count=0, rps=math.nan, log_loss=math.nan, ece=math.nan)
    probabilities = np.stack(rows)
    return SourceScores(
        count=len(rows),
        rps=scoring.rps(probabilities, outcomes),
        log_loss=scoring.log_loss(probabilities, outcomes),
        ece=scoring.expected_calibration_error(probabilities, outcomes, n_bins=n_bins),
    )
