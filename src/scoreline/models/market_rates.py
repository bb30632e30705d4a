"""Market-implied goal rates: the Dixon-Coles grid that best explains a match's prices.

A bookmaker's 1X2, totals and Asian handicap prices of one match are three views
of one score distribution. Each on its own pins down little (the 1X2 fixes the
goal *difference*, a totals line the goal *sum*), but jointly they say how many
goals each side is expected to score and how often low scores tie. This module
inverts the de-margined probabilities of those markets, jointly, into the home
rate lambda, the away rate mu and the low-score correction rho of a Dixon-Coles
grid (``ScoreGrid.from_dixon_coles``, the one grid every market is priced from):

    minimise over (log lambda, log mu, rho)
        sum_m (P_m(lambda, mu, rho) - q_m) ** 2  +  (PRIOR_STRENGTH * (rho - rho_prior)) ** 2

where the q_m are the market's probabilities: the home and away win of the 1X2
(the draw follows), the over of each totals line and the home side of each Asian
line (push-free, as ``ScoreGrid.probabilities`` prices whole and quarter lines).
Least squares on probabilities weighs every market alike, in the units a price
is read in. The weak prior only decides rho where the prices cannot: the 1X2
alone is two equations for three unknowns, so a match priced on 1X2 alone gets
``ScoreGrid.from_1x2`` at ``rho_prior`` (the same exact solve serving uses),
while a totals line or a handicap beside it lets the prices set rho.

Levenberg-Marquardt runs on all matches at once (3 x 3 normal equations per
match, Jacobian by forward differences on the batched grid), started from the
1X2-only solution. A match whose markets cannot all be met (a totals price that
contradicts the 1X2) gets its least-squares compromise and a large ``gap``; use
``ImpliedRates.consistent`` before trusting it as a price.

Uses: the ensemble's market features (``RATE_FEATURES``) and the fair price of a
totals or handicap line the sharp book does not quote (``services.fair_prices``).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from scoreline.errors import ConvergenceWarning, DataError
from scoreline.models.grid import ScoreGrid

__all__ = [
    "DEFAULT_RHO",
    "EXACT_GAP",
    "MAX_GAP",
    "PRIOR_STRENGTH",
    "RATE_FEATURES",
    "ImpliedRates",
    "LineQuotes",
    "implied_rates",
    "implied_rates_of",
    "rate_features",
]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

RATE_FEATURES = ("market_home_rate", "market_away_rate")
"""The feature columns the inversion adds to the market block: lambda and mu."""

DEFAULT_RHO = -0.05
"""rho where the prices leave it free: the order of the Dixon-Coles fits on our leagues."""
PRIOR_STRENGTH = 1e-4
"""Weight of the rho prior against one probability's residual: negligible once prices set rho."""
MAX_GAP = 0.02
"""Largest |grid probability - market probability| for the markets to count as consistent."""

EXACT_GAP = 1e-8
"""The gap within which as many prices as free parameters count as met exactly."""

_STEP = 1e-6  # forward-difference step
_MAX_ITER = 60
_TOLERANCE = 1e-11  # stop once no parameter moves more than this
_LOG_RATE = (math.log(0.02), math.log(8.0))
_TAU_ROOM = 0.98  # rho is kept this far inside the region where every tau is positive
_SUM_TOLERANCE = 1e-6


@dataclass(frozen=True, slots=True)
class LineQuotes:
    """De-margined prices of a line market, up to k lines per match.

    ``lines`` (n, k): the totals line, or the HOME handicap of an Asian line
    (as ``ScoreGrid`` takes it); ``probabilities`` (n, k): the push-free
    probability of side 0 (over, or home). NaN where a match quotes fewer lines.
    """

    lines: FloatArray
    probabilities: FloatArray

    @classmethod
    def single(cls, lines: npt.ArrayLike, probabilities: npt.ArrayLike) -> LineQuotes:
        """One line per match: arrays of shape (n,)."""
        prob = np.asarray(probabilities, dtype=np.float64).reshape(-1, 1)
        line = np.broadcast_to(np.asarray(lines, dtype=np.float64).reshape(-1, 1), prob.shape)
        return cls(line.copy(), prob)


