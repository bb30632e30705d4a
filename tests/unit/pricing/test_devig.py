"""Margin removal: worked examples, defining equations, penaltyblog, invariants."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from penaltyblog.implied import calculate_implied

from scoreline.errors import DataError
from scoreline.pricing import devig
from scoreline.pricing.devig import DevigMethod, remove_margin

FloatArray = npt.NDArray[np.float64]

ODDS = np.array(
    [
        [2.7, 2.3, 4.4],  # penaltyblog's worked 1X2 example
        [1.5, 4.0, 7.0],
        [1.9, 1.9, 20.0],
        [1.25, 6.5, 13.0],
    ]
)
SOLVED: list[DevigMethod] = ["power", "shin", "odds_ratio", "logarithmic"]
ALL: list[DevigMethod] = ["multiplicative", "additive", *SOLVED]


def test_multiplicative_divides_by_the_booksum() -> None:
    result = devig.multiplicative([[2.7, 2.3, 4.4]])
    booksum = 1 / 2.7 + 1 / 2.3 + 1 / 4.4
    np.testing.assert_allclose(
        result.probabilities, [[1 / 2.7 / booksum, 1 / 2.3 / booksum, 1 / 4.4 / booksum]]
    )
    np.testing.assert_allclose(result.margin, [booksum - 1])


def test_additive_takes_an_equal_share_off_each_outcome() -> None:
    # 1/1.25 + 1/4 = 1.05: each side gives up 0.025.
    result = devig.additive([[1.25, 4.0]])
    np.testing.assert_allclose(result.probabilities, [[0.775, 0.225]])
    np.testing.assert_allclose(result.parameter, [0.025])


def test_additive_refuses_a_longshot_smaller_than_its_share() -> None:
    # 1/1.05 + 1/5 + 1/40 = 1.177; a third of the margin exceeds 1/40.
    with pytest.raises(DataError, match="rows 1"):
        devig.additive(np.array([[1.9, 1.9, 1.9], [1.05, 5.0, 40.0]]))


def test_power_probabilities_are_implied_probabilities_to_kappa() -> None:
    result = devig.power(ODDS)
    np.testing.assert_allclose(
        result.probabilities, (1 / ODDS) ** result.parameter[:, None], rtol=1e-12
    )
    np.testing.assert_allclose(result.probabilities.sum(axis=1), 1.0, rtol=1e-14)
    assert (result.parameter > 1).all()  # an overround needs kappa above 1


def test_shin_z_solves_the_jullien_salanie_fixed_point() -> None:
    result = devig.shin(ODDS)
    pi = 1 / ODDS
    booksum = pi.sum(axis=1, keepdims=True)
    z = result.parameter[:, None]
    k = ODDS.shape[1]
    roots = np.sqrt(z**2 + 4 * (1 - z) * pi**2 / booksum)
    np.testing.assert_allclose(result.parameter, (roots.sum(axis=1) - 2) / (k - 2), atol=1e-13)
    np.testing.assert_allclose(result.probabilities, (roots - z) / (2 * (1 - z)), rtol=1e-12)
    assert ((result.parameter > 0) & (result.parameter < 1)).all()


def test_shin_equals_additive_for_two_outcomes() -> None:
    # Clarke, Kovalchik and Ingram (2017) show the two agree on two-way markets.
    odds = np.array([[1.8, 2.1], [1.3, 3.2], [1.02, 12.0]])
    np.testing.assert_allclose(
        devig.shin(odds).probabilities, devig.additive(odds).probabilities, atol=1e-13
    )


def test_odds_ratio_scales_every_outcomes_odds_by_c() -> None:
    result = devig.odds_ratio(ODDS)
    p, pi, c = result.probabilities, 1 / ODDS, result.parameter[:, None]
    np.testing.assert_allclose(c * p / (1 - p), pi / (1 - pi), rtol=1e-12)


def test_logarithmic_is_odds_ratio_in_log_odds() -> None:
    log_shift, ratio = devig.logarithmic(ODDS), devig.odds_ratio(ODDS)
    np.testing.assert_allclose(log_shift.probabilities, ratio.probabilities, rtol=1e-14)
    np.testing.assert_allclose(np.exp(log_shift.parameter), ratio.parameter, rtol=1e-14)


@pytest.mark.parametrize("method", ALL)
def test_agrees_with_penaltyblog(method: DevigMethod) -> None:
    ours = devig.__dict__[method](ODDS)
    for row, odds in enumerate(ODDS):
        theirs = calculate_implied(list(odds), method=method)
        # penaltyblog's root-finders stop near 1e-12; ours go to 1e-13.
        np.testing.assert_allclose(ours.probabilities[row], theirs.probabilities, atol=1e-11)
        if theirs.method_params:
            (value,) = theirs.method_params.values()
            assert ours.parameter[row] == pytest.approx(value, abs=1e-10)


@pytest.mark.parametrize("method", ALL)
def test_fair_odds_come_back_unchanged(method: DevigMethod) -> None:
    fair = np.array([[0.5, 0.3, 0.2], [0.6, 0.25, 0.15]])
    np.testing.assert_allclose(remove_margin(1 / fair, method), fair, rtol=1e-12)


@pytest.mark.parametrize("method", ALL)
def test_underround_is_spread_back(method: DevigMethod) -> None:
    p = remove_margin([[2.1, 2.1], [1.6, 3.0]], method)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-14)
    np.testing.assert_allclose(p[0], [0.5, 0.5])


def test_shin_z_is_negative_for_an_underround() -> None:
    # 2 / 2.2 + 1 / 30 = 0.94: the book pays out more than it takes.
    assert devig.shin([[2.2, 2.2, 30.0]]).parameter[0] < 0


def test_remove_margin_defaults_to_power() -> None:
    np.testing.assert_array_equal(remove_margin(ODDS), devig.power(ODDS).probabilities)


def test_one_market_as_a_flat_row() -> None:
    assert remove_margin([2.7, 2.3, 4.4], "shin").shape == (1, 3)


def test_rows_are_solved_independently() -> None:
    together = remove_margin(ODDS, "shin")
    one_by_one = np.vstack([remove_margin(row, "shin") for row in ODDS])
    np.testing.assert_allclose(together, one_by_one, rtol=1e-13)


@pytest.mark.parametrize(
    ("odds", "message"),
    [
        ([[2.0, 1.0, 3.0]], "rows 0"),
        ([[2.0, 2.0], [2.0, 0.5]], "rows 1"),
        ([[2.0, np.nan]], "above 1"),
        ([[2.0, np.inf]], "above 1"),
        ([[2.0]], "k_outcomes >= 2"),
        ([[[2.0, 2.0]]], "shape"),
    ],
)
def test_bad_odds_raise_data_error(odds: list[list[float]], message: str) -> None:
    with pytest.raises(DataError, match=message):
        remove_margin(odds, "power")


def test_unknown_method_lists_the_choices() -> None:
    with pytest.raises(DataError, match="multiplicative"):
        remove_margin(ODDS, "fancy")  # type: ignore[arg-type]


# -- invariants ---------------------------------------------------------------------


@st.composite
def odds_rows(draw: st.DrawFn) -> FloatArray:
    """Books of 2 to 6 outcomes with booksums from 0.95 to 1.25 and odds up to ~100."""
    k = draw(st.integers(min_value=2, max_value=6))
    n = draw(st.integers(min_value=1, max_value=5))
    weights = draw(arrays(np.float64, (n, k), elements=st.floats(0.01, 1.0)))
    booksum = draw(arrays(np.float64, (n, 1), elements=st.floats(0.95, 1.25)))
    implied = weights / weights.sum(axis=1, keepdims=True) * booksum
    assume((implied < 0.99).all())
    odds: FloatArray = 1 / implied
    return odds


@settings(max_examples=200, deadline=None)
@given(odds=odds_rows(), method=st.sampled_from([*SOLVED, "multiplicative"]))
def test_demargined_probabilities_sum_to_one_inside_the_unit_interval(
    odds: FloatArray, method: DevigMethod
) -> None:
    p = remove_margin(odds, method)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-12)
    assert ((p > 0) & (p < 1)).all()


@settings(max_examples=200, deadline=None)
@given(odds=odds_rows(), method=st.sampled_from(ALL))
def test_shorter_odds_never_get_a_smaller_probability(
    odds: FloatArray, method: DevigMethod
) -> None:
    try:
        p = remove_margin(odds, method)
    except DataError:
        assert method == "additive"  # the one method that may not fit a row
        return
    order = np.argsort(odds, axis=1, kind="stable")
    assert (np.diff(np.take_along_axis(p, order, axis=1), axis=1) <= 1e-12).all()
