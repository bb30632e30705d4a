"""ScoreGrid: hand-worked markets, penaltyblog on the same matrices, and invariants."""

from __future__ import annotations

import pickle
from decimal import Decimal

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from penaltyblog.models.football_probability_grid import FootballProbabilityGrid
from scipy.stats import poisson

from scoreline.errors import DataError
from scoreline.models.grid import ScoreGrid

FloatArray = npt.NDArray[np.float64]

# Home goals down, away goals across; sums to 1. Worked by hand:
#   total goals 0..4:       0.10 0.23 0.34 0.23 0.10
#   home minus away -2..2:  0.02 0.11 0.32 0.35 0.20
#   home goals 0..2: 0.2 0.3 0.5; away goals 0..2: 0.45 0.40 0.15
TINY = np.array(
    [
        [0.10, 0.08, 0.02],
        [0.15, 0.12, 0.03],
        [0.20, 0.20, 0.10],
    ]
)

# Asian lines and totals lines in quarter steps, as the markets accept them.
AH_LINES = [float(x) for x in np.arange(-3.5, 3.51, 0.25)]
TOTAL_LINES = [float(x) for x in np.arange(0.5, 6.51, 0.25)]


@pytest.fixture
def tiny() -> ScoreGrid:
    return ScoreGrid(TINY)


def dixon_coles_by_loop(lam: float, mu: float, rho: float, max_goals: int) -> FloatArray:
    """The paper's formula cell by cell, renormalised over the kept scores."""
    g = max_goals + 1
    out = np.empty((g, g))
    for x in range(g):
        for y in range(g):
            tau = 1.0
            if (x, y) == (0, 0):
                tau = 1 - lam * mu * rho
            elif (x, y) == (0, 1):
                tau = 1 + lam * rho
            elif (x, y) == (1, 0):
                tau = 1 + mu * rho
            elif (x, y) == (1, 1):
                tau = 1 - rho
            out[x, y] = tau * poisson.pmf(x, lam) * poisson.pmf(y, mu)
    normalised: FloatArray = out / out.sum()
    return normalised


def random_grids(n: int, seed: int = 7) -> ScoreGrid:
    rng = np.random.default_rng(seed)
    return ScoreGrid.from_dixon_coles(
        rng.uniform(0.3, 3.0, n), rng.uniform(0.3, 3.0, n), rng.uniform(-0.15, 0.05, n)
    )


# -- hand-worked markets ------------------------------------------------------------


def test_match_odds_on_tiny_grid(tiny: ScoreGrid) -> None:
    np.testing.assert_allclose(tiny.probabilities("1x2"), [[0.55, 0.32, 0.13]])


def test_double_chance_on_tiny_grid(tiny: ScoreGrid) -> None:
    np.testing.assert_allclose(tiny.probabilities("double_chance"), [[0.87, 0.68, 0.45]])


def test_draw_no_bet_on_tiny_grid(tiny: ScoreGrid) -> None:
    np.testing.assert_allclose(tiny.probabilities("draw_no_bet"), [[0.55 / 0.68, 0.13 / 0.68]])


def test_btts_on_tiny_grid(tiny: ScoreGrid) -> None:
    np.testing.assert_allclose(tiny.probabilities("btts"), [[0.45, 0.55]])


def test_win_to_nil_on_tiny_grid(tiny: ScoreGrid) -> None:
    np.testing.assert_allclose(tiny.probabilities("win_to_nil"), [[0.35, 0.10]])


def test_expected_goals_default_to_grid_means(tiny: ScoreGrid) -> None:
    np.testing.assert_allclose(tiny.probabilities("expected_goals"), [[1.3, 0.7]])


def test_correct_score_is_the_grid(tiny: ScoreGrid) -> None:
    np.testing.assert_allclose(tiny.probabilities("correct_score"), TINY[np.newaxis])
    np.testing.assert_allclose(tiny.fair_odds("correct_score")[0, 2, 2], 10.0)


def test_team_totals_on_tiny_grid(tiny: ScoreGrid) -> None:
    np.testing.assert_allclose(tiny.probabilities("home_total", 1.5), [[0.5, 0.5]])
    np.testing.assert_allclose(tiny.probabilities("away_total", 0.5), [[0.55, 0.45]])
    # Whole line: home scores 1 pushes, so over wins 0.5 of the live 0.7.
    np.testing.assert_allclose(tiny.probabilities("home_total", 1), [[0.5 / 0.7, 0.2 / 0.7]])