@dataclass(frozen=True, slots=True)
class ImpliedRates:
    """The grid parameters each match's prices imply; NaN where they are not identified.

    Attributes
    ----------
    home_rate, away_rate, rho : array of shape (n,)
    gap : array of shape (n,)
        Largest absolute difference between the fitted grid's probability and
        the market's, over the markets used (NaN where not identified).
    markets : array of int, shape (n,)
        Price equations used: 2 for a 1X2, 1 per totals or handicap line.
    identified : array of bool, shape (n,)
        Whether the prices determine the rates: a 1X2, or a totals line and a
        handicap line together.
    """

    home_rate: FloatArray
    away_rate: FloatArray
    rho: FloatArray
    gap: FloatArray
    markets: npt.NDArray[np.int64]
    identified: BoolArray

    @property
    def consistent(self) -> BoolArray:
        """Identified, and every market met: exactly (to ``EXACT_GAP``) where there are no
        more price equations than free parameters (two), else to within ``MAX_GAP``.

        A 1X2 alone that no grid meets exactly (a price too extreme for the model) is no
        fit to report, only the nearest point of a failed solve."""
        limit = np.where(self.markets <= 2, EXACT_GAP, MAX_GAP)
        with np.errstate(invalid="ignore"):
            return np.asarray(self.identified & (self.gap <= limit), dtype=np.bool_)

    def grid(self, max_goals: int = 10) -> ScoreGrid:
        """The fitted grids of the identified matches (raises where any is not)."""
        if not self.identified.all():
            rows = np.flatnonzero(~self.identified)
            raise DataError(f"{len(rows)} match(es) have no implied rates: rows {_shown(rows)}")
        return ScoreGrid.from_dixon_coles(
            self.home_rate, self.away_rate, self.rho, max_goals=max_goals
        )


def implied_rates(
    one_x_two: npt.ArrayLike | None,
    *,
    totals: LineQuotes | None = None,
    asian: LineQuotes | None = None,
    n: int | None = None,
    max_goals: int = 10,
    rho_prior: float = DEFAULT_RHO,
) -> ImpliedRates:
    """Joint least-squares inversion of n matches' de-margined prices (module docstring).

    Parameters
    ----------
    one_x_two : array-like of shape (n, 3), or None
        Home, draw, away probabilities summing to 1; a row of NaN where a match
        has no 1X2.
    totals, asian : LineQuotes, optional
        Totals (over) and Asian handicap (home) probabilities per line.
    n : int, optional
        The number of matches, needed only when ``one_x_two`` is None.
    max_goals : int, default 10
        Largest score per side in the grid.
    rho_prior : float, default ``DEFAULT_RHO``

    Raises
    ------
    DataError
        Shapes that disagree, a 1X2 row that is partly NaN, outside [0, 1] or
        not summing to 1, a line probability outside (0, 1), or a line off the
        quarter-goal grid or outside ``ScoreGrid``'s ranges (rows named).
    """
    targets, lines, count = _inputs(one_x_two, totals, asian, n)
    out_rates = np.full((count, 3), np.nan)
    has_1x2 = np.isfinite(targets[:, 0])
    has_total = _has(lines, "over_under", count)
    has_asian = _has(lines, "asian_handicap", count)
    identified = has_1x2 | (has_total & has_asian)
    markets = 2 * has_1x2.astype(np.int64) + np.isfinite(targets[:, 2:]).sum(axis=1)
    if not identified.any():
        nan = np.full(count, np.nan)
        return ImpliedRates(nan, nan.copy(), nan.copy(), nan.copy(), markets, identified)
    theta = np.column_stack(
        [np.full(count, math.log(1.4)), np.full(count, math.log(1.1)), np.full(count, rho_prior)]
    )
    if has_1x2.any():
        home, away = targets[has_1x2, 0], targets[has_1x2, 1]
        three = np.column_stack([home, 1 - home - away, away])
        with warnings.catch_warnings():
            # A 1X2 no grid meets exactly keeps its closest fit; the gap reports it.
            warnings.simplefilter("ignore", ConvergenceWarning)
            start = ScoreGrid.from_1x2(three, rho=rho_prior, max_goals=max_goals).rate_solution
        assert start is not None
        theta[has_1x2] = np.column_stack(
            [np.log(start.home_rate), np.log(start.away_rate), start.rho]
        )
    extra = identified & ~(has_1x2 & (markets == 2))
    if extra.any():
        # rho is free only where a line stands beside the 1X2 (three or more equations);
        # a totals line and a handicap alone fix the two rates at the prior's rho.
        free_rho = (has_1x2 & (markets > 2))[extra]
        theta[extra] = _least_squares(
            theta[extra],
            targets[extra],
            _take(lines, extra),
            max_goals=max_goals,
            rho_prior=rho_prior,
            free_rho=free_rho,
        )
    out_rates[identified] = theta[identified]
    fitted = _predict(theta[identified], _take(lines, identified), max_goals)
    gaps = np.abs(fitted - targets[identified])
    gap = np.full(count, np.nan)
    gap[identified] = np.nanmax(np.where(np.isfinite(gaps), gaps, -np.inf), axis=1)
    return ImpliedRates(
        home_rate=np.exp(out_rates[:, 0]),
        away_rate=np.exp(out_rates[:, 1]),
        rho=out_rates[:, 2],
        gap=gap,
        markets=markets,
        identified=identified,
    )


