"""IsotonicCalibrator: miscalibration removed, rows sum to 1, the all-zero guard, reports."""

from __future__ import annotations

import json
import pickle
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from sklearn.utils.estimator_checks import (  # type: ignore[import-untyped, unused-ignore]
    parametrize_with_checks,
)

from scoreline.errors import DataError, ModelError, NotFittedError
from scoreline.models.calibration import IsotonicCalibrator
from scoreline.pricing.scoring import expected_calibration_error

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

# Why each scikit-learn check cannot pass. The checks build X with 1, 2, 4, 5, 10
# or 30 columns and labels like "one"/"two" or 0..3; the calibrator takes exactly
# the three home/draw/away probabilities and those three outcomes.
WIDTH = "feeds X without exactly 3 columns (home, draw, away probabilities)"
LABELS = "uses labels other than 0, 1, 2; the outcome set is fixed"
NOT_FITTED = (
    "expects sklearn's NotFittedError; ours is a ValueError and AttributeError too, "
    "but errors.py does not import scikit-learn"
)
EXPECTED_FAILED_CHECKS = {
    "check_estimators_unfitted": NOT_FITTED,
    "check_estimators_overwrite_params": WIDTH,
    "check_estimators_fit_returns_self": WIDTH,
    "check_readonly_memmap_input": WIDTH,
    "check_n_features_in_after_fitting": WIDTH,
    "check_positive_only_tag_during_fit": WIDTH,
    "check_estimators_dtypes": WIDTH,
    "check_sample_weights_pandas_series": WIDTH,
    "check_sample_weights_not_an_array": WIDTH,
    "check_sample_weights_shape": WIDTH,
    "check_sample_weights_not_overwritten": WIDTH,
    "check_sample_weight_equivalence_on_dense_data": WIDTH,
    "check_classifier_data_not_an_array": WIDTH,
    "check_classifiers_one_label_sample_weights": WIDTH,
    "check_classifiers_train": WIDTH,
    "check_fit2d_1sample": WIDTH,
    "check_fit2d_1feature": WIDTH,
    "check_fit_idempotent": WIDTH,
    "check_fit_check_is_fitted": WIDTH,
    "check_n_features_in": WIDTH,
    "check_dtype_object": LABELS,
    "check_classifiers_classes": LABELS,
}


def expected_failed_checks(estimator: Any) -> dict[str, str]:
    return EXPECTED_FAILED_CHECKS


@parametrize_with_checks(  # type: ignore[untyped-decorator]
    [IsotonicCalibrator()], expected_failed_checks=expected_failed_checks
)
def test_scikit_learn_conventions(
    estimator: IsotonicCalibrator, check: Callable[[Any], None]
) -> None:
    check(estimator)


def overconfident(n: int, seed: int) -> tuple[FloatArray, IntArray]:
    """Forecasts twice as sharp as the truth (softmax of 2 log p), outcomes from the truth."""
    rng = np.random.default_rng(seed)
    truth = rng.dirichlet([6.0, 3.5, 4.0], size=n)
    sharp = truth**2
    forecast = sharp / sharp.sum(axis=1, keepdims=True)
    outcomes = (rng.random(n)[:, np.newaxis] > np.cumsum(truth, axis=1)).sum(axis=1)
    return forecast, outcomes


def test_removes_miscalibration_on_later_matches() -> None:
    forecast, outcomes = overconfident(100_000, seed=1)
    later, later_outcomes = overconfident(100_000, seed=2)
    calibrator = IsotonicCalibrator().fit(forecast, outcomes)
    assert expected_calibration_error(later, later_outcomes) > 0.03
    calibrated = calibrator.predict_proba(later)
    assert expected_calibration_error(calibrated, later_outcomes) < 0.01
    np.testing.assert_allclose(calibrated.sum(axis=1), 1.0, atol=1e-12)


def test_reports_reliability_before_and_after() -> None:
    forecast, outcomes = overconfident(5000, seed=3)
    calibrator = IsotonicCalibrator(n_bins=5).fit(forecast, outcomes)
    assert calibrator.ece_after_ < calibrator.ece_before_
    assert calibrator.reliability_["before"].ece == calibrator.ece_before_
    assert len(calibrator.reliability_["after"].counts) == 5
    report = json.loads(json.dumps(calibrator.calibration_report(), allow_nan=False))
    assert report["ece_after"] == calibrator.ece_after_
    assert sum(report["before"]["counts"]) == 3 * 5000