@pytest.mark.parametrize(
    ("line", "over"),
    [
        (2.5, [0.33, 0, 0, 0, 0.67]),
        (2.0, [0.33, 0, 0.34, 0, 0.33]),
        (2.25, [0.33, 0, 0, 0.34, 0.33]),  # 2.0 and 2.5: two goals loses half
        (2.75, [0.10, 0.23, 0, 0, 0.67]),  # 2.5 and 3.0: three goals wins half
    ],
)
def test_over_under_settlement_on_tiny_grid(
    tiny: ScoreGrid, line: float, over: list[float]
) -> None:
    settled = tiny.settlement("over_under", line)
    np.testing.assert_allclose(settled[0, 0], over, atol=1e-15)
    np.testing.assert_allclose(settled[0, 1], over[::-1], atol=1e-15)


@pytest.mark.parametrize(
    ("line", "home"),
    [
        (-0.25, [0.55, 0, 0, 0.32, 0.13]),  # 0 and -0.5: a draw loses half
        (-0.75, [0.20, 0.35, 0, 0, 0.45]),  # -0.5 and -1: winning by one wins half
        (0.5, [0.87, 0, 0, 0, 0.13]),
        (0.0, [0.55, 0, 0.32, 0, 0.13]),
        (-1.0, [0.20, 0, 0.35, 0, 0.45]),
    ],
)
def test_asian_handicap_settlement_on_tiny_grid(
    tiny: ScoreGrid, line: float, home: list[float]
) -> None:
    settled = tiny.settlement("asian_handicap", line)
    np.testing.assert_allclose(settled[0, 0], home, atol=1e-15)
    np.testing.assert_allclose(settled[0, 1], home[::-1], atol=1e-15)


def test_asian_quarter_line_fair_odds_by_hand(tiny: ScoreGrid) -> None:
    # Home -0.75: W = 0.20, HW = 0.35, L = 0.45 -> 1 + 0.45 / (0.20 + 0.175) = 2.2.
    # Away +0.75: 1 + (0.175 + 0.20) / 0.45.
    odds = tiny.fair_odds("asian_handicap", -0.75)
    np.testing.assert_allclose(odds, [[2.2, 1 + 0.375 / 0.45]])


def test_asian_probabilities_are_push_free_effective_wins(tiny: ScoreGrid) -> None:
    # Home -0.25: won 0.55, lost 0.16 + 0.13 = 0.29 of stake-weighted outcomes.
    np.testing.assert_allclose(
        tiny.probabilities("asian_handicap", -0.25), [[0.55 / 0.84, 0.29 / 0.84]]
    )


def test_fair_odds_match_settlement_formula_on_every_line() -> None:
    grid = random_grids(50)
    for market, lines in (("asian_handicap", AH_LINES), ("over_under", TOTAL_LINES)):
        for line in lines:
            s = grid.settlement(market, line)  # type: ignore[arg-type]
            w, hw, _, hl, lo = np.moveaxis(s, -1, 0)
            expected = 1 + (hl / 2 + lo) / (w + hw / 2)
            np.testing.assert_allclose(grid.fair_odds(market, line), expected, rtol=1e-12)  # type: ignore[arg-type]


def test_half_line_probabilities_equal_win_probabilities(tiny: ScoreGrid) -> None:
    np.testing.assert_allclose(tiny.probabilities("over_under", 2.5), [[0.33, 0.67]])
    np.testing.assert_allclose(tiny.probabilities("asian_handicap", -1.5), [[0.20, 0.80]])


def test_a_line_that_always_pushes_has_no_price() -> None:
    always_level = ScoreGrid(np.diag([0.5, 0.3, 0.2]))
    assert np.isnan(always_level.probabilities("asian_handicap", 0)).all()
    assert np.isnan(always_level.fair_odds("draw_no_bet")).all()
    np.testing.assert_allclose(always_level.settlement("asian_handicap", 0)[0, :, 2], 1.0)


def test_draw_no_bet_matches_asian_level_line() -> None:
    grid = random_grids(30)
    np.testing.assert_allclose(
        grid.probabilities("draw_no_bet"), grid.probabilities("asian_handicap", 0)
    )


# -- construction -------------------------------------------------------------------


def test_dixon_coles_matches_the_paper_cell_by_cell() -> None:
    lam, mu, rho = np.array([1.4, 0.6, 2.7]), np.array([1.1, 2.2, 0.4]), -0.13
    grid = ScoreGrid.from_dixon_coles(lam, mu, rho, max_goals=8)
    for i in range(3):
        expected = dixon_coles_by_loop(lam[i], mu[i], rho, 8)
        np.testing.assert_allclose(grid.grid[i], expected, rtol=1e-12)