def implied_rates_of(
    one_x_two: Sequence[float] | None = None,
    *,
    totals: Sequence[tuple[float, float]] = (),
    asian: Sequence[tuple[float, float]] = (),
    max_goals: int = 10,
    rho_prior: float = DEFAULT_RHO,
) -> tuple[float, float, float]:
    """(lambda, mu, rho) of one match, or a ``DataError`` saying why there are none.

    ``totals`` and ``asian`` are (line, probability of over / home) pairs.
    Refuses prices that do not determine the rates (no 1X2, and not both a
    totals and a handicap line) and markets that disagree by more than
    ``MAX_GAP``: such a match has no single grid to price derivatives from.
    """
    if one_x_two is None and not (totals and asian):
        raise DataError(
            "implied rates need the 1X2, or a totals line and a handicap line together; got "
            f"{'no 1X2' if one_x_two is None else '1X2'}, {len(totals)} totals line(s), "
            f"{len(asian)} handicap line(s)"
        )
    found = implied_rates(
        None if one_x_two is None else [list(one_x_two)],
        totals=_pairs(totals),
        asian=_pairs(asian),
        n=1,
        max_goals=max_goals,
        rho_prior=rho_prior,
    )
    if not found.consistent[0]:
        raise DataError(
            f"the markets disagree: no Dixon-Coles grid meets them within {MAX_GAP}"
            f" (largest gap {found.gap[0]:.3f}); they cannot be priced as one match"
        )
    return float(found.home_rate[0]), float(found.away_rate[0]), float(found.rho[0])


def rate_features(
    one_x_two: npt.ArrayLike,
    *,
    totals_line: npt.ArrayLike,
    over: npt.ArrayLike,
    handicap_line: npt.ArrayLike,
    home: npt.ArrayLike,
) -> FloatArray:
    """The ``RATE_FEATURES`` columns (n, 2) of n matches' de-margined prices.

    The one rule training (``models.features``) and serving
    (``models.feature_table.MarketBook``) share: ``one_x_two`` (n, 3) is the
    consensus 1X2 (``pricing.consensus.market_features``), ``over`` and
    ``home`` the consensus line probabilities (``pricing.consensus.
    line_probability``) at ``totals_line`` and ``handicap_line`` (the home
    handicap). NaN where the prices do not identify the rates or disagree by
    more than ``MAX_GAP`` (a feature should not carry a compromise).
    """
    probabilities = np.asarray(one_x_two, dtype=np.float64).reshape(-1, 3)
    n = len(probabilities)
    totals = LineQuotes.single(_quoted(totals_line, over, n, (0.5, 6.5)), over)
    asian = LineQuotes.single(_quoted(handicap_line, home, n, (-3.5, 3.5)), home)
    found = implied_rates(probabilities, totals=totals, asian=asian, n=n)
    out = np.column_stack([found.home_rate, found.away_rate])
    out[~found.consistent] = np.nan
    return out


def _quoted(
    line: npt.ArrayLike, probability: npt.ArrayLike, n: int, bounds: tuple[float, float]
) -> FloatArray:
    """Lines where a probability is quoted, NaN elsewhere: a line without a price, or one
    the grid does not price (off the quarter-goal grid or outside ``bounds``), is no quote."""
    values = np.broadcast_to(np.asarray(line, dtype=np.float64), (n,))
    prob = np.asarray(probability, dtype=np.float64).reshape(n)
    with np.errstate(invalid="ignore"):
        usable = (
            np.isfinite(prob)
            & (values * 4 == np.round(values * 4))
            & (values >= bounds[0])
            & (values <= bounds[1])
        )
    return np.where(usable, values, np.nan)


# -- internals -------------------------------------------------------------------------------

