"""The Dixon-Coles weighted log-likelihood, its gradient and its Hessian.

Parameters are one float64 vector ``theta`` of length ``2 * n_teams + 2``::

    theta = [attack (n_teams) | defence (n_teams) | home advantage | rho]

    log lambda = home * at_home + attack[home_team] + defence[away_team]   (home rate)
    log mu     =                  attack[away_team] + defence[home_team]   (away rate)

and a match scoring (x, y) with weight w adds ``w * (log Poisson(x; lambda) +
log Poisson(y; mu) + log tau(x, y))``, where tau(0,0) = 1 - lambda mu rho,
tau(0,1) = 1 + lambda rho, tau(1,0) = 1 + mu rho, tau(1,1) = 1 - rho and
tau = 1 otherwise (Dixon & Coles 1997, eq. 4.2).

Matches are first aggregated by (home team, away team, neutral): the rates only
depend on that key, so the Poisson part needs the summed weights and weighted
goals per pair, the tau part the summed weights of the four low scores per pair,
and the log-factorials are a constant computed once. Every evaluation then runs
over pairs, not matches, and per-team sums are ``np.bincount`` calls.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.special import gammaln

__all__ = ["PairData", "aggregate", "log_likelihood", "log_likelihood_derivatives"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]


@dataclass(frozen=True, slots=True)
class _LowScore:
    """The pairs that saw one low score, and the summed weight of those matches."""

    pairs: IntArray
    weight: FloatArray


@dataclass(frozen=True, slots=True)
class PairData:
    """Matches aggregated by (home, away, neutral); arrays have shape (n_pairs,)."""

    n_teams: int
    home: IntArray
    away: IntArray
    at_home: FloatArray  # 1.0 where home advantage applies, 0.0 at neutral venues
    weight: FloatArray
    home_goals: FloatArray  # weighted sums of goals
    away_goals: FloatArray
    nil_nil: _LowScore  # 0-0
    nil_one: _LowScore  # home 0, away 1
    one_nil: _LowScore  # home 1, away 0
    one_one_weight: float
    constant: float  # -sum w (log x! + log y!)
    hessian_index: IntArray  # flat (row, column) bins of each pair's outer products

    @property
    def size(self) -> int:
        """Length of ``theta``."""
        return 2 * self.n_teams + 2


def aggregate(
    *,
    home: IntArray,
    away: IntArray,
    home_goals: npt.NDArray[np.int64],
    away_goals: npt.NDArray[np.int64],
    neutral: npt.NDArray[np.bool_],
    weight: FloatArray,
    n_teams: int,
) -> PairData:
    """Aggregate matches (arrays of shape (n_matches,)) into ``PairData``."""
    key = (home.astype(np.int64) * n_teams + away) * 2 + neutral
    keys, pair = np.unique(key, return_inverse=True)
    n_pairs = len(keys)
    pair_away = (keys // 2) % n_teams
    pair_home = keys // 2 // n_teams

    def per_pair(values: FloatArray) -> FloatArray:
        return np.asarray(np.bincount(pair, weights=values, minlength=n_pairs), dtype=np.float64)

    def low(x: int, y: int) -> _LowScore:
        summed = per_pair(weight * ((home_goals == x) & (away_goals == y)))
        pairs = np.flatnonzero(summed > 0)
        return _LowScore(pairs=pairs, weight=summed[pairs])

    nil_nil = low(0, 0)
    one_one = (home_goals == 1) & (away_goals == 1)
    return PairData(
        n_teams=n_teams,
        home=pair_home.astype(np.intp),
        away=pair_away.astype(np.intp),
        at_home=1.0 - (keys % 2).astype(np.float64),
        weight=per_pair(weight),
        home_goals=per_pair(weight * home_goals),
        away_goals=per_pair(weight * away_goals),
        nil_nil=nil_nil,
        nil_one=low(0, 1),
        one_nil=low(1, 0),
        one_one_weight=float(weight[one_one].sum()),
        constant=-float(weight @ (gammaln(home_goals + 1.0) + gammaln(away_goals + 1.0))),
        hessian_index=_hessian_index(pair_home, pair_away, keys % 2 == 1, nil_nil.pairs, n_teams),
    )


def _hessian_index(
    home: npt.NDArray[np.int64],
    away: npt.NDArray[np.int64],
    neutral: npt.NDArray[np.bool_],
    nil_nil: IntArray,
    n_teams: int,
) -> IntArray:
    """Flat bins of the outer products x_h x_h', x_a x_a' and, on 0-0 pairs, x_h x_a' + x_a x_h'.

    ``x_h`` is the home rate's design row (attack of home, defence of away, home
    advantage) and ``x_a`` the away rate's. The Hessian is assembled in a
    ``(size + 1)`` square whose last row and column soak up the home-advantage
    entries of neutral pairs and are then dropped.
    """
    size = 2 * n_teams + 2
    side = size + 1
    x_h = [home, n_teams + away, np.where(neutral, size, 2 * n_teams)]
    x_a = [away, n_teams + home]
    blocks = [r * side + c for r in x_h for c in x_h]
    blocks += [r * side + c for r in x_a for c in x_a]
    blocks += [r[nil_nil] * side + c[nil_nil] for r in x_h for c in x_a]
    blocks += [r[nil_nil] * side + c[nil_nil] for r in x_a for c in x_h]
    return np.concatenate(blocks).astype(np.intp)


def _rates(theta: FloatArray, data: PairData) -> tuple[FloatArray, FloatArray]:
    """Log home and away rates per pair."""
    n = data.n_teams
    attack, defence = theta[:n], theta[n : 2 * n]
    log_home = theta[2 * n] * data.at_home + attack[data.home] + defence[data.away]
    log_away = attack[data.away] + defence[data.home]
    return log_home, log_away


def log_likelihood(theta: FloatArray, data: PairData) -> float:
    """The weighted log-likelihood; ``-inf`` where a tau of the data is not positive."""
    log_home, log_away = _rates(theta, data)
    return _value(
        log_home=log_home,
        log_away=log_away,
        lam=np.exp(log_home),
        mu=np.exp(log_away),
        rho=float(theta[-1]),
        data=data,
    )


def _value(
    *,
    log_home: FloatArray,
    log_away: FloatArray,
    lam: FloatArray,
    mu: FloatArray,
    rho: float,
    data: PairData,
) -> float:
    value = data.home_goals @ log_home + data.away_goals @ log_away - data.weight @ (lam + mu)
    taus = (
        (data.nil_nil, 1.0 - rho * lam[data.nil_nil.pairs] * mu[data.nil_nil.pairs]),
        (data.nil_one, 1.0 + rho * lam[data.nil_one.pairs]),
        (data.one_nil, 1.0 + rho * mu[data.one_nil.pairs]),
    )
    for low, tau in taus:
        if not (tau > 0).all():
            return -np.inf
        value += low.weight @ np.log(tau)
    if data.one_one_weight > 0:
        if rho >= 1:
            return -np.inf
        value += data.one_one_weight * np.log1p(-rho)
    return float(value + data.constant)


def log_likelihood_derivatives(
    theta: FloatArray, data: PairData, *, hessian: bool = True
) -> tuple[float, FloatArray, FloatArray | None]:
    """Value, gradient (size,) and Hessian (size, size) of ``log_likelihood``.

    Each pair's terms depend on theta through z_h = log lambda and z_a = log mu
    (and rho), so the chain rule needs per-pair first and second derivatives in
    (z_h, z_a, rho); the design rows are 0/1, so gradients are bincounts and
    the Hessian one bincount over the precomputed ``hessian_index`` bins.
    """
    rho = float(theta[-1])
    log_home, log_away = _rates(theta, data)
    lam, mu = np.exp(log_home), np.exp(log_away)
    value = _value(log_home=log_home, log_away=log_away, lam=lam, mu=mu, rho=rho, data=data)
    # First (g_*) and second (c_*) derivatives in z_h, z_a; e_* are d2/dz drho.
    g_h = data.home_goals - data.weight * lam
    g_a = data.away_goals - data.weight * mu
    c_h, c_a = -data.weight * lam, -data.weight * mu
    e_h, e_a = np.zeros_like(lam), np.zeros_like(mu)
    g_rho = h_rho = 0.0

    # 0-0: log(1 - rho e^(z_h + z_a)), q = rho lambda mu
    pairs, w = data.nil_nil.pairs, data.nil_nil.weight
    prod = lam[pairs] * mu[pairs]
    tau = 1.0 - rho * prod
    g_z, c_z, e_z = -w * rho * prod / tau, -w * rho * prod / tau**2, -w * prod / tau**2
    g_h[pairs] += g_z
    g_a[pairs] += g_z
    c_h[pairs] += c_z
    c_a[pairs] += c_z
    c_cross = c_z
    e_h[pairs] += e_z
    e_a[pairs] += e_z
    g_rho -= float(w @ (prod / tau))
    h_rho -= float(w @ (prod / tau) ** 2)

    # 0-1 and 1-0: log(1 + rho e^z) with z = z_h and z = z_a respectively
    for low, rate, g, c, e in (
        (data.nil_one, lam, g_h, c_h, e_h),
        (data.one_nil, mu, g_a, c_a, e_a),
    ):
        r = rate[low.pairs]
        tau = 1.0 + rho * r
        g[low.pairs] += low.weight * rho * r / tau
        c[low.pairs] += low.weight * rho * r / tau**2
        e[low.pairs] += low.weight * r / tau**2
        g_rho += float(low.weight @ (r / tau))
        h_rho -= float(low.weight @ (r / tau) ** 2)

    # 1-1: log(1 - rho)
    g_rho -= data.one_one_weight / (1.0 - rho)
    h_rho -= data.one_one_weight / (1.0 - rho) ** 2

    grad = _scatter(data, g_h, g_a)
    grad[-1] = g_rho
    if not hessian:
        return value, grad, None
    side = data.size + 1
    bins = np.concatenate([np.tile(c_h, 9), np.tile(c_a, 4), np.tile(c_cross, 12)])
    flat = np.bincount(data.hessian_index, weights=bins, minlength=side * side)
    hess = np.asarray(flat, dtype=np.float64).reshape(side, side)[: data.size, : data.size]
    cross = _scatter(data, e_h, e_a)
    hess[:, -1] = cross
    hess[-1, :] = cross
    hess[-1, -1] = h_rho
    return value, grad, hess


def _scatter(data: PairData, on_home: FloatArray, on_away: FloatArray) -> FloatArray:
    """X_h' on_home + X_a' on_away: per-pair values in (z_h, z_a) summed onto theta."""
    n = data.n_teams
    out = np.zeros(data.size)
    out[:n] = np.bincount(data.home, on_home, n) + np.bincount(data.away, on_away, n)
    out[n : 2 * n] = np.bincount(data.away, on_home, n) + np.bincount(data.home, on_away, n)
    out[2 * n] = on_home @ data.at_home
    return out