def test_dixon_coles_takes_one_rho_per_fixture() -> None:
    lam, mu, rho = np.array([1.4, 0.6]), np.array([1.1, 2.2]), np.array([-0.2, 0.05])
    grid = ScoreGrid.from_dixon_coles(lam, mu, rho)
    np.testing.assert_allclose(grid.grid[1], dixon_coles_by_loop(0.6, 2.2, 0.05, 10), rtol=1e-12)


def test_dixon_coles_grids_sum_to_one_and_keep_rates_as_expectation() -> None:
    grid = random_grids(200)
    np.testing.assert_allclose(grid.grid.sum(axis=(1, 2)), 1.0, rtol=1e-13)
    assert grid.grid.shape == (200, 11, 11)
    assert len(grid) == 200
    np.testing.assert_array_equal(
        grid.probabilities("expected_goals")[:, 0], grid.home_goals_expectation
    )


@pytest.mark.parametrize(
    ("home_rate", "rho", "message"),
    [
        (0.0, 0.0, "home rate"),
        (np.nan, 0.0, "home rate"),
        (1.0, 1.5, "tau"),  # tau(1,1) = 1 - rho < 0
        (3.0, 0.5, "tau"),  # tau(0,0) = 1 - 3 * 1 * 0.5 < 0
    ],
)
def test_dixon_coles_refuses_impossible_parameters(
    home_rate: float, rho: float, message: str
) -> None:
    with pytest.raises(DataError, match=message):
        ScoreGrid.from_dixon_coles(np.array([1.0, home_rate]), np.array([1.0, 1.0]), rho)


def test_dixon_coles_names_the_bad_fixture() -> None:
    with pytest.raises(DataError, match="rows 1"):
        ScoreGrid.from_dixon_coles(np.array([1.0, -1.0]), np.array([1.0, 1.0]), 0.0)


def test_dixon_coles_refuses_max_goals_below_one() -> None:
    with pytest.raises(DataError, match="max_goals"):
        ScoreGrid.from_dixon_coles(np.array([1.0]), np.array([1.0]), 0.0, max_goals=0)


@pytest.mark.parametrize(
    ("probabilities", "message"),
    [
        (np.ones((2, 3)), "shape"),
        (np.ones((1, 2, 2, 2)), "shape"),
        (np.array([[1.2, -0.2], [0.0, 0.0]]), "negative"),
        (np.array([[np.nan, 0.5], [0.5, 0.0]]), "NaN"),
        (np.array([[0.5, 0.2], [0.2, 0.0]]), "sum to 1"),
        (np.array([[np.inf, 0.0], [0.0, 0.0]]), "sum to 1"),
    ],
)
def test_constructor_refuses_bad_grids(probabilities: FloatArray, message: str) -> None:
    with pytest.raises(DataError, match=message):
        ScoreGrid(probabilities)


def test_constructor_refuses_names_of_the_wrong_length() -> None:
    with pytest.raises(DataError, match="home_team"):
        ScoreGrid(TINY, home_team=["A", "B"])


# -- lines and market names ---------------------------------------------------------


def test_decimal_and_float_lines_agree(tiny: ScoreGrid) -> None:
    np.testing.assert_array_equal(
        tiny.settlement("asian_handicap", Decimal("-0.75")),
        tiny.settlement("asian_handicap", -0.75),
    )


@pytest.mark.parametrize(
    ("market", "line", "message"),
    [
        ("over_under", 2.3, "multiple of 0.25"),
        ("over_under", 7.0, "outside"),
        ("over_under", 0.25, "outside"),
        ("asian_handicap", -3.75, "outside"),
        ("asian_handicap", float("nan"), "multiple of 0.25"),
        ("asian_handicap", float("inf"), "multiple of 0.25"),
        ("home_total", None, "needs a line"),
    ],
)
def test_bad_lines_raise_data_error(
    tiny: ScoreGrid, market: str, line: float | None, message: str
) -> None:
    with pytest.raises(DataError, match=message):
        tiny.probabilities(market, line)  # type: ignore[arg-type]


def test_line_on_a_market_without_one_is_refused(tiny: ScoreGrid) -> None:
    with pytest.raises(DataError, match="takes no line"):
        tiny.probabilities("1x2", 0.5)


def test_unknown_market_is_refused(tiny: ScoreGrid) -> None:
    with pytest.raises(DataError, match="unknown market"):
        tiny.probabilities("corners")  # type: ignore[arg-type]


def test_settlement_only_for_line_markets(tiny: ScoreGrid) -> None:
    with pytest.raises(DataError, match="no line"):
        tiny.settlement("btts", 0.5)  # type: ignore[arg-type]