_Lines = list[tuple[str, FloatArray]]  # (market, lines (n,)) per target column after the 1X2


def _pairs(pairs: Sequence[tuple[float, float]]) -> LineQuotes | None:
    if not pairs:
        return None
    lines = np.array([[float(p[0]) for p in pairs]])
    probabilities = np.array([[float(p[1]) for p in pairs]])
    return LineQuotes(lines, probabilities)


def _inputs(
    one_x_two: npt.ArrayLike | None,
    totals: LineQuotes | None,
    asian: LineQuotes | None,
    n: int | None,
) -> tuple[FloatArray, _Lines, int]:
    """Targets (n, 2 + k): home and away win, then one column per line; and each
    line column's market and lines. Checked."""
    if one_x_two is None:
        sizes = [len(q.lines) for q in (totals, asian) if q is not None]
        count = n if n is not None else (sizes[0] if sizes else 0)
        probs = np.full((count, 3), np.nan)
    else:
        probs = np.array(one_x_two, dtype=np.float64)
        if probs.ndim == 1:
            probs = probs[np.newaxis]
        if probs.ndim != 2 or probs.shape[1] != 3:
            raise DataError(f"1x2 probabilities must have shape (n, 3), got {probs.shape}")
        count = len(probs)
    present = np.isfinite(probs)
    _check(present.any(axis=1) & ~present.all(axis=1), "have a 1X2 with some prices missing")
    row = present.all(axis=1)
    with np.errstate(invalid="ignore"):
        bad = row & ~(((probs >= 0) & (probs <= 1)).all(axis=1))
        bad |= row & ~(np.abs(probs.sum(axis=1) - 1) <= _SUM_TOLERANCE)
    _check(bad, "have a 1X2 that is not probabilities summing to 1 (de-margin it first)")
    columns = [probs[:, 0], probs[:, 2]]
    lines: _Lines = []
    for market, quotes in (("over_under", totals), ("asian_handicap", asian)):
        if quotes is None:
            continue
        line, prob = quotes.lines, quotes.probabilities
        if line.shape != prob.shape or line.ndim != 2 or len(line) != count:
            raise DataError(
                f"{market} lines and probabilities must both have shape ({count}, k),"
                f" got {line.shape} and {prob.shape}"
            )
        quoted = np.isfinite(line) & np.isfinite(prob)
        with np.errstate(invalid="ignore"):
            off = quoted & ~((prob > 0) & (prob < 1))
        _check(off.any(axis=1), f"have a {market} probability outside (0, 1)")
        for j in range(line.shape[1]):
            values = np.where(quoted[:, j], line[:, j], np.nan)
            for value in np.unique(values[np.isfinite(values)]):
                _check_line(market, float(value), np.flatnonzero(values == value))
            columns.append(np.where(quoted[:, j], prob[:, j], np.nan))
            lines.append((market, values))
    return np.column_stack(columns), lines, count


def _check_line(market: str, value: float, rows: npt.NDArray[np.intp]) -> None:
    low, high = (0.5, 6.5) if market == "over_under" else (-3.5, 3.5)
    if value * 4 != round(value * 4) or not low <= value <= high:
        raise DataError(
            f"{len(rows)} match(es) have a {market} line {value} off the quarter-goal grid"
            f" or outside {low} .. {high}: rows {_shown(rows)}"
        )


def _has(lines: _Lines, market: str, count: int) -> BoolArray:
    found = np.zeros(count, dtype=bool)
    for name, values in lines:
        if name == market:
            found |= np.isfinite(values)
    return found


def _take(lines: _Lines, rows: BoolArray) -> _Lines:
    return [(market, values[rows]) for market, values in lines]


def _predict(theta: FloatArray, lines: _Lines, max_goals: int) -> FloatArray:
    """The grid's probabilities in the targets' columns, shape (n, 2 + k)."""
    grid = ScoreGrid.from_dixon_coles(
        np.exp(theta[:, 0]), np.exp(theta[:, 1]), theta[:, 2], max_goals=max_goals
    )
    one_x_two = grid.probabilities("1x2")
    out = np.full((len(theta), 2 + len(lines)), np.nan)
    out[:, 0], out[:, 1] = one_x_two[:, 0], one_x_two[:, 2]
    for j, (market, values) in enumerate(lines):
        for value in np.unique(values[np.isfinite(values)]):
            rows = values == value
            side = grid.probabilities(market, float(value))[:, 0]  # type: ignore[arg-type]
            out[rows, 2 + j] = side[rows]
    return out


