"""Goal expectations that reproduce given 1X2 probabilities under Dixon-Coles.

For each fixture, find log-rates x = (log lambda, log mu) with
F(x) = (P_home(x) - target_home, P_away(x) - target_away) = 0, where P comes
from the same truncated, renormalised Dixon-Coles grid as
``ScoreGrid.from_dixon_coles``. Newton's method on the exact 2 x 2 Jacobian
runs on all fixtures at once, each step halved until ``|F|`` falls. The
sums are taken over the (g, n) Poisson pmfs, never the (n, g, g) grids:

    P_home = (sum_i p_i Q_i + c10) / Z      Q_i = sum_{j<i} q_j
    P_away = (sum_j q_j R_j + c01) / Z      R_j = sum_{i<j} p_i
    Z = (sum p)(sum q) + c00 + c01 + c10 + c11,   c_ij = p_i q_j (tau_ij - 1)

Every tau correction c scales by (1 - lambda) under d/d log lambda and by
(1 - mu) under d/d log mu, which keeps the Jacobian short.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.special import gammaln, ndtri

__all__ = ["RateSolution", "solve_rates"]

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

_STOP = 1e-12  # residual at which a fixture stops iterating
_CONVERGED = 1e-10  # residual a fixture must reach to count as solved
_MAX_ITER = 60
_MAX_HALVINGS = 30
_MAX_STEP = 1.0  # largest change of a log-rate in one step
_LOG_RATE_BOUNDS = (np.log(1e-3), np.log(30.0))


@dataclass(frozen=True, slots=True)
class RateSolution:
    """Goal expectations found for target 1X2 probabilities, one entry per fixture.

    Attributes
    ----------
    home_rate, away_rate : array of shape (n_fixtures,)
        lambda and mu of the Dixon-Coles grid.
    rho : array of shape (n_fixtures,)
        The rho the grid was solved with: the one asked for, or 0 where that
        rho made the targets unreachable (see ``rho_dropped``).
    residual : array of shape (n_fixtures,)
        Largest absolute gap between the grid's home or away win probability
        and the target.
    converged : array of bool, shape (n_fixtures,)
        ``residual <= 1e-10``. Where false, the rates are the closest fit found.
    rho_dropped : array of bool, shape (n_fixtures,)
        Fixtures solved with rho = 0 because the requested rho failed.
    n_iter : int
        Newton steps taken by the slowest fixture.
    """

    home_rate: FloatArray
    away_rate: FloatArray
    rho: FloatArray
    residual: FloatArray
    converged: BoolArray
    rho_dropped: BoolArray
    n_iter: int

    @property
    def fallback_rows(self) -> npt.NDArray[np.intp]:
        """Fixtures that needed rho = 0 or were not solved: indices into the batch."""
        return np.flatnonzero(self.rho_dropped | ~self.converged)

    def take(self, rows: npt.NDArray[np.intp]) -> RateSolution:
        """The entries of some fixtures, for a sliced grid."""
        return RateSolution(
            self.home_rate[rows],
            self.away_rate[rows],
            self.rho[rows],
            self.residual[rows],
            self.converged[rows],
            self.rho_dropped[rows],
            self.n_iter,
        )


def solve_rates(
    targets: FloatArray,
    rho: FloatArray,
    max_goals: int,
    start: tuple[FloatArray, FloatArray] | None = None,
) -> RateSolution:
    """Solve every fixture with its rho, then retry the failures with rho = 0.

    ``targets`` is (n, 3) home/draw/away, already checked; ``rho`` is (n,).
    """
    x = _initial_guess(targets) if start is None else np.log(np.stack(start))
    x, residual, n_iter = _newton(_inside(x, rho), targets, rho, max_goals)
    failed = ~(residual <= _CONVERGED)
    used_rho = rho.copy()
    if failed.any():
        # A rho the targets cannot live with: drop it where it was not already 0,
        # restart from scratch, and keep whichever fit came closer.
        retry = failed & (rho != 0)
        if retry.any():
            zero = np.zeros(int(retry.sum()))
            x0 = _inside(_initial_guess(targets[retry]), zero)
            x_new, res_new, it_new = _newton(x0, targets[retry], zero, max_goals)
            better = res_new < residual[retry]
            rows = np.flatnonzero(retry)[better]
            x[:, rows], residual[rows] = x_new[:, better], res_new[better]
            used_rho[rows] = 0.0
            n_iter = max(n_iter, it_new)
    return RateSolution(
        home_rate=np.exp(x[0]),
        away_rate=np.exp(x[1]),
        rho=used_rho,
        residual=residual,
        converged=residual <= _CONVERGED,
        rho_dropped=used_rho != rho,
        n_iter=n_iter,
    )


def _initial_guess(targets: FloatArray) -> FloatArray:
    """Log-rates from a normal approximation to the goal difference, shape (2, n).

    The draw share sets the spread of the goal difference, and the home-away
    split its centre; both rates come out near the truth for typical matches.
    """
    home, _, away = np.clip(targets, 1e-6, 1.0).T
    # P(diff > 0.5) = home and P(diff < -0.5) = away for diff ~ N(m, s^2).
    upper, lower = ndtri(1.0 - home), ndtri(away)  # (0.5 - m) / s, (-0.5 - m) / s
    spread = np.clip(1.0 / np.maximum(upper - lower, 1e-3), 0.3, 4.0)
    centre = np.clip(0.5 - upper * spread, -6.0, 6.0)
    total = np.maximum(spread**2, np.abs(centre) + 0.2)  # Skellam: variance = total
    lam = np.maximum((total + centre) / 2, 0.05)
    mu = np.maximum((total - centre) / 2, 0.05)
    out: FloatArray = np.log(np.stack([lam, mu]))
    return out


def _inside(x: FloatArray, rho: FloatArray) -> FloatArray:
    """Log-rates pulled inside the bounds and where every tau is positive."""
    x = np.clip(x, *_LOG_RATE_BOUNDS)
    # rho < 0 needs lambda, mu <= -1/rho; rho > 0 needs lambda mu <= 1/rho.
    with np.errstate(divide="ignore"):  # rho = 0: no cap
        room = np.log(0.9) - np.log(np.abs(rho))
    cap = np.where(rho < 0, room, np.inf)
    product_cap = np.where(rho > 0, room, np.inf)
    x = np.minimum(x, cap)
    excess = np.maximum(x.sum(axis=0) - product_cap, 0.0)
    out: FloatArray = x - excess / 2
    return out


def _newton(
    x: FloatArray, targets: FloatArray, rho: FloatArray, max_goals: int
) -> tuple[FloatArray, FloatArray, int]:
    """Damped Newton on all fixtures; returns log-rates (2, n), residuals, steps."""
    x = x.copy()
    goal = targets[:, [0, 2]].T  # (2, n): home and away win targets
    f, jac = _evaluate(x, rho, max_goals, with_jacobian=True)
    f -= goal
    residual = _norm(f)
    active = np.flatnonzero(residual > _STOP)
    n_iter = 0
    while active.size and n_iter < _MAX_ITER:
        n_iter += 1
        step = _newton_step(f[:, active], jac[:, :, active])
        size = np.abs(step).max(axis=0)
        step *= np.minimum(1.0, _MAX_STEP / np.maximum(size, 1e-300))
        # Halve each fixture's step until its residual falls.
        scale = np.ones(active.size)
        pending = np.arange(active.size)
        for _ in range(_MAX_HALVINGS):
            rows = active[pending]
            trial = np.clip(x[:, rows] + scale[pending] * step[:, pending], *_LOG_RATE_BOUNDS)
            f_trial, _ = _evaluate(trial, rho[rows], max_goals, with_jacobian=False)
            r_trial = _norm(f_trial - goal[:, rows])
            better = r_trial < residual[rows]
            accepted = rows[better]
            x[:, accepted], residual[accepted] = trial[:, better], r_trial[better]
            pending = pending[~better]
            if not pending.size:
                break
            scale[pending] *= 0.5
        # Fixtures whose step never helped are stuck: stop iterating them.
        stuck = np.zeros(active.size, dtype=bool)
        stuck[pending] = True
        active = active[~stuck & (residual[active] > _STOP)]
        if active.size:
            f_new, jac_new = _evaluate(x[:, active], rho[active], max_goals, with_jacobian=True)
            f[:, active], jac[:, :, active] = f_new - goal[:, active], jac_new
    return x, residual, n_iter


def _newton_step(f: FloatArray, jac: FloatArray) -> FloatArray:
    """Solve J step = -f per fixture; gradient descent on |f|^2 where J is singular."""
    (a, b), (c, d) = jac
    det = a * d - b * c
    scale = np.maximum(np.abs(a * d) + np.abs(b * c), 1e-300)
    regular = np.abs(det) > 1e-12 * scale
    safe = np.where(regular, det, 1.0)
    newton = np.stack([-(d * f[0] - b * f[1]) / safe, -(-c * f[0] + a * f[1]) / safe])
    descent = -np.stack([a * f[0] + c * f[1], b * f[0] + d * f[1]])
    out: FloatArray = np.where(regular, newton, descent)
    return out


def _evaluate(
    x: FloatArray, rho: FloatArray, max_goals: int, *, with_jacobian: bool
) -> tuple[FloatArray, FloatArray]:
    """Home and away win probabilities (2, n) and, if asked, their Jacobian (2, 2, n).

    ``jac[i, j]`` is the derivative of output i (home, away) with respect to
    log-rate j (home, away). Where rho makes a tau negative the point is
    outside the model: probabilities are NaN there, so line searches reject it.
    """
    g = max_goals + 1
    k = np.arange(g, dtype=np.float64)[:, np.newaxis]
    log_factorial = gammaln(k + 1.0)
    lam, mu = np.exp(x[0]), np.exp(x[1])
    p = np.exp(k * x[0] - lam - log_factorial)  # (g, n) home pmf
    q = np.exp(k * x[1] - mu - log_factorial)  # (g, n) away pmf
    below_q = np.cumsum(q, axis=0) - q  # Q_i = sum_{j<i} q_j
    below_p = np.cumsum(p, axis=0) - p  # R_j = sum_{i<j} p_i
    c00 = -lam * mu * rho * p[0] * q[0]
    c01 = lam * rho * p[0] * q[1]
    c10 = mu * rho * p[1] * q[0]
    c11 = -rho * p[1] * q[1]
    corrections = c00 + c01 + c10 + c11
    sum_p, sum_q = p.sum(axis=0), q.sum(axis=0)
    home_mass = (p * below_q).sum(axis=0) + c10
    away_mass = (q * below_p).sum(axis=0) + c01
    total = sum_p * sum_q + corrections
    feasible = (1 - lam * mu * rho >= 0) & (1 + lam * rho >= 0) & (1 + mu * rho >= 0)
    total = np.where(feasible & (rho <= 1), total, np.nan)
    probs = np.stack([home_mass / total, away_mass / total])
    if not with_jacobian:
        return probs, np.empty((2, 2, 0))
    dp, dq = p * (k - lam), q * (k - mu)  # d pmf / d log-rate
    d_lam, d_mu = 1.0 - lam, 1.0 - mu  # every correction scales so
    d_home = np.stack(
        [
            (dp * below_q).sum(axis=0) + c10 * d_lam,
            (p * (np.cumsum(dq, axis=0) - dq)).sum(axis=0) + c10 * d_mu,
        ]
    )
    d_away = np.stack(
        [
            (q * (np.cumsum(dp, axis=0) - dp)).sum(axis=0) + c01 * d_lam,
            (dq * below_p).sum(axis=0) + c01 * d_mu,
        ]
    )
    d_total = np.stack(
        [dp.sum(axis=0) * sum_q + corrections * d_lam, sum_p * dq.sum(axis=0) + corrections * d_mu]
    )
    jac = np.stack([(d_home - probs[0] * d_total) / total, (d_away - probs[1] * d_total) / total])
    return probs, jac


def _norm(f: FloatArray) -> FloatArray:
    """Largest absolute residual per fixture; NaN (outside the model) counts as infinite."""
    out: FloatArray = np.nan_to_num(np.abs(f).max(axis=0), nan=np.inf)
    return out
