"""Drift statistics: PSI by hand, its invariants, stored references, rolling scores."""

from __future__ import annotations

import math
import pickle

import numpy as np
import numpy.typing as npt
import pandas as pd
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from scoreline.errors import DataError
from scoreline.models.drift import ReferenceDistribution, RollingScores, psi
from scoreline.pricing import scoring

FloatArray = npt.NDArray[np.float64]
HOME, DRAW, AWAY = 0, 1, 2
EIGHT = np.arange(1.0, 9.0)  # two bins of four, cut at the median 4.5


def _term(live: float, ref: float) -> float:
    return (live - ref) * math.log(live / ref)


# --- psi -------------------------------------------------------------------


def test_psi_is_zero_for_identical_samples() -> None:
    sample = np.random.default_rng(1).normal(size=1_000)
    assert psi(sample, sample) == 0.0


def test_psi_hand_worked_two_bins() -> None:
    # Reference 1..8 splits 4 | 4 at 4.5; live has 1 below and 3 above:
    # (0.25 - 0.5) ln(0.25 / 0.5) + (0.75 - 0.5) ln(0.75 / 0.5) = 0.25 ln 3.
    assert psi(EIGHT, [1.0, 5.0, 6.0, 7.0], bins=2) == pytest.approx(0.25 * math.log(3))


def test_psi_grows_with_a_mean_shift() -> None:
    rng = np.random.default_rng(7)
    reference = rng.normal(size=20_000)
    live = rng.normal(size=20_000)
    values = [psi(reference, live + shift) for shift in (0.0, 0.1, 0.25, 0.5, 1.0)]
    assert values == sorted(values)
    assert values[0] < 0.01  # same distribution: stable
    assert values[-1] > 0.25  # one standard deviation: a major shift


def test_psi_counts_live_values_beyond_the_reference_range_in_the_outer_bins() -> None:
    eps = 1e-4
    # Every live value is far above the reference's maximum, so all land in the
    # open last bin; the empty first bin is floored at epsilon.
    expected = _term(eps, 0.5) + _term(1.0, 0.5)
    assert psi(EIGHT, [100.0, 1e9, 50.0], bins=2, epsilon=eps) == pytest.approx(expected)
    assert psi(EIGHT, [-100.0, -1e9, -50.0], bins=2, epsilon=eps) == pytest.approx(expected)


def test_psi_ignores_nan_and_infinite_values() -> None:
    clean = psi(EIGHT, [1.0, 5.0, 6.0, 7.0], bins=2)
    reference = np.concatenate([EIGHT, [np.nan, np.inf]])
    assert psi(reference, [np.nan, 1.0, 5.0, -np.inf, 6.0, 7.0], bins=2) == clean


def test_psi_is_nan_when_live_has_no_finite_value() -> None:
    assert math.isnan(psi(EIGHT, [np.nan, np.nan], bins=2))
    assert math.isnan(psi(EIGHT, [], bins=2))


def test_psi_gives_each_value_of_a_discrete_feature_its_own_bin() -> None:
    reference = np.array([0.0] * 70 + [1.0] * 30)
    live = np.array([0.0] * 30 + [1.0] * 70)
    assert psi(reference, live) == pytest.approx(_term(0.3, 0.7) + _term(0.7, 0.3))


