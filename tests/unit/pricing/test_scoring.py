"""Forecast scores and calibration: hand-worked numbers, penaltyblog, invariants."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from penaltyblog.metrics import ignorance_score, multiclass_brier_score, rps_array

from scoreline.errors import DataError
from scoreline.pricing import scoring

FloatArray = npt.NDArray[np.float64]
HOME, DRAW, AWAY = 0, 1, 2


@pytest.mark.parametrize(
    ("forecast", "outcome", "expected"),
    [
        ((1.0, 0.0, 0.0), HOME, 0.0),
        ((0.8, 0.1, 0.1), HOME, 0.025),  # ((0.8 - 1)^2 + (0.9 - 1)^2) / 2
        ((0.9, 0.1, 0.0), HOME, 0.005),  # ((0.9 - 1)^2 + 0) / 2
        ((0.5, 0.25, 0.25), HOME, 0.15625),  # (0.25 + 0.0625) / 2
        ((0.4, 0.3, 0.3), DRAW, 0.125),  # (0.4^2 + (0.7 - 1)^2) / 2
        ((0.5, 0.3, 0.2), AWAY, 0.445),  # (0.5^2 + 0.8^2) / 2
    ],
)
def test_rps_hand_worked(forecast: tuple[float, ...], outcome: int, expected: float) -> None:
    assert scoring.rps([forecast], [outcome]) == pytest.approx(expected)


def test_rps_rewards_near_misses_over_far_misses() -> None:
    # Same probability on home; the miss towards draw scores better when it is away.
    near = scoring.rps([[0.2, 0.6, 0.2]], [AWAY])
    far = scoring.rps([[0.6, 0.2, 0.2]], [AWAY])
    assert near < far


def test_log_loss_hand_worked() -> None:
    assert scoring.log_loss([[0.5, 0.25, 0.25]], [DRAW]) == pytest.approx(math.log(4))


def test_log_loss_is_infinite_when_the_outcome_had_no_chance() -> None:
    assert scoring.log_loss([[1.0, 0.0, 0.0]], [DRAW]) == math.inf


def test_brier_hand_worked() -> None:
    per_row = scoring.brier_score_per_row([[0.8, 0.1, 0.1], [0.5, 0.3, 0.2]], [HOME, AWAY])
    np.testing.assert_allclose(per_row, [0.06, 0.98])  # 0.04 + 0.01 + 0.01; 0.25 + 0.09 + 0.64


def test_scores_agree_with_penaltyblog() -> None:
    rng = np.random.default_rng(3)
    p = rng.dirichlet([2.0, 1.5, 1.5], size=40)
    y = rng.integers(0, 3, size=40)
    np.testing.assert_allclose(scoring.rps_per_row(p, y), rps_array(p, y), rtol=1e-12)
    assert scoring.brier_score(p, y) == pytest.approx(multiclass_brier_score(p, y), rel=1e-12)
    # penaltyblog's ignorance score is the log loss in bits.
    assert scoring.log_loss(p, y) / math.log(2) == pytest.approx(ignorance_score(p, y), rel=1e-12)


# Four two-way forecasts; pooled over both classes they give eight pairs:
#   below 0.5: 0.10 (no), 0.15 (yes), 0.20 (no), 0.30 (yes) -> mean 0.1875, observed 0.5
#   0.5 and up: 0.90 (yes), 0.85 (no), 0.80 (yes), 0.70 (no) -> mean 0.8125, observed 0.5
TWO_WAY = np.array([[0.1, 0.9], [0.85, 0.15], [0.8, 0.2], [0.7, 0.3]])
TWO_WAY_OUTCOMES = np.array([1, 1, 0, 1])


def test_reliability_table_pools_every_class() -> None:
    table = scoring.reliability_table(TWO_WAY, TWO_WAY_OUTCOMES, n_bins=2)
    np.testing.assert_allclose(table.bin_edges, [0.0, 0.5, 1.0])
    np.testing.assert_array_equal(table.counts, [4, 4])
    np.testing.assert_allclose(table.mean_predicted, [0.1875, 0.8125])
    np.testing.assert_allclose(table.observed_frequency, [0.5, 0.5])
    assert table.ece == pytest.approx(0.3125)


def test_reliability_table_top_label_keeps_one_forecast_per_row() -> None:
    # Top labels: 0.9 (hit), 0.85 (miss), 0.8 (hit), 0.7 (miss).
    table = scoring.reliability_table(TWO_WAY, TWO_WAY_OUTCOMES, n_bins=2, target="top_label")
    np.testing.assert_array_equal(table.counts, [0, 4])
    assert np.isnan(table.mean_predicted[0])
    assert table.observed_frequency[1] == pytest.approx(0.5)
    assert table.ece == pytest.approx(0.3125)


def test_quantile_bins_hold_equal_counts() -> None:
    table = scoring.reliability_table(TWO_WAY, TWO_WAY_OUTCOMES, n_bins=4, strategy="quantile")
    np.testing.assert_array_equal(table.counts, [2, 2, 2, 2])
    assert table.bin_edges[0] == pytest.approx(0.1)
    assert table.bin_edges[-1] == pytest.approx(0.9)


def test_probability_one_falls_in_the_last_bin() -> None:
    table = scoring.reliability_table([[1.0, 0.0]], [0], n_bins=10)
    assert table.counts[-1] == 1
    assert table.counts[0] == 1
    assert table.ece == 0.0


def test_expected_calibration_error_is_the_table_ece() -> None:
    assert scoring.expected_calibration_error(TWO_WAY, TWO_WAY_OUTCOMES, n_bins=2) == 0.3125


@pytest.mark.parametrize(
    ("probabilities", "outcomes", "message"),
    [
        ([[0.5, 0.4, 0.0]], [0], "sum to 1"),
        ([[1.2, -0.2]], [0], "outside"),
        ([[np.nan, 1.0]], [0], "NaN"),
        ([[0.5, 0.5]], [2], "outcome outside 0 .. 1"),
        ([[0.5, 0.5]], [0.0], "integer"),
        ([[0.5, 0.5]], [0, 1], "shape"),
        ([0.5, 0.5], [0], "shape"),
    ],
)
def test_bad_inputs_raise_data_error(
    probabilities: list[list[float]], outcomes: list[float], message: str
) -> None:
    with pytest.raises(DataError, match=message):
        scoring.rps(probabilities, outcomes)


def test_bad_bin_arguments_raise_data_error() -> None:
    with pytest.raises(DataError, match="n_bins"):
        scoring.reliability_table(TWO_WAY, TWO_WAY_OUTCOMES, n_bins=0)
    with pytest.raises(DataError, match="strategy"):
        scoring.reliability_table(TWO_WAY, TWO_WAY_OUTCOMES, strategy="kmeans")  # type: ignore[arg-type]


# -- invariants ---------------------------------------------------------------------


@st.composite
def forecasts(draw: st.DrawFn) -> tuple[FloatArray, npt.NDArray[np.int64]]:
    k = draw(st.integers(min_value=2, max_value=5))
    n = draw(st.integers(min_value=1, max_value=30))
    weights = draw(arrays(np.float64, (n, k), elements=st.floats(0.0, 1.0)))
    weights[:, 0] += 1e-3
    outcomes = draw(arrays(np.int64, (n,), elements=st.integers(0, k - 1)))
    return weights / weights.sum(axis=1, keepdims=True), outcomes


@settings(max_examples=100, deadline=None)
@given(data=forecasts())
def test_scores_stay_in_their_ranges(data: tuple[FloatArray, npt.NDArray[np.int64]]) -> None:
    p, y = data
    assert 0.0 <= scoring.rps(p, y) <= 1.0
    assert 0.0 <= scoring.brier_score(p, y) <= 2.0
    assert scoring.log_loss(p, y) >= 0.0


@settings(max_examples=100, deadline=None)
@given(
    data=forecasts(),
    strategy=st.sampled_from(["uniform", "quantile"]),
    target=st.sampled_from(["all", "top_label"]),
)
def test_reliability_table_counts_every_forecast_once(
    data: tuple[FloatArray, npt.NDArray[np.int64]], strategy: str, target: str
) -> None:
    p, y = data
    table = scoring.reliability_table(p, y, strategy=strategy, target=target)  # type: ignore[arg-type]
    assert table.counts.sum() == (p.size if target == "all" else len(p))
    assert 0.0 <= table.ece <= 1.0


@settings(max_examples=100, deadline=None)
@given(data=forecasts())
def test_a_sure_correct_forecast_scores_zero(
    data: tuple[FloatArray, npt.NDArray[np.int64]],
) -> None:
    _, y = data
    k = max(int(y.max()) + 1, 2)
    sure = np.eye(k)[y]
    assert scoring.rps(sure, y) == 0.0
    assert scoring.brier_score(sure, y) == 0.0
    assert scoring.log_loss(sure, y) == 0.0
