"""Logarithmic pooling of several models' home/draw/away probabilities."""

from __future__ import annotations

import logging
import math
import warnings
from typing import Any, Self

import numpy as np
import numpy.typing as npt
from scipy.optimize import minimize
from sklearn.base import BaseEstimator, ClassifierMixin  # type: ignore[import-untyped, unused-ignore]
from sklearn.utils.validation import validate_data  # type: ignore[import-untyped, unused-ignore]

from scoreline.errors import ConvergenceWarning, DataError, ModelError, NotFittedError
from scoreline.models._outcomes import OUTCOMES, sample_weights
from scoreline.models._outcomes import outcomes as checked_outcomes

__all__ = ["LogLinearBlend"]

logger = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


class LogLinearBlend(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """Blend members' probabilities by a weighted geometric mean, fitted by log loss.

    For members k = 1 .. m with probabilities ``p_k`` over (home, draw, away),
    the blend is ``p_c proportional to exp(b_c) * prod_k p_kc ** w_k``: a
    logarithmic opinion pool with one weight per member and one intercept per
    outcome. Weights are non-negative but need not sum to 1: a sum above 1
    sharpens under-confident members, below 1 softens over-confident ones.
    Fit it on out-of-fold (or walk-forward) member predictions, never on
    predictions for the members' own training matches.

    Parameters
    ----------
    alpha : float, default 0.0
        Strength of an L2 penalty ``alpha / 2 * sum_k (w_k - 1/m) ** 2`` pulling
        the weights toward the plain geometric mean; the log loss it is added
        to is a mean per match, so 0.01 is already firm.
    fit_intercept : bool, default True
        Learn the per-outcome intercepts ``b``; otherwise they stay 0.
    min_probability : float, default 1e-6
        Member probabilities are floored here before the log, so a member that
        gave an outcome probability 0 cannot make the blend infinite.
    tol : float, default 1e-7
        Gradient tolerance of L-BFGS-B.
    max_iter : int, default 500
        Most L-BFGS-B iterations.

    Attributes
    ----------
    weights_ : array of shape (n_members_,)
        Non-negative pooling weights, in the column order of ``X``.
    intercepts_ : array of shape (3,)
        Home, draw and away intercepts; they sum to 0 (only differences matter).
    classes_ : array of shape (3,)
        Always ``[0, 1, 2]``: home, draw, away.
    n_members_ : int
    log_loss_ : float
        Mean (weighted) log loss on the fitting data, penalty excluded.
    converged_ : bool
    n_iter_ : int
    optimizer_message_ : str

    Notes
    -----
    ``X`` holds the members side by side, shape (n, 3 m): columns ``3k``,
    ``3k + 1``, ``3k + 2`` are member k's home, draw and away probabilities.
    Each member's three columns are rescaled to sum to 1 after flooring.
    The objective is convex in (w, b); L-BFGS-B with the exact gradient
    minimises it with the bounds ``w >= 0``.

    References
    ----------
    Genest, C. and Zidek, J. V. (1986). Combining probability distributions:
    a critique and an annotated bibliography. Statistical Science 1(1).
    """

    def __init__(
        self,
        *,
        alpha: float = 0.0,
        fit_intercept: bool = True,
        min_probability: float = 1e-6,
        tol: float = 1e-7,
        max_iter: int = 500,
    ) -> None:
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.min_probability = min_probability
        self.tol = tol
        self.max_iter = max_iter

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.positive_only = True
        return tags

    def fit(
        self,
        X: npt.ArrayLike,  # noqa: N803 (scikit-learn's name)
        y: npt.ArrayLike,
        sample_weight: npt.ArrayLike | None = None,
    ) -> Self:
        """Learn weights and intercepts from member probabilities ``X`` (n, 3 m) and outcomes.

        Raises
        ------
        ModelError
            An invalid hyperparameter (all are listed).
        DataError
            A column count that is not a multiple of 3, negative or non-finite
            probabilities, outcomes other than 0, 1 and 2, or bad weights.

        Warns
        -----
        ConvergenceWarning
            L-BFGS-B stopped before its tolerance; the fit is kept.
        """
        self._validate()
        raw, labels = validate_data(self, X, y, dtype=np.float64, y_numeric=False)
        outcomes = checked_outcomes(labels)
        weight = _ones_if_none(sample_weight, len(outcomes))
        present = np.unique(outcomes[weight > 0])
        if self.fit_intercept and len(present) < 3:
            # The intercept of a missing outcome would run off to minus infinity.
            raise DataError(
                f"LogLinearBlend needs all three outcomes among the fitting rows with "
                f"positive weight to fit intercepts; found {len(present)} class(es): "
                + ", ".join(str(c) for c in present)
            )
        logs = self._member_logs(raw)
        m = logs.shape[1]
        onehot = (outcomes[:, np.newaxis] == OUTCOMES).astype(np.float64)
        objective = _Objective(logs, onehot, weight / weight.sum(), float(self.alpha))
        start = np.concatenate([np.full(m, 1.0 / m), np.zeros(2)])
        bounds: list[tuple[float | None, float | None]] = [(0.0, None)] * m
        bounds += [(None, None) if self.fit_intercept else (0.0, 0.0)] * 2
        result = minimize(
            objective,
            start,
            jac=True,
            method="L-BFGS-B",
            bounds=bounds,
            options={"maxiter": int(self.max_iter), "gtol": float(self.tol), "ftol": 1e-13},
        )
        self.weights_ = np.asarray(result.x[:m], dtype=np.float64)
        intercepts = np.concatenate([[0.0], result.x[m:]])
        self.intercepts_ = intercepts - intercepts.mean()
        self.classes_ = OUTCOMES.copy()
        self.n_members_ = m
        self.log_loss_ = objective.log_loss(result.x)
        self.converged_ = bool(result.success)
        self.n_iter_ = max(int(result.nit), 1)
        self.optimizer_message_ = str(result.message)
        if not self.converged_:
            logger.warning("LogLinearBlend stopped early: %s", self.optimizer_message_)
            warnings.warn(
                f"LogLinearBlend: L-BFGS-B stopped after {self.n_iter_} iterations without "
                f"meeting tol={self.tol} ({self.optimizer_message_}); the weights are kept. "
                "Raise max_iter or check the inputs.",
                ConvergenceWarning,
                stacklevel=2,
            )
        return self

    def predict_proba(self, X: npt.ArrayLike) -> FloatArray:  # noqa: N803
        """Blended home, draw and away probabilities, array of shape (n, 3)."""
        if not hasattr(self, "weights_"):
            raise NotFittedError(
                "this LogLinearBlend is not fitted yet; call fit(X, y) before predicting"
            )
        raw = validate_data(self, X, dtype=np.float64, reset=False)
        return _softmax(
            self.intercepts_ + np.einsum("k,nkc->nc", self.weights_, self._member_logs(raw))
        )

    def predict_proba_trusted(self, members: FloatArray) -> FloatArray:
        """``predict_proba`` without input checks, for the live worker's own matrices."""
        return _softmax(
            self.intercepts_ + np.einsum("k,nkc->nc", self.weights_, self._member_logs(members))
        )

    def predict(self, X: npt.ArrayLike) -> IntArray:  # noqa: N803
        """The likeliest outcome of each row: 0 home, 1 draw, 2 away."""
        choice: IntArray = OUTCOMES[self.predict_proba(X).argmax(axis=1)]
        return choice

    def _member_logs(self, raw: FloatArray) -> FloatArray:
        """Log probabilities, shape (n, m, 3), each member floored and renormalised."""
        if raw.shape[1] % 3:
            raise DataError(
                f"LogLinearBlend needs 3 columns (home, draw, away) per member, "
                f"got {raw.shape[1]} column(s)"
            )
        if (raw < 0).any():
            raise DataError(
                "Negative values in data passed to LogLinearBlend: member probabilities "
                "must be >= 0"
            )
        members = np.maximum(raw.reshape(len(raw), -1, 3), float(self.min_probability))
        logs: FloatArray = np.log(members / members.sum(axis=2, keepdims=True))
        return logs

    def _validate(self) -> None:
        checks = [
            ("alpha", _real(self.alpha, low=0.0), "a finite number >= 0"),
            ("fit_intercept", isinstance(self.fit_intercept, bool), "True or False"),
            (
                "min_probability",
                _real(self.min_probability, low=0.0, high=1 / 3, strict=True),
                "a number in (0, 1/3]",
            ),
            ("tol", _real(self.tol, low=0.0, strict=True), "a finite number > 0"),
            ("max_iter", _whole(self.max_iter), "an int >= 1"),
        ]
        bad = [f"{n}={getattr(self, n)!r} (must be {rule})" for n, ok, rule in checks if not ok]
        if bad:
            raise ModelError("LogLinearBlend: invalid hyperparameters: " + "; ".join(bad))


class _Objective:
    """Mean log loss of the pool plus the L2 penalty, and its exact gradient.

    ``theta`` is (w_1 .. w_m, b_draw, b_away); the home intercept is fixed at 0,
    since adding a constant to every intercept changes nothing.
    """

    def __init__(
        self, logs: FloatArray, onehot: FloatArray, share: FloatArray, alpha: float
    ) -> None:
        self.logs, self.onehot, self.share, self.alpha = logs, onehot, share, alpha
        self.equal = 1.0 / logs.shape[1]

    def _scores(self, theta: FloatArray) -> FloatArray:
        m = self.logs.shape[1]
        intercepts = np.concatenate([[0.0], theta[m:]])
        scores: FloatArray = intercepts + np.einsum("k,nkc->nc", theta[:m], self.logs)
        return scores

    def log_loss(self, theta: FloatArray) -> float:
        scores = self._scores(theta)
        log_p = scores - _logsumexp(scores)
        return float(-(self.share * (self.onehot * log_p).sum(axis=1)).sum())

    def __call__(self, theta: FloatArray) -> tuple[float, FloatArray]:
        m = self.logs.shape[1]
        scores = self._scores(theta)
        log_p = scores - _logsumexp(scores)
        gap = theta[:m] - self.equal
        value = -(self.share * (self.onehot * log_p).sum(axis=1)).sum()
        value += 0.5 * self.alpha * gap @ gap
        # d(-log p_y)/d score_c = p_c - y_c, weighted by each row's share.
        residual = (np.exp(log_p) - self.onehot) * self.share[:, np.newaxis]
        grad = np.empty_like(theta)
        grad[:m] = np.einsum("nc,nkc->k", residual, self.logs) + self.alpha * gap
        grad[m:] = residual[:, 1:].sum(axis=0)
        return float(value), grad


def _logsumexp(scores: FloatArray) -> FloatArray:
    top = scores.max(axis=1, keepdims=True)
    out: FloatArray = top + np.log(np.exp(scores - top).sum(axis=1, keepdims=True))
    return out


def _softmax(scores: FloatArray) -> FloatArray:
    exp = np.exp(scores - _logsumexp(scores))
    out: FloatArray = exp / exp.sum(axis=1, keepdims=True)
    return out


def _real(value: object, *, low: float, high: float = math.inf, strict: bool = False) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        return False
    number = float(value)
    above = number > low if strict else number >= low
    return math.isfinite(number) and above and number <= high


def _whole(value: object) -> bool:
    return not isinstance(value, bool) and isinstance(value, int | np.integer) and int(value) >= 1


def _ones_if_none(sample_weight: npt.ArrayLike | None, n: int) -> FloatArray:
    weight = sample_weights(sample_weight, n)
    return np.ones(n) if weight is None else weight
