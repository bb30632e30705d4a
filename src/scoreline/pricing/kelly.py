"""How much to bet: Kelly fractions for one market, and capped stakes for a day.

For one market of mutually exclusive outcomes, with win probabilities ``p_i``
and decimal prices ``D_i``, ``simultaneous_kelly`` returns the fractions of
wealth ``f_i`` that maximise the expected log of wealth,
``sum_i p_i log(1 - F + f_i D_i) + p_0 log(1 - F)`` with ``F = sum f`` and
``p_0 = 1 - sum p`` the chance of an outcome that cannot be bet on. The
solution is Smoczynski and Tomkins' explicit algorithm:

1. rank the outcomes by expected revenue rate ``p_i D_i``, highest first;
2. start with nothing chosen and the reserve rate ``R = 1``;
3. while the next outcome has ``p_i D_i > R``, choose it and set
   ``R = (1 - sum_chosen p) / (1 - sum_chosen 1 / D)``;
4. bet ``f_i = p_i - R / D_i`` on the chosen outcomes, nothing on the others.

A chosen outcome can have a negative edge: it is a hedge that the log utility
pays for. A single outcome gives the textbook ``(p D - 1) / (D - 1)``.

``stakes`` turns fractions into money under a ``StakingPolicy``::

    candidate bets ─► edge >= min_edge ─► simultaneous Kelly per fixture
      ─► x fraction ─► min(., max_bet) ─► fixture total <= max_fixture
      ─► day total <= max_exposure ─► floor(f x bankroll) in minor units

References
----------
Kelly, J. L. (1956). A new interpretation of information rate. Bell System
Technical Journal 35(4).
Smoczynski, P. and Tomkins, D. (2010). An explicit solution to the problem of
optimizing the allocations of a bettor's wealth when wagering on horse races.
Mathematical Scientist 35(1).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from scoreline.errors import ConfigError, DataError
from scoreline.pricing._rows import check_rows

__all__ = [
    "StakingPolicy",
    "capped_kelly",
    "closing_line_value",
    "edge",
    "money_edge",
    "money_kelly",
    "simultaneous_kelly",
    "stakes",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

# Probabilities of one market may sum to a hair over 1 after rounding.
_SUM_TOLERANCE = 1e-9
# Floating-point noise, in minor units, forgiven before rounding a stake down:
# a quarter of a Kelly fraction of 0.2 should stake 5000 of 100000, not 4999.
_ROUNDING_SLACK = 1e-6


@dataclass(frozen=True, slots=True)
class StakingPolicy:
    """How much of Kelly to bet, and the caps on it; every amount a fraction of bankroll.

    Attributes
    ----------
    fraction : float, default 0.25
        Multiplier on the full Kelly fractions (0.25 is quarter Kelly); in (0, 1].
    min_edge : float, default 0.02
        Smallest edge ``p * price - 1`` worth a bet; outcomes below it are not
        bet on (nor used as hedges). At least 0.
    max_bet : float, default 0.05
        Cap on one bet; in (0, 1].
    max_fixture : float, default 0.08
        Cap on the sum of the bets on one fixture; scaled down in proportion; in (0, 1].
    max_exposure : float, default 0.5
        Cap on the sum of all open bets, the day's bets; scaled down in proportion;
        in (0, 1].

    Raises
    ------
    ConfigError
        On any value out of range, listing every problem.
    """

    fraction: float = 0.25
    min_edge: float = 0.02
    max_bet: float = 0.05
    max_fixture: float = 0.08
    max_exposure: float = 0.5

    def __post_init__(self) -> None:
        problems = [
            f"{name} must be a number in {allowed}, got {value!r}"
            for name, value, allowed, ok in (
                ("fraction", self.fraction, "(0, 1] (0.25 is quarter Kelly)", _in_unit),
                ("min_edge", self.min_edge, "[0, inf)", _non_negative),
                ("max_bet", self.max_bet, "(0, 1]", _in_unit),
                ("max_fixture", self.max_fixture, "(0, 1]", _in_unit),
                ("max_exposure", self.max_exposure, "(0, 1]", _in_unit),
            )
            if not ok(value)
        ]
        if problems:
            raise ConfigError("StakingPolicy: " + "; ".join(problems))


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _in_unit(value: float) -> bool:
    return _is_number(value) and 0 < value <= 1


def _non_negative(value: float) -> bool:
    return _is_number(value) and value >= 0


def edge(probabilities: npt.ArrayLike, prices: npt.ArrayLike) -> FloatArray:
    """Expected profit per unit staked, ``p * price - 1``, elementwise."""
    result: FloatArray = (
        np.asarray(probabilities, dtype=np.float64) * np.asarray(prices, dtype=np.float64) - 1.0
    )
    return result


def money_edge(probability: float, price: Decimal) -> Decimal:
    """The same ``p * price - 1`` for one price in money terms, exact in ``Decimal``.

    The probability is taken to six places, as stored predictions and their
    markets carry it, so the board, value bets and stake sizing agree on the
    edge to the last digit whoever computes it.
    """
    return Decimal(str(round(probability, 6))) * price - 1


def money_kelly(edge: Decimal, price: Decimal) -> Decimal:
    """Full Kelly for one price alone in money terms: ``edge / (price - 1)``, exact in ``Decimal``.

    The textbook ``(p D - 1) / (D - 1)``, which is what ``simultaneous_kelly``
    gives a market with a single outcome to bet on; live stake sizing takes
    ``edge`` from ``money_edge`` and caps the result (``services.stake_sizing``).
    ``price`` must be above 1.
    """
    return edge / (price - 1)


def closing_line_value(
    price_taken: npt.ArrayLike, closing_fair_probability: npt.ArrayLike
) -> FloatArray:
    """Closing line value, ``price_taken * p_close - 1``, elementwise.

    ``p_close`` is the closing price with the margin removed, by convention the
    Pinnacle close through the power method:
    ``remove_margin(closing_odds, "power")[:, outcome]``. Positive CLV means the
    price taken beat the fair closing price. NaN where ``p_close`` is NaN.
    """
    return edge(closing_fair_probability, price_taken)


def simultaneous_kelly(probabilities: npt.ArrayLike, prices: npt.ArrayLike) -> FloatArray:
    """Kelly fractions for the mutually exclusive outcomes of one market, or of each row.

    Parameters
    ----------
    probabilities : array-like of shape (k,) or (n_markets, k)
        Win probability of each outcome, in [0, 1]; each market's sum at most 1.
        A sum below 1 leaves the rest to outcomes that cannot be bet on.
    prices : array-like of the same shape
        Decimal prices, finite and above 1.

    Returns
    -------
    array of the input's shape
        Fractions of wealth, each >= 0, summing to at most 1 per market; zero
        for every outcome of a market where no ``p * price`` exceeds 1.

    Raises
    ------
    DataError
        On mismatched shapes, or rows with bad probabilities or prices (named).
    """
    p = np.array(probabilities, dtype=np.float64)
    d = np.array(prices, dtype=np.float64)
    if p.shape != d.shape or p.ndim not in (1, 2):
        raise DataError(
            f"probabilities and prices must share a shape (k,) or (n, k), got {p.shape} "
            f"and {d.shape}"
        )
    flat = p.ndim == 1
    p2, d2 = np.atleast_2d(p), np.atleast_2d(d)
    check_rows(~((p2 >= 0) & (p2 <= 1)).all(axis=1), "has a probability outside [0, 1] or NaN")
    check_rows(p2.sum(axis=1) > 1 + _SUM_TOLERANCE, "has probabilities summing above 1")
    check_rows(~(np.isfinite(d2) & (d2 > 1)).all(axis=1), "has prices that are not finite above 1")
    fractions = _kelly_rows(p2, d2)
    return fractions[0] if flat else fractions


def capped_kelly(
    probabilities: FloatArray,
    prices: FloatArray,
    *,
    eligible: npt.NDArray[np.bool_],
    fraction: float,
    max_bet: float,
) -> FloatArray:
    """The staking rule shared by backtests (``stakes``) and live sizing
    (``services.stake_sizing``): per market row of shape (n, k), simultaneous Kelly over
    the ``eligible`` outcomes (the others are treated as not bettable, neither bet nor
    used as hedges), times ``fraction``, each outcome capped at ``max_bet``.

    Inputs are checked by the caller; ineligible cells may hold anything finite.
    """
    market_p = np.where(eligible, probabilities, 0.0)
    market_d = np.where(eligible, prices, 1.0)
    result: FloatArray = np.minimum(_kelly_rows(market_p, market_d) * fraction, max_bet)
    return result


def _kelly_rows(p: FloatArray, d: FloatArray) -> FloatArray:
    """Smoczynski-Tomkins on every row of (n, k) at once; inputs already checked.

    Cells with ``p = 0`` are never chosen, so padding with (0, 1) is harmless.
    """
    n, k = p.shape
    rate = p * d
    # Stable sort: ties keep their input order, so results do not depend on chance.
    order = np.argsort(-rate, axis=1, kind="stable")
    p_sorted = np.take_along_axis(p, order, axis=1)
    q_sorted = 1.0 / np.take_along_axis(d, order, axis=1)
    rate_sorted = np.take_along_axis(rate, order, axis=1)
    # Reserve rate after choosing the first j + 1 outcomes. Past the stopping
    # point the denominator may reach 0; those values are never used.
    with np.errstate(divide="ignore", invalid="ignore"):
        reserve_after = (1 - np.cumsum(p_sorted, axis=1)) / (1 - np.cumsum(q_sorted, axis=1))
    reserve_before = np.hstack([np.ones((n, 1)), reserve_after[:, :-1]])
    # The loop stops at the first outcome that fails, whatever follows it.
    chosen = np.logical_and.accumulate(rate_sorted > reserve_before, axis=1)
    n_chosen = chosen.sum(axis=1)
    last = np.clip(n_chosen - 1, 0, k - 1)
    reserve = np.where(n_chosen > 0, reserve_after[np.arange(n), last], 1.0)
    # A market whose probabilities sum to 1 plus rounding ends at R = -tiny.
    reserve = np.maximum(reserve, 0.0)
    f_sorted = np.where(chosen, np.maximum(p_sorted - reserve[:, None] * q_sorted, 0.0), 0.0)
    fractions = np.empty_like(f_sorted)
    np.put_along_axis(fractions, order, f_sorted, axis=1)
    return fractions


def stakes(
    probabilities: npt.ArrayLike,
    prices: npt.ArrayLike,
    *,
    fixture_ids: npt.ArrayLike,
    bankroll_minor: int,
    policy: StakingPolicy,
) -> IntArray:
    """Stakes in minor units for one day's candidate bets, from the bankroll at its start.

    Each row is one outcome of one fixture; rows sharing a fixture id are the
    outcomes of one market and are sized together by ``simultaneous_kelly``
    (its other outcomes count as not bettable). Then, in order: the policy's
    fraction of Kelly, the per-bet cap, the per-fixture cap (the fixture's bets
    scaled down in proportion), the exposure cap (every bet of the day scaled
    down in proportion), and each stake rounded down to a whole minor unit
    (after forgiving 1e-6 of a minor unit of floating-point noise), so no cap
    is exceeded after rounding.

    Parameters
    ----------
    probabilities, prices : array-like of shape (m,)
        Our probability of each outcome and the decimal price on offer.
    fixture_ids : array-like of shape (m,)
        The market each row belongs to; one row per outcome of a market.
    bankroll_minor : int
        Bankroll in minor units (cents), at least 0.
    policy : StakingPolicy

    Returns
    -------
    array of int64, shape (m,)
        Stakes in minor units; 0 for rows not bet on.

    Raises
    ------
    DataError
        On mismatched shapes, bad probabilities or prices, a fixture whose
        probabilities sum above 1, or a negative or non-integer bankroll.
    """
    p = np.array(probabilities, dtype=np.float64)
    d = np.array(prices, dtype=np.float64)
    ids = np.asarray(fixture_ids)
    if p.ndim != 1 or d.shape != p.shape or ids.shape != p.shape:
        raise DataError(
            "probabilities, prices and fixture_ids must be 1-D of one length, got shapes "
            f"{p.shape}, {d.shape} and {ids.shape}"
        )
    if isinstance(bankroll_minor, bool) or not isinstance(bankroll_minor, int | np.integer):
        raise DataError(f"bankroll_minor must be whole minor units, got {bankroll_minor!r}")
    if bankroll_minor < 0:
        raise DataError(f"bankroll_minor must be >= 0, got {bankroll_minor}")
    check_rows(~((p >= 0) & (p <= 1)), "has a probability outside [0, 1] or NaN")
    check_rows(~(np.isfinite(d) & (d > 1)), "has a price that is not finite above 1")
    if len(p) == 0 or bankroll_minor == 0:
        return np.zeros(len(p), dtype=np.int64)

    fractions = _fixture_fractions(p, d, ids, policy)
    day_total = fractions.sum()
    if day_total > policy.max_exposure:
        fractions *= policy.max_exposure / day_total
    stake_minor: IntArray = np.floor(fractions * bankroll_minor + _ROUNDING_SLACK).astype(np.int64)
    return stake_minor


def _fixture_fractions(
    p: FloatArray, d: FloatArray, ids: npt.NDArray[np.generic], policy: StakingPolicy
) -> FloatArray:
    """Capped fractional-Kelly fraction of each row, fixtures laid out as rows of (g, k)."""
    unique_ids, group = np.unique(ids, return_inverse=True)
    group = group.ravel()
    counts = np.bincount(group)
    totals = np.bincount(group, weights=p)
    bad = totals > 1 + _SUM_TOLERANCE
    if bad.any():
        shown = ", ".join(repr(i) for i in unique_ids[bad][:5].tolist())
        raise DataError(
            f"fixture(s) {shown}: candidate probabilities sum above 1; "
            "give one row per outcome of a market"
        )
    # Column of each row within its fixture, in input order.
    order = np.argsort(group, kind="stable")
    column = np.empty(len(p), dtype=np.int64)
    column[order] = np.arange(len(p)) - np.repeat(np.cumsum(counts) - counts, counts)

    market_p = np.zeros((len(counts), int(counts.max())))
    market_d = np.full_like(market_p, 2.0)
    market_e = np.zeros_like(market_p, dtype=bool)
    market_p[group, column] = p
    market_d[group, column] = d
    market_e[group, column] = edge(p, d) >= policy.min_edge

    kelly = capped_kelly(
        market_p, market_d, eligible=market_e, fraction=policy.fraction, max_bet=policy.max_bet
    )
    fixture_total = kelly.sum(axis=1)
    with np.errstate(divide="ignore"):
        scale = np.minimum(1.0, policy.max_fixture / fixture_total)
    fractions: FloatArray = (kelly * scale[:, None])[group, column]
    return fractions
