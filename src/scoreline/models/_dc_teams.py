"""Team indexing, the components of the match graph, and the newcomer prior."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from scoreline.models._dc_likelihood import PairData, aggregate
from scoreline.models._frames import MatchColumns

__all__ = [
    "NEWCOMER_SHARE",
    "Teams",
    "index_matches",
    "index_teams",
    "newcomer_prior",
    "report_problems",
]

logger = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]

# A newcomer is rated like the weakest 15% of its component (3 teams of 20).
NEWCOMER_SHARE = 0.15


@dataclass(frozen=True, slots=True)
class Teams:
    """Sorted team names, each match's indices into them, and the components.

    ``members`` lists each component's team indices, largest component first
    (ties by first name); ``label`` gives each team's component.
    """

    names: list[str]
    home: IntArray
    away: IntArray
    members: list[IntArray]
    label: IntArray


def index_teams(home: npt.NDArray[np.object_], away: npt.NDArray[np.object_]) -> Teams:
    """Index the teams of matches (arrays of shape (n_matches,)) and find the components."""
    codes, uniques = pd.factorize(np.concatenate([home, away]))
    order = np.argsort(np.asarray(uniques, dtype=str), kind="stable")
    rank = np.empty(len(order), dtype=np.intp)
    rank[order] = np.arange(len(order))
    index = rank[codes]
    n_teams, n_matches = len(order), len(home)
    home_index, away_index = index[:n_matches], index[n_matches:]
    graph = coo_matrix(
        (np.ones(n_matches), (home_index, away_index)), shape=(n_teams, n_teams)
    ).tocsr()
    _, raw = connected_components(graph, directed=False)
    groups = [np.flatnonzero(raw == c).astype(np.intp) for c in range(int(raw.max()) + 1)]
    groups.sort(key=lambda teams: (-len(teams), int(teams[0])))
    label = np.empty(n_teams, dtype=np.intp)
    for c, teams in enumerate(groups):
        label[teams] = c
    return Teams(
        names=[str(name) for name in np.asarray(uniques, dtype=object)[order]],
        home=home_index,
        away=away_index,
        members=groups,
        label=label,
    )


def newcomer_prior(
    attack: FloatArray, defence: FloatArray, members: list[IntArray]
) -> tuple[FloatArray, FloatArray]:
    """Attack and defence, shape (n_components,), for a team the fit has not seen.

    The mean of the weakest ``NEWCOMER_SHARE`` of each component's teams by
    ``attack - defence`` (at least one team).
    """
    prior_attack = np.empty(len(members))
    prior_defence = np.empty(len(members))
    for c, teams in enumerate(members):
        count = max(1, round(NEWCOMER_SHARE * len(teams)))
        weakest = teams[np.argsort(attack[teams] - defence[teams], kind="stable")[:count]]
        prior_attack[c] = attack[weakest].mean()
        prior_defence[c] = defence[weakest].mean()
    return prior_attack, prior_defence


def report_problems(
    teams: Teams,
    home_goals: npt.NDArray[np.int64],
    away_goals: npt.NDArray[np.int64],
    *,
    penalised: bool,
) -> None:
    """Log components that never meet, and teams whose best rating is at -inf.

    A team that never scored (never conceded) makes the likelihood rise without
    end as its attack (defence) falls; Newton's steps then gain less and less,
    and the fit stops once the gain is below tol. A penalty keeps it finite.
    """
    if len(teams.members) > 1:
        # Expected when several leagues are fitted together; components_ records it.
        logger.debug(
            "%d teams form %d groups that never meet, directly or through others "
            "(sizes %s); ratings compare only within a group",
            len(teams.names),
            len(teams.members),
            [len(m) for m in teams.members],
        )
    if penalised:
        return
    n = len(teams.names)
    scored = np.bincount(teams.home, home_goals, n) + np.bincount(teams.away, away_goals, n)
    conceded = np.bincount(teams.home, away_goals, n) + np.bincount(teams.away, home_goals, n)
    for goals, verb, rating in ((scored, "scored", "attack"), (conceded, "conceded", "defence")):
        stuck = [teams.names[i] for i in np.flatnonzero(goals == 0)]
        if stuck:
            logger.warning(
                "%s never %s: the maximum-likelihood %s is -inf; the fit stops when the "
                "gain is below tol (prior_strength > 0 keeps it finite)",
                ", ".join(stuck),
                verb,
                rating,
            )


def index_matches(columns: MatchColumns, weight: npt.NDArray[np.float64]) -> tuple[Teams, PairData]:
    """The teams of ``columns`` and its matches aggregated by pair, each weighted by ``weight``."""
    teams = index_teams(columns.home_team, columns.away_team)
    data = aggregate(
        home=teams.home,
        away=teams.away,
        home_goals=columns.home_goals,
        away_goals=columns.away_goals,
        neutral=columns.neutral,
        weight=weight,
        n_teams=len(teams.names),
    )
    return teams, data