def test_expected_goals_has_no_odds(tiny: ScoreGrid) -> None:
    with pytest.raises(DataError, match="not a market"):
        tiny.fair_odds("expected_goals")


# -- the batch ----------------------------------------------------------------------


def test_indexing_keeps_a_batch_of_one() -> None:
    names = [f"T{i}" for i in range(5)]
    grid = ScoreGrid.from_dixon_coles(
        np.linspace(0.5, 2.5, 5), np.full(5, 1.2), -0.1, home_team=names, away_team=names[::-1]
    )
    one = grid[-1]
    assert len(one) == 1
    assert one.home_team == ("T4",)
    np.testing.assert_allclose(one.probabilities("1x2"), grid.probabilities("1x2")[-1:], rtol=1e-14)


def test_select_and_slice_pick_the_same_fixtures() -> None:
    grid = random_grids(6)
    mask = np.array([True, False, True, False, True, False])
    np.testing.assert_array_equal(grid.select(mask).grid, grid[::2].grid)


def test_select_refuses_a_mask_of_the_wrong_length() -> None:
    with pytest.raises(DataError, match="mask"):
        random_grids(3).select(np.array([True]))


def test_index_out_of_range_raises_index_error() -> None:
    with pytest.raises(IndexError):
        random_grids(3)[3]


def test_pickle_round_trip_drops_nothing_visible() -> None:
    grid = random_grids(4)
    before = grid.settlement("asian_handicap", -0.25)
    restored = pickle.loads(pickle.dumps(grid))
    np.testing.assert_array_equal(restored.settlement("asian_handicap", -0.25), before)
    assert not restored.grid.flags.writeable


def test_grid_is_read_only() -> None:
    with pytest.raises(ValueError, match="read-only"):
        random_grids(1).grid[0, 0, 0] = 1.0


# -- penaltyblog on the same matrices ----------------------------------------------


def penaltyblog_grids(grid: ScoreGrid) -> list[FootballProbabilityGrid]:
    return [
        FootballProbabilityGrid(
            grid.grid[i], grid.home_goals_expectation[i], grid.away_goals_expectation[i]
        )
        for i in range(len(grid))
    ]


@pytest.fixture(scope="module")
def pair() -> tuple[ScoreGrid, list[FootballProbabilityGrid]]:
    grid = random_grids(25, seed=11)
    return grid, penaltyblog_grids(grid)


def test_penaltyblog_agrees_on_fixed_markets(
    pair: tuple[ScoreGrid, list[FootballProbabilityGrid]],
) -> None:
    grid, theirs = pair
    checks = {
        "1x2": [t.home_draw_away for t in theirs],
        "btts": [[t.btts_yes, t.btts_no] for t in theirs],
        "double_chance": [
            [t.double_chance_1x, t.double_chance_12, t.double_chance_x2] for t in theirs
        ],
        "draw_no_bet": [[t.draw_no_bet_home, t.draw_no_bet_away] for t in theirs],
        "win_to_nil": [[t.win_to_nil_home(), t.win_to_nil_away()] for t in theirs],
        "expected_goals": [[t.home_goal_expectation, t.away_goal_expectation] for t in theirs],
    }
    for market, expected in checks.items():
        np.testing.assert_allclose(grid.probabilities(market), expected, rtol=1e-12, err_msg=market)  # type: ignore[arg-type]


def test_penaltyblog_agrees_on_exact_scores(
    pair: tuple[ScoreGrid, list[FootballProbabilityGrid]],
) -> None:
    grid, theirs = pair
    ours = grid.probabilities("correct_score")
    for i, t in enumerate(theirs):
        assert ours[i, 2, 1] == pytest.approx(t.exact_score(2, 1), rel=1e-12)
        assert ours[i, 0, 3] == pytest.approx(t.exact_score(0, 3), rel=1e-12)


def as_penaltyblog(settled: FloatArray) -> FloatArray:
    """Our (win, half_win, push, half_loss, loss) in penaltyblog's (win, push, lose).

    penaltyblog averages the two half stakes, so a half win counts half as a
    win and half as a push, and a half loss half as a loss and half as a push.
    """
    w, hw, p, hl, lo = np.moveaxis(settled, -1, 0)
    return np.stack([w + hw / 2, p + (hw + hl) / 2, lo + hl / 2], axis=-1)


def test_penaltyblog_agrees_on_totals_every_line(
    pair: tuple[ScoreGrid, list[FootballProbabilityGrid]],
) -> None:
    grid, theirs = pair
    for line in TOTAL_LINES:
        ours = as_penaltyblog(grid.settlement("over_under", line))
        under_push_over = np.array([t.totals(line) for t in theirs])
        np.testing.assert_allclose(ours[:, 0], under_push_over[:, ::-1], atol=1e-13)
        np.testing.assert_allclose(ours[:, 1], under_push_over, atol=1e-13)


