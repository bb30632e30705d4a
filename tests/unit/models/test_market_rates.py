"""Market-implied goal rates: prices made by a known grid give its rates back, jointly."""

from __future__ import annotations

import numpy as np
import pytest

from scoreline.errors import DataError
from scoreline.models.grid import ScoreGrid
from scoreline.models.market_rates import (
    DEFAULT_RHO,
    LineQuotes,
    implied_rates,
    implied_rates_of,
    rate_features,
)

RNG = np.random.default_rng(15)
N = 60
LAMBDA = RNG.uniform(0.6, 2.6, N)
MU = RNG.uniform(0.5, 2.0, N)
RHO = RNG.uniform(-0.15, 0.05, N)
GRID = ScoreGrid.from_dixon_coles(LAMBDA, MU, RHO)
ONE_X_TWO = GRID.probabilities("1x2")
OVER = GRID.probabilities("over_under", 2.5)[:, 0]
# A handicap near the match's balance, quarter lines included, as a book would hang it.
HANDICAP = np.clip(np.round((MU - LAMBDA) * 4) / 4, -3.5, 3.5)
HOME = np.array(
    [GRID[i].probabilities("asian_handicap", float(HANDICAP[i]))[0, 0] for i in range(N)]
)


def test_the_three_markets_together_give_back_the_grids_rates_and_rho() -> None:
    found = implied_rates(
        ONE_X_TWO, totals=LineQuotes.single(2.5, OVER), asian=LineQuotes.single(HANDICAP, HOME)
    )
    assert found.identified.all()
    assert found.consistent.all()
    assert found.home_rate == pytest.approx(LAMBDA, abs=1e-6)
    assert found.away_rate == pytest.approx(MU, abs=1e-6)
    assert found.rho == pytest.approx(RHO, abs=1e-5)
    assert (found.markets == 4).all()


def test_a_totals_line_and_a_handicap_alone_fix_the_rates() -> None:
    # No 1X2: the over and the handicap still pin lambda and mu (rho is left to its prior).
    found = implied_rates(
        None,
        totals=LineQuotes.single(np.full(N, 2.5), OVER),
        asian=LineQuotes.single(HANDICAP, HOME),
    )
    assert found.identified.all()
    assert found.gap.max() < 1e-8  # two prices, three unknowns: met exactly
    grid = found.grid()
    assert grid.probabilities("over_under", 2.5)[:, 0] == pytest.approx(OVER, abs=1e-8)


def test_the_1x2_alone_is_the_exact_1x2_solve_at_the_prior_rho() -> None:
    found = implied_rates(ONE_X_TWO)
    solved = ScoreGrid.from_1x2(ONE_X_TWO, rho=DEFAULT_RHO).rate_solution
    assert solved is not None
    assert found.home_rate == pytest.approx(solved.home_rate, rel=1e-12)
    assert found.rho == pytest.approx(np.full(N, DEFAULT_RHO))


def test_one_match_is_refused_with_the_reason_when_its_markets_disagree_or_are_missing() -> None:
    lam, mu, rho = implied_rates_of(
        ONE_X_TWO[0], totals=[(2.5, OVER[0])], asian=[(HANDICAP[0], HOME[0])]
    )
    assert (lam, mu, rho) == pytest.approx((LAMBDA[0], MU[0], RHO[0]), abs=1e-5)
    with pytest.raises(DataError, match="need the 1X2, or a totals line and a handicap"):
        implied_rates_of(None, totals=[(2.5, 0.5)])
    # A 1X2 of a goal-fest beside a totals price of a dead rubber: no grid meets both.
    with pytest.raises(DataError, match="the markets disagree"):
        implied_rates_of((0.80, 0.12, 0.08), totals=[(2.5, 0.10)])


def test_bad_prices_are_named_by_row() -> None:
    with pytest.raises(DataError, match=r"1 match\(es\) have a 1X2 with some prices missing"):
        implied_rates([[0.5, np.nan, 0.2], [0.5, 0.3, 0.2]])
    with pytest.raises(DataError, match="not probabilities summing to 1"):
        implied_rates([[0.6, 0.3, 0.2]])
    with pytest.raises(DataError, match=r"over_under probability outside \(0, 1\): rows 1"):
        implied_rates(ONE_X_TWO[:2], totals=LineQuotes.single([2.5, 2.5], [0.5, 1.2]))
    with pytest.raises(DataError, match=r"asian_handicap line 0\.3 off the quarter-goal grid"):
        implied_rates(ONE_X_TWO[:1], asian=LineQuotes.single([0.3], [0.5]))


def test_features_are_nan_where_the_prices_say_nothing_or_disagree() -> None:
    one_x_two = np.vstack([ONE_X_TWO[:2], [np.nan] * 3, [0.80, 0.12, 0.08]])
    features = rate_features(
        one_x_two,
        totals_line=2.5,
        over=np.array([OVER[0], np.nan, 0.6, 0.10]),
        handicap_line=np.array([HANDICAP[0], HANDICAP[1], np.nan, -1.0]),
        home=np.array([HOME[0], HOME[1], np.nan, 0.5]),
    )
    assert features[0] == pytest.approx([LAMBDA[0], MU[0]], abs=1e-5)
    assert np.isfinite(features[1]).all()  # 1X2 and handicap: identified
    assert np.isnan(features[2:]).all()  # a lone totals price; markets that disagree
