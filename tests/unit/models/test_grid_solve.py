"""ScoreGrid.from_1x2: rates recovered from 1x2 probabilities, fallbacks reported, speed."""

from __future__ import annotations

import itertools
import pickle
import warnings

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoreline.errors import ConvergenceWarning, DataError
from scoreline.models._grid_solve import _evaluate, solve_rates
from scoreline.models.grid import ScoreGrid

FloatArray = npt.NDArray[np.float64]

RATES = np.linspace(0.25, 3.75, 11)
RHOS = [-0.25, -0.1, 0.0, 0.05, 0.15]
PRICED = [
    ("1x2", None),
    ("double_chance", None),
    ("draw_no_bet", None),
    ("btts", None),
    ("correct_score", None),
    ("win_to_nil", None),
    ("expected_goals", None),
    ("over_under", 2.5),
    ("over_under", 3.0),
    ("home_total", 1.25),
    ("away_total", 0.5),
    ("asian_handicap", -0.75),
    ("asian_handicap", 1.0),
]


def rate_pairs(rho: float) -> tuple[FloatArray, FloatArray]:
    """Every (lambda, mu) on the test grid where this rho keeps each tau positive."""
    lam, mu = (a.ravel() for a in np.meshgrid(RATES, RATES))
    ok = (1 - lam * mu * rho >= 0) & (1 + lam * rho >= 0) & (1 + mu * rho >= 0)
    return lam[ok], mu[ok]


@pytest.mark.parametrize("rho", RHOS)
def test_round_trip_recovers_the_rates(rho: float) -> None:
    lam, mu = rate_pairs(rho)
    original = ScoreGrid.from_dixon_coles(lam, mu, rho)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no fallback expected anywhere
        solved = ScoreGrid.from_1x2(original.probabilities("1x2"), rho=rho)
    solution = solved.rate_solution
    assert solution is not None
    assert solution.converged.all()
    assert solution.residual.max() <= 1e-10
    np.testing.assert_allclose(solved.home_goals_expectation, lam, rtol=1e-8)
    np.testing.assert_allclose(solved.away_goals_expectation, mu, rtol=1e-8)
    np.testing.assert_allclose(
        solved.probabilities("1x2"), original.probabilities("1x2"), atol=1e-10
    )


@pytest.mark.parametrize(("market", "line"), PRICED)
def test_every_market_prices_as_from_the_original_grid(market: str, line: float | None) -> None:
    lam, mu = rate_pairs(-0.1)
    original = ScoreGrid.from_dixon_coles(lam, mu, -0.1)
    solved = ScoreGrid.from_1x2(original.probabilities("1x2"), rho=-0.1)
    expected = original.probabilities(market, line)  # type: ignore[arg-type]
    got = solved.probabilities(market, line)  # type: ignore[arg-type]
    assert np.isfinite(got).all()
    np.testing.assert_allclose(got, expected, atol=1e-8)


@settings(max_examples=60, deadline=None)
@given(
    st.floats(0.05, 6.0),
    st.floats(0.05, 6.0),
    st.floats(-0.15, 0.15),
    st.integers(4, 12),
)
def test_round_trip_for_any_rates_rho_and_truncation(
    lam: float, mu: float, rho: float, max_goals: int
) -> None:
    lam_, mu_ = np.array([lam]), np.array([mu])
    if not ((1 - lam * mu * rho >= 0) and (1 + lam * rho >= 0) and (1 + mu * rho >= 0)):
        return
    target = ScoreGrid.from_dixon_coles(lam_, mu_, rho, max_goals=max_goals).probabilities("1x2")
    solution = solve_rates(target.copy(), np.array([rho]), max_goals)
    assert solution.residual[0] <= 1e-10
    assert not solution.rho_dropped[0]


def test_jacobian_matches_finite_differences() -> None:
    x = np.log(np.array([[0.4, 1.3, 2.9, 0.8], [1.7, 1.1, 0.6, 3.2]]))
    rho = np.array([-0.2, 0.05, -0.1, 0.08])
    _, jac = _evaluate(x, rho, 10, with_jacobian=True)
    h = 1e-6
    for j in range(2):
        step = np.zeros_like(x)
        step[j] = h
        up, _ = _evaluate(x + step, rho, 10, with_jacobian=False)
        down, _ = _evaluate(x - step, rho, 10, with_jacobian=False)
        np.testing.assert_allclose(jac[:, j], (up - down) / (2 * h), atol=1e-8)


def test_good_starting_rates_converge_in_two_steps() -> None:
    lam, mu = np.array([1.4, 0.9]), np.array([1.1, 2.2])
    target = ScoreGrid.from_dixon_coles(lam, mu, -0.1).probabilities("1x2")
    solution = solve_rates(target.copy(), np.full(2, -0.1), 10, (lam * 1.001, mu * 0.999))
    assert solution.n_iter <= 2
    assert solution.converged.all()


