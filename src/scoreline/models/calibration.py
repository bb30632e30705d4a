"""Isotonic recalibration of home/draw/away probabilities, one outcome at a time."""

from __future__ import annotations

import math
from typing import Any, Self

import numpy as np
import numpy.typing as npt
from sklearn.base import BaseEstimator, ClassifierMixin  # type: ignore[import-untyped, unused-ignore]
from sklearn.isotonic import IsotonicRegression  # type: ignore[import-untyped, unused-ignore]
from sklearn.utils.validation import validate_data  # type: ignore[import-untyped, unused-ignore]

from scoreline.errors import DataError, ModelError, NotFittedError
from scoreline.models._outcomes import OUTCOMES, sample_weights
from scoreline.models._outcomes import outcomes as checked_outcomes
from scoreline.pricing.scoring import ReliabilityTable, reliability_table

__all__ = ["IsotonicCalibrator"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


class IsotonicCalibrator(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """Map each outcome's forecast probability through a fitted increasing step function.

    One isotonic regression per outcome (home, draw, away) of "did it happen"
    on the forecast probability, then each row rescaled to sum to 1. Fit it on
    out-of-fold forecasts in time order (for example a walk-forward backtest's
    predictions), never on forecasts for the model's own training matches; the
    fit itself does not depend on the row order.

    Parameters
    ----------
    n_bins : int, default 10
        Equal-width bins of the reliability tables kept for reporting; they do
        not affect the calibration.
    min_probability : float, default 1e-3
        Floor of each calibrated probability. Isotonic regression maps a bin in
        which an outcome never happened to exactly 0, which no football result
        deserves and which makes the log loss infinite.

    Attributes
    ----------
    calibrators_ : list of 3 sklearn.isotonic.IsotonicRegression
        Home, draw and away maps, with ``out_of_bounds="clip"`` and outputs in
        [0, 1]. Each drops its interpolating function when pickled and rebuilds
        it on load, so this estimator needs no ``__getstate__`` of its own.
    reliability_ : dict of str to ReliabilityTable
        ``"before"`` and ``"after"`` calibration, on the fitting data, all
        outcomes pooled (``target="all"``).
    ece_before_, ece_after_ : float
        Their expected calibration errors.
    classes_ : array of shape (3,)
        Always ``[0, 1, 2]``: home, draw, away.
    n_features_in_ : int
        Always 3.

    Notes
    -----
    Rows of ``P`` are rescaled to sum to 1 before use, so margin-laden implied
    probabilities are accepted (and devigged multiplicatively). A row that all
    three maps send to 0 would have no renormalised value; it keeps its input
    probabilities instead. The "after" figures are in-sample, so optimistic:
    judge a calibrator on later matches.

    References
    ----------
    Zadrozny, B. and Elkan, C. (2002). Transforming classifier scores into
    accurate multiclass probability estimates. KDD '02.
    """

    def __init__(self, *, n_bins: int = 10, min_probability: float = 1e-3) -> None:
        self.n_bins = n_bins
        self.min_probability = min_probability

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.positive_only = True
        return tags

    def fit(
        self,
        P: npt.ArrayLike,  # noqa: N803 (scikit-learn's X: here forecast probabilities)
        y: npt.ArrayLike,
        sample_weight: npt.ArrayLike | None = None,
    ) -> Self:
        """Fit the three maps on forecasts ``P`` (n, 3) and outcomes ``y`` in {0, 1, 2}.

        Raises
        ------
        ModelError
            An invalid ``n_bins``.
        DataError
            ``P`` not of shape (n, 3), negative, non-finite or with an all-zero
            row; outcomes other than 0, 1 and 2; bad weights.
        """
        if not 0.0 <= self.min_probability < 1 / 3:
            raise ModelError(
                f"IsotonicCalibrator: min_probability={self.min_probability!r} must be in [0, 1/3)"
            )
        if isinstance(self.n_bins, bool) or not isinstance(self.n_bins, int) or self.n_bins < 1:
            raise ModelError(
                f"IsotonicCalibrator: invalid hyperparameters: n_bins={self.n_bins!r} "
                "(must be an int >= 1)"
            )
        raw, labels = validate_data(self, P, y, dtype=np.float64, y_numeric=False)
        outcomes = checked_outcomes(labels)
        weight = sample_weights(sample_weight, len(outcomes))
        forecast = _rows(raw)
        self.calibrators_ = [
            IsotonicRegression(
                y_min=self.min_probability, y_max=1.0, increasing=True, out_of_bounds="clip"
            ).fit(forecast[:, c], (outcomes == c).astype(np.float64), sample_weight=weight)
            for c in OUTCOMES
        ]
        self.classes_ = OUTCOMES.copy()
        before = reliability_table(forecast, outcomes, n_bins=self.n_bins)
        after = reliability_table(self._calibrate(forecast), outcomes, n_bins=self.n_bins)
        self.reliability_: dict[str, ReliabilityTable] = {"before": before, "after": after}
        self.ece_before_, self.ece_after_ = before.ece, after.ece
        return self

    def predict_proba(self, P: npt.ArrayLike) -> FloatArray:  # noqa: N803
        """Calibrated home, draw and away probabilities, array of shape (n, 3); rows sum to 1."""
        if not hasattr(self, "calibrators_"):
            raise NotFittedError(
                "this IsotonicCalibrator is not fitted yet; call fit(P, y) before predicting"
            )
        raw = validate_data(self, P, dtype=np.float64, reset=False)
        return self._calibrate(_rows(raw))

    def predict_proba_trusted(self, probabilities: FloatArray) -> FloatArray:
        """``predict_proba`` without input checks, for the live worker's own matrices."""
        return self._calibrate(_rows(probabilities))

    def predict(self, P: npt.ArrayLike) -> IntArray:  # noqa: N803
        """The likeliest outcome of each row after calibration: 0 home, 1 draw, 2 away."""
        choice: IntArray = OUTCOMES[self.predict_proba(P).argmax(axis=1)]
        return choice

    def calibration_report(self) -> dict[str, Any]:
        """The reliability tables and ECEs as plain lists and numbers (JSON-ready)."""
        if not hasattr(self, "reliability_"):
            raise NotFittedError("this IsotonicCalibrator is not fitted yet; call fit(P, y)")
        return {
            "ece_before": self.ece_before_,
            "ece_after": self.ece_after_,
            "n_bins": self.n_bins,
            **{when: _plain(table) for when, table in self.reliability_.items()},
        }

    def _calibrate(self, forecast: FloatArray) -> FloatArray:
        mapped = np.column_stack(
            [
                iso.predict(forecast[:, c])
                for c, iso in zip(OUTCOMES, self.calibrators_, strict=True)
            ]
        ).astype(np.float64)
        total = mapped.sum(axis=1, keepdims=True)
        empty = total[:, 0] <= 0
        mapped[empty], total[empty] = forecast[empty], 1.0
        out: FloatArray = mapped / total
        return out


def _rows(raw: FloatArray) -> FloatArray:
    """Forecast rows checked (3 columns, >= 0, finite) and rescaled to sum to 1."""
    if raw.shape[1] != 3:
        raise DataError(
            f"IsotonicCalibrator takes 3 columns (home, draw, away), got {raw.shape[1]} column(s)"
        )
    if (raw < 0).any():
        raise DataError(
            "Negative values in data passed to IsotonicCalibrator: probabilities must be >= 0"
        )
    total = raw.sum(axis=1, keepdims=True)
    if (total <= 0).any():
        rows = np.flatnonzero(total[:, 0] <= 0)
        raise DataError(f"{len(rows)} forecast row(s) are all zero: rows {rows[:5].tolist()}")
    out: FloatArray = raw / total
    return out


def _plain(table: ReliabilityTable) -> dict[str, Any]:
    """A reliability table as lists, with None for the NaNs of empty bins."""

    def floats(values: FloatArray) -> list[float | None]:
        return [None if math.isnan(v) else float(v) for v in values.tolist()]

    return {
        "bin_edges": floats(table.bin_edges),
        "mean_predicted": floats(table.mean_predicted),
        "observed_frequency": floats(table.observed_frequency),
        "counts": [int(c) for c in table.counts.tolist()],
        "ece": table.ece,
        "target": table.target,
    }
