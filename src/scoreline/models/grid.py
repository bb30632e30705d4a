"""One score grid per fixture, and every market priced from it, batched."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, Literal, get_args

import numpy as np
import numpy.typing as npt

from scoreline.errors import ConvergenceWarning, DataError
from scoreline.models._grid_solve import RateSolution, solve_rates
from scoreline.models._markets import (
    SETTLEMENT_OUTCOMES,
    GridSummary,
    TailTable,
    fair_price,
    line_probabilities,
    line_threshold,
    settle,
)

__all__ = ["SETTLEMENT_OUTCOMES", "GridMarket", "LineMarket", "RateSolution", "ScoreGrid"]

FloatArray = npt.NDArray[np.float64]

GridMarket = Literal[
    "1x2",
    "double_chance",
    "draw_no_bet",
    "btts",
    "correct_score",
    "home_total",
    "away_total",
    "win_to_nil",
    "expected_goals",
    "over_under",
    "asian_handicap",
]
LineMarket = Literal["over_under", "home_total", "away_total", "asian_handicap"]

_MARKETS: frozenset[str] = frozenset(get_args(GridMarket))
_LINE_MARKETS: frozenset[str] = frozenset(get_args(LineMarket))
_SUM_TOLERANCE = 1e-6


class ScoreGrid:
    """Exact-score probabilities for a batch of fixtures, and the markets they price.

    Parameters
    ----------
    probabilities : array of shape (n_fixtures, g, g), or (g, g) for one fixture
        ``probabilities[f, h, a]`` is P(home scores h, away scores a) for
        h, a in 0 .. g - 1. Each fixture's grid must be finite, non-negative and
        sum to 1 within 1e-6 (it is rescaled to sum to 1 exactly).
    home_goals_expectation, away_goals_expectation : array of shape (n_fixtures,), optional
        Expected goals; default to the grid's own means. ``from_dixon_coles``
        passes the model rates, which are the means of the untruncated
        distribution (the tau correction leaves both means unchanged).
    home_team, away_team : sequence of str of length n_fixtures, optional
        Names carried along for display; not used in any calculation.

    Attributes
    ----------
    max_goals : int
        ``g - 1``; scores above it have been cut off (see ``from_dixon_coles``).
    rate_solution : RateSolution or None
        For grids from ``from_1x2``, how each fixture's rates were found;
        None otherwise.

    Notes
    -----
    Markets come from ``probabilities(market, line)``, ``fair_odds`` and, for
    line markets, ``settlement``. Market names (``GridMarket``) and shapes:

    ==================  ============  =========================================
    ``1x2``             (n, 3)        home, draw, away
    ``double_chance``   (n, 3)        1X, 12, X2
    ``draw_no_bet``     (n, 2)        home, away, given no draw (NaN if P(draw)=1)
    ``btts``            (n, 2)        yes, no
    ``correct_score``   (n, g, g)     the grid itself
    ``win_to_nil``      (n, 2)        home wins to nil, away wins to nil
    ``expected_goals``  (n, 2)        home, away (not a priced market)
    ``over_under``      (n, 2)        over, under; line 0.5 .. 6.5
    ``home_total``      (n, 2)        over, under on home goals; line 0.5 .. 6.5
    ``away_total``      (n, 2)        over, under on away goals; line 0.5 .. 6.5
    ``asian_handicap``  (n, 2)        home, away; line is the HOME handicap,
                                      -3.5 .. 3.5
    ==================  ============  =========================================

    Lines are floats or Decimals on the quarter-goal grid. For a line market
    the (n, 2) probabilities are the push-free effective win probabilities
    ``q = (W + HW/2) / (W + HW/2 + HL/2 + L)`` of each side's settlement: on a
    half line that is just P(win); on whole and quarter lines it is the
    probability whose reciprocal is the fair price, and the two sides sum to 1.
    """

    def __init__(
        self,
        probabilities: npt.ArrayLike,
        *,
        home_goals_expectation: npt.ArrayLike | None = None,
        away_goals_expectation: npt.ArrayLike | None = None,
        home_team: Sequence[str] | None = None,
        away_team: Sequence[str] | None = None,
    ) -> None:
        grid = np.array(probabilities, dtype=np.float64)
        if grid.ndim == 2:
            grid = grid[np.newaxis]
        if grid.ndim != 3 or grid.shape[1] != grid.shape[2] or grid.shape[1] == 0:
            raise DataError(f"score grid must have shape (n, g, g) with g >= 1, got {grid.shape}")
        flat = grid.reshape(len(grid), -1)
        if not (flat >= 0).all():  # NaN fails here too
            _check_rows(~(flat >= 0).all(axis=1), "has negative or NaN probabilities")
        total = flat @ np.ones(flat.shape[1])
        # Written so that an infinite or NaN total fails as well.
        _check_rows(~(np.abs(total - 1.0) <= _SUM_TOLERANCE), "does not sum to 1")
        grid /= total[:, np.newaxis, np.newaxis]
        self._set_state(grid, home_goals_expectation, away_goals_expectation)
        self.home_team = _names(home_team, len(grid), "home_team")
        self.away_team = _names(away_team, len(grid), "away_team")

    def _set_state(
        self,
        grid: FloatArray,
        home_goals_expectation: npt.ArrayLike | None,
        away_goals_expectation: npt.ArrayLike | None,
    ) -> None:
        grid.setflags(write=False)
        self._grid = grid
        self._summary: GridSummary | None = None
        self.rate_solution: RateSolution | None = None
        g = grid.shape[1]
        flat = grid.reshape(len(grid), g * g)
        home, away = (a.ravel().astype(np.float64) for a in np.indices((g, g)))
        self.home_goals_expectation = _expectation(
            home_goals_expectation, flat, home, "home_goals_expectation"
        )
        self.away_goals_expectation = _expectation(
            away_goals_expectation, flat, away, "away_goals_expectation"
        )

    @classmethod
    def from_dixon_coles(
        cls,
        home_rate: npt.NDArray[np.float64],
        away_rate: npt.NDArray[np.float64],
        rho: float | npt.NDArray[np.float64],
        *,
        max_goals: int = 10,
        home_team: Sequence[str] | None = None,
        away_team: Sequence[str] | None = None,
    ) -> ScoreGrid:
        """Dixon-Coles grids: independent Poissons times the low-score correction tau.

        Parameters
        ----------
        home_rate, away_rate : array of shape (n_fixtures,)
            Poisson means, lambda (home) and mu (away); finite and positive.
        rho : float or array of shape (n_fixtures,)
            Dependence parameter. tau(0,0) = 1 - lambda mu rho, tau(0,1) =
            1 + lambda rho, tau(1,0) = 1 + mu rho, tau(1,1) = 1 - rho; all other
            scores have tau = 1.
        max_goals : int, default 10
            Largest score kept per side; the grid is ``max_goals + 1`` square.

        Returns
        -------
        ScoreGrid
            The mass beyond ``max_goals`` is dropped and each grid renormalised
            to sum to 1, as penaltyblog's ``FootballProbabilityGrid`` does by
            default. With ``max_goals=10`` that drops 1.2e-4 of the mass at
            rates of 2.5 each, 6e-4 at 3 and 2e-3 at 3.5. Expected goals are
            the rates themselves, the means of the untruncated grid.

        Raises
        ------
        DataError
            A rate that is not finite and positive, a ``max_goals`` below 1, or
            a rho making some tau negative (the fixtures are named).

        References
        ----------
        Dixon, M. J. and Coles, S. G. (1997). Modelling association football
        scores and inefficiencies in the football betting market. JRSS C 46(2).
        """
        lam = np.atleast_1d(np.asarray(home_rate, dtype=np.float64))
        mu = np.atleast_1d(np.asarray(away_rate, dtype=np.float64))
        if lam.ndim != 1 or lam.shape != mu.shape:
            raise DataError(f"rates must be 1-D of equal length, got {lam.shape} and {mu.shape}")
        _check_rows(~(np.isfinite(lam) & (lam > 0)), "has a home rate that is not positive")
        _check_rows(~(np.isfinite(mu) & (mu > 0)), "has an away rate that is not positive")
        if isinstance(max_goals, bool) or not isinstance(max_goals, int) or max_goals < 1:
            raise DataError(f"max_goals must be a whole number >= 1, got {max_goals!r}")
        r = np.asarray(rho, dtype=np.float64)
        if r.shape not in {(), lam.shape}:
            raise DataError(f"rho must be a float or of shape {lam.shape}, got {r.shape}")
        r = np.broadcast_to(r, lam.shape)
        tau = np.stack([1 - lam * mu * r, 1 + lam * r, 1 + mu * r, 1 - r], axis=1)
        _check_rows(~(tau >= 0).all(axis=1), "has a rho that makes a tau negative")

        g = max_goals + 1
        # Poisson pmfs as (g, n), pmf[k] = pmf[k-1] * rate / k: no factorials, and
        # a loop over g rows of n fixtures rather than over fixtures.
        home_pmf, away_pmf = np.empty((g, len(lam))), np.empty((g, len(lam)))
        home_pmf[0], away_pmf[0] = np.exp(-lam), np.exp(-mu)
        for k in range(1, g):
            home_pmf[k] = home_pmf[k - 1] * lam / k
            away_pmf[k] = away_pmf[k - 1] * mu / k
        # The tau terms add sum_ij p_ij (tau_ij - 1) to the mass; with the
        # truncated marginals this gives each grid's total before building it,
        # so the renormalisation scales an (n, g) factor, not the (n, g, g) grid.
        corrections = (
            home_pmf[0] * away_pmf[0] * (tau[:, 0] - 1)
            + home_pmf[0] * away_pmf[1] * (tau[:, 1] - 1)
            + home_pmf[1] * away_pmf[0] * (tau[:, 2] - 1)
            + home_pmf[1] * away_pmf[1] * (tau[:, 3] - 1)
        )
        home_pmf /= home_pmf.sum(axis=0) * away_pmf.sum(axis=0) + corrections
        # Laid out fixture-last in memory: the summary's matrix product reads it
        # as a C-ordered (g * g, n) block, with no copy.
        grid = home_pmf.T[:, :, np.newaxis] * away_pmf.T[:, np.newaxis, :]
        grid[:, 0, 0] *= tau[:, 0]
        grid[:, 0, 1] *= tau[:, 1]
        grid[:, 1, 0] *= tau[:, 2]
        grid[:, 1, 1] *= tau[:, 3]
        return cls._trusted(
            grid,
            lam,
            mu,
            _names(home_team, len(lam), "home_team"),
            _names(away_team, len(lam), "away_team"),
        )

    @classmethod
    def from_1x2(
        cls,
        probabilities: npt.ArrayLike,
        *,
        rho: float | npt.NDArray[np.float64],
        max_goals: int = 10,
        initial_rates: tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]] | None = None,
        home_team: Sequence[str] | None = None,
        away_team: Sequence[str] | None = None,
    ) -> ScoreGrid:
        """Dixon-Coles grids whose home, draw and away probabilities match given ones.

        Solves each fixture's goal expectations (lambda, mu) so that the grid
        of ``from_dixon_coles`` with the same rho and ``max_goals`` gives the
        target home and away win probabilities (the draw follows). Damped
        Newton in log-rate space on the exact Jacobian, all fixtures at once;
        realistic fixtures take 3 to 6 steps to a residual below 1e-12.

        Parameters
        ----------
        probabilities : array of shape (n_fixtures, 3), or (3,) for one fixture
            Target home, draw and away probabilities: finite, each in [0, 1],
            rows summing to 1 within 1e-6 (for example de-margined odds, or
            a classifier's ``predict_proba``).
        rho : float or array of shape (n_fixtures,)
            Dixon-Coles dependence parameter, as in ``from_dixon_coles``.
        max_goals : int, default 10
            Largest score per side kept in the grid.
        initial_rates : (home_rate, away_rate), arrays of shape (n_fixtures,), optional
            Starting rates, such as a Dixon-Coles model's own; by default a
            normal approximation to the goal difference.
        home_team, away_team : sequence of str of length n_fixtures, optional

        Returns
        -------
        ScoreGrid
            Its ``rate_solution`` holds the rates, the rho each fixture was
            solved with, residuals and ``fallback_rows``.

        Raises
        ------
        DataError
            Probabilities that are not (n, 3) rows in [0, 1] summing to 1, a
            rho that is not finite, bad starting rates or ``max_goals``.

        Warns
        -----
        ConvergenceWarning
            Some fixtures could not be matched with their rho and were solved
            with rho = 0, or could not be matched at all (for example a draw
            probability of 0) and carry the closest fit found. The rows are
            named, and listed in ``rate_solution.fallback_rows``.
        """
        if isinstance(max_goals, bool) or not isinstance(max_goals, int) or max_goals < 1:
            raise DataError(f"max_goals must be a whole number >= 1, got {max_goals!r}")
        targets, r, start = _solver_inputs(probabilities, rho, initial_rates)
        solution = solve_rates(targets, r, max_goals, start)
        _report_fallbacks(solution)
        out = cls.from_dixon_coles(
            solution.home_rate,
            solution.away_rate,
            solution.rho,
            max_goals=max_goals,
            home_team=home_team,
            away_team=away_team,
        )
        out.rate_solution = solution
        return out

    @classmethod
    def _trusted(
        cls,
        grid: FloatArray,
        home_goals_expectation: FloatArray,
        away_goals_expectation: FloatArray,
        home_team: tuple[str, ...] | None,
        away_team: tuple[str, ...] | None,
    ) -> ScoreGrid:
        """Skip the checks and rescaling for a grid built or sliced here."""
        out = cls.__new__(cls)
        out._set_state(grid, home_goals_expectation, away_goals_expectation)
        out.home_team, out.away_team = home_team, away_team
        return out

    # -- the batch ---------------------------------------------------------------

    @property
    def grid(self) -> FloatArray:
        """The read-only (n_fixtures, g, g) array of score probabilities.

        Built grids are stored fixture-last in memory, so this may be a view
        that is not C-contiguous; copy it with ``np.array`` to write to it.
        """
        return self._grid

    @property
    def max_goals(self) -> int:
        return int(self._grid.shape[1]) - 1

    def __len__(self) -> int:
        return int(self._grid.shape[0])

    def __repr__(self) -> str:
        return f"ScoreGrid(n_fixtures={len(self)}, max_goals={self.max_goals})"

    def __getitem__(self, key: int | slice | npt.ArrayLike) -> ScoreGrid:
        """A sub-batch; an integer gives a batch of one (shapes keep their leading axis)."""
        if isinstance(key, int | np.integer):
            index = int(key) + len(self) if key < 0 else int(key)
            if not 0 <= index < len(self):
                raise IndexError(f"fixture {key} out of range for {len(self)} fixtures")
            key = slice(index, index + 1)
        rows = np.arange(len(self))[key]  # type: ignore[index]
        home, away = self.home_team, self.away_team
        out = ScoreGrid._trusted(
            self._grid[rows],
            self.home_goals_expectation[rows],
            self.away_goals_expectation[rows],
            None if home is None else tuple(home[i] for i in rows),
            None if away is None else tuple(away[i] for i in rows),
        )
        if self.rate_solution is not None:
            out.rate_solution = self.rate_solution.take(rows)
        return out

    def select(self, mask: npt.ArrayLike) -> ScoreGrid:
        """The fixtures where a boolean mask of shape (n_fixtures,) is true."""
        keep = np.asarray(mask)
        if keep.dtype != np.bool_ or keep.shape != (len(self),):
            raise DataError(f"mask must be boolean of shape ({len(self)},), got {keep.shape}")
        return self[keep]

    def __getstate__(self) -> dict[str, Any]:
        # The summary is derived and several times larger than the grid.
        state = self.__dict__.copy()
        state["_summary"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        state.setdefault("rate_solution", None)  # pickled before from_1x2 existed
        self.__dict__.update(state)
        self._grid.setflags(write=False)

    # -- markets -----------------------------------------------------------------

    def probabilities(self, market: GridMarket, line: float | Decimal | None = None) -> FloatArray:
        """Probabilities of a market's selections; shapes in the class notes.

        Raises
        ------
        DataError
            An unknown market, a line on a market without one, or a missing,
            off-grid or out-of-range line.
        """
        if market in _LINE_MARKETS:
            table, threshold = self._line(market, line)  # type: ignore[arg-type]
            return line_probabilities(table, threshold)
        _check_market(market, line)
        if market == "correct_score":
            return self._grid
        if market == "expected_goals":
            return np.column_stack([self.home_goals_expectation, self.away_goals_expectation])
        summary = self._summarise()
        if market == "btts":
            return np.column_stack([summary.btts_yes, 1.0 - summary.btts_yes])
        if market == "win_to_nil":
            return np.column_stack([summary.home_win_to_nil, summary.away_win_to_nil])
        diff = summary.tables["diff"]
        j = diff.row(0)
        home, draw, away = diff.above[j], diff.equal[j], diff.below[j]
        if market == "1x2":
            return np.column_stack([home, draw, away])
        if market == "double_chance":
            return np.column_stack([home + draw, home + away, draw + away])
        decided = (home + away)[:, np.newaxis]  # draw_no_bet
        both = np.column_stack([home, away])
        no_draw: FloatArray = np.divide(
            both, decided, out=np.full_like(both, np.nan), where=decided > 0
        )
        return no_draw

    def settlement(self, market: LineMarket, line: float | Decimal) -> FloatArray:
        """Settlement distribution of both sides of a line market, shape (n, 2, 5).

        Sides are (over, under) for totals and (home, away) for Asian handicap;
        the last axis is ``SETTLEMENT_OUTCOMES`` = (win, half_win, push,
        half_loss, loss) and sums to 1. A quarter line is two half stakes on its
        neighbours: -0.75 is half on -0.5 and half on -1.0.
        """
        return settle(*self._line(market, line))

    def fair_odds(self, market: GridMarket, line: float | Decimal | None = None) -> FloatArray:
        """Decimal odds with zero expected profit, same shape as ``probabilities``.

        ``1 / p`` (``inf`` where p is 0). For line markets this equals
        ``1 + (HL/2 + L) / (W + HW/2)`` from the settlement distribution.
        """
        if market == "expected_goals":
            raise DataError("expected_goals is a forecast, not a market with odds")
        return fair_price(self.probabilities(market, line))

    def _line(self, market: LineMarket, line: float | Decimal | None) -> tuple[TailTable, Decimal]:
        """The variable a line market settles on, and the threshold side 0 must beat."""
        variable, threshold = line_threshold(market, line)
        return self._summarise().tables[variable], threshold

    def _summarise(self) -> GridSummary:
        if self._summary is None:
            self._summary = GridSummary.from_grid(self._grid)
        return self._summary


def _solver_inputs(
    probabilities: npt.ArrayLike,
    rho: float | FloatArray,
    initial_rates: tuple[FloatArray, FloatArray] | None,
) -> tuple[FloatArray, FloatArray, tuple[FloatArray, FloatArray] | None]:
    """from_1x2's targets (n, 3), rho (n,) and starting rates, checked."""
    targets = np.array(probabilities, dtype=np.float64)
    if targets.ndim == 1:
        targets = targets[np.newaxis]
    if targets.ndim != 2 or targets.shape[1] != 3 or len(targets) == 0:
        raise DataError(f"1x2 probabilities must have shape (n, 3), got {targets.shape}")
    n = len(targets)
    _check_rows(~((targets >= 0) & (targets <= 1)).all(axis=1), "has a 1x2 outside [0, 1]")
    _check_rows(~(np.abs(targets.sum(axis=1) - 1) <= _SUM_TOLERANCE), "has a 1x2 not summing to 1")
    targets /= targets.sum(axis=1, keepdims=True)
    r = np.asarray(rho, dtype=np.float64)
    if r.shape not in {(), (n,)}:
        raise DataError(f"rho must be a float or of shape ({n},), got {r.shape}")
    r = np.broadcast_to(r, (n,)).copy()
    _check_rows(~np.isfinite(r), "has a rho that is not finite")
    if initial_rates is None:
        return targets, r, None
    home, away = (np.asarray(rate, dtype=np.float64) for rate in initial_rates)
    if home.shape != (n,) or away.shape != (n,):
        raise DataError(f"initial_rates must be two arrays of shape ({n},)")
    _check_rows(
        ~(np.isfinite(home) & (home > 0) & np.isfinite(away) & (away > 0)),
        "has an initial rate that is not positive",
    )
    return targets, r, (home, away)


def _report_fallbacks(solution: RateSolution) -> None:
    """Warn, naming the fixtures, where from_1x2 dropped rho or found no exact fit."""
    dropped = np.flatnonzero(solution.rho_dropped & solution.converged)
    if dropped.size:
        warnings.warn(
            f"from_1x2: {len(dropped)} fixture(s) were solved with rho = 0, as the rho "
            f"given left no exact fit: rows {_shown(dropped)}; see rate_solution.fallback_rows",
            ConvergenceWarning,
            stacklevel=3,
        )
    failed = np.flatnonzero(~solution.converged)
    if failed.size:
        warnings.warn(
            f"from_1x2: {len(failed)} fixture(s) have no exact fit and carry the closest one "
            f"(largest 1x2 gap {solution.residual[failed].max():.2g}): rows {_shown(failed)}; "
            "see rate_solution.fallback_rows",
            ConvergenceWarning,
            stacklevel=3,
        )


def _shown(rows: npt.NDArray[np.intp]) -> str:
    return ", ".join(str(i) for i in rows[:5]) + (" ..." if len(rows) > 5 else "")


def _check_market(market: str, line: float | Decimal | None) -> None:
    if market not in _MARKETS:
        raise DataError(f"unknown market {market!r}; expected one of {sorted(_MARKETS)}")
    if line is not None:
        raise DataError(f"market {market!r} takes no line, got {line!r}")


def _check_rows(bad: npt.ArrayLike, problem: str) -> None:
    """Raise a DataError naming the fixtures (rows) where ``bad`` is true."""
    if np.any(bad):
        rows = np.flatnonzero(bad)
        raise DataError(f"{len(rows)} fixture(s) {problem}: rows {_shown(rows)}")


def _expectation(
    given: npt.ArrayLike | None, flat: FloatArray, goals: FloatArray, name: str
) -> FloatArray:
    if given is None:
        return flat @ goals
    value = np.array(given, dtype=np.float64).reshape(-1)
    if value.shape != (len(flat),):
        raise DataError(f"{name} must have shape ({len(flat)},), got {value.shape}")
    return value


def _names(names: Sequence[str] | None, n: int, field: str) -> tuple[str, ...] | None:
    if names is None:
        return None
    out = tuple(str(name) for name in names)
    if len(out) != n:
        raise DataError(f"{field} has {len(out)} names for {n} fixtures")
    return out
