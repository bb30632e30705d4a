"""Goal-based Elo and pi-ratings: one round of rating changes, vectorised over matches.

Both systems are pure functions of the ratings before a round of matches and
the scores, returning the changes; ``models.features`` holds the ratings and
applies the changes one match day at a time. Arrays have shape (n_matches,).

Elo, as the World Football Elo Ratings define it::

    dr  = R_home - R_away + H            H: home advantage in rating points, 0 at a neutral venue
    W_e = 1 / (10 ** (-dr / 400) + 1)    the home side's expected score
    W   = 1, 1/2 or 0                    home win, draw, home defeat
    G   = 1 for a margin of 0 or 1, 3/2 for 2, (11 + N) / 8 for N >= 3
    R_home += K G (W - W_e)              and R_away -= the same amount

Pi-ratings (Constantinou and Fenton 2013) give each team a rating at home
``R^H`` and one away ``R^A``, starting at 0, on a logarithmic goal scale::

    g(R)  = sign(R) (b ** (|R| / c) - 1)      goal difference expected against an average side
    ĝ_D   = g(R_home^H) - g(R_away^A)          the match's expected goal difference
    e     = |g_D - ĝ_D|                       g_D = home goals - away goals
    ψ(e)  = c log_b(1 + e)                    diminishing returns; b = 10, c = 3
    ψ_H   = ψ(e) if g_D > ĝ_D else -ψ(e)      and ψ_A = -ψ_H
    R_home^H += λ ψ_H,  R_home^A += γ λ ψ_H   the other venue learns at the rate γ
    R_away^A += λ ψ_A,  R_away^H += γ λ ψ_A

with the paper's learning rates λ = 0.035 and γ = 0.7.

References
----------
Constantinou, A. C. and Fenton, N. E. (2013). Determining the level of ability of
football teams by dynamic ratings based on the relative discrepancies in scores
between adversaries. Journal of Quantitative Analysis in Sports 9(1), 37-50.
World Football Elo Ratings, "About the ratings", https://www.eloratings.net/about.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = [
    "PI_BASE",
    "PI_SCALE",
    "elo_change",
    "elo_expected_score",
    "goal_margin_index",
    "pi_change",
    "pi_expected_goal_difference",
    "pi_goal_difference",
]

FloatArray = npt.NDArray[np.float64]

PI_BASE = 10.0  # b in the paper
PI_SCALE = 3.0  # c in the paper


def elo_expected_score(
    home_rating: npt.ArrayLike, away_rating: npt.ArrayLike, home_advantage: npt.ArrayLike = 0.0
) -> FloatArray:
    """The home side's expected Elo score ``W_e``, between 0 and 1.

    Parameters
    ----------
    home_rating, away_rating : array-like of shape (n_matches,)
        Ratings before the match.
    home_advantage : float or array-like of shape (n_matches,)
        Rating points added to the home side; pass 0 for a neutral venue.

    Returns
    -------
    array of shape (n_matches,)
    """
    dr = np.asarray(home_rating, dtype=np.float64) - np.asarray(away_rating, dtype=np.float64)
    dr = dr + np.asarray(home_advantage, dtype=np.float64)
    expected: FloatArray = 1.0 / (10.0 ** (-dr / 400.0) + 1.0)
    return expected


def goal_margin_index(margin: npt.ArrayLike) -> FloatArray:
    """The World Football Elo multiplier ``G`` of a goal margin (sign ignored).

    1 for a draw or a one-goal win, 3/2 for two goals, ``(11 + N) / 8`` for N >= 3.
    """
    n = np.abs(np.asarray(margin, dtype=np.float64))
    index: FloatArray = np.where(n <= 1, 1.0, np.where(n == 2, 1.5, (11.0 + n) / 8.0))
    return index


def elo_change(
    home_rating: npt.ArrayLike,
    away_rating: npt.ArrayLike,
    home_goals: npt.ArrayLike,
    away_goals: npt.ArrayLike,
    *,
    k: float,
    home_advantage: npt.ArrayLike = 0.0,
) -> FloatArray:
    """The home side's rating change ``K G (W - W_e)``; the away side loses as much.

    Parameters
    ----------
    home_rating, away_rating : array-like of shape (n_matches,)
        Ratings before the match.
    home_goals, away_goals : array-like of shape (n_matches,)
    k : float
        The weight of a match (World Football Elo uses 20 for friendlies up to
        60 for World Cup finals).
    home_advantage : float or array-like of shape (n_matches,)
        Rating points added to the home side; 0 at a neutral venue.

    Returns
    -------
    array of shape (n_matches,)
    """
    margin = np.asarray(home_goals, dtype=np.float64) - np.asarray(away_goals, dtype=np.float64)
    score = np.where(margin > 0, 1.0, np.where(margin == 0, 0.5, 0.0))
    expected = elo_expected_score(home_rating, away_rating, home_advantage)
    change: FloatArray = k * goal_margin_index(margin) * (score - expected)
    return change


def pi_goal_difference(
    rating: npt.ArrayLike, *, base: float = PI_BASE, scale: float = PI_SCALE
) -> FloatArray:
    """Goal difference a pi-rating expects against an average side: ``sign(R) (b^(|R|/c) - 1)``."""
    r = np.asarray(rating, dtype=np.float64)
    goals: FloatArray = np.sign(r) * (base ** (np.abs(r) / scale) - 1.0)
    return goals


def pi_expected_goal_difference(
    home_home_rating: npt.ArrayLike,
    away_away_rating: npt.ArrayLike,
    *,
    base: float = PI_BASE,
    scale: float = PI_SCALE,
) -> FloatArray:
    """The match's expected goal difference ``ĝ_D``, home minus away.

    Parameters
    ----------
    home_home_rating : array-like of shape (n_matches,)
        The home side's rating at home, ``R_home^H``.
    away_away_rating : array-like of shape (n_matches,)
        The away side's rating away, ``R_away^A``.
    base, scale : float
        ``b`` and ``c`` of the paper.

    Returns
    -------
    array of shape (n_matches,)
    """
    home = pi_goal_difference(home_home_rating, base=base, scale=scale)
    expected: FloatArray = home - pi_goal_difference(away_away_rating, base=base, scale=scale)
    return expected


def pi_change(
    home_home_rating: npt.ArrayLike,
    away_away_rating: npt.ArrayLike,
    home_goals: npt.ArrayLike,
    away_goals: npt.ArrayLike,
    *,
    learning_rate: float = 0.035,
    base: float = PI_BASE,
    scale: float = PI_SCALE,
) -> FloatArray:
    """The change ``λ ψ_H`` of the home side's home rating.

    The away side's away rating changes by the opposite amount, and each side's
    rating at the other venue by ``γ`` times its own change (module docstring).

    Parameters
    ----------
    home_home_rating, away_away_rating : array-like of shape (n_matches,)
        ``R_home^H`` and ``R_away^A`` before the match.
    home_goals, away_goals : array-like of shape (n_matches,)
    learning_rate : float
        λ of the paper.
    base, scale : float
        ``b`` and ``c`` of the paper.

    Returns
    -------
    array of shape (n_matches,)
    """
    observed = np.asarray(home_goals, dtype=np.float64) - np.asarray(away_goals, dtype=np.float64)
    expected = pi_expected_goal_difference(
        home_home_rating, away_away_rating, base=base, scale=scale
    )
    error = np.abs(observed - expected)
    weighted = scale * np.log1p(error) / np.log(base)
    change: FloatArray = learning_rate * np.where(observed > expected, weighted, -weighted)
    return change
