"""The walk: team and league state carried through the history one kick-off day at a time.

Every day, the matches of the day read the state (ratings, form, rest, counts)
left by earlier days, then the day's results update it (``State.step``);
``derive`` turns the readings into feature columns. Updates of one day are sums
of per-match changes computed from the pre-day state, so the order of rows
within a day never matters (up to the last bit of a floating-point sum: both
callers keep a day's rows in kick-off order).

``State`` is the one implementation of the walk. ``features.build_features``
steps a fresh state over a whole history; ``live_features.LiveFeatures`` keeps
one state alive and steps it as results come in, so the live features and the
backtest's are the same code by construction, not two codes that agree by care.
Teams, leagues and seasons get their integer keys as the state first meets them
(``State.codes``), and the arrays grow with them.

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

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pandas as pd

from scoreline.models.ratings import (
    elo_change,
    elo_expected_score,
    pi_change,
    pi_expected_goal_difference,
)

if TYPE_CHECKING:  # features imports this module
    from scoreline.models.features import FeatureConfig

__all__ = [
    "FORM_BLOCKS",
    "FORM_STATS",
    "RAW_WIDTH",
    "STAT_NAMES",
    "EwMeans",
    "Matches",
    "State",
    "derive",
    "form_values",
]

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

    def grow(self, n_keys: int) -> None:
        """Make room for ``n_keys`` keys; new keys have no observation."""
        extra = n_keys - len(self.sums)
        if extra > 0:
            blank = np.zeros((extra, self.sums.shape[1]))
            self.sums = np.concatenate([self.sums, blank])
            self.weights = np.concatenate([self.weights, blank])

    def copy(self) -> EwMeans:
        """An independent copy."""
        made = EwMeans.__new__(EwMeans)
        made.decay, made.sums, made.weights = self.decay, self.sums.copy(), self.weights.copy()
        return made

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
    """Matches in kick-off-day order; arrays of shape (n_matches,) unless noted.

    Team, league and season codes are the keys of the ``State`` the matches were
    coded for (``State.codes``).
    """

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

    def day_starts(self) -> list[tuple[int, int]]:
        """``(start, end)`` of each kick-off day's rows, oldest day first."""
        if len(self.day) == 0:
            return []
        starts = np.flatnonzero(np.diff(self.day, prepend=self.day[0] - 1))
        ends = np.append(starts[1:], len(self.day))
        return list(zip(starts.tolist(), ends.tolist(), strict=True))


# The readings of one match, a row of ``raw``: STATE_COLUMNS, then each FORM_BLOCKS
# block of len(FORM_STATS) means, then the league's draw rate and goals per match.
_FORM_START = len(STATE_COLUMNS)
_LEAGUE_START = _FORM_START + len(FORM_BLOCKS) * len(FORM_STATS)
RAW_WIDTH = _LEAGUE_START + 2
_NO_DAY = np.iinfo(np.int64).max  # a league not met yet