def test_psi_refuses_a_reference_too_short_for_its_bins() -> None:
    with pytest.raises(DataError, match=r"reference has 19 finite values; 10 quantile bins"):
        psi(np.r_[np.arange(19.0), np.nan, np.nan], np.arange(5.0))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"bins": 0}, "bins must be a whole number >= 1"),
        ({"bins": 2.5}, "bins must be a whole number >= 1"),
        ({"epsilon": 0.0}, r"epsilon must lie in \(0, 1\)"),
        ({"epsilon": 1.0}, r"epsilon must lie in \(0, 1\)"),
    ],
)
def test_psi_refuses_bad_parameters(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(DataError, match=message):
        psi(EIGHT, EIGHT, **kwargs)  # type: ignore[arg-type]


def test_psi_refuses_values_that_are_not_numbers() -> None:
    with pytest.raises(DataError, match="reference must be numbers"):
        psi(["a"] * 30, EIGHT)


@settings(max_examples=60, deadline=None)
@given(
    reference=arrays(np.float64, st.integers(20, 200), elements=st.floats(-1e6, 1e6)),
    live=arrays(np.float64, st.integers(1, 200), elements=st.floats(-1e6, 1e6)),
)
def test_psi_is_never_negative_and_zero_against_itself(
    reference: FloatArray, live: FloatArray
) -> None:
    assert psi(reference, live) >= 0.0
    assert psi(reference, reference) == 0.0


# --- ReferenceDistribution ---------------------------------------------------


def _training_frame() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    return pd.DataFrame(
        {
            "elo_diff": rng.normal(0, 100, size=500),
            "rest_days": rng.integers(2, 9, size=500).astype(float),
            "team": ["x"] * 500,
        }
    )


def test_reference_distribution_survives_pickle_and_equals_psi() -> None:
    train = _training_frame()
    live = train.sample(frac=0.5, random_state=1)
    reference = ReferenceDistribution.from_frame(train, ["elo_diff", "rest_days"], bins=8)
    restored = pickle.loads(pickle.dumps(reference))
    for column in ("elo_diff", "rest_days"):
        shifted = live[column].to_numpy() + 30.0
        expected = psi(train[column], shifted, bins=8)
        assert reference.psi_of(column, shifted) == expected
        assert restored.psi_of(column, shifted) == expected
    assert restored.columns == ("elo_diff", "rest_days")


def test_reference_distribution_stays_small() -> None:
    reference = ReferenceDistribution.from_frame(_training_frame(), ["elo_diff", "rest_days"])
    assert len(pickle.dumps(reference)) < 2_000  # bins, not the 500 training rows


def test_psi_all_reads_pandas_polars_and_arrays_alike() -> None:
    train = _training_frame()[["elo_diff", "rest_days"]]
    reference = ReferenceDistribution.from_frame(train)
    live = train.iloc[:200] * 1.1
    from_pandas = reference.psi_all(live.assign(extra=1.0))
    assert from_pandas == reference.psi_all(pl.from_pandas(live))
    assert from_pandas == reference.psi_all(live.to_numpy())
    assert from_pandas == {c: psi(train[c], live[c]) for c in ("elo_diff", "rest_days")}


def test_reference_distribution_of_predicted_probabilities() -> None:
    probabilities = np.random.default_rng(5).dirichlet([4.0, 3.0, 3.0], size=300)
    outcomes = ("home", "draw", "away")
    reference = ReferenceDistribution.from_frame(probabilities, outcomes)
    assert reference.psi_all(probabilities) == dict.fromkeys(outcomes, 0.0)


def test_reference_distribution_names_what_is_wrong() -> None:
    train = _training_frame()
    with pytest.raises(DataError, match="no column"):
        ReferenceDistribution.from_frame(train, ["elo_diff", "xg"])
    with pytest.raises(DataError, match="'team' is not numeric"):
        ReferenceDistribution.from_frame(train, ["team"])
    with pytest.raises(DataError, match="pass the names of its columns"):
        ReferenceDistribution.from_frame(np.zeros((30, 2)))
    with pytest.raises(DataError, match=r"shape \(n, 3\)"):
        ReferenceDistribution.from_frame(np.zeros((30, 2)), ["home", "draw", "away"])
    reference = ReferenceDistribution.from_frame(train, ["elo_diff"])
    with pytest.raises(DataError, match="no reference for column 'xg'; known: elo_diff"):
        reference.psi_of("xg", [1.0])


# --- RollingScores -----------------------------------------------------------

MODEL = np.array([[0.5, 0.3, 0.2], [0.2, 0.3, 0.5], [0.6, 0.25, 0.15], [0.1, 0.2, 0.7]])
MARKET = np.array([[0.45, 0.3, 0.25], [0.3, 0.3, 0.4], [0.5, 0.3, 0.2], [0.2, 0.3, 0.5]])
OUTCOMES = np.array([HOME, AWAY, DRAW, AWAY])


def test_rolling_scores_match_the_scoring_functions() -> None:
    rolling = RollingScores(window=10)
    for i in range(4):
        rolling.add(MODEL[i], MARKET[i] if i != 2 else None, int(OUTCOMES[i]))
    summary = rolling.summary()
    with_market = [0, 1, 3]
    assert summary["count"] == 4
    assert summary["model"] == {
        "count": 4,
        "rps": scoring.rps(MODEL, OUTCOMES),
        "log_loss": scoring.log_loss(MODEL, OUTCOMES),
        "ece": scoring.expected_calibration_error(MODEL, OUTCOMES),
    }
    market, outcomes = MARKET[with_market], OUTCOMES[with_market]
    assert summary["market"] == {
        "count": 3,
        "rps": scoring.rps(market, outcomes),
        "log_loss": scoring.log_loss(market, outcomes),
        "ece": scoring.expected_calibration_error(market, outcomes),
    }


def test_rolling_scores_forget_the_oldest_rows() -> None:
    rolling = RollingScores(window=2)
    for i in range(4):
        rolling.add(MODEL[i], MARKET[i], int(OUTCOMES[i]))
    summary = rolling.summary()
    assert len(rolling) == 2
    assert summary["count"] == 2
    assert summary["model"]["rps"] == scoring.rps(MODEL[2:], OUTCOMES[2:])
    assert summary["market"]["log_loss"] == scoring.log_loss(MARKET[2:], OUTCOMES[2:])


def test_rolling_scores_are_nan_when_empty() -> None:
    rolling = RollingScores()
    rolling.add(MODEL[0], None, HOME)
    summary = rolling.summary()
    assert summary["model"]["count"] == 1
    assert summary["market"]["count"] == 0
    market = summary["market"]
    assert all(math.isnan(market[key]) for key in ("rps", "log_loss", "ece"))
    assert math.isnan(RollingScores().summary()["model"]["rps"])


@pytest.mark.parametrize(
    ("model", "market", "outcome", "message"),
    [
        ([0.5, 0.5], None, HOME, r"model_probs must have shape \(3,\)"),
        ([0.5, 0.3, 0.3], None, HOME, "model_probs must be probabilities"),
        ([0.5, 0.3, 0.2], [1.2, -0.1, -0.1], HOME, "market_probs must be probabilities"),
        ([0.5, 0.3, 0.2], None, 3, "outcome must be 0, 1 or 2"),
        ([0.5, 0.3, 0.2], None, True, "outcome must be 0, 1 or 2"),
    ],
)
def test_rolling_scores_refuse_bad_rows(
    model: list[float], market: list[float] | None, outcome: int, message: str
) -> None:
    rolling = RollingScores()
    with pytest.raises(DataError, match=message):
        rolling.add(model, market, outcome)
    assert len(rolling) == 0


@pytest.mark.parametrize("window", [0, -1, 2.0, True])
def test_rolling_scores_refuse_a_bad_window(window: int) -> None:
    with pytest.raises(DataError, match="window must be a whole number"):
        RollingScores(window=window)
