"""Bookmaker odds to probabilities, with the margin (overround) removed.

Every method works on rows of an (n_markets, k_outcomes) array of decimal odds
and maps the raw implied probabilities ``pi_i = 1 / o_i``, whose sum
``S = sum(pi)`` exceeds 1 by the margin, to probabilities summing to 1:

==================  ===============================================  ===========
method              p_i                                              parameter
==================  ===============================================  ===========
``multiplicative``  pi_i / S                                         S
``additive``        pi_i - (S - 1) / k                               (S - 1) / k
``power``           pi_i ** kappa                                    kappa
``shin``            (sqrt(z^2 + 4 (1 - z) pi_i^2 / S) - z)           z
                    / (2 (1 - z))
``odds_ratio``      pi_i / (c + pi_i - c pi_i)                       c
``logarithmic``     logistic(logit(pi_i) - t)                        t
==================  ===============================================  ===========

Parameters of the last four are solved per row so that the p_i sum to 1, by a
Newton iteration run on all rows at once and kept inside a bracket by bisection.

``odds_ratio`` and ``logarithmic`` give the same probabilities: the odds-ratio
form is the log-odds shift with ``c = exp(t)``. Both are kept because both
names are in use (penaltyblog's ``implied`` module has both, written as
separate solvers); the name "logarithmic" is not used consistently in the
literature, and here it means the shift in log-odds.

References
----------
Shin, H. S. (1993). Measuring the incidence of insider trading in a market for
state-contingent claims. The Economic Journal 103(420).
Štrumbelj, E. (2014). On determining probability forecasts from betting odds.
International Journal of Forecasting 30(4).
Clarke, S., Kovalchik, S. and Ingram, M. (2017). Adjusting bookmaker's odds to
allow for overround. American Journal of Sports Science 5(6).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, get_args

import numpy as np
import numpy.typing as npt

from scoreline.errors import DataError
from scoreline.pricing._rows import check_rows

__all__ = [
    "DevigMethod",
    "Devigged",
    "additive",
    "logarithmic",
    "multiplicative",
    "odds_ratio",
    "power",
    "remove_margin",
    "shin",
]

FloatArray = npt.NDArray[np.float64]
DevigMethod = Literal["multiplicative", "additive", "power", "shin", "odds_ratio", "logarithmic"]

_TOLERANCE = 1e-13
_MAX_ITER = 100


@dataclass(frozen=True, slots=True)
class Devigged:
    """Probabilities with the margin removed, and what was removed.

    Attributes
    ----------
    probabilities : array of shape (n_markets, k_outcomes)
        Each row sums to 1.
    margin : array of shape (n_markets,)
        The overround ``sum(1 / odds) - 1``.
    parameter : array of shape (n_markets,)
        The method's fitted parameter (see the module table).
    method : DevigMethod
    """

    probabilities: FloatArray
    margin: FloatArray
    parameter: FloatArray
    method: DevigMethod


def remove_margin(odds: npt.ArrayLike, method: DevigMethod = "power") -> FloatArray:
    """Probabilities of shape (n_markets, k_outcomes) from decimal odds, margin removed.

    Parameters
    ----------
    odds : array-like of shape (n_markets, k_outcomes), or (k_outcomes,) for one market
        Decimal odds, each finite and above 1.
    method : {"multiplicative", "additive", "power", "shin", "odds_ratio", "logarithmic"}

    Raises
    ------
    DataError
        Odds that are not finite decimal odds above 1 (the rows are named), an
        unknown method, or a method that cannot fit a row.
    """
    solvers: dict[str, Callable[[npt.ArrayLike], Devigged]] = {
        "multiplicative": multiplicative,
        "additive": additive,
        "power": power,
        "shin": shin,
        "odds_ratio": odds_ratio,
        "logarithmic": logarithmic,
    }
    if method not in solvers:
        raise DataError(
            f"unknown de-vig method {method!r}; expected one of {get_args(DevigMethod)}"
        )
    return solvers[method](odds).probabilities


def multiplicative(odds: npt.ArrayLike) -> Devigged:
    """Scale the implied probabilities by one factor: ``p_i = pi_i / S``."""
    pi = _implied(odds)
    total = pi.sum(axis=1)
    return Devigged(pi / total[:, None], total - 1, total, "multiplicative")


def additive(odds: npt.ArrayLike) -> Devigged:
    """Take an equal share of the margin off each outcome: ``p_i = pi_i - (S - 1) / k``.

    Raises
    ------
    DataError
        Where a longshot's implied probability is smaller than its share of the
        margin, so its probability would not be positive; use another method.
    """
    pi = _implied(odds)
    margin = pi.sum(axis=1) - 1
    share = margin / pi.shape[1]
    p = pi - share[:, None]
    check_rows(~(p > 0).all(axis=1), "get a probability <= 0 from additive de-vig (try 'power')")
    return Devigged(p, margin, share, "additive")


def power(odds: npt.ArrayLike) -> Devigged:
    """Raise every implied probability to one power: ``p_i = pi_i ** kappa``.

    ``sum(pi ** kappa)`` falls from k at kappa = 0 to 0, and is below 1 at
    ``kappa = 2 log k / -log(max pi)``; that is the bracket.
    """
    pi = _implied(odds)
    log_pi = np.log(pi)
    k = pi.shape[1]

    def excess(kappa: FloatArray) -> tuple[FloatArray, FloatArray]:
        p = np.exp(kappa[:, None] * log_pi)
        return p.sum(axis=1) - 1, (p * log_pi).sum(axis=1)

    high = 2 * np.log(k) / -log_pi.max(axis=1)
    kappa = _newton(excess, np.zeros(len(pi)), high, np.ones(len(pi)), "power")
    p = np.exp(kappa[:, None] * log_pi)
    return Devigged(p / p.sum(axis=1)[:, None], pi.sum(axis=1) - 1, kappa, "power")


def shin(odds: npt.ArrayLike) -> Devigged:
    """Shin's model: a share z of insider money explains the margin.

    ``p_i = (sqrt(z^2 + 4 (1 - z) pi_i^2 / S) - z) / (2 (1 - z))`` with z solving
    ``sum(p) = 1``; written as ``g(z) = sum_i sqrt(z^2 + 4 (1 - z) pi_i^2 / S)
    - (k - 2) z - 2 = 0``, the fixed point Jullien and Salanié iterate. g is
    convex with g(1) = 0 and, for an overround, g(0) > 0: Newton from 0 rises
    monotonically to the root inside (0, 1). For an underround, z < 0.
    For two outcomes Shin's probabilities equal the additive method's.
    """
    pi = _implied(odds)
    total = pi.sum(axis=1)
    a = pi**2 / total[:, None]
    k = pi.shape[1]

    def excess(z: FloatArray) -> tuple[FloatArray, FloatArray]:
        root = np.sqrt(z[:, None] ** 2 + 4 * (1 - z[:, None]) * a)
        g = root.sum(axis=1) - (k - 2) * z - 2
        return g, ((z[:, None] - 2 * a) / root).sum(axis=1) - (k - 2)

    z = np.zeros(len(pi))
    converged = np.zeros(len(pi), dtype=bool)
    for _ in range(_MAX_ITER):
        g, slope = excess(z)
        converged = np.abs(g) < _TOLERANCE
        if converged.all():
            break
        z = np.where(converged, z, z - g / slope)
    check_rows(~converged, "did not converge to a Shin z")
    root = np.sqrt(z[:, None] ** 2 + 4 * (1 - z[:, None]) * a)
    p = (root - z[:, None]) / (2 * (1 - z[:, None]))
    return Devigged(p / p.sum(axis=1)[:, None], total - 1, z, "shin")


def logarithmic(odds: npt.ArrayLike) -> Devigged:
    """Shift every outcome's log-odds by one constant: ``p_i = logistic(logit(pi_i) - t)``.

    ``sum(p)`` falls in t; it is above 1 at ``t = min(logit pi) - log k`` and
    below 1 at ``t = max(logit pi) + log k``, which bracket the root.
    """
    pi = _implied(odds)
    t = _log_odds_shift(pi)
    p = _shifted(pi, t)
    return Devigged(p / p.sum(axis=1)[:, None], pi.sum(axis=1) - 1, t, "logarithmic")


def odds_ratio(odds: npt.ArrayLike) -> Devigged:
    """Cheung's odds-ratio method: ``p_i / (1 - p_i) = (pi_i / (1 - pi_i)) / c``.

    The same probabilities as ``logarithmic``, with ``c = exp(t)``.
    """
    shifted = logarithmic(odds)
    return Devigged(shifted.probabilities, shifted.margin, np.exp(shifted.parameter), "odds_ratio")


def _log_odds_shift(pi: FloatArray) -> FloatArray:
    logit = np.log(pi) - np.log1p(-pi)
    k = pi.shape[1]

    def excess(t: FloatArray) -> tuple[FloatArray, FloatArray]:
        p = _shifted(pi, t)
        return p.sum(axis=1) - 1, -(p * (1 - p)).sum(axis=1)

    low, high = logit.min(axis=1) - np.log(k), logit.max(axis=1) + np.log(k)
    return _newton(excess, low, high, np.zeros(len(pi)), "logarithmic")


def _shifted(pi: FloatArray, t: FloatArray) -> FloatArray:
    # logistic(logit(pi) - t) = pi / (pi + e^t (1 - pi)); no overflow for pi in (0, 1).
    shifted: FloatArray = pi / (pi + np.exp(t)[:, None] * (1 - pi))
    return shifted


def _newton(
    fun: Callable[[FloatArray], tuple[FloatArray, FloatArray]],
    low: FloatArray,
    high: FloatArray,
    start: FloatArray,
    method: str,
) -> FloatArray:
    """Root of a decreasing ``f`` per row, with ``f(low) > 0 > f(high)``.

    ``fun`` returns ``(f, f')``. A Newton step that leaves the bracket, or
    stalls, is replaced by bisection, so every row converges.
    """
    low, high = low.copy(), high.copy()
    x = np.clip(start, low, high)
    for _ in range(_MAX_ITER):
        f, slope = fun(x)
        done = np.abs(f) < _TOLERANCE
        if done.all():
            return x
        low = np.where(f > 0, x, low)
        high = np.where(f < 0, x, high)
        with np.errstate(divide="ignore", invalid="ignore"):
            step = x - f / slope
        inside = (step > low) & (step < high)
        x = np.where(done, x, np.where(inside, step, (low + high) / 2))
    f, _ = fun(x)
    check_rows(~(np.abs(f) < _TOLERANCE), f"did not converge in {method} de-vig")
    return x


def _implied(odds: npt.ArrayLike) -> FloatArray:
    """1 / odds as an (n, k) array, refusing anything but finite odds above 1."""
    array = np.array(odds, dtype=np.float64)
    if array.ndim == 1:
        array = array[np.newaxis]
    if array.ndim != 2 or array.shape[1] < 2:
        raise DataError(f"odds must have shape (n_markets, k_outcomes >= 2), got {array.shape}")
    bad = ~(np.isfinite(array) & (array > 1)).all(axis=1)
    check_rows(bad, "has odds that are not finite decimal odds above 1")
    implied: FloatArray = 1.0 / array
    return implied
