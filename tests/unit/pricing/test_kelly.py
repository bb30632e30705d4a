"""Kelly fractions and stakes: hand-worked markets, caps, optimality, invariants."""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from scoreline.errors import ConfigError, DataError
from scoreline.pricing.kelly import (
    StakingPolicy,
    closing_line_value,
    edge,
    money_edge,
    money_kelly,
    simultaneous_kelly,
    stakes,
)

FloatArray = npt.NDArray[np.float64]
UNCAPPED = StakingPolicy(fraction=1.0, min_edge=0.0, max_bet=1.0, max_fixture=1.0, max_exposure=1.0)


def test_edge_is_probability_times_price_minus_one() -> None:
    np.testing.assert_allclose(edge([0.5, 0.25], [2.2, 3.0]), [0.1, -0.25])


def test_closing_line_value_prices_the_bet_at_the_fair_close() -> None:
    # Took 2.2; the de-margined close says 50%: 10% better than the fair price of 2.0.
    np.testing.assert_allclose(closing_line_value([2.2, 1.8], [0.5, 0.5]), [0.1, -0.1])


def test_one_outcome_is_the_textbook_kelly_fraction() -> None:
    # (p o - 1) / (o - 1): (0.6 * 2 - 1) / 1 = 0.2 and (0.3 * 4 - 1) / 3 = 1/15.
    np.testing.assert_allclose(simultaneous_kelly([0.6], [2.0]), [0.2])
    np.testing.assert_allclose(simultaneous_kelly([0.3], [4.0]), [1 / 15])


@given(
    probability=st.floats(min_value=0.01, max_value=0.99),
    price=st.decimals(min_value="1.01", max_value="50", places=2),
)
def test_money_kelly_is_simultaneous_kelly_of_one_outcome(
    probability: float, price: Decimal
) -> None:
    value = money_edge(probability, price)
    assume(value > 0)
    exact = money_kelly(value, price)
    (alone,) = simultaneous_kelly([round(probability, 6)], [float(price)])
    assert float(exact) == pytest.approx(alone, rel=1e-9, abs=1e-12)


def test_money_edge_takes_the_probability_to_six_places() -> None:
    assert money_edge(0.5, Decimal("2.2")) == Decimal("0.1")
    # 1/3 is 0.333333 to six places: at 3.00 that is a hair below even, not 0.
    assert money_edge(1 / 3, Decimal("3.00")) == Decimal("-0.000001")


def test_money_kelly_is_exact_in_decimal() -> None:
    # (0.5 * 2.2 - 1) / 1.2 = 1/12, and Decimal keeps every digit the stake rounds on.
    assert money_kelly(money_edge(0.5, Decimal("2.2")), Decimal("2.2")) == Decimal("0.1") / Decimal(
        "1.2"
    )


def test_three_way_market_adds_a_hedge_by_reserve_rate() -> None:
    # Rates p*D: 1.25, 0.9, 0.7. Choose the first: R = 0.5 / 0.6 = 5/6. 0.9 > 5/6,
    # choose the second: R = 0.2 / (1 - 0.4 - 1/3) = 0.75. 0.7 < 0.75: stop.
    # f = p - R / D = 0.5 - 0.3, 0.3 - 0.25, and nothing on the third.
    fractions = simultaneous_kelly([0.5, 0.3, 0.2], [2.5, 3.0, 3.5])
    np.testing.assert_allclose(fractions, [0.2, 0.05, 0.0], atol=1e-15)


def test_two_way_market_bets_only_the_value_side() -> None:
    # Rates 1.2 and 0.76; R = 0.4 / 0.5 = 0.8 after the first, 0.76 < 0.8.
    np.testing.assert_allclose(simultaneous_kelly([0.6, 0.4], [2.0, 1.9]), [0.2, 0.0])


def test_an_arbitrage_stakes_everything_in_proportion_to_probability() -> None:
    # 1/2.1 + 1/2.1 < 1: both are chosen, R falls to 0, f = p.
    np.testing.assert_allclose(simultaneous_kelly([0.5, 0.5], [2.1, 2.1]), [0.5, 0.5])


def test_no_rate_above_one_means_no_bet() -> None:
    # 0.5 * 2.0 = 1 exactly is no edge either.
    np.testing.assert_array_equal(simultaneous_kelly([0.5, 0.3, 0.2], [2.0, 3.0, 4.0]), 0.0)


def test_rows_are_markets_solved_independently() -> None:
    p = np.array([[0.5, 0.3, 0.2], [0.45, 0.3, 0.25], [0.2, 0.3, 0.5]])
    d = np.array([[2.5, 3.0, 3.5], [2.1, 3.6, 4.2], [6.0, 3.5, 1.9]])
    expected = np.array([simultaneous_kelly(p[i], d[i]) for i in range(3)])
    np.testing.assert_allclose(simultaneous_kelly(p, d), expected)