def _project(theta: FloatArray) -> FloatArray:
    """Log-rates inside their bounds and rho where every tau stays positive."""
    out = theta.copy()
    out[:, :2] = np.clip(out[:, :2], *_LOG_RATE)
    lam, mu = np.exp(out[:, 0]), np.exp(out[:, 1])
    low = -_TAU_ROOM / np.maximum(lam, mu)
    high = np.minimum(_TAU_ROOM / (lam * mu), _TAU_ROOM)
    out[:, 2] = np.clip(out[:, 2], low, high)
    return out


def _residuals(
    theta: FloatArray, targets: FloatArray, lines: _Lines, max_goals: int, rho_prior: float
) -> FloatArray:
    """Residuals (n, 2 + k + 1): the markets' (0 where not quoted), then the rho prior's."""
    gaps = _predict(theta, lines, max_goals) - targets
    prior = PRIOR_STRENGTH * (theta[:, 2] - rho_prior)
    return np.column_stack([np.where(np.isfinite(gaps), gaps, 0.0), prior])


def _least_squares(
    theta: FloatArray,
    targets: FloatArray,
    lines: _Lines,
    *,
    max_goals: int,
    rho_prior: float,
    free_rho: BoolArray,
) -> FloatArray:
    """Levenberg-Marquardt on every match at once; returns the fitted (n, 3) parameters.

    Where ``free_rho`` is false, rho stays where it starts (the prior) and only the
    two rates move."""
    theta = _project(theta)
    residual = _residuals(theta, targets, lines, max_goals, rho_prior)
    cost = (residual**2).sum(axis=1)
    damping = np.full(len(theta), 1e-3)
    active = np.ones(len(theta), dtype=bool)
    for _ in range(_MAX_ITER):
        rows = np.flatnonzero(active)
        if not rows.size:
            break
        sub_lines = _take(lines, active)
        base = residual[rows]
        # The three shifted points of every match in one batch: one grid build, not three.
        steps = np.array([_STEP, _STEP, -_STEP])  # rho steps away from its upper bound
        shifted = np.tile(theta[rows], (3, 1))
        for p in range(3):
            shifted[p * rows.size : (p + 1) * rows.size, p] += steps[p]
        moved = _residuals(
            shifted,
            np.tile(targets[rows], (3, 1)),
            [(market, np.tile(values, 3)) for market, values in sub_lines],
            max_goals,
            rho_prior,
        ).reshape(3, rows.size, -1)
        jac = ((moved - base) / steps[:, None, None]).transpose(1, 2, 0)
        fixed = ~free_rho[rows]
        jac[fixed, :, 2] = 0.0
        normal = np.einsum("nmi,nmj->nij", jac, jac)
        normal[fixed, 2, 2] = 1.0  # a zero step for a fixed rho
        gradient = np.einsum("nmi,nm->ni", jac, base)
        diagonal = np.einsum("nii->ni", normal)
        damped = normal + (damping[rows, None] * (diagonal + 1e-12))[:, :, None] * np.eye(3)
        step = -np.linalg.solve(damped, gradient[:, :, None])[:, :, 0]
        trial = _project(theta[rows] + step)
        trial_residual = _residuals(trial, targets[rows], sub_lines, max_goals, rho_prior)
        trial_cost = (trial_residual**2).sum(axis=1)
        better = trial_cost < cost[rows]
        accepted = rows[better]
        moved_by = np.abs(trial[better] - theta[accepted]).max(axis=1)
        theta[accepted], residual[accepted] = trial[better], trial_residual[better]
        cost[accepted] = trial_cost[better]
        damping[accepted] = np.maximum(damping[accepted] / 4, 1e-9)
        damping[rows[~better]] *= 8
        done = np.zeros(len(theta), dtype=bool)
        done[accepted[moved_by < _TOLERANCE]] = True
        done[rows[~better & (damping[rows] > 1e8)]] = True  # no step helps: a minimum
        active &= ~done
    return theta


def _check(bad: npt.ArrayLike, problem: str) -> None:
    if np.any(bad):
        rows = np.flatnonzero(bad)
        raise DataError(f"{len(rows)} match(es) {problem}: rows {_shown(rows)}")


def _shown(rows: npt.NDArray[np.intp]) -> str:
    return ", ".join(str(i) for i in rows[:5]) + (" ..." if len(rows) > 5 else "")