class State:
    """Every team's and league's state after the match days stepped so far.

    ``step`` walks one kick-off day: newcomers are rated, every match of the day
    reads the state into its row of ``raw`` (``derive`` turns rows into feature
    columns), then the day's results update it. Days must be stepped in order,
    each once; ``copy`` keeps a state to go back to.
    """

    def __init__(self, config: FeatureConfig) -> None:
        self.config = config
        self.keys: dict[str, dict[str, int]] = {"team": {}, "league": {}, "season": {}}
        k = len(FORM_STATS)
        self.elo = np.empty(0)  # NaN until the team's first match
        self.pi_home = np.empty(0)  # each team's pi-rating at home
        self.pi_away = np.empty(0)
        self.last_day = np.empty(0)
        self.played = np.empty(0)
        self.season = np.empty(0, dtype=np.intp)
        self.season_played = np.empty(0)
        self.team_league = np.empty(0, dtype=np.intp)
        self.form = EwMeans(0, k, config.form_half_life)
        self.home_form = EwMeans(0, k, config.form_half_life)
        self.away_form = EwMeans(0, k, config.form_half_life)
        self.league_form = EwMeans(0, 2, config.league_half_life)
        self.league_first_day = np.empty(0, dtype=np.int64)  # _NO_DAY until met
        self.league_first_season = np.empty(0, dtype=np.intp)

    # -- keys -----------------------------------------------------------------------------

    def codes(self, kind: str, names: npt.NDArray[np.object_]) -> IntArray:
        """The integer keys of ``names`` (``kind`` team, league or season), new names added
        in order of first appearance and the arrays grown for them."""
        found, uniques = pd.factorize(names)
        table = self.keys[kind]
        mapped = np.fromiter(
            (table.setdefault(str(name), len(table)) for name in uniques),
            dtype=np.intp,
            count=len(uniques),
        )
        self._grow()
        return mapped[found]

    def _grow(self) -> None:
        n, m = len(self.keys["team"]), len(self.keys["league"])
        extra = n - len(self.elo)
        if extra > 0:
            nan, zero = np.full(extra, np.nan), np.zeros(extra)
            none = np.full(extra, -1, dtype=np.intp)
            self.elo = np.concatenate([self.elo, nan])
            self.pi_home = np.concatenate([self.pi_home, zero])
            self.pi_away = np.concatenate([self.pi_away, zero])
            self.last_day = np.concatenate([self.last_day, nan])
            self.played = np.concatenate([self.played, zero])
            self.season = np.concatenate([self.season, none])
            self.season_played = np.concatenate([self.season_played, zero])
            self.team_league = np.concatenate([self.team_league, none])
            for means in (self.form, self.home_form, self.away_form):
                means.grow(n)
        extra = m - len(self.league_first_day)
        if extra > 0:
            self.league_form.grow(m)
            unmet = np.full(extra, _NO_DAY, dtype=np.int64)
            self.league_first_day = np.concatenate([self.league_first_day, unmet])
            none = np.full(extra, -1, dtype=np.intp)
            self.league_first_season = np.concatenate([self.league_first_season, none])

    def copy(self) -> State:
        """An independent copy (a few arrays of one row per team or league)."""
        made = State.__new__(State)
        made.config = self.config
        made.keys = {kind: dict(table) for kind, table in self.keys.items()}
        for name in _ARRAYS:
            setattr(made, name, getattr(self, name).copy())
        for name in _MEANS:
            setattr(made, name, getattr(self, name).copy())
        return made

    # -- the walk -------------------------------------------------------------------------

    def step(self, m: Matches, start: int, end: int, raw: FloatArray) -> None:
        """Walk the day of rows ``start:end`` of ``m``: rate newcomers, read the state into
        ``raw[start:end]``, apply the day's results."""
        self._meet(m, start, end)
        self._read(m, start, end, raw)
        self._update(m, start, end)

    def read_ahead(self, m: Matches, raw: FloatArray) -> None:
        """Read unplayed matches of later days into ``raw`` as stepping them would, and leave
        the state as it was.

        Stepping a day without results only rates newcomers and meets leagues; nothing
        else moves, so every row can be read at once once the newcomers of its day and
        of earlier days are rated. Their ratings are put back to unrated afterwards: a
        result of an earlier day may still come and rate them first.
        """
        if m.played.any():
            raise ValueError("read_ahead takes unplayed matches only")
        unrated = np.isnan(self.elo)
        first_day, first_season = self.league_first_day.copy(), self.league_first_season.copy()
        for start, end in m.day_starts():
            self._meet(m, start, end)
        self._read(m, 0, len(m.day), raw)
        self.elo[: len(unrated)][unrated] = np.nan
        self.elo[len(unrated) :] = np.nan
        met = len(first_day)
        self.league_first_day[:met], self.league_first_season[:met] = first_day, first_season
        self.league_first_day[met:], self.league_first_season[met:] = _NO_DAY, -1

    def _meet(self, m: Matches, start: int, end: int) -> None:
        """Note the leagues met for the first time this day, and rate the newcomers."""
        leagues = m.league[start:end]
        if (self.league_first_day[leagues] == _NO_DAY).any():
            met, first = np.unique(leagues, return_index=True)
            new = self.league_first_day[met] == _NO_DAY
            self.league_first_day[met[new]] = m.day[start]
            self.league_first_season[met[new]] = m.season[start:end][first[new]]
        both = np.concatenate([m.home[start:end], m.away[start:end]])
        if not np.isnan(self.elo[both]).any():
            return
        leagues = np.tile(leagues, 2)
        day, seasons = m.day[start], np.tile(m.season[start:end], 2)
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
                # fsum: the mean does not depend on the order the teams were met in.
                ratings = self.elo[members]
                mean = math.fsum(ratings.tolist()) / len(ratings)
                self.elo[team] = mean - self.config.elo_promoted_offset

    def _read(self, m: Matches, start: int, end: int, raw: FloatArray) -> None:
        rows = slice(start, end)
        home, away, state = m.home[rows], m.away[rows], raw[rows]
        state[:, 0], state[:, 1] = self.elo[home], self.elo[away]
        state[:, 2], state[:, 3] = self.pi_home[home], self.pi_away[away]
        state[:, 4], state[:, 5] = self.last_day[home], self.last_day[away]
        state[:, 6], state[:, 7] = self.played[home], self.played[away]
        season = m.season[rows]
        state[:, 8] = np.where(self.season[home] == season, self.season_played[home], 0.0)
        state[:, 9] = np.where(self.season[away] == season, self.season_played[away], 0.0)
        k = len(FORM_STATS)
        for i, (means, keys) in enumerate(
            (
                (self.form, home),
                (self.form, away),
                (self.home_form, home),
                (self.away_form, away),
            )
        ):
            column = _FORM_START + i * k
            means.means(keys, state[:, column : column + k])
        self.league_form.means(m.league[rows], state[:, _LEAGUE_START:RAW_WIDTH])

    def _update(self, m: Matches, start: int, end: int) -> None:
        config = self.config
        rows: slice | IntArray = slice(start, end)
        if not m.played[start:end].all():
            rows = start + np.flatnonzero(m.played[start:end])
            if len(rows) == 0:
                return
        home, away = m.home[rows], m.away[rows]
        home_goals, away_goals = m.home_goals[rows], m.away_goals[rows]
        # The pre-day ratings: nothing of the day has been applied yet.
        home_elo, away_elo = self.elo[home], self.elo[away]
        home_pi, away_pi = self.pi_home[home], self.pi_away[away]
        elo = elo_change(
            home_elo,
            away_elo,
            home_goals,
            away_goals,
            k=config.elo_k,
            home_advantage=config.elo_home_advantage * m.at_home[rows],
        )
        pi = pi_change(
            home_pi, away_pi, home_goals, away_goals, learning_rate=config.pi_learning_rate
        )
        np.add.at(self.elo, home, elo)
        np.add.at(self.elo, away, -elo)
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