@pytest.mark.parametrize(
    ("probabilities", "prices", "message"),
    [
        ([0.5, 0.5], [2.0, 1.0], "prices that are not finite above 1"),
        ([0.7, 0.5], [2.0, 2.0], "summing above 1"),
        ([0.5, math.nan], [2.0, 2.0], "outside \\[0, 1\\] or NaN"),
        ([0.5, 0.5], [2.0, 2.0, 2.0], "must share a shape"),
    ],
)
def test_bad_markets_raise_data_error(
    probabilities: list[float], prices: list[float], message: str
) -> None:
    with pytest.raises(DataError, match=message):
        simultaneous_kelly(probabilities, prices)


@st.composite
def markets(draw: st.DrawFn) -> tuple[FloatArray, FloatArray]:
    k = draw(st.integers(1, 6))
    weights = np.array(draw(st.lists(st.floats(0.01, 1.0), min_size=k + 1, max_size=k + 1)))
    # The last weight is the chance of an outcome that cannot be bet on.
    p = (weights / weights.sum())[:k]
    prices = np.array(draw(st.lists(st.floats(1.01, 30.0), min_size=k, max_size=k)))
    return p, prices


@settings(max_examples=300, deadline=None)
@given(market=markets())
def test_fractions_are_non_negative_and_sum_to_at_most_one(
    market: tuple[FloatArray, FloatArray],
) -> None:
    fractions = simultaneous_kelly(*market)
    assert (fractions >= 0).all()
    assert fractions.sum() <= 1 + 1e-12


@settings(max_examples=300, deadline=None)
@given(market=markets())
def test_no_edge_anywhere_means_no_bet(market: tuple[FloatArray, FloatArray]) -> None:
    p, prices = market
    fair = np.minimum(prices, 1 / p)  # every p * price <= 1
    np.testing.assert_array_equal(simultaneous_kelly(p, fair), 0.0)


@settings(max_examples=300, deadline=None)
@given(market=markets())
def test_fractions_meet_the_optimality_conditions_of_expected_log_wealth(
    market: tuple[FloatArray, FloatArray],
) -> None:
    # Expected log wealth is concave; with F < 1 the optimum is where its slope
    # p_i D_i / W_i - sum_j p_j / W_j is zero for every bet and <= 0 for the rest.
    p, prices = market
    fractions = simultaneous_kelly(p, prices)
    reserve = 1 - fractions.sum()
    assume(reserve > 1e-6)
    wealth = reserve + fractions * prices
    slope = p * prices / wealth - ((p / wealth).sum() + (1 - p.sum()) / reserve)
    placed = fractions > 0
    np.testing.assert_allclose(slope[placed], 0.0, atol=1e-9)
    assert (slope[~placed] <= 1e-9).all()


def test_policy_defaults_are_quarter_kelly() -> None:
    assert StakingPolicy().fraction == 0.25


def test_policy_lists_every_bad_value() -> None:
    with pytest.raises(ConfigError) as caught:
        StakingPolicy(fraction=1.5, min_edge=-0.1, max_exposure=0.0)
    message = str(caught.value)
    assert "fraction must be a number in (0, 1]" in message
    assert "min_edge must be a number in [0, inf), got -0.1" in message
    assert "max_exposure" in message
    assert "max_bet" not in message


@pytest.mark.parametrize("value", [math.nan, math.inf, True])
def test_policy_refuses_values_that_are_not_finite_numbers(value: float) -> None:
    with pytest.raises(ConfigError, match="max_bet"):
        StakingPolicy(max_bet=value)


def _stake(
    p: list[float], d: list[float], ids: list[int], policy: StakingPolicy, bankroll: int = 100_000
) -> list[int]:
    stake: list[int] = stakes(
        p, d, fixture_ids=ids, bankroll_minor=bankroll, policy=policy
    ).tolist()
    return stake


def test_fractional_kelly_scales_the_full_fraction() -> None:
    policy = StakingPolicy(fraction=0.5, min_edge=0.0, max_bet=1.0, max_fixture=1.0)
    assert _stake([0.6], [2.0], [1], policy) == [10_000]  # 0.5 * 0.2 of 1000.00


def test_stakes_are_rounded_down_to_whole_minor_units() -> None:
    policy = StakingPolicy(fraction=0.25, min_edge=0.0, max_bet=1.0, max_fixture=1.0)
    assert _stake([0.6], [2.0], [1], policy, bankroll=999) == [49]  # 49.95 cents


def test_per_bet_cap() -> None:
    policy = StakingPolicy(fraction=1.0, min_edge=0.0, max_bet=0.03, max_fixture=1.0)
    assert _stake([0.6], [2.0], [1], policy) == [3_000]


