"""Benchmark ``build_features`` on the full history against a naive pandas feature.

Reads the football-data tree through ``services.history.load_history`` when it
exists (loading is not timed), else builds a synthetic history of about 120,000
matches and 600 teams. The baseline, timed on the same frame, is one feature
the naive way: each team's mean goals over its previous six matches with a
pandas groupby-rolling on a long (team, match) frame. The ratio says how many
such naive features the whole engine costs.

Usage::

    .venv/bin/python benchmarks/bench_features.py [--data DIR] [--synthetic] [--repeats 3]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from scoreline.models.features import FEATURE_COLUMNS, build_features
from scoreline.services.history import load_history

DEFAULT_DATA = Path("/work/shared/data/football-data")


def synthetic_history(
    *, n_leagues: int = 30, n_teams: int = 20, n_seasons: int = 11, seed: int = 0
) -> pd.DataFrame:
    """Double round robins: ``n_leagues * n_seasons * n_teams * (n_teams - 1)`` matches."""
    rng = np.random.default_rng(seed)
    home, away, league, season, day = [], [], [], [], []
    half = n_teams // 2
    for s in range(n_seasons):
        for lg in range(n_leagues):
            order = list(rng.permutation(n_teams) + lg * n_teams)
            for rnd in range(2 * (n_teams - 1)):
                pairs = [(order[i], order[-1 - i]) for i in range(half)]
                if rnd >= n_teams - 1:
                    pairs = [(a, h) for h, a in pairs]
                home += [h for h, _ in pairs]
                away += [a for _, a in pairs]
                league += [lg] * half
                season += [s] * half
                day += list(s * 365 + rnd * 7 + rng.integers(0, 3, size=half))
                order.insert(1, order.pop())
    n = len(home)
    strength = rng.normal(0, 0.3, size=n_leagues * n_teams)
    h, a = np.array(home), np.array(away)
    stats = {
        name: np.where(rng.random(n) < 0.3, np.nan, rng.poisson(mean, n).astype(float))
        for name, mean in [("shots", 12), ("shots_on_target", 4), ("corners", 5)]
        for name in (f"home_{name}", f"away_{name}")
    }
    p = rng.dirichlet([4, 3, 3], size=n)
    odds = 1 / (p * rng.uniform(1.02, 1.08, size=(n, 1)))
    frame = pd.DataFrame(
        {
            "league": [f"L{x}" for x in league],
            "season": [f"{2010 + s}-{2011 + s}" for s in season],
            "date": pd.Timestamp("2010-08-01", tz="UTC") + pd.to_timedelta(day, unit="D"),
            "home_team": [f"T{x}" for x in h],
            "away_team": [f"T{x}" for x in a],
            "neutral": False,
            "home_goals": rng.poisson(np.exp(0.35 + strength[h] - strength[a])),
            "away_goals": rng.poisson(np.exp(0.1 - strength[h] + strength[a])),
            **stats,
            **{f"ps_{side}": odds[:, i] for i, side in enumerate(("home", "draw", "away"))},
            **{f"avg_{side}": odds[:, i] for i, side in enumerate(("home", "draw", "away"))},
        }
    )
    return frame.sort_values(["date", "league"], kind="stable").reset_index(drop=True)


def naive_goal_form(history: pd.DataFrame) -> pd.Series:
    """Each team's mean goals over its previous six matches, by pandas groupby-rolling."""
    long = pd.concat(
        [
            pd.DataFrame(
                {"row": history.index, "team": history["home_team"], "goals": history["home_goals"]}
            ),
            pd.DataFrame(
                {"row": history.index, "team": history["away_team"], "goals": history["away_goals"]}
            ),
        ],
        ignore_index=True,
    )
    return long.groupby("team", sort=False)["goals"].transform(
        lambda goals: goals.shift().rolling(6, min_periods=1).mean()
    )


def best_of(repeats: int, run: Callable[[], object]) -> float:
    """The fastest of ``repeats`` runs, in seconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="football-data folder")
    parser.add_argument("--synthetic", action="store_true", help="ignore --data")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs (best kept)")
    args = parser.parse_args(argv)
    if args.data.is_dir() and not args.synthetic:
        start = time.perf_counter()
        history = load_history([args.data])
        source = f"football-data at {args.data} (loaded in {time.perf_counter() - start:.1f} s)"
    else:
        history = synthetic_history()
        source = "synthetic"
    teams = pd.concat([history["home_team"], history["away_team"]]).nunique()
    print(f"{source}: {len(history)} matches, {teams} teams, {len(FEATURE_COLUMNS)} features")
    repeats = max(args.repeats, 1)
    ours = best_of(repeats, lambda: build_features(history))
    naive = best_of(repeats, lambda: naive_goal_form(history))
    print(f"build_features:                   {ours:7.3f} s")
    print(f"naive groupby-rolling goals mean: {naive:7.3f} s (one feature)")
    print(f"ratio build_features / naive:     {ours / naive:7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
