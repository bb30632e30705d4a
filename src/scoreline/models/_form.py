"""The walk: team and league state carried through the history one kick-off day at a time.

Every day, the matches of the day read the state (ratings, form, rest, counts)
left by earlier days, then the day's results update it; ``features`` turns the
readings into feature columns. Updates of one day are sums of per-match
changes computed from the pre-day state, so the order of rows within a day
never matters.

Form is an exponentially weighted mean per key (a team, a league). For one key,
after observations ``x_1 … x_n`` (oldest first)::

    mean = sum_i w_i x_i / sum_i w_i,   w_i = d ** (n - i),   d = 0.5 ** (1 / half_life)

so an observation loses half its weight every ``half_life`` later appearances
of the key. The state is the two sums; an appearance multiplies both by ``d``
and adds ``x`` and 1. A statistic that is NaN in an appearance adds nothing
but is still aged with the rest, so its mean is unchanged by that appearance
and the age of every observation is counted in appearances of the key. A key
that appears k times in one update is aged by ``d ** k`` and gets all k
observations at the same weight.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from scoreline.models.ratings import (
    elo_change,
    elo_expected_score,
    pi_change,
    pi_expected_goal_difference,
)

if TYPE_CHECKING:  # features imports this module
    from scoreline.models.features import FeatureConfig

__all__ = ["FORM_BLOCKS", "FORM_STATS", "STAT_NAMES", "EwMeans", "Matches", "Walk", "form_values"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]

# (name, home side's column, away side's column) of each form statistic.
FORM_STATS: tuple[tuple[str, str, str], ...] = (
    ("goals_for", "home_goals", "away_goals"),
    ("goals_against", "away_goals", "home_goals"),
    ("shots_for", "home_shots", "away_shots"),
    ("shots_against", "away_shots", "home_shots"),
    ("shots_on_target_for", "home_shots_on_target", "away_shots_on_target"),
    ("shots_on_target_against", "away_shots_on_target", "home_shots_on_target"),
    ("corners_for", "home_corners", "away_corners"),
    ("corners_against", "away_corners", "home_corners"),
    ("points", "", ""),  # 3 for a win, 1 for a draw
)
STAT_NAMES = tuple(name for name, _, _ in FORM_STATS)
FORM_BLOCKS = ("home_form", "away_form", "home_venue_form", "away_venue_form")
STATE_COLUMNS = (
    "home_elo",
    "away_elo",
    "pi_home",
    "pi_away",
    "home_last_day",
    "away_last_day",
    "home_played",
    "away_played",
    "home_season_played",
    "away_season_played",
)


def form_values(columns: dict[str, FloatArray]) -> tuple[FloatArray, FloatArray]:
    """Each side's form statistics, two arrays of shape (n_matches, len(FORM_STATS)).

    ``columns`` maps the history column names of ``FORM_STATS`` to float arrays.
    """
    margin = columns["home_goals"] - columns["away_goals"]
    home_points = np.where(margin > 0, 3.0, np.where(margin == 0, 1.0, 0.0))
    away_points = np.where(margin < 0, 3.0, np.where(margin == 0, 1.0, 0.0))
    home = [home_points if not h else columns[h] for _, h, _ in FORM_STATS]
    away = [away_points if not a else columns[a] for _, _, a in FORM_STATS]
    return np.column_stack(home), np.column_stack(away)


class EwMeans:
    """Exponentially weighted means of ``n_stats`` statistics for ``n_keys`` keys.

    Parameters
    ----------
    n_keys : int
    n_stats : int
    half_life : float
        In appearances of a key; > 0.

    Attributes
    ----------
    sums, weights : arrays of shape (n_keys, n_stats)
        The decayed sums of the observations and of their weights.
    """

    def __init__(self, n_keys: int, n_stats: int, half_life: float) -> None:
        self.decay = 0.5 ** (1.0 / half_life)
        self.sums = np.zeros((n_keys, n_stats))
        self.weights = np.zeros((n_keys, n_stats))

    def means(self, keys: IntArray, out: FloatArray) -> None:
        """Write the current means of ``keys`` into ``out`` of shape (len(keys), n_stats).

        Where a key has no observation of a statistic yet, ``out`` is left as it is
        (callers pass NaN-filled rows).
        """
        weights = self.weights[keys]
        np.divide(self.sums[keys], weights, out=out, where=weights > 0)

    def add(self, keys: IntArray, values: FloatArray) -> None:
        """Add one appearance per row: ``keys`` of shape (m,), ``values`` of shape (m, n_stats).

        NaN values are not observed (see the module docstring).
        """
        appearances = np.bincount(keys, minlength=len(self.sums))[keys]
        factor = (self.decay**appearances)[:, None]
        # Repeated keys read the same old row and write the same aged row.
        self.sums[keys] *= factor
        self.weights[keys] *= factor
        known = ~np.isnan(values)
        np.add.at(self.sums, keys, np.where(known, values, 0.0))
        np.add.at(self.weights, keys, known.astype(np.float64))


@dataclass(frozen=True, slots=True)
class Matches:
    """The history in kick-off-day order; arrays of shape (n_matches,) unless noted."""

    order: IntArray  # row positions in the input frame
    day: npt.NDArray[np.int64]  # days since 1970-01-01, UTC
    home: IntArray
    away: IntArray
    league: IntArray
    season: IntArray
    played: npt.NDArray[np.bool_]  # False for a match not played yet: read, never applied
    home_goals: FloatArray
    away_goals: FloatArray
    at_home: FloatArray  # 1.0, or 0.0 at a neutral venue
    home_form: FloatArray  # (n_matches, len(FORM_STATS))
    away_form: FloatArray
    league_form: FloatArray  # (n_matches, 2): is a draw, total goals
    n_teams: int
    n_leagues: int


class Walk:
    """The state of every team and league, walked forward one kick-off day at a time.

    ``run`` returns the state-based feature columns (``features.FEATURE_COLUMNS``
    without the market and Dixon-Coles ones) in input row order.
    """

    def __init__(self, matches: Matches, config: FeatureConfig) -> None:
        self.m, self.config = matches, config
        n, k = matches.n_teams, len(FORM_STATS)
        self.elo = np.full(n, np.nan)  # NaN until the team's first match
        self.pi_home = np.zeros(n)  # each team's pi-rating at home
        self.pi_away = np.zeros(n)
        self.last_day = np.full(n, np.nan)
        self.played = np.zeros(n)
        self.season = np.full(n, -1, dtype=np.intp)
        self.season_played = np.zeros(n)
        self.team_league = np.full(n, -1, dtype=np.intp)
        self.form = EwMeans(n, k, config.form_half_life)
        self.home_form = EwMeans(n, k, config.form_half_life)
        self.away_form = EwMeans(n, k, config.form_half_life)
        self.league_form = EwMeans(matches.n_leagues, 2, config.league_half_life)
        rows = len(matches.day)
        self.state = np.full((rows, len(STATE_COLUMNS)), np.nan)
        self.forms = {block: np.full((rows, k), np.nan) for block in FORM_BLOCKS}
        self.league = np.full((rows, 2), np.nan)
        leagues, first = np.unique(matches.league, return_index=True)
        self.league_first_day = np.empty(matches.n_leagues, dtype=np.int64)
        self.league_first_day[leagues] = matches.day[first]
        self.league_first_season = np.empty(matches.n_leagues, dtype=np.intp)
        self.league_first_season[leagues] = matches.season[first]

    def run(self) -> list[tuple[str, FloatArray]]:
        """Walk every day; the state-based feature columns, in input row order."""
        starts = np.flatnonzero(np.diff(self.m.day, prepend=self.m.day[0] - 1))
        ends = np.append(starts[1:], len(self.m.day))
        for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
            self._rate_newcomers(start, end)
            self._read(start, end)
            self._update(start, end)
        return [(name, _unsorted(column, self.m.order)) for name, column in self._derive()]

    def _rate_newcomers(self, start: int, end: int) -> None:
        both = np.concatenate([self.m.home[start:end], self.m.away[start:end]])
        if not np.isnan(self.elo[both]).any():
            return
        leagues = np.tile(self.m.league[start:end], 2)
        day, season = self.m.day[start], self.m.season[start:end]
        seasons = np.tile(season, 2)
        rated = ~np.isnan(self.elo)
        for team, league, season_code in zip(both, leagues, seasons, strict=True):
            if not np.isnan(self.elo[team]):
                continue  # rated, or a newcomer met earlier in this loop
            members = rated & (self.team_league == league)
            later = self.league_first_day[league] < day and (
                self.league_first_season[league] != season_code
            )
            self.elo[team] = self.config.elo_initial
            if later and members.any():
                mean = float(self.elo[members].mean())
                self.elo[team] = mean - self.config.elo_promoted_offset

    def _read(self, start: int, end: int) -> None:
        m, rows = self.m, slice(start, end)
        home, away, state = m.home[rows], m.away[rows], self.state[rows]
        state[:, 0], state[:, 1] = self.elo[home], self.elo[away]
        state[:, 2], state[:, 3] = self.pi_home[home], self.pi_away[away]
        state[:, 4], state[:, 5] = self.last_day[home], self.last_day[away]
        state[:, 6], state[:, 7] = self.played[home], self.played[away]
        season = m.season[rows]
        state[:, 8] = np.where(self.season[home] == season, self.season_played[home], 0.0)
        state[:, 9] = np.where(self.season[away] == season, self.season_played[away], 0.0)
        self.form.means(home, self.forms["home_form"][rows])
        self.form.means(away, self.forms["away_form"][rows])
        self.home_form.means(home, self.forms["home_venue_form"][rows])
        self.away_form.means(away, self.forms["away_venue_form"][rows])
        self.league_form.means(m.league[rows], self.league[rows])

    def _update(self, start: int, end: int) -> None:
        m, config = self.m, self.config
        rows: slice | IntArray = slice(start, end)
        if not m.played[start:end].all():
            rows = start + np.flatnonzero(m.played[start:end])
            if len(rows) == 0:
                return
        home, away, state = m.home[rows], m.away[rows], self.state[rows]
        home_goals, away_goals = m.home_goals[rows], m.away_goals[rows]
        elo = elo_change(
            state[:, 0],
            state[:, 1],
            home_goals,
            away_goals,
            k=config.elo_k,
            home_advantage=config.elo_home_advantage * m.at_home[rows],
        )
        np.add.at(self.elo, home, elo)
        np.add.at(self.elo, away, -elo)
        pi = pi_change(
            state[:, 2], state[:, 3], home_goals, away_goals, learning_rate=config.pi_learning_rate
        )
        np.add.at(self.pi_home, home, pi)
        np.add.at(self.pi_away, home, config.pi_venue_rate * pi)
        np.add.at(self.pi_away, away, -pi)
        np.add.at(self.pi_home, away, -config.pi_venue_rate * pi)
        both = np.concatenate([home, away])
        seasons = np.tile(m.season[rows], 2)
        self.last_day[both] = m.day[start]
        np.add.at(self.played, both, 1.0)
        self.season_played[both] = np.where(
            self.season[both] == seasons, self.season_played[both], 0.0
        )
        np.add.at(self.season_played, both, 1.0)
        self.season[both] = seasons
        self.team_league[both] = np.tile(m.league[rows], 2)
        self.form.add(both, np.concatenate([m.home_form[rows], m.away_form[rows]]))
        self.home_form.add(home, m.home_form[rows])
        self.away_form.add(away, m.away_form[rows])
        self.league_form.add(m.league[rows], m.league_form[rows])

    def _derive(self) -> list[tuple[str, FloatArray]]:
        """The state-based feature columns, in day order."""
        config, s = self.config, self.state
        cap = config.rest_cap_days
        home_rest = np.minimum(self.m.day - s[:, 4], cap)
        away_rest = np.minimum(self.m.day - s[:, 5], cap)
        advantage = config.elo_home_advantage * self.m.at_home
        columns = [
            ("home_elo", s[:, 0]),
            ("away_elo", s[:, 1]),
            ("elo_diff", s[:, 0] - s[:, 1]),
            ("elo_expected_home", elo_expected_score(s[:, 0], s[:, 1], advantage)),
            ("pi_home", s[:, 2]),
            ("pi_away", s[:, 3]),
            ("pi_expected_goal_diff", pi_expected_goal_difference(s[:, 2], s[:, 3])),
            ("home_rest_days", home_rest),
            ("away_rest_days", away_rest),
            ("rest_days_diff", home_rest - away_rest),
            ("league_draw_rate", self.league[:, 0]),
            ("league_goals_per_match", self.league[:, 1]),
            ("home_played", s[:, 6]),
            ("away_played", s[:, 7]),
            ("home_season_played", s[:, 8]),
            ("away_season_played", s[:, 9]),
        ]
        for block, values in self.forms.items():
            columns += [(f"{block}_{stat}", values[:, i]) for i, stat in enumerate(STAT_NAMES)]
        return columns


def _unsorted(column: FloatArray, order: IntArray) -> FloatArray:
    """Day-ordered values back in input row order."""
    out = np.empty_like(column)
    out[order] = column
    return out
