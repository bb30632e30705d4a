"""Checks shared by the estimators that learn from match outcomes (0 home, 1 draw, 2 away)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from sklearn.utils.multiclass import check_classification_targets

from scoreline.errors import DataError

__all__ = ["OUTCOMES", "outcomes", "sample_weights"]

OUTCOMES = np.array([0, 1, 2])
IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


def outcomes(y: npt.ArrayLike) -> IntArray:
    """Outcomes as ints 0, 1, 2, or a DataError naming what else was found."""
    labels = np.asarray(y)
    check_classification_targets(labels)  # a ValueError for continuous targets
    if labels.dtype.kind in "iuf":
        whole = labels.astype(np.int64)
        if np.array_equal(whole, labels) and np.isin(whole, OUTCOMES).all():
            return whole
    found = ", ".join(repr(v) for v in np.unique(labels)[:5].tolist())
    raise DataError(f"outcomes must be 0 (home), 1 (draw) or 2 (away); found {found}")


def sample_weights(sample_weight: npt.ArrayLike | None, n: int) -> FloatArray | None:
    """Checked weights of shape (n,), or None when none were given."""
    if sample_weight is None:
        return None
    weight = np.asarray(sample_weight, dtype=np.float64).reshape(-1)
    if weight.shape != (n,):
        raise DataError(f"sample_weight must have shape ({n},), got {weight.shape}")
    if not (np.isfinite(weight) & (weight >= 0)).all() or weight.sum() <= 0:
        raise DataError("sample_weight must be finite, non-negative and not all zero")
    return weight
