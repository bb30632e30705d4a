"""Bankroll simulation: hand-worked days to the cent, drawdowns, the bootstrap interval."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from scoreline.errors import DataError
from scoreline.pricing.bankroll import BetCandidates, Drawdown, max_drawdown, simulate
from scoreline.pricing.kelly import StakingPolicy

POLICY = StakingPolicy(fraction=1.0, min_edge=0.0, max_bet=0.1, max_fixture=1.0, max_exposure=1.0)


def _candidates(**overrides: npt.ArrayLike) -> BetCandidates:
    columns: dict[str, npt.ArrayLike] = {
        "match_id": [1, 2, 5, 3, 4],
        "date": np.array(
            [
                "2024-01-06T12:30",
                "2024-01-06T17:30",
                "2024-01-06T15:00",
                "2024-01-07",
                "2024-01-13",
            ],
            dtype="datetime64[m]",
        ),
        "outcome": [0, 2, 0, 1, 0],
        "probability": [0.6, 0.3, 0.4, 0.35, 0.6],
        "price": [2.0, 4.0, 2.5, 3.3, 2.0],
        "closing_probability": [0.55, 0.2, 0.45, math.nan, 0.5],
        "won": [True, False, True, True, False],
    }
    columns.update(overrides)
    return BetCandidates.from_columns(columns)


def test_two_days_and_a_loss_to_the_cent() -> None:
    # 6 Jan from 1000.00: match 1 full Kelly 0.2, capped at 0.1 -> 100.00, won at
    # evens +100.00; match 2 Kelly (1.2 - 1) / 3 = 1/15 -> 66.66, lost; match 5
    # has p * price = 1, no bet. Bankroll 1033.34.
    # 7 Jan: Kelly 0.155 / 2.3 of 1033.34 = 69.6388 -> 69.63, won at 3.3:
    # 69.63 * 2.3 = 160.149 -> +160.14. Bankroll 1193.48.
    # 13 Jan: 0.1 of 1193.48 = 119.348 -> 119.34, lost. Bankroll 1074.14.
    result = simulate(_candidates(), initial_bankroll_minor=100_000, policy=POLICY)
    assert result.bets.stake_minor.tolist() == [10_000, 6_666, 0, 6_963, 11_934]
    assert result.bets.profit_minor.tolist() == [10_000, -6_666, 0, 16_014, -11_934]
    assert result.bankroll_minor.tolist() == [103_334, 119_348, 107_414]
    assert result.dates.tolist() == [
        np.datetime64(d) for d in ("2024-01-06", "2024-01-07", "2024-01-13")
    ]
    assert (result.n_bets, result.staked_minor, result.profit_minor) == (4, 35_563, 7_414)
    assert result.final_bankroll_minor == 107_414
    assert result.roi == pytest.approx(7_414 / 35_563)
    assert result.bankroll_return == pytest.approx(0.07414)
    assert result.drawdown_minor.tolist() == [0, 0, 11_934]
    np.testing.assert_allclose(result.drawdown_fraction, [0, 0, 11_934 / 119_348])
    assert result.max_drawdown == Drawdown(11_934, 11_934 / 119_348)


def test_clv_of_the_bets_placed() -> None:
    # CLV = price * p_close - 1: 0.1, -0.2, (no bet 0.125), unknown close, 0.0.
    result = simulate(_candidates(), initial_bankroll_minor=100_000, policy=POLICY)
    np.testing.assert_allclose(result.bets.clv, [0.1, -0.2, 0.125, math.nan, 0.0])
    assert result.clv_mean == pytest.approx((0.1 - 0.2 + 0.0) / 3)
    assert result.clv_positive_share == pytest.approx(1 / 3)


def test_exposure_cap_covers_the_whole_day() -> None:
    # Two evens bets on one day at full Kelly 0.2 each, capped to 0.3 in total.
    policy = StakingPolicy(
        fraction=1.0, min_edge=0.0, max_bet=1.0, max_fixture=1.0, max_exposure=0.3
    )
    bets = _candidates(
        match_id=[1, 2],
        date=np.array(["2024-01-06T12:30", "2024-01-06T20:00"], dtype="datetime64[m]"),
        outcome=[0, 0],
        probability=[0.6, 0.6],
        price=[2.0, 2.0],
        closing_probability=[0.5, 0.5],
        won=[1, 0],
    )
    result = simulate(bets, initial_bankroll_minor=100_000, policy=policy)
    assert result.bets.stake_minor.tolist() == [15_000, 15_000]
    assert result.bankroll_minor.tolist() == [100_000]


def test_no_bets_placed_leaves_ratios_undefined() -> None:
    bets = _candidates(probability=[0.5, 0.25, 0.4, 0.3, 0.5])  # p * price <= 1 everywhere
    result = simulate(bets, initial_bankroll_minor=100_000, policy=POLICY)
    assert (result.n_bets, result.staked_minor, result.final_bankroll_minor) == (0, 0, 100_000)
    assert math.isnan(result.roi)
    assert all(math.isnan(bound) for bound in result.roi_ci95)
    assert math.isnan(result.clv_mean)


def test_no_candidates_at_all() -> None:
    empty: dict[str, npt.ArrayLike] = {
        name: [] for name in ("match_id", "outcome", "probability", "price", "won")
    }
    bets = _candidates(**empty, date=np.array([], dtype="datetime64[D]"), closing_probability=[])
    result = simulate(bets, initial_bankroll_minor=100_000, policy=POLICY)
    assert (result.n_bets, result.final_bankroll_minor, len(result.dates)) == (0, 100_000, 0)
    assert result.max_drawdown == Drawdown(0, 0.0)


def _many_bets(n: int = 400, seed: int = 1) -> BetCandidates:
    rng = np.random.default_rng(seed)
    p = rng.uniform(0.2, 0.6, n)
    price = np.round(1.08 / p, 2)  # an 8% edge on every bet
    return BetCandidates.from_columns(
        {
            "match_id": np.arange(n),
            "date": np.datetime64("2024-01-01") + np.arange(n) // 10,
            "outcome": np.zeros(n, dtype=np.int64),
            "probability": p,
            "price": price,
            "closing_probability": p,
            "won": rng.uniform(size=n) < p,
        }
    )


def test_bootstrap_interval_contains_the_roi() -> None:
    policy = StakingPolicy(fraction=0.25)
    result = simulate(
        _many_bets(), initial_bankroll_minor=1_000_000, policy=policy, n_resamples=500
    )
    low, high = result.roi_ci95
    assert low < result.roi < high


def test_bootstrap_is_reproducible_by_seed() -> None:
    policy = StakingPolicy(fraction=0.25)
    bets = _many_bets(n=100)

    def interval(seed: int | np.random.Generator) -> tuple[float, float]:
        return simulate(
            bets, initial_bankroll_minor=1_000_000, policy=policy, n_resamples=200, seed=seed
        ).roi_ci95

    assert interval(7) == interval(7)
    assert interval(np.random.default_rng(7)) == interval(7)
    assert interval(7) != interval(8)


def test_max_drawdown_of_a_known_series() -> None:
    # Peaks 100, 120, 120, 130, 130, 130; falls 0, 0, 30, 0, 65, 60.
    assert max_drawdown([100, 120, 90, 130, 65, 70]) == Drawdown(65, 0.5)


def test_largest_fall_and_largest_share_may_come_from_different_peaks() -> None:
    assert max_drawdown([10, 2, 1_000, 800]) == Drawdown(200, 0.8)


def test_a_rising_or_empty_series_has_no_drawdown() -> None:
    assert max_drawdown([1, 2, 3]) == Drawdown(0, 0.0)
    assert max_drawdown(np.array([], dtype=np.int64)) == Drawdown(0, 0.0)


def test_max_drawdown_wants_minor_units() -> None:
    with pytest.raises(DataError, match="whole minor units"):
        max_drawdown([1.5, 1.0])


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"outcome": [0, 2, 0, 1, 0], "match_id": [1, 1, 5, 3, 1]}, "given twice"),
        ({"price": [2.0, 1.0, 2.5, 3.3, 2.0]}, "rows 1"),
        ({"won": [True, False]}, "1-D of one length"),
    ],
)
def test_bad_candidates_raise_data_error(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(DataError, match=message):
        _candidates(**overrides)


def test_missing_columns_are_named() -> None:
    with pytest.raises(DataError, match="'won'"):
        BetCandidates.from_columns({"match_id": [1]})


@pytest.mark.parametrize("bankroll", [0, -5, 10.0])
def test_initial_bankroll_must_be_positive_minor_units(bankroll: int) -> None:
    with pytest.raises(DataError, match="initial_bankroll_minor"):
        simulate(_candidates(), initial_bankroll_minor=bankroll, policy=POLICY)
