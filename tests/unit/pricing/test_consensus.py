"""The consensus market price: sharp book, else the average, else the bookmakers' mean."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoreline.pricing import remove_margin
from scoreline.pricing.consensus import (
    MARKET_FEATURES,
    average_price,
    is_valid,
    market_features,
)

NAN3 = (math.nan, math.nan, math.nan)


@pytest.mark.parametrize(
    ("prices", "valid"),
    [
        ((2.1, 3.4, 3.8), True),
        ((1.0, 3.4, 3.8), False),
        ((0.5, 3.4, 3.8), False),
        ((math.nan, 3.4, 3.8), False),
        ((math.inf, 3.4, 3.8), False),
    ],
)
def test_valid_prices_are_finite_and_above_evens_stake(
    prices: tuple[float, float, float], valid: bool
) -> None:
    assert is_valid(prices) is valid


def test_the_average_figure_is_the_average_where_valid() -> None:
    books = {"AVG": (2.0, 3.3, 3.7), "B365": (2.2, 3.1, 3.5), "PS": (2.1, 3.4, 3.8)}
    assert average_price(books) == (2.0, 3.3, 3.7)


def test_else_the_mean_of_the_valid_bookmakers_without_market_figures() -> None:
    books = {
        "B365": (2.0, 3.5, 4.0),
        "WH": (2.2, 3.3, 3.6),
        "MAX": (9.0, 9.0, 9.0),
        "AVG": (1.0, 3.0, 3.0),  # invalid: left out like any invalid price
        "IW": (0.9, 3.0, 3.0),
    }
    assert average_price(books) == pytest.approx((2.1, 3.4, 3.8), abs=1e-12)


def test_no_valid_bookmaker_is_no_average() -> None:
    assert average_price({}) is None
    assert average_price({"MAX": (2.0, 3.0, 4.0), "B365": (1.0, 3.0, 4.0)}) is None


def test_market_features_prefer_the_sharp_book_then_the_average() -> None:
    sharp = [(2.1, 3.4, 3.8), NAN3, (1.0, 3.4, 3.8), NAN3]
    average = [(2.0, 3.3, 3.7), (1.5, 4.2, 7.0), (1.6, 4.0, 6.0), NAN3]
    out = market_features(sharp, average)
    assert out.shape == (4, len(MARKET_FEATURES))
    used = np.array([sharp[0], average[1], average[2]])
    np.testing.assert_allclose(out[:3, :3], remove_margin(used, method="power"), atol=1e-12)
    np.testing.assert_allclose(out[:3, 3], (1 / used).sum(axis=1) - 1, atol=1e-15)
    np.testing.assert_array_equal(out[:3, 4], [1.0, 0.0, 0.0])
    assert np.isnan(out[3]).all()


def test_market_features_of_nothing_are_empty() -> None:
    assert market_features(np.empty((0, 3)), np.empty((0, 3))).shape == (0, 5)


@given(
    st.lists(st.floats(min_value=1.01, max_value=50.0), min_size=3, max_size=3),
    st.booleans(),
)
def test_de_margined_probabilities_sum_to_one(odds: list[float], from_sharp: bool) -> None:
    prices = (odds[0], odds[1], odds[2])
    sharp, average = (prices, NAN3) if from_sharp else (NAN3, prices)
    out = market_features([sharp], [average])
    assert out[0, :3].sum() == pytest.approx(1.0, abs=1e-9)
    assert out[0, 4] == float(from_sharp)
