"""Elo and pi-rating updates: hand-worked matches from the formulas, and invariants."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoreline.models.ratings import (
    elo_change,
    elo_expected_score,
    goal_margin_index,
    pi_change,
    pi_expected_goal_difference,
    pi_goal_difference,
)

ratings = st.floats(min_value=800, max_value=2400)
pi_ratings = st.floats(min_value=-3, max_value=3)
goals = st.integers(min_value=0, max_value=9)


def test_equal_ratings_expect_half_without_home_advantage() -> None:
    assert elo_expected_score([1500.0], [1500.0])[0] == pytest.approx(0.5)


def test_hundred_points_expect_064() -> None:
    # 1 / (10 ** (-100 / 400) + 1) = 1 / (0.562341 + 1)
    assert elo_expected_score([1600.0], [1500.0])[0] == pytest.approx(0.6400649998)


def test_goal_margin_index_follows_world_football_elo() -> None:
    margins = [0, 1, -1, 2, 3, -4, 6]
    expected = [1.0, 1.0, 1.0, 1.5, 14 / 8, 15 / 8, 17 / 8]
    np.testing.assert_allclose(goal_margin_index(margins), expected)


def test_elo_two_nil_home_win_between_equals() -> None:
    # W_e = 1 / (10 ** (-60 / 400) + 1) = 0.5854987; G = 3/2 for a margin of 2;
    # change = 20 * 1.5 * (1 - 0.5854987) = 12.43504
    change = elo_change([1500.0], [1500.0], [2], [0], k=20.0, home_advantage=60.0)
    assert change[0] == pytest.approx(12.435039639845716)


def test_elo_draw_costs_the_favourite() -> None:
    change = elo_change([1600.0], [1500.0], [1], [1], k=20.0)
    assert change[0] == pytest.approx(20 * (0.5 - 0.6400649998))


def test_elo_home_advantage_is_off_at_a_neutral_venue() -> None:
    change = elo_change(
        [1500.0, 1500.0], [1500.0, 1500.0], [1, 1], [0, 0], k=20.0, home_advantage=[60.0, 0.0]
    )
    assert change[1] == pytest.approx(10.0)
    assert change[0] < change[1]


@given(ratings, ratings, st.floats(min_value=-200, max_value=200))
def test_expected_scores_of_both_sides_sum_to_one(a: float, b: float, h: float) -> None:
    total = elo_expected_score([a], [b], h)[0] + elo_expected_score([b], [a], -h)[0]
    assert total == pytest.approx(1.0)


@given(ratings, ratings, goals, goals)
def test_a_win_never_lowers_the_winner(a: float, b: float, x: int, y: int) -> None:
    change = elo_change([a], [b], [x], [y], k=20.0, home_advantage=60.0)[0]
    if x > y:
        assert change > 0
    elif x < y:
        assert change < 0


def test_pi_goal_difference_of_a_rating() -> None:
    # g(0.5) = 10 ** (0.5 / 3) - 1; g(-0.2) = -(10 ** (0.2 / 3) - 1)
    np.testing.assert_allclose(
        pi_goal_difference([0.5, -0.2, 0.0]), [0.4677992676, -0.1659144012, 0.0]
    )


def test_pi_update_by_hand() -> None:
    # R_home^H = 0.5, R_away^A = -0.2, result 3-1:
    # expected 0.4677993 + 0.1659144 = 0.6337137, error |2 - 0.6337137| = 1.3662863,
    # psi = 3 log10(2.3662863) = 1.1222019, lambda psi = 0.035 * 1.1222019 = 0.0392771
    expected = pi_expected_goal_difference([0.5], [-0.2])[0]
    assert expected == pytest.approx(0.6337136688)
    change = pi_change([0.5], [-0.2], [3], [1], learning_rate=0.035)[0]
    assert change == pytest.approx(0.035 * 3 * math.log10(1 + 2 - 0.6337136688))
    assert change == pytest.approx(0.0392770660)


def test_pi_underperforming_home_side_loses_rating() -> None:
    # Expected 0.6337137, observed 0: psi = 3 log10(1.6337137) = 0.6395, negative for home.
    change = pi_change([0.5], [-0.2], [1], [1])[0]
    assert change == pytest.approx(-0.035 * 3 * math.log10(1.6337136688))


def test_pi_exact_forecast_changes_nothing() -> None:
    assert pi_change([0.0], [0.0], [1], [1])[0] == 0.0


@given(pi_ratings, pi_ratings, goals, goals)
def test_pi_change_has_diminishing_returns(a: float, b: float, x: int, y: int) -> None:
    # psi(e) = 3 log10(1 + e) <= 3 e / ln 10, and its sign follows the surprise.
    change = pi_change([a], [b], [x], [y])[0]
    surprise = (x - y) - pi_expected_goal_difference([a], [b])[0]
    assert abs(change) <= 0.035 * 3 * abs(surprise) / math.log(10) + 1e-12
    assert change * surprise >= 0