def test_penaltyblog_agrees_on_asian_handicap_every_line(
    pair: tuple[ScoreGrid, list[FootballProbabilityGrid]],
) -> None:
    grid, theirs = pair
    for line in AH_LINES:
        ours = as_penaltyblog(grid.settlement("asian_handicap", line))
        home = [list(t.asian_handicap_probs("home", line).values()) for t in theirs]
        # penaltyblog's line belongs to the side backed: the away side gets -line.
        away = [list(t.asian_handicap_probs("away", -line).values()) for t in theirs]
        np.testing.assert_allclose(ours[:, 0], home, atol=1e-13, err_msg=str(line))
        np.testing.assert_allclose(ours[:, 1], away, atol=1e-13, err_msg=str(line))


def test_penaltyblog_model_convention_for_tau_matches_ours() -> None:
    # penaltyblog's fitted DixonColesGoalModel multiplies P(home 0, away 1) by
    # 1 + rho * lambda_home, as the paper does and as we do. Its helper
    # create_dixon_coles_grid applies that factor to P(1, 0) instead; we follow
    # the paper, so rho's effect on 1-0 and 0-1 is swapped relative to that helper.
    grid = ScoreGrid.from_dixon_coles(np.array([2.0]), np.array([0.5]), -0.2, max_goals=4)
    independent = ScoreGrid.from_dixon_coles(np.array([2.0]), np.array([0.5]), 0.0, max_goals=4)
    ratio = grid.grid[0] / independent.grid[0]
    assert ratio[0, 1] / ratio[2, 2] == pytest.approx(1 + 2.0 * -0.2)
    assert ratio[1, 0] / ratio[2, 2] == pytest.approx(1 + 0.5 * -0.2)


# -- invariants ---------------------------------------------------------------------


@st.composite
def score_grids(draw: st.DrawFn) -> ScoreGrid:
    g = draw(st.integers(min_value=1, max_value=7))
    n = draw(st.integers(min_value=1, max_value=4))
    raw = draw(arrays(np.float64, (n, g, g), elements=st.floats(0.0, 1.0)))
    raw[:, 0, 0] += 1e-3  # never an all-zero grid
    return ScoreGrid(raw / raw.sum(axis=(1, 2), keepdims=True))


@settings(max_examples=60, deadline=None)
@given(
    grid=score_grids(),
    market=st.sampled_from(["asian_handicap", "over_under", "home_total", "away_total"]),
    steps=st.integers(min_value=0, max_value=24),
)
def test_settlement_rows_sum_to_one(grid: ScoreGrid, market: str, steps: int) -> None:
    low = -3.5 if market == "asian_handicap" else 0.5
    settled = grid.settlement(market, low + 0.25 * steps)  # type: ignore[arg-type]
    np.testing.assert_allclose(settled.sum(axis=-1), 1.0, rtol=1e-12)
    assert (settled >= 0).all()


@settings(max_examples=60, deadline=None)
@given(grid=score_grids(), half=st.integers(min_value=0, max_value=6))
def test_over_and_under_sum_to_one_on_half_lines(grid: ScoreGrid, half: int) -> None:
    p = grid.probabilities("over_under", half + 0.5)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-12)
    goals = np.add.outer(np.arange(grid.grid.shape[1]), np.arange(grid.grid.shape[1]))
    np.testing.assert_allclose(p[:, 0], grid.grid[:, goals > half].sum(axis=1), atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(grid=score_grids(), steps=st.integers(min_value=0, max_value=28))
def test_asian_handicap_is_symmetric_under_swapping_teams(grid: ScoreGrid, steps: int) -> None:
    line = -3.5 + 0.25 * steps
    swapped = ScoreGrid(np.swapaxes(grid.grid, 1, 2))
    ours = grid.settlement("asian_handicap", line)
    theirs = swapped.settlement("asian_handicap", -line)
    # Home at line on the grid is the away side at -line once the teams swap.
    np.testing.assert_allclose(ours[:, 0], theirs[:, 1], atol=1e-15)
    np.testing.assert_allclose(ours[:, 0], ours[:, 1, ::-1])


@settings(max_examples=60, deadline=None)
@given(grid=score_grids())
def test_fixed_markets_sum_to_one(grid: ScoreGrid) -> None:
    for market in ("1x2", "btts"):
        np.testing.assert_allclose(grid.probabilities(market).sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(grid.probabilities("correct_score").sum(axis=(1, 2)), 1.0)
