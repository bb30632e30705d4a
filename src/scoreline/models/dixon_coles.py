"""The Dixon-Coles model: team ratings fitted by exact maximum likelihood."""

from __future__ import annotations

import datetime as dt
import logging
import math
import warnings
from typing import Self

import numpy as np
import numpy.typing as npt

from scoreline.errors import ConvergenceWarning, DataError, ModelError, NotFittedError
from scoreline.models._dc_likelihood import PairData
from scoreline.models._dc_newton import maximise
from scoreline.models._dc_rho import clip_rho, rho_range
from scoreline.models._dc_teams import Teams, index_matches, newcomer_prior, report_problems
from scoreline.models._frames import FrameLike, fixture_columns, match_columns
from scoreline.models.grid import ScoreGrid

__all__ = ["DixonColes", "UnseenTeamWarning"]

logger = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float64]


class UnseenTeamWarning(UserWarning):
    """``predict`` met teams absent from the fit and priced them with the newcomer prior."""


class DixonColes:
    """Dixon & Coles (1997) model of football scores, fitted by weighted maximum likelihood.

    Home goals are Poisson with mean ``lambda = exp(home_advantage + attack[home]
    + defence[away])`` and away goals Poisson with ``mu = exp(attack[away] +
    defence[home])``; home advantage is left out at neutral venues. The
    probabilities of 0-0, 0-1, 1-0 and 1-1 are multiplied by tau(0,0) = 1 -
    lambda mu rho, tau(0,1) = 1 + lambda rho, tau(1,0) = 1 + mu rho and
    tau(1,1) = 1 - rho. A higher ``defence`` means more goals conceded. Each
    match is weighted by ``exp(-xi * days before the reference date)``.

    The fit is Newton's method on the exact gradient and Hessian (tau terms
    included), so it stops at the true maximum: the Newton decrement, the gain
    still available, is below ``tol``. Attacks sum to zero within each component
    of the match graph; rho is kept where every tau is positive for every pair
    of teams in a component, home or neutral (see ``rho_range_``).

    Parameters
    ----------
    xi : float, default 0.0
        Time-decay rate per day; 0 weights every match equally. Dixon & Coles
        found 0.0065 per half-week, about 0.0018 per day, best for 1x2.
    max_goals : int, default 10
        Largest score per side in the grids ``predict`` returns.
    tol : float, default 1e-9
        Stop when the next Newton step would raise the objective by at most
        this much (log-likelihood units).
    max_iter : int, default 100
        Most Newton steps per fit.
    warm_start : bool, default False
        Start a second ``fit`` from the previous ratings, matched by team name;
        new teams start at the newcomer prior.
    prior_strength : float, default 0.0
        Precision of a Gaussian prior on each team's attack and defence around
        its component's means: ``prior_strength / 2 * sum of squared
        deviations`` is subtracted from the log-likelihood. It matters most for
        teams with few (or old) matches, whose likelihood is flat; 0 gives
        the plain maximum-likelihood fit.

    Attributes
    ----------
    teams_ : list of str
        Team names, sorted; the arrays below follow this order.
    attack_, defence_ : array of shape (n_teams,)
        Log-scale ratings.
    home_advantage_ : float
        Log-scale home advantage (0 when every match was at a neutral venue).
    rho_ : float
        Low-score dependence; inside ``rho_range_``.
    rho_range_ : tuple of (float, float)
        Open interval of rho keeping every tau positive at the fitted ratings.
    log_likelihood_ : float
        Weighted log-likelihood at the optimum (penalty excluded), counting the
        log-factorial terms.
    converged_ : bool
        Whether the Newton decrement reached ``tol``; if not, a
        ``ConvergenceWarning`` was emitted.
    n_iter_ : int
        Newton steps taken.
    optimizer_message_ : str
        Why the optimiser stopped.
    n_matches_ : int
        Matches fitted on.
    reference_date_ : datetime.date
        Date from which the time decay counts back.
    components_ : list of set of str
        Groups of teams linked by matches, directly or through others, largest
        first. Ratings compare only within a group; more than one is logged.
    newcomer_attack_, newcomer_defence_ : array of shape (n_components,)
        Ratings given to a team ``predict`` has not seen, in the component of
        its opponent (the largest if neither is known): the mean of the weakest
        15% of that component by ``attack - defence``. Unseen teams are mostly
        promoted ones, which replace the relegated (weakest) teams and on
        average finish near them.

    References
    ----------
    Dixon, M. J. & Coles, S. G. (1997) Modelling association football scores and
    inefficiencies in the football betting market. Journal of the Royal
    Statistical Society: Series C (Applied Statistics) 46(2), 265-280.
    """

    teams_: list[str]
    attack_: FloatArray
    defence_: FloatArray
    home_advantage_: float
    rho_: float
    rho_range_: tuple[float, float]
    log_likelihood_: float
    converged_: bool
    n_iter_: int
    optimizer_message_: str
    n_matches_: int
    reference_date_: dt.date
    components_: list[set[str]]
    newcomer_attack_: FloatArray
    newcomer_defence_: FloatArray
    _team_index: dict[str, int]
    _team_group: dict[str, int]

    def __init__(
        self,
        *,
        xi: float = 0.0,
        max_goals: int = 10,
        tol: float = 1e-9,
        max_iter: int = 100,
        warm_start: bool = False,
        prior_strength: float = 0.0,
    ) -> None:
        self.xi = xi
        self.max_goals = max_goals
        self.tol = tol
        self.max_iter = max_iter
        self.warm_start = warm_start
        self.prior_strength = prior_strength

    def __repr__(self) -> str:
        return (
            f"DixonColes(xi={self.xi!r}, max_goals={self.max_goals!r}, tol={self.tol!r}, "
            f"max_iter={self.max_iter!r}, warm_start={self.warm_start!r}, "
            f"prior_strength={self.prior_strength!r})"
        )

    def fit(self, matches: FrameLike, *, reference_date: dt.date | None = None) -> Self:
        """Fit the ratings to finished matches.

        Parameters
        ----------
        matches : pandas or polars DataFrame
            Columns ``date``, ``home_team``, ``away_team``, ``home_goals``,
            ``away_goals`` and optionally ``neutral`` (bool or 0/1).
        reference_date : datetime.date, optional
            Day the time decay counts back from; defaults to the latest match.

        Returns
        -------
        DixonColes
            The fitted model (``self``).

        Raises
        ------
        ModelError
            A hyperparameter outside its allowed values.
        DataError
            A missing column, missing or negative goals, a team playing itself,
            or a match after ``reference_date``.
        """
        self._validate()
        columns = match_columns(matches)
        reference = np.datetime64(reference_date or columns.date.max(), "D")
        days = np.asarray(reference - columns.date, dtype="timedelta64[D]").astype(np.int64)
        if (days < 0).any():
            raise DataError(
                f"matches: {int((days < 0).sum())} match(es) after reference_date "
                f"{reference}; drop them or move reference_date"
            )
        teams, data = index_matches(columns, np.exp(-float(self.xi) * days.astype(np.float64)))
        report_problems(
            teams, columns.home_goals, columns.away_goals, penalised=self.prior_strength > 0
        )
        result = maximise(
            data,
            teams.members,
            self._start(teams, data),
            prior_strength=float(self.prior_strength),
            tol=float(self.tol),
            max_iter=int(self.max_iter),
        )
        self._store(teams, result.theta, reference, len(columns.date))
        self.log_likelihood_ = result.log_likelihood
        self.converged_ = result.converged
        self.n_iter_ = result.n_iter
        self.optimizer_message_ = result.message
        low, high = self.rho_range_
        if min(self.rho_ - low, high - self.rho_) <= 1e-6 * (high - low):
            # The likelihood still rises past the edge: some pair's tau is near 0.
            self.optimizer_message_ += "; rho is at the edge of its valid range"
            logger.warning(
                "rho %.6f is at the edge of its valid range %s", self.rho_, self.rho_range_
            )
        if not result.converged:
            warnings.warn(
                f"DixonColes did not converge: {result.message}; the last iterate is "
                "kept and converged_ is False",
                ConvergenceWarning,
                stacklevel=2,
            )
        logger.debug(
            "fitted DixonColes on %d matches, %d teams: log-likelihood %.4f, "
            "%d Newton steps, converged=%s",
            self.n_matches_,
            len(self.teams_),
            self.log_likelihood_,
            self.n_iter_,
            self.converged_,
        )
        return self

    def predict(self, fixtures: FrameLike) -> ScoreGrid:
        """Score grids for fixtures.

        Parameters
        ----------
        fixtures : pandas or polars DataFrame
            Columns ``home_team``, ``away_team`` and optionally ``neutral`` and
            ``date`` (checked, not used: the ratings are those at
            ``reference_date_``).

        Returns
        -------
        ScoreGrid
            One (max_goals + 1) square grid per fixture, in row order.

        Raises
        ------
        NotFittedError
            Before ``fit``.
        DataError
            A missing column or missing team names.

        Warns
        -----
        UnseenTeamWarning
            A team absent from the fit; it is priced with the newcomer prior.
        """
        if not hasattr(self, "attack_"):
            raise NotFittedError(
                "this DixonColes is not fitted yet; call fit(matches) before predict"
            )
        columns = fixture_columns(fixtures)
        home_attack, home_defence, home_group = self._ratings(columns.home_team)
        away_attack, away_defence, away_group = self._ratings(columns.away_team)
        for attack, defence, group, other in (
            (home_attack, home_defence, home_group, away_group),
            (away_attack, away_defence, away_group, home_group),
        ):
            unseen = group < 0
            prior_group = np.where(other[unseen] >= 0, other[unseen], 0)
            attack[unseen] = self.newcomer_attack_[prior_group]
            defence[unseen] = self.newcomer_defence_[prior_group]
        self._report_unseen(columns.home_team, columns.away_team, home_group, away_group)
        at_home = np.where(columns.neutral, 0.0, self.home_advantage_)
        lam = np.exp(at_home + home_attack + away_defence)
        mu = np.exp(away_attack + home_defence)
        # Pairs from different components, or with a newcomer, can lie outside
        # the range rho was fitted in; their rho is pulled in to keep tau >= 0.
        rho = clip_rho(self.rho_, lam, mu)
        if (rho != self.rho_).any():
            logger.warning(
                "rho %.4f pulled inside its valid range for %d fixture(s)",
                self.rho_,
                int((rho != self.rho_).sum()),
            )
        return ScoreGrid.from_dixon_coles(
            lam,
            mu,
            rho,
            max_goals=int(self.max_goals),
            home_team=[str(t) for t in columns.home_team],
            away_team=[str(t) for t in columns.away_team],
        )

    # -- helpers -----------------------------------------------------------------

    def _validate(self) -> None:
        checks = [
            ("xi", _real(self.xi, low=0.0), "a finite number >= 0 (per day)"),
            ("max_goals", _whole(self.max_goals), "an int >= 1"),
            ("tol", _real(self.tol, low=0.0, strict=True), "a finite number > 0"),
            ("max_iter", _whole(self.max_iter), "an int >= 1"),
            ("warm_start", isinstance(self.warm_start, bool), "True or False"),
            ("prior_strength", _real(self.prior_strength, low=0.0), "a finite number >= 0"),
        ]
        bad = [f"{n}={getattr(self, n)!r} (must be {rule})" for n, ok, rule in checks if not ok]
        if bad:
            raise ModelError("DixonColes: invalid hyperparameters: " + "; ".join(bad))

    def _start(self, teams: Teams, data: PairData) -> FloatArray:
        """Starting theta: the previous fit under warm_start, else flat ratings."""
        n = len(teams.names)
        theta = np.zeros(data.size)
        if self.warm_start and hasattr(self, "attack_"):
            attack, defence, _ = self._ratings(np.asarray(teams.names, dtype=object))
            new = np.array([name not in self._team_index for name in teams.names], dtype=bool)
            attack[new], defence[new] = self.newcomer_attack_[0], self.newcomer_defence_[0]
            theta[:n], theta[n : 2 * n] = attack, defence
            theta[2 * n], theta[-1] = self.home_advantage_, self.rho_
            return theta
        home_goals = data.at_home @ data.home_goals
        away_goals = data.at_home @ data.away_goals
        if home_goals > 0 and away_goals > 0:
            theta[2 * n] = np.clip(np.log(home_goals / away_goals), -1.0, 1.0)
        goals = np.bincount(teams.label[data.home], data.home_goals + data.away_goals)
        games = np.bincount(teams.label[data.home], 2.0 * data.weight)
        theta[n : 2 * n] = np.log(np.maximum(goals / games, 0.05))[teams.label]
        return theta

    def _store(self, teams: Teams, theta: FloatArray, reference: np.datetime64, n: int) -> None:
        k = len(teams.names)
        self.teams_ = teams.names
        self.attack_ = theta[:k].copy()
        self.defence_ = theta[k : 2 * k].copy()
        self.home_advantage_ = float(theta[2 * k])
        self.rho_ = float(theta[-1])
        bounds = rho_range(theta, teams.members)
        self.rho_range_ = (bounds.lower, bounds.upper)
        self.n_matches_ = n
        self.reference_date_ = dt.date.fromisoformat(str(reference))
        self.components_ = [{teams.names[i] for i in m} for m in teams.members]
        self._team_group = {name: int(teams.label[i]) for i, name in enumerate(teams.names)}
        self._team_index = {name: i for i, name in enumerate(teams.names)}
        self.newcomer_attack_, self.newcomer_defence_ = newcomer_prior(
            self.attack_, self.defence_, teams.members
        )

    def _ratings(
        self, names: npt.NDArray[np.object_]
    ) -> tuple[FloatArray, FloatArray, npt.NDArray[np.intp]]:
        """Attack, defence and component per fixture; component -1 where unseen."""
        index = np.array([self._team_index.get(name, -1) for name in names], dtype=np.intp)
        group = np.array([self._team_group.get(name, -1) for name in names], dtype=np.intp)
        known = index >= 0
        attack, defence = np.zeros(len(names)), np.zeros(len(names))
        attack[known], defence[known] = self.attack_[index[known]], self.defence_[index[known]]
        return attack, defence, group

    def _report_unseen(
        self,
        home: npt.NDArray[np.object_],
        away: npt.NDArray[np.object_],
        home_group: npt.NDArray[np.intp],
        away_group: npt.NDArray[np.intp],
    ) -> None:
        unseen = sorted({*home[home_group < 0], *away[away_group < 0]})
        if unseen:
            warnings.warn(
                f"{len(unseen)} team(s) not in the fitted data, priced with the newcomer "
                f"prior (the weakest 15% of the opponent's component): "
                + ", ".join(repr(str(t)) for t in unseen),
                UnseenTeamWarning,
                stacklevel=3,
            )
        across = (home_group >= 0) & (away_group >= 0) & (home_group != away_group)
        if across.any():
            logger.warning(
                "%d fixture(s) pair teams from components that never met; their "
                "ratings share no common scale",
                int(across.sum()),
            )


def _real(value: object, *, low: float, strict: bool = False) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        return False
    number = float(value)
    return math.isfinite(number) and (number > low if strict else number >= low)


def _whole(value: object) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        return False
    return int(value) >= 1
