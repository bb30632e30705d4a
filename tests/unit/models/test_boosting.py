"""BoostedClassifier: scikit-learn manners, three fixed outcomes, a real signal, seeds."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pytest
from sklearn.base import clone  # type: ignore[import-untyped, unused-ignore]
from sklearn.utils.estimator_checks import (  # type: ignore[import-untyped, unused-ignore]
    parametrize_with_checks,
)

from scoreline.errors import DataError, ModelError, NotFittedError
from scoreline.models.boosting import BoostedClassifier
from scoreline.pricing.scoring import log_loss

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

# Why each scikit-learn check cannot pass for a home/draw/away classifier.
FIXED_OUTCOMES = "trains on labels other than 0, 1, 2; the outcome set is fixed"
THREE_COLUMNS = "expects one probability column per label seen; we always return home/draw/away"
OUR_NOT_FITTED = (
    "expects sklearn's NotFittedError; ours is a ValueError and AttributeError too, "
    "but errors.py does not import scikit-learn"
)
EXPECTED_FAILED_CHECKS = {
    "check_estimators_unfitted": OUR_NOT_FITTED,
    "check_dtype_object": FIXED_OUTCOMES,
    "check_classifiers_classes": FIXED_OUTCOMES,
    "check_classifiers_train": THREE_COLUMNS,
}


def expected_failed_checks(estimator: Any) -> dict[str, str]:
    return EXPECTED_FAILED_CHECKS


# Small and unsampled rows, so the checks run fast and sample weights act exactly
# like repeated rows; column sampling still exercises random_state.
@parametrize_with_checks(  # type: ignore[untyped-decorator]
    [BoostedClassifier(n_estimators=5, min_child_weight=1.0, subsample=1.0, colsample_bytree=0.5)],
    expected_failed_checks=expected_failed_checks,
)
def test_scikit_learn_conventions(
    estimator: BoostedClassifier, check: Callable[[Any], None]
) -> None:
    check(estimator)


def synthetic_matches(n: int, seed: int = 0) -> tuple[FloatArray, IntArray]:
    """Features with a nonlinear signal on the outcome, some missing values."""
    rng = np.random.default_rng(seed)
    features = rng.normal(size=(n, 8))
    strength = 0.9 * features[:, 0] + 0.5 * np.tanh(2 * features[:, 1]) - 0.4 * features[:, 2] ** 2
    latent = strength + rng.logistic(size=n)
    outcomes = np.where(latent > 0.3, 0, np.where(latent < -0.9, 2, 1)).astype(np.int64)
    features[rng.random(features.shape) < 0.05] = np.nan
    return features, outcomes


def test_beats_the_base_rates_on_a_synthetic_signal() -> None:
    features, y = synthetic_matches(8000)
    train, test = slice(0, 6000), slice(6000, None)
    model = BoostedClassifier(n_estimators=100, learning_rate=0.1).fit(features[train], y[train])
    base_rates = np.bincount(y[train], minlength=3) / 6000
    constant = log_loss(np.tile(base_rates, (2000, 1)), y[test])
    assert log_loss(model.predict_proba(features[test]), y[test]) < constant - 0.05


def test_probabilities_are_home_draw_away_rows_summing_to_one() -> None:
    features, y = synthetic_matches(500)
    model = BoostedClassifier(n_estimators=10).fit(features, y)
    proba = model.predict_proba(features)
    assert proba.shape == (500, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-12)
    np.testing.assert_array_equal(model.classes_, [0, 1, 2])
    np.testing.assert_array_equal(model.predict(features), proba.argmax(axis=1))


@pytest.mark.parametrize("present", [(0, 2), (0, 1), (1,)])
def test_a_missing_outcome_still_gets_its_column(present: tuple[int, ...]) -> None:
    features, _ = synthetic_matches(300)
    y = np.random.default_rng(1).choice(present, size=300)
    proba = (
        BoostedClassifier(n_estimators=10, min_child_weight=1.0)
        .fit(features, y)
        .predict_proba(features)
    )
    assert proba.shape == (300, 3)
    missing = [c for c in (0, 1, 2) if c not in present]
    assert (proba[:, missing] < 0.01).all()


def test_same_seed_same_probabilities_on_two_threads() -> None:
    features, y = synthetic_matches(3000)
    first = BoostedClassifier(n_estimators=30, n_jobs=2, random_state=7).fit(features, y)
    second = BoostedClassifier(n_estimators=30, n_jobs=2, random_state=7).fit(features, y)
    other = BoostedClassifier(n_estimators=30, n_jobs=2, random_state=8).fit(features, y)
    np.testing.assert_array_equal(first.predict_proba(features), second.predict_proba(features))
    assert not np.array_equal(first.predict_proba(features), other.predict_proba(features))


def test_dataframe_columns_become_feature_names() -> None:
    features, y = synthetic_matches(200)
    frame = pd.DataFrame(features, columns=[f"f{i}" for i in range(8)])
    model = BoostedClassifier(n_estimators=5).fit(frame, y)
    from_array = BoostedClassifier(n_estimators=5).fit(features, y)
    assert list(model.feature_names_in_) == list(frame.columns)
    np.testing.assert_array_equal(model.predict_proba(frame), from_array.predict_proba(features))


def test_refit_starts_afresh() -> None:
    features, y = synthetic_matches(400)
    model = BoostedClassifier(n_estimators=10)
    fresh = clone(model).fit(features[:200], y[:200]).predict_proba(features)
    model.fit(features[200:], y[200:]).fit(features[:200], y[:200])
    np.testing.assert_array_equal(model.predict_proba(features), fresh)


def test_invalid_hyperparameters_are_all_listed() -> None:
    with pytest.raises(ModelError, match=r"max_depth=0 .*learning_rate=2"):
        BoostedClassifier(max_depth=0, learning_rate=2).fit(*synthetic_matches(50))


def test_outcomes_other_than_home_draw_away_are_refused() -> None:
    features, _ = synthetic_matches(30)
    with pytest.raises(DataError, match="outcomes must be 0"):
        BoostedClassifier().fit(features, np.arange(30) % 4)


def test_predicting_before_fit_says_what_to_do() -> None:
    with pytest.raises(NotFittedError, match="call fit"):
        BoostedClassifier().predict_proba(np.zeros((2, 3)))
