"""Newton's method with a line search for the Dixon-Coles maximum likelihood.

The objective is the weighted log-likelihood (``_dc_likelihood``) in the
coordinates ``psi`` of ``_dc_rho``, minus an optional Gaussian penalty
``prior_strength / 2 * sum((attack - mean) ** 2 + (defence - mean) ** 2)``, the
means taken within each component.

Identifiability: within a component, adding k to every attack and subtracting k
from every defence changes no rate, so the Hessian is singular along those
directions and the gradient is orthogonal to them. Each Newton system is solved
with ``A'A`` added (A sums a component's attacks): the solution is then the
unique Newton step whose attacks sum to zero per component. After every step
the attacks are re-centred exactly, which changes neither the objective nor its
derivatives. The iteration stops when the Newton decrement ``g' M^-1 g / 2``,
the predicted gain of the next step, is at most ``tol``; that final step is
still taken.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.linalg import LinAlgError, cho_factor, cho_solve
from scipy.special import expit

from scoreline.models._dc_likelihood import PairData, log_likelihood, log_likelihood_derivatives
from scoreline.models._dc_rho import RhoRange, rho_range, to_psi, to_psi_derivatives, to_theta

__all__ = ["NewtonResult", "maximise"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]

_ARMIJO = 1e-4
_MAX_HALVINGS = 40


@dataclass(frozen=True, slots=True)
class NewtonResult:
    """Where the iteration stopped; ``theta`` holds attacks summing to zero per component."""

    theta: FloatArray
    log_likelihood: float  # without the penalty
    converged: bool
    n_iter: int
    message: str


@dataclass(frozen=True, slots=True)
class _Point:
    """An iterate with its objective and theta-space derivatives (penalty included)."""

    theta: FloatArray
    log_likelihood: float
    objective: float
    grad: FloatArray
    hess: FloatArray


class _Problem:
    """The data, the components and the constant part of the Newton matrix."""

    def __init__(self, data: PairData, members: list[IntArray], prior_strength: float) -> None:
        self.data, self.members, self.prior_strength = data, members, prior_strength
        n, size = data.n_teams, data.size
        self.label = np.empty(n, dtype=np.intp)
        for c, teams in enumerate(members):
            self.label[teams] = c
        self.sizes = np.bincount(self.label, minlength=len(members)).astype(np.float64)
        # A'A pins the gauge; the penalty's Hessian is s (I - J / n_c) per component.
        fixed = np.zeros((size, size))
        for teams in members:
            fixed[np.ix_(teams, teams)] += 1.0 - prior_strength / len(teams)
            fixed[np.ix_(n + teams, n + teams)] -= prior_strength / len(teams)
        fixed[np.arange(2 * n), np.arange(2 * n)] += prior_strength
        if not (data.at_home @ data.weight > 0):
            fixed[2 * n, 2 * n] += 1.0  # every match neutral: home advantage stays at 0
        self.fixed = fixed
        self.damping = 0.0
        self.blocks = [np.concatenate([teams, n + teams]) for teams in members]
        self.team_coordinates = np.concatenate(self.blocks)

    def centred(self, values: FloatArray) -> FloatArray:
        means = np.bincount(self.label, values, len(self.members)) / self.sizes
        return values - means[self.label]

    def recentre(self, theta: FloatArray) -> FloatArray:
        """The same rates with attacks summing to zero in each component."""
        n = self.data.n_teams
        shift = theta[:n] - self.centred(theta[:n])
        out = theta.copy()
        out[:n] -= shift
        out[n : 2 * n] += shift
        return out

    def penalty(self, theta: FloatArray) -> tuple[float, FloatArray]:
        """The penalty and its gradient in the team coordinates (size 2 n)."""
        n = self.data.n_teams
        if self.prior_strength == 0:
            return 0.0, np.zeros(2 * n)
        dev = np.concatenate([self.centred(theta[:n]), self.centred(theta[n : 2 * n])])
        return 0.5 * self.prior_strength * float(dev @ dev), self.prior_strength * dev

    def objective(self, theta: FloatArray) -> float:
        """Penalised log-likelihood; -inf where rho is outside its range at theta."""
        if float(theta[-1]) not in rho_range(theta, self.members):
            return -np.inf
        return log_likelihood(theta, self.data) - self.penalty(theta)[0]

    def point(self, theta: FloatArray) -> _Point | None:
        """Objective and derivatives at theta; None where they are not finite."""
        value, grad, hess = log_likelihood_derivatives(theta, self.data)
        if hess is None or not np.isfinite(value):
            return None
        penalty, penalty_grad = self.penalty(theta)
        grad[: len(penalty_grad)] -= penalty_grad
        if not (np.isfinite(grad).all() and np.isfinite(hess).all()):
            return None
        return _Point(theta, value, value - penalty, grad, hess)

    def step(self, grad: FloatArray, hess: FloatArray) -> FloatArray:
        """The Newton step for psi, damped (Levenberg) where needed to factorise."""
        matrix = self.fixed - hess
        scale = float(np.abs(np.diag(matrix)).max())
        # Start from the last damping that worked, shrunk: a team whose rating
        # runs off to -inf leaves the matrix nearly singular at every step.
        damping = 0.1 * self.damping
        while True:
            try:
                direction = self._solve(matrix, grad, damping)
            except LinAlgError:
                damping = max(10.0 * damping, 1e-12 * scale)
                continue
            self.damping = damping
            return direction

    def _solve(self, matrix: FloatArray, rhs: FloatArray, damping: float) -> FloatArray:
        """Solve (matrix + damping I) x = rhs by blocks; LinAlgError if not positive definite.

        No match links two components, so the matrix is block diagonal in the
        teams of each component apart from the last two coordinates (home
        advantage and eta), which touch everything: factor each block, then
        solve the 2 x 2 Schur complement of the shared pair.
        """
        shared = slice(self.data.size - 2, self.data.size)
        across = matrix[:, shared]
        solved = np.empty((len(rhs), 3))  # columns: B^-1 rhs, B^-1 across
        for index in self.blocks:
            block = matrix[np.ix_(index, index)]
            block[np.diag_indices_from(block)] += damping
            factor = cho_factor(block, overwrite_a=True, check_finite=False)
            both = np.column_stack([rhs[index], across[index]])
            solved[index] = cho_solve(factor, both, check_finite=False)
        team = self.team_coordinates
        schur = matrix[shared, shared] + damping * np.eye(2) - across[team].T @ solved[team, 1:]
        factor = cho_factor(schur, check_finite=False)
        tail = cho_solve(factor, rhs[shared] - across[team].T @ solved[team, 0], check_finite=False)
        out = np.empty_like(rhs)
        out[team] = solved[team, 0] - solved[team, 1:] @ tail
        out[shared] = tail
        return out


def maximise(
    data: PairData,
    members: list[IntArray],
    start: FloatArray,
    *,
    prior_strength: float,
    tol: float,
    max_iter: int,
) -> NewtonResult:
    """Maximise the penalised likelihood from ``start`` (a theta) by damped Newton steps."""
    problem = _Problem(data, members, prior_strength)
    theta = problem.recentre(start)
    bounds = rho_range(theta, members)
    theta, _ = to_theta(to_psi(theta, bounds), bounds)
    point = problem.point(theta)
    if point is None:
        raise FloatingPointError("the likelihood is not finite at the starting point")
    for n_iter in range(max_iter):
        bounds = rho_range(point.theta, members)
        psi = to_psi(point.theta, bounds)
        sigma = float(expit(psi[-1]))
        grad, hess = to_psi_derivatives(point.grad, point.hess, bounds, sigma)
        direction = problem.step(grad, hess)
        decrement = 0.5 * float(grad @ direction)
        if decrement <= tol:
            final = problem.point(problem.recentre(to_theta(psi + direction, bounds)[0]))
            if final is not None and final.objective >= point.objective - 1e-12 * abs(
                point.objective
            ):
                point = final
            return _result(point, True, n_iter + 1, f"Newton decrement {decrement:.1e} <= tol")
        found = _line_search(
            problem=problem,
            point=point,
            psi=psi,
            direction=direction,
            decrement=decrement,
            bounds=bounds,
        )
        if found is None:
            return _result(point, False, n_iter, "line search could not improve the objective")
        point = found
    return _result(point, False, max_iter, f"stopped after max_iter={max_iter} Newton steps")


def _line_search(
    *,
    problem: _Problem,
    point: _Point,
    psi: FloatArray,
    direction: FloatArray,
    decrement: float,
    bounds: RhoRange,
) -> _Point | None:
    """Backtrack from the full step until the Armijo condition holds."""
    step = 1.0
    for _ in range(_MAX_HALVINGS):
        theta = problem.recentre(to_theta(psi + step * direction, bounds)[0])
        if problem.objective(theta) >= point.objective + _ARMIJO * step * 2.0 * decrement:
            return problem.point(theta)
        step *= 0.5
    return None


def _result(point: _Point, converged: bool, n_iter: int, message: str) -> NewtonResult:
    return NewtonResult(
        theta=point.theta,
        log_likelihood=point.log_likelihood,
        converged=converged,
        n_iter=n_iter,
        message=message,
    )
