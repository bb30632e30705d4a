"""Keeping rho where every tau stays positive, by reparametrisation.

For a pair of teams with rates lambda (home) and mu (away) the four tau factors
are positive exactly when ``-1 / max(lambda, mu) < rho < min(1, 1 / (lambda mu))``.
Over every ordered pair of teams in the same component, home or neutral, that is

    L = -exp(-r) < rho < U = min(1, exp(-s)),
    r = max(home, 0) + max over i != j of attack_i + defence_j       (largest log rate)
    s = max(home, 0) + the two largest attack_k + defence_k, summed  (largest log lambda mu)

Each Newton step works on ``psi``, which is ``theta`` with rho replaced by
``eta``: ``rho = L + (U - L) * sigmoid(eta)``, with L and U those of the current
iterate and held fixed for the step, so the map is smooth (L and U themselves
are only piecewise smooth in theta, being maxima over pairs). A step therefore
never takes rho past the current range; the line search also rejects a point
whose own range excludes its rho. Where the optimum is inside the range, Newton
converges to it as in theta; where it lies on the edge, eta runs off and rho
approaches the edge from inside.

Pairs in different components are left out: their ratings share no scale (see
``DixonColes.components_``), and r and s must not change when a component's
attacks move up and its defences down by the same amount.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.special import expit, logit

__all__ = ["RhoRange", "clip_rho", "rho_range", "to_psi", "to_psi_derivatives", "to_theta"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]

_EDGE = 1e-12  # how close to an end of the range psi may put rho
_MARGIN = 1e-9  # relative gap kept from a tau of exactly 0 when pricing


@dataclass(frozen=True, slots=True)
class RhoRange:
    """The open interval (lower, upper) of valid rho."""

    lower: float
    upper: float

    def __contains__(self, rho: object) -> bool:
        return isinstance(rho, float) and self.lower < rho < self.upper


def rho_range(theta: FloatArray, members: list[IntArray]) -> RhoRange:
    """The valid range of rho at theta; ``members`` lists each component's team indices."""
    n = (len(theta) - 2) // 2
    attack, defence = theta[:n], theta[n : 2 * n]
    r = s = -np.inf
    for teams in members:
        r = max(r, _pair_max(attack[teams], defence[teams]))
        top = np.partition(attack[teams] + defence[teams], -2)[-2:]
        s = max(s, float(top.sum()))
    home = max(float(theta[2 * n]), 0.0)
    return RhoRange(lower=-float(np.exp(-r - home)), upper=min(1.0, float(np.exp(-s - home))))


def _pair_max(x: FloatArray, y: FloatArray) -> float:
    """max over i != j of x[i] + y[j]."""
    i, j = int(np.argmax(x)), int(np.argmax(y))
    if i != j:
        return float(x[i] + y[j])
    x_rest, y_rest = x.copy(), y.copy()
    x_rest[i], y_rest[j] = -np.inf, -np.inf
    return float(max(x[i] + y_rest.max(), x_rest.max() + y[j]))


def to_theta(psi: FloatArray, bounds: RhoRange) -> tuple[FloatArray, float]:
    """theta from psi, rho placed in ``bounds``; also sigmoid(eta)."""
    theta = psi.copy()
    sigma = float(expit(psi[-1]))
    theta[-1] = bounds.lower + (bounds.upper - bounds.lower) * sigma
    return theta, sigma


def to_psi(theta: FloatArray, bounds: RhoRange) -> FloatArray:
    """psi from theta, with rho first moved inside ``bounds`` if it lies outside."""
    psi = theta.copy()
    share = (float(theta[-1]) - bounds.lower) / (bounds.upper - bounds.lower)
    psi[-1] = float(logit(min(max(share, _EDGE), 1.0 - _EDGE)))
    return psi


def to_psi_derivatives(
    grad: FloatArray, hess: FloatArray, bounds: RhoRange, sigma: float
) -> tuple[FloatArray, FloatArray]:
    """Gradient and Hessian in psi (bounds held fixed) from those in theta.

    Only rho changes coordinates: with rho' = d rho / d eta and rho'' its
    derivative, ``g_eta = g_rho rho'``, ``H_theta,eta = H_theta,rho rho'`` and
    ``H_eta,eta = H_rho,rho rho'^2 + g_rho rho''``. The Hessian is overwritten.
    """
    width = bounds.upper - bounds.lower
    slope = width * sigma * (1.0 - sigma)
    curve = slope * (1.0 - 2.0 * sigma)
    g_rho = float(grad[-1])
    out = grad.copy()
    out[-1] = g_rho * slope
    h_rho = float(hess[-1, -1])
    hess[:, -1] *= slope
    hess[-1, :] *= slope
    hess[-1, -1] = h_rho * slope**2 + g_rho * curve
    return out, hess


def clip_rho(rho: float, lam: FloatArray, mu: FloatArray) -> FloatArray:
    """rho per fixture, pulled inside the range where its four taus are positive.

    ``lam`` and ``mu`` are the fixtures' rates, shape (n_fixtures,).
    """
    lowest = -(1.0 - _MARGIN) / np.maximum(lam, mu)
    highest = (1.0 - _MARGIN) * np.minimum(1.0, 1.0 / (lam * mu))
    return np.asarray(np.clip(rho, lowest, highest), dtype=np.float64)