def test_ten_thousand_fixtures_solve_back_to_their_rates() -> None:
    # Speed is measured in benchmarks/bench_grid.py (the solve against the grid build).
    rng = np.random.default_rng(0)
    n = 10_000
    lam, mu, rho = rng.uniform(0.3, 3.5, n), rng.uniform(0.3, 3.0, n), rng.uniform(-0.2, 0.1, n)
    target = ScoreGrid.from_dixon_coles(lam, mu, rho).probabilities("1x2")
    grid = ScoreGrid.from_1x2(target, rho=rho)
    assert grid.rate_solution is not None
    assert grid.rate_solution.converged.all()
    np.testing.assert_allclose(grid.probabilities("1x2"), target, atol=1e-8)


def test_a_rho_the_target_cannot_live_with_falls_back_to_zero() -> None:
    # So lopsided that lambda must pass 1 / 0.25 = 4, where tau(0,1) turns negative.
    targets = np.array([[0.985, 0.011, 0.004], [0.45, 0.27, 0.28]])
    with pytest.warns(
        ConvergenceWarning, match=r"1 fixture\(s\) were solved with rho = 0.*rows 0;"
    ):
        grid = ScoreGrid.from_1x2(targets, rho=-0.25)
    solution = grid.rate_solution
    assert solution is not None
    np.testing.assert_array_equal(solution.rho, [0.0, -0.25])
    np.testing.assert_array_equal(solution.fallback_rows, [0])
    np.testing.assert_allclose(grid.probabilities("1x2"), targets, atol=1e-10)


def test_an_impossible_target_gets_the_closest_fit_and_is_named() -> None:
    targets = np.array([[0.5, 0.3, 0.2], [0.6, 0.0, 0.4]])  # no draw is beyond any rates
    with pytest.warns(ConvergenceWarning, match=r"no exact fit .*rows 1"):
        grid = ScoreGrid.from_1x2(targets, rho=-0.1)
    solution = grid.rate_solution
    assert solution is not None
    np.testing.assert_array_equal(solution.converged, [True, False])
    np.testing.assert_array_equal(solution.fallback_rows, [1])
    assert np.isfinite(grid.probabilities("1x2")).all()


def test_slices_and_pickles_keep_the_solution() -> None:
    grid = ScoreGrid.from_1x2(np.array([[0.5, 0.3, 0.2], [0.2, 0.3, 0.5]]), rho=-0.05)
    tail = grid[1]
    assert tail.rate_solution is not None
    np.testing.assert_array_equal(tail.rate_solution.home_rate, grid.home_goals_expectation[1:])
    restored = pickle.loads(pickle.dumps(grid))
    assert restored.rate_solution is not None
    assert ScoreGrid.from_dixon_coles(np.ones(1), np.ones(1), 0.0).rate_solution is None


def test_one_fixture_may_be_a_flat_triple() -> None:
    grid = ScoreGrid.from_1x2([0.45, 0.28, 0.27], rho=0.0, max_goals=8)
    assert len(grid) == 1
    assert grid.max_goals == 8


@pytest.mark.parametrize(
    ("targets", "message"),
    [
        (np.full((2, 2), 0.5), "shape"),
        (np.array([[0.5, 0.3, 0.3]]), "not summing to 1"),
        (np.array([[1.2, -0.1, -0.1]]), r"outside \[0, 1\]"),
    ],
)
def test_bad_targets_are_refused(targets: FloatArray, message: str) -> None:
    with pytest.raises(DataError, match=message):
        ScoreGrid.from_1x2(targets, rho=0.0)


def test_rho_must_be_finite_and_fit_the_batch() -> None:
    with pytest.raises(DataError, match="not finite"):
        ScoreGrid.from_1x2(np.full((1, 3), 1 / 3), rho=np.array([np.nan]))
    with pytest.raises(DataError, match="shape"):
        ScoreGrid.from_1x2(np.full((2, 3), 1 / 3), rho=np.zeros(3))


def test_sweep_of_realistic_prices_converges_everywhere() -> None:
    # Home win 10% .. 85%, draw 15% .. 35%: the range bookmakers quote.
    rows = [
        (h, d, 1 - h - d)
        for h, d in itertools.product(np.linspace(0.10, 0.85, 16), np.linspace(0.15, 0.35, 9))
        if 1 - h - d >= 0.03
    ]
    grid = ScoreGrid.from_1x2(np.array(rows), rho=-0.08)
    assert grid.rate_solution is not None
    assert grid.rate_solution.converged.all()
    assert grid.rate_solution.n_iter <= 10