def test_fixture_cap_scales_its_bets_in_proportion() -> None:
    # Full Kelly: rates 1.25 and 1.5 are both chosen, R = 0.2 / 0.4 = 0.5,
    # f = 0.5 - 0.5/2.5 = 0.3 and 0.3 - 0.5/5 = 0.2. Quarter Kelly: 0.075, 0.05;
    # per-bet cap 0.06: 0.06, 0.05 (0.11); fixture cap 0.088 scales by 0.8.
    policy = StakingPolicy(fraction=0.25, min_edge=0.02, max_bet=0.06, max_fixture=0.088)
    assert _stake([0.5, 0.3, 0.2], [2.5, 5.0, 2.0], [9, 9, 9], policy) == [4_800, 4_000, 0]


def test_exposure_cap_scales_the_whole_day_in_proportion() -> None:
    # Two fixtures at full Kelly 0.2 each: 0.4 of the bankroll, cut to 0.3.
    policy = StakingPolicy(
        fraction=1.0, min_edge=0.0, max_bet=1.0, max_fixture=1.0, max_exposure=0.3
    )
    assert _stake([0.6, 0.6], [2.0, 2.0], [1, 2], policy) == [15_000, 15_000]


def test_outcomes_below_min_edge_are_neither_bet_nor_hedged() -> None:
    # Alone, full Kelly on this market hedges on the second outcome (edge -0.1,
    # fractions 0.2 and 0.05). Below min_edge it is not bettable, and the first
    # gets its single-outcome Kelly (1.25 - 1) / 1.5 = 1/6 of 1000.00.
    assert _stake([0.5, 0.3, 0.2], [2.5, 3.0, 3.5], [1, 1, 1], UNCAPPED) == [16_666, 0, 0]
    strict = StakingPolicy(fraction=1.0, min_edge=0.3, max_bet=1.0, max_fixture=1.0)
    assert _stake([0.5, 0.3, 0.2], [2.5, 3.0, 3.5], [1, 1, 1], strict) == [0, 0, 0]


def test_fixtures_may_interleave_in_the_input() -> None:
    grouped = _stake([0.5, 0.3, 0.6], [2.5, 5.0, 2.0], [4, 4, 8], UNCAPPED, bankroll=10**9)
    mixed = _stake([0.5, 0.6, 0.3], [2.5, 2.0, 5.0], [4, 8, 4], UNCAPPED, bankroll=10**9)
    assert mixed == [grouped[0], grouped[2], grouped[1]]


def test_empty_day_and_empty_bankroll_stake_nothing() -> None:
    assert _stake([], [], [], StakingPolicy()) == []
    assert _stake([0.6], [2.0], [1], StakingPolicy(), bankroll=0) == [0]


def test_a_fixture_with_probabilities_over_one_is_named() -> None:
    with pytest.raises(DataError, match="fixture\\(s\\) 7: candidate probabilities sum above 1"):
        _stake([0.6, 0.6, 0.5], [2.0, 2.0, 2.5], [7, 7, 8], StakingPolicy())


@pytest.mark.parametrize("bankroll", [-1, 1.5, True])
def test_bankroll_must_be_whole_non_negative_minor_units(bankroll: int) -> None:
    with pytest.raises(DataError, match="bankroll_minor"):
        _stake([0.6], [2.0], [1], StakingPolicy(), bankroll=bankroll)


@st.composite
def days(draw: st.DrawFn) -> tuple[FloatArray, FloatArray, npt.NDArray[np.int64]]:
    n_fixtures = draw(st.integers(1, 8))
    p_rows, d_rows, id_rows = [], [], []
    for fixture in range(n_fixtures):
        p, d = draw(markets())
        p_rows.append(p)
        d_rows.append(d)
        id_rows.append(np.full(len(p), fixture))
    return np.concatenate(p_rows), np.concatenate(d_rows), np.concatenate(id_rows)


policies = st.builds(
    StakingPolicy,
    fraction=st.floats(0.05, 1.0),
    min_edge=st.floats(0.0, 0.2),
    max_bet=st.floats(0.001, 1.0),
    max_fixture=st.floats(0.001, 1.0),
    max_exposure=st.floats(0.001, 1.0),
)


@settings(max_examples=300, deadline=None)
@given(day=days(), policy=policies, bankroll=st.integers(0, 10**9))
def test_stakes_respect_every_cap(
    day: tuple[FloatArray, FloatArray, npt.NDArray[np.int64]], policy: StakingPolicy, bankroll: int
) -> None:
    p, d, ids = day
    stake = stakes(p, d, fixture_ids=ids, bankroll_minor=bankroll, policy=policy)
    assert stake.dtype == np.int64
    assert (stake >= 0).all()
    slack = 1e-6  # the rounding slack forgiven before flooring
    assert (stake <= policy.max_bet * bankroll + slack).all()
    assert (np.bincount(ids, weights=stake) <= policy.max_fixture * bankroll + slack).all()
    assert stake.sum() <= policy.max_exposure * bankroll + slack
    assert (stake[edge(p, d) < policy.min_edge] == 0).all()
