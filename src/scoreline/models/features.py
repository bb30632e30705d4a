"""Point-in-time match features: what was knowable when the bet was placed, one row per match.

``build_features`` walks the history one kick-off day (UTC) at a time: every
match of a day reads the state left by earlier days, then the day's results
update the state. A match therefore never sees a result from its own day or
later, and the features do not depend on the order of rows within a day (a
team playing twice on one day has both rows read the pre-day state and both
updates applied). The match's own pre-match prices are used; its goals,
statistics and closing prices never are.

The walk is ``models._form.State``, stepped one day at a time. The live worker
keeps one such state alive (``models.live_features.LiveFeatures``) and steps it
as results arrive, so served features and backtest features are one code.

=================================  ===========================================================
columns                            meaning
=================================  ===========================================================
home_elo, away_elo                 goal-based Elo (``models.ratings``), carried across leagues
                                   and seasons; K and the home advantage are in FeatureConfig
elo_diff                           home_elo - away_elo (no home advantage)
elo_expected_home                  the home side's expected Elo score, home advantage included
                                   (none at a neutral venue)
pi_home, pi_away                   pi-ratings: the home side's home rating, the away side's
                                   away rating (Constantinou and Fenton 2013; start at 0)
pi_expected_goal_diff              the goal difference those two ratings expect
{side}_form_{stat}                 exponentially weighted mean over the team's earlier matches,
                                   half-life ``form_half_life`` matches (``_form``); side is
                                   ``home`` or ``away``; stat is goals, shots, shots on target
                                   and corners ``_for`` and ``_against``, and ``points``
                                   (3 a win, 1 a draw). A statistic missing from a match leaves
                                   its mean unchanged
home_venue_form_{stat}             the same over the home side's home matches only
away_venue_form_{stat}             the same over the away side's away matches only
home_rest_days, away_rest_days     days since the team's previous match in the frame (any
                                   league), capped at ``rest_cap_days``; NaN before the first
rest_days_diff                     home_rest_days - away_rest_days
league_draw_rate                   exponentially weighted share of draws over the league's
league_goals_per_match             earlier matches, and goals per match (half-life
                                   ``league_half_life`` matches)
market_home/draw/away              the pre-match 1X2 consensus with the margin removed by the
                                   power method (``pricing.consensus``): Pinnacle's (``ps_*``)
                                   where all three are valid, else the market average
                                   (``avg_*``); NaN when neither is
market_overround                   ``sum(1 / price) - 1`` of the prices used
market_is_pinnacle                 1 when the prices were Pinnacle's, 0 the average, NaN none
market_home_rate, market_away_rate the goal rates the match's de-margined 1X2, over/under 2.5
                                   (``ps_over``...) and Asian handicap (``ah_line``,
                                   ``ps_ah_home``...) imply jointly (``models.market_rates``),
                                   each market Pinnacle's where valid, else the average's;
                                   NaN where they do not determine the rates or disagree
dc_home/draw/away,                 passed through from ``dixon_coles`` (point-in-time fits made
dc_home_goals, dc_away_goals       by the caller); NaN when it is not given
dc_goal_diff                       dc_home_goals - dc_away_goals
home_played, away_played           the team's matches so far in the frame
home_season_played, ...            ... and in the match's season, for early-season noise
=================================  ===========================================================

Newcomers. A team enters the Elo table at 1500 while its league has no earlier
season in the frame (every team of a league's first season is new, and the
table has nothing to compare them with), and afterwards at the mean rating of
the league's current members less ``elo_promoted_offset``: a team first seen
in a later season came up from a division outside the frame, and starting it
at 1500 would misplace it once league means have spread (on football-data,
from about 1320 in E3 to 1720 in E0 after a few seasons). Ratings of
different leagues become comparable only through promotion and relegation, so
they mean most within a league. Pi-ratings start at 0, as in the paper. A
neutral venue only removes the Elo home advantage; pi-ratings and venue form
take the listed sides as home and away.

Price movement is left out on purpose: the history holds pre-match and closing
prices only, and the closing prices come after the bet. Movement features
belong to the live feed, which sees intermediate snapshots.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

import numpy as np
import numpy.typing as npt
import pandas as pd

from scoreline.errors import DataError, ModelError
from scoreline.models._form import (
    FORM_BLOCKS,
    FORM_STATS,
    RAW_WIDTH,
    STAT_NAMES,
    Matches,
    State,
    derive,
    form_values,
)
from scoreline.models.market_rates import RATE_FEATURES, rate_features
from scoreline.pricing import consensus

__all__ = [
    "FEATURE_COLUMNS",
    "FeatureConfig",
    "build_features",
    "check_history",
    "coded_matches",
    "kickoff_days",
    "static_columns",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]

DC_COLUMNS = ("dc_home", "dc_draw", "dc_away", "dc_home_goals", "dc_away_goals")
FEATURE_COLUMNS: tuple[str, ...] = (
    "home_elo",
    "away_elo",
    "elo_diff",
    "elo_expected_home",
    "pi_home",
    "pi_away",
    "pi_expected_goal_diff",
    *(f"{block}_{stat}" for block in FORM_BLOCKS for stat in STAT_NAMES),
    "home_rest_days",
    "away_rest_days",
    "rest_days_diff",
    "league_draw_rate",
    "league_goals_per_match",
    "market_home",
    "market_draw",
    "market_away",
    "market_overround",
    "market_is_pinnacle",
    *RATE_FEATURES,
    *DC_COLUMNS,
    "dc_goal_diff",
    "home_played",
    "away_played",
    "home_season_played",
    "away_season_played",
)
_REQUIRED = ("date", "league", "season", "home_team", "away_team", "home_goals", "away_goals")


@dataclass(frozen=True, slots=True)
class FeatureConfig:
    """The tunables of ``build_features``.

    Attributes
    ----------
    elo_k : float
        Elo weight of a match, > 0 (World Football Elo's friendly weight).
    elo_home_advantage : float
        Elo points added to the home side. Across the football-data leagues home
        sides score 0.58 on average (win 1, draw 1/2), ``400 log10(0.58 / 0.42)``
        is about 56.
    elo_initial : float
        Rating of a newcomer in a league's first season in the frame.
    elo_promoted_offset : float
        Points below the league's mean at which a later newcomer starts. With 25,
        newcomers' ratings show no average drift over their first 30 matches on
        the football-data leagues 2005-2024 (with 100 they gain 41 points).
    pi_learning_rate, pi_venue_rate : float
        λ and γ of the pi-ratings (the paper's 0.035 and 0.7).
    form_half_life : float
        In the team's matches, > 0.
    league_half_life : float
        In the league's matches, > 0 (380 is one season of a 20-team league).
    rest_cap_days : float
        Rest days above this are reported as this, > 0.
    """

    elo_k: float = 20.0
    elo_home_advantage: float = 60.0
    elo_initial: float = 1500.0
    elo_promoted_offset: float = 25.0
    pi_learning_rate: float = 0.035
    pi_venue_rate: float = 0.7
    form_half_life: float = 6.0
    league_half_life: float = 380.0
    rest_cap_days: float = 30.0

    def __post_init__(self) -> None:
        positive = {"elo_k", "pi_learning_rate", "form_half_life", "league_half_life"}
        positive.add("rest_cap_days")
        bad = []
        for item in fields(self):
            value = getattr(self, item.name)
            if not isinstance(value, int | float) or not math.isfinite(value):
                bad.append(f"{item.name}={value!r} (must be a finite number)")
            elif item.name in positive and value <= 0:
                bad.append(f"{item.name}={value!r} (must be > 0)")
        if not 0 <= self.pi_venue_rate <= 1:
            bad.append(f"pi_venue_rate={self.pi_venue_rate!r} (must be in [0, 1])")
        if bad:
            raise ModelError("FeatureConfig: invalid settings: " + "; ".join(bad))


def build_features(
    history: pd.DataFrame,
    *,
    dixon_coles: pd.DataFrame | None = None,
    config: FeatureConfig | None = None,
) -> pd.DataFrame:
    """Point-in-time features of every match in ``history``.

    Parameters
    ----------
    history : DataFrame
        One row per finished match, as ``services.history`` builds it: ``date``
        (kick-off; naive values are taken as UTC), ``league``, ``season``,
        ``home_team``, ``away_team``, ``home_goals``, ``away_goals`` and, when
        present, ``neutral``, the shot and corner counts and the ``ps_*`` and
        ``avg_*`` prices. Rows may come in any order.
    dixon_coles : DataFrame, optional
        Indexed like ``history`` (rows missing from it get NaN), with columns
        dc_home, dc_draw, dc_away, dc_home_goals and dc_away_goals.
    config : FeatureConfig, optional
        Defaults to ``FeatureConfig()``.

    Returns
    -------
    DataFrame
        Indexed like ``history``, columns ``FEATURE_COLUMNS``, float64, NaN where
        unknown (see the module docstring for each column).

    Raises
    ------
    DataError
        A required column is missing, a date is missing, goals are not whole
        numbers >= 0, or ``dixon_coles`` lacks a column or has a repeated index.
    """
    config = config or FeatureConfig()
    check_history(history)
    values = np.full((len(history), len(FEATURE_COLUMNS)), np.nan)
    if history.empty:
        return pd.DataFrame(values, index=history.index, columns=list(FEATURE_COLUMNS))
    state = State(config)
    matches = coded_matches(history, state)
    raw = np.full((len(history), RAW_WIDTH), np.nan)
    for start, end in matches.day_starts():
        state.step(matches, start, end, raw)
    position = {name: i for i, name in enumerate(FEATURE_COLUMNS)}
    for name, column in derive(raw, matches.day, matches.at_home, config):
        values[matches.order, position[name]] = column
    for name, column in static_columns(history, dixon_coles):
        values[:, position[name]] = column
    return pd.DataFrame(values, index=history.index, columns=list(FEATURE_COLUMNS))


def static_columns(
    history: pd.DataFrame, dixon_coles: pd.DataFrame | None
) -> list[tuple[str, FloatArray]]:
    """The columns a match's own row decides, in ``history``'s row order: the market
    consensus of its pre-match prices and the caller's Dixon-Coles forecast."""
    return [*_market(history), *_dixon_coles(history, dixon_coles)]


def check_history(history: pd.DataFrame) -> None:
    """Raise ``DataError`` when ``history`` lacks a column features need."""
    missing = [c for c in _REQUIRED if c not in history.columns]
    if missing:
        raise DataError(f"history is missing column(s) {missing}; features need {_REQUIRED}")


def kickoff_days(history: pd.DataFrame) -> npt.NDArray[np.int64]:
    """Each row's kick-off day (UTC), as days since 1970-01-01: the walk's unit of time."""
    stamps = pd.to_datetime(history["date"], utc=True)
    days: npt.NDArray[np.int64] = (
        stamps.dt.tz_localize(None).to_numpy().astype("datetime64[D]").astype(np.int64)
    )
    return days


def coded_matches(history: pd.DataFrame, state: State) -> Matches:
    """The history's columns in kick-off-day order, checked, coded for ``state`` (rows of
    one day keep their order in ``history``): what ``State.step`` and ``read_ahead`` take."""
    blank = history[list(_REQUIRED[:5])].isna().any(axis=1).to_numpy()
    if blank.any():
        raise DataError(
            f"history has {int(blank.sum())} row(s) without a date, league, season or team,"
            f" first at row {int(np.flatnonzero(blank)[0])}"
        )
    day = kickoff_days(history)
    order = np.argsort(day, kind="stable")
    n = len(history)
    teams = state.codes(
        "team", np.concatenate([_text(history, "home_team"), _text(history, "away_team")])
    )
    leagues = state.codes("league", _text(history, "league"))
    seasons = state.codes("season", _text(history, "season"))
    columns = {c: _floats(history, c) for _, h, a in FORM_STATS for c in (h, a) if c}
    # Both goals missing marks a match not played yet (the live worker's fixtures):
    # it reads the state like any other and leaves it unchanged.
    unplayed = np.isnan(columns["home_goals"]) & np.isnan(columns["away_goals"])
    for side in ("home_goals", "away_goals"):
        goals = columns[side]
        valid = np.isfinite(goals) & (goals >= 0) & (goals == np.round(goals))
        if not (valid | unplayed).all():
            raise DataError(
                f"history column {side!r} has values that are not goals >= 0"
                " (both goals missing marks an unplayed match)"
            )
    home_form, away_form = form_values(columns)
    # A missing flag (NaN, or no column at all) means a home ground.
    neutral = (
        history["neutral"].eq(True).to_numpy(dtype=bool)
        if "neutral" in history.columns
        else np.zeros(n, dtype=bool)
    )
    total = columns["home_goals"] + columns["away_goals"]
    draw = (columns["home_goals"] == columns["away_goals"]).astype(np.float64)
    return Matches(
        order=order,
        day=day[order],
        home=teams[:n][order],
        away=teams[n:][order],
        league=leagues[order],
        season=seasons[order],
        played=~unplayed[order],
        home_goals=columns["home_goals"][order],
        away_goals=columns["away_goals"][order],
        at_home=np.where(neutral, 0.0, 1.0)[order],
        home_form=home_form[order],
        away_form=away_form[order],
        league_form=np.column_stack([draw, total])[order],
    )


def _market(history: pd.DataFrame) -> list[tuple[str, FloatArray]]:
    """The consensus market features of each match's pre-match prices (``pricing.consensus``),
    and the goal rates its 1X2, over/under 2.5 and handicap imply (``models.market_rates``)."""
    values = consensus.market_features(_prices(history, "ps"), _prices(history, "avg"))
    columns = [(name, values[:, i]) for i, name in enumerate(consensus.MARKET_FEATURES)]
    over = consensus.line_probability(
        _pair(history, "ps_over", "ps_under"), _pair(history, "avg_over", "avg_under")
    )
    home = consensus.line_probability(
        _pair(history, "ps_ah_home", "ps_ah_away"), _pair(history, "avg_ah_home", "avg_ah_away")
    )
    rates = rate_features(
        values[:, :3],
        totals_line=2.5,
        over=over,
        handicap_line=_floats(history, "ah_line"),
        home=home,
    )
    return [*columns, *((name, rates[:, i]) for i, name in enumerate(RATE_FEATURES))]


def _pair(history: pd.DataFrame, first: str, second: str) -> FloatArray:
    return np.column_stack([_floats(history, first), _floats(history, second)])


def _dixon_coles(
    history: pd.DataFrame, dixon_coles: pd.DataFrame | None
) -> list[tuple[str, FloatArray]]:
    """The caller's Dixon-Coles columns aligned to ``history``; nothing when None."""
    if dixon_coles is None:
        return []
    missing = [c for c in DC_COLUMNS if c not in dixon_coles.columns]
    if missing:
        raise DataError(f"dixon_coles is missing column(s) {missing}; expected {DC_COLUMNS}")
    if not dixon_coles.index.is_unique:
        raise DataError("dixon_coles has a repeated index; it must be indexed like history")
    aligned = dixon_coles.reindex(history.index)[list(DC_COLUMNS)].to_numpy(dtype=np.float64)
    columns = [(name, aligned[:, i]) for i, name in enumerate(DC_COLUMNS)]
    return [*columns, ("dc_goal_diff", aligned[:, 3] - aligned[:, 4])]


def _prices(history: pd.DataFrame, prefix: str) -> FloatArray:
    return np.column_stack([_floats(history, f"{prefix}_{s}") for s in ("home", "draw", "away")])


def _floats(history: pd.DataFrame, column: str) -> FloatArray:
    """A numeric column as float64, all NaN when the frame lacks it."""
    if column not in history.columns:
        return np.full(len(history), np.nan)
    return pd.to_numeric(history[column], errors="coerce").to_numpy(dtype=np.float64)


def _text(history: pd.DataFrame, column: str) -> npt.NDArray[np.object_]:
    return history[column].astype(str).to_numpy(dtype=object)