def test_a_row_every_map_sends_to_zero_keeps_its_input() -> None:
    # Each outcome happened only when forecast at 0.40; at 0.35 or below it never
    # did, so all three maps are 0 for a row of (0.34, 0.33, 0.33).
    forecast = np.array(
        [
            [0.40, 0.35, 0.25],
            [0.40, 0.25, 0.35],
            [0.35, 0.40, 0.25],
            [0.25, 0.40, 0.35],
            [0.35, 0.25, 0.40],
            [0.25, 0.35, 0.40],
        ]
    )
    calibrator = IsotonicCalibrator(min_probability=0.0).fit(forecast, [0, 0, 1, 1, 2, 2])
    row = np.array([[0.34, 0.33, 0.33]])
    np.testing.assert_allclose(calibrator.predict_proba(row), row)


def test_the_floor_keeps_every_probability_positive() -> None:
    # Away wins never happened below a 0.3 forecast, so without the floor the
    # lowest away bin maps to exactly 0 and one such match makes log loss infinite.
    forecast = np.array([[0.6, 0.3, 0.1], [0.5, 0.3, 0.2], [0.3, 0.3, 0.4], [0.2, 0.3, 0.5]])
    outcomes = np.array([0, 1, 2, 2])
    floored = IsotonicCalibrator().fit(forecast, outcomes).predict_proba(forecast)
    bare = IsotonicCalibrator(min_probability=0.0).fit(forecast, outcomes).predict_proba(forecast)
    assert (bare == 0).any()
    assert floored.min() > 0
    np.testing.assert_allclose(floored.sum(axis=1), 1.0)


def test_an_invalid_floor_is_refused() -> None:
    with pytest.raises(ModelError, match="min_probability"):
        IsotonicCalibrator(min_probability=0.5).fit(np.full((3, 3), 1 / 3), [0, 1, 2])


@settings(max_examples=50, deadline=None)
@given(
    arrays(np.float64, (20, 3), elements=st.floats(0.0, 1.0)).filter(
        lambda a: (a.sum(axis=1) > 0).all()
    )
)
def test_rows_always_sum_to_one(forecast: FloatArray) -> None:
    train, outcomes = overconfident(300, seed=4)
    proba = IsotonicCalibrator().fit(train, outcomes).predict_proba(forecast)
    assert (proba >= 0).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-12)


def test_a_missing_outcome_is_fine() -> None:
    forecast, outcomes = overconfident(500, seed=5)
    keep = outcomes != 1
    proba = IsotonicCalibrator().fit(forecast[keep], outcomes[keep]).predict_proba(forecast)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def test_sample_weight_two_equals_a_repeated_row() -> None:
    forecast, outcomes = overconfident(400, seed=6)
    weight = np.random.default_rng(6).integers(0, 3, size=400)
    weighted = IsotonicCalibrator().fit(forecast, outcomes, sample_weight=weight)
    repeated = IsotonicCalibrator().fit(
        np.repeat(forecast, weight, axis=0), np.repeat(outcomes, weight)
    )
    np.testing.assert_allclose(weighted.predict_proba(forecast), repeated.predict_proba(forecast))


def test_pickled_calibrator_predicts_the_same() -> None:
    forecast, outcomes = overconfident(500, seed=7)
    calibrator = IsotonicCalibrator().fit(forecast, outcomes)
    restored = pickle.loads(pickle.dumps(calibrator))
    np.testing.assert_array_equal(
        restored.predict_proba(forecast), calibrator.predict_proba(forecast)
    )


def test_forecasts_need_three_columns() -> None:
    with pytest.raises(DataError, match="3 columns"):
        IsotonicCalibrator().fit(np.full((4, 2), 0.5), [0, 1, 2, 0])


def test_predicting_before_fit_says_what_to_do() -> None:
    with pytest.raises(NotFittedError, match="call fit"):
        IsotonicCalibrator().predict_proba(np.full((2, 3), 1 / 3))