_ARRAYS = (
    "elo",
    "pi_home",
    "pi_away",
    "last_day",
    "played",
    "season",
    "season_played",
    "team_league",
    "league_first_day",
    "league_first_season",
)
_MEANS = ("form", "home_form", "away_form", "league_form")


def derive(
    raw: FloatArray, day: npt.NDArray[np.int64], at_home: FloatArray, config: FeatureConfig
) -> list[tuple[str, FloatArray]]:
    """The state-based feature columns of readings ``raw`` (rows of ``State.step``) of
    matches on ``day`` (days since 1970-01-01) with home flags ``at_home``."""
    s = raw
    cap = config.rest_cap_days
    home_rest = np.minimum(day - s[:, 4], cap)
    away_rest = np.minimum(day - s[:, 5], cap)
    advantage = config.elo_home_advantage * at_home
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
        ("league_draw_rate", s[:, _LEAGUE_START]),
        ("league_goals_per_match", s[:, _LEAGUE_START + 1]),
        ("home_played", s[:, 6]),
        ("away_played", s[:, 7]),
        ("home_season_played", s[:, 8]),
        ("away_season_played", s[:, 9]),
    ]
    k = len(FORM_STATS)
    for i, block in enumerate(FORM_BLOCKS):
        column = _FORM_START + i * k
        columns += [(f"{block}_{stat}", s[:, column + j]) for j, stat in enumerate(STAT_NAMES)]
    return columns
