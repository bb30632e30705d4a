"""Shadow CLV on figures that can be checked by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest

from scoreline.errors import DataError
from scoreline.pricing.shadow_clv import (
    TIME_BUCKETS,
    bets_needed,
    by_group,
    shadow_bets,
    summarise,
    time_bucket,
)

MODEL = [[0.50, 0.30, 0.20], [0.40, 0.35, 0.25], [0.30, 0.30, 0.40]]
PREMATCH = [[0.45, 0.30, 0.25], [0.42, 0.30, 0.28], [np.nan, np.nan, np.nan]]
CLOSE = [[0.48, 0.29, 0.23], [0.40, 0.385, 0.215], [0.30, 0.30, 0.40]]


def test_only_selections_rated_above_the_market_are_bets_at_the_fair_price() -> None:
    bets = shadow_bets(MODEL, PREMATCH, CLOSE)
    # Row 1: home 0.50 > 0.45 is backed; draw 0.30 = 0.30 is not (no edge); away 0.20 < 0.25.
    # Row 2: only the draw, 0.35 > 0.30. Row 3: no pre-match price, nothing backed.
    assert bets.backed.tolist() == [
        [True, False, False],
        [False, True, False],
        [False, False, False],
    ]
    # clv = c / p - 1: 0.48 / 0.50 - 1 = -0.04 and 0.385 / 0.35 - 1 = +0.10.
    assert bets.clv[0, 0] == pytest.approx(-0.04)
    assert bets.clv[1, 1] == pytest.approx(0.10)
    assert np.isnan(bets.clv[~bets.backed]).all()


def test_summary_has_the_t_interval_and_the_bets_needed() -> None:
    found = summarise([-0.04, 0.10, np.nan])
    # mean 0.03; sd = sqrt(2 * 0.07^2) = 0.0989949; t(0.975, 1) = 12.706205;
    # half-width 12.706205 * 0.0989949 / sqrt(2) = 0.8894344;
    # bets needed (1.959964 * 0.0989949 / 0.03)^2 = 41.83, so 42.
    assert found.n_bets == 2
    assert found.mean == pytest.approx(0.03)
    assert found.ci95_low == pytest.approx(0.03 - 0.8894344, abs=1e-6)
    assert found.ci95_high == pytest.approx(0.03 + 0.8894344, abs=1e-6)
    assert found.bets_needed == 42


def test_summary_of_too_few_bets() -> None:
    assert summarise([]).mean is None
    one = summarise([0.05])
    assert (one.n_bets, one.mean, one.ci95_low, one.bets_needed) == (1, 0.05, None, None)


def test_bets_needed_grows_with_the_spread_and_shrinks_with_the_edge() -> None:
    # (1.96 * 0.5 / 0.02)^2 = 2400.9 -> 2401; twice the edge needs a quarter.
    assert bets_needed(0.02, 0.5) == math.ceil((1.959963984540054 * 25) ** 2)
    assert bets_needed(0.04, 0.5) == math.ceil((1.959963984540054 * 12.5) ** 2)
    assert bets_needed(-0.02, 0.5) == bets_needed(0.02, 0.5)
    assert bets_needed(0.0, 0.5) is None


def test_time_buckets_have_closed_upper_edges() -> None:
    hours = [30, 24.0, 23.9, 6.0, 5.5, 1.0, 0.5, 0.0]
    assert time_bucket(hours).tolist() == [
        ">24h",
        "6-24h",
        "6-24h",
        "1-6h",
        "1-6h",
        "<1h",
        "<1h",
        "<1h",
    ]
    with pytest.raises(DataError, match="at least 0"):
        time_bucket([-0.1])


def test_groups_are_summarised_in_bucket_order() -> None:
    clv = [0.1, -0.1, 0.2, np.nan]
    groups = by_group(
        clv,
        {"league": ["E0", "E0", "SP1", "E0"], "bucket": ["<1h", ">24h", "<1h", ">24h"]},
    )
    keys = [(key["league"], key["bucket"]) for key, _ in groups]
    assert keys == [("E0", ">24h"), ("E0", "<1h"), ("SP1", "<1h")]
    assert [s.n_bets for _, s in groups] == [1, 1, 1]
    assert [s.mean for _, s in groups] == [-0.1, 0.1, 0.2]
    assert TIME_BUCKETS[0] == ">24h"


def test_bad_shapes_and_probabilities_are_refused() -> None:
    with pytest.raises(DataError, match="share a shape"):
        shadow_bets([[0.5, 0.5]], [[0.5, 0.5, 0.0]], [[0.5, 0.5]])
    with pytest.raises(DataError, match=r"\[0, 1\]"):
        shadow_bets([[-0.1, 1.1]], [[0.5, 0.5]], [[0.5, 0.5]])
    # A probability of 0 backs nothing and divides by nothing.
    zero = shadow_bets([[0.0, 1.0]], [[0.5, 0.5]], [[0.4, 0.6]])
    assert zero.backed.tolist() == [[False, True]]
    assert zero.clv[0, 1] == pytest.approx(-0.4)
    with pytest.raises(DataError, match="labels 'league'"):
        by_group([0.1, 0.2], {"league": ["E0"]})
