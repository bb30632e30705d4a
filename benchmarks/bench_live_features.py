"""Benchmark the live feature path against today's rebuild, on the full history.

Before issue 15 the worker rebuilt every fixture's features with ``build_features``
whenever a fixture or a result arrived. ``LiveFeatures`` keeps the walk's state
alive instead. This measures, in one run and on the same frame (the football-data
tree through ``services.history.load_history`` when it exists, loading not timed,
else a synthetic history of about 120,000 matches; the first line says which):

- a new fixture: the rebuild (``build_features`` on every fixture and the new one)
  against ``LiveFeatures.update`` with the fixture plus reading its row;
- a result arriving on a new day (the state steps one day) and a result of the
  last played day (that day is stepped again from the copy kept before it),
  each against the rebuild.

The Dixon-Coles columns are left out of both sides: they are the fitted model's
forecast of a pair, a per-fixture look-up on either path. Ratios are rebuild time
over live time (best of ``--repeats``).

Usage::

    .venv/bin/python benchmarks/bench_live_features.py [--data DIR] [--synthetic] [--repeats 5]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from bench_features import DEFAULT_DATA, synthetic_history
from scoreline.models.features import build_features
from scoreline.models.live_features import Change, LiveFeatures
from scoreline.services.history import load_history

_COLUMNS = [
    "fixture_id",
    "date",
    "neutral",
    "league",
    "season",
    "home_team",
    "away_team",
    "home_goals",
    "away_goals",
    "home_shots",
    "away_shots",
    "home_shots_on_target",
    "away_shots_on_target",
    "home_corners",
    "away_corners",
]


def database(history: pd.DataFrame) -> pd.DataFrame:
    """The history as the worker reads it from the database: ids, kick-off order, no prices."""
    frame = history.sort_values("date", kind="stable").reset_index(drop=True)
    frame.insert(0, "fixture_id", np.arange(1, len(frame) + 1))
    for name in _COLUMNS:
        if name not in frame.columns:
            frame[name] = False if name == "neutral" else np.nan
    frame["neutral"] = frame["neutral"].fillna(False).astype(bool)
    for name in _COLUMNS[7:]:
        frame[name] = pd.to_numeric(frame[name], errors="coerce").astype(np.float64)
    frame["date"] = pd.to_datetime(frame["date"], utc=True)
    return frame[_COLUMNS]


def fixture_like(
    frame: pd.DataFrame, model: pd.Series, *, fixture_id: int, days: int
) -> pd.DataFrame:
    """An unplayed fixture between ``model``'s teams, ``days`` after the last kick-off."""
    row = model.copy()
    row["fixture_id"] = fixture_id
    row["date"] = frame["date"].iloc[-1] + pd.Timedelta(days=days)
    for name in _COLUMNS[7:]:
        row[name] = np.nan
    return pd.DataFrame([row])[_COLUMNS].astype(frame.dtypes.to_dict())


def timed(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="football-data folder")
    parser.add_argument("--synthetic", action="store_true", help="ignore --data")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs (best kept)")
    args = parser.parse_args(argv)
    if args.data.is_dir() and not args.synthetic:
        start = time.perf_counter()
        history = load_history([args.data])
        source = f"football-data at {args.data} (loaded in {time.perf_counter() - start:.1f} s)"
    else:
        history = synthetic_history()
        why = "--synthetic" if args.synthetic else f"{args.data} is absent"
        source = f"synthetic history ({why})"
    frame = database(history)
    print(f"{source}: {len(frame)} fixtures")
    repeats = max(args.repeats, 1)

    live = LiveFeatures()
    walk = timed(lambda: live.rebuild(frame))
    print(f"walk of the whole history (model load):   {walk:8.3f} s")

    # A new fixture: today's rebuild against the live read.
    last = frame.iloc[-1]
    next_id = int(frame["fixture_id"].max()) + 1
    rebuild, read = [], []
    for k in range(repeats):
        fixture = fixture_like(frame, last, fixture_id=next_id + k, days=7)
        with_it = pd.concat([frame, fixture], ignore_index=True)
        rebuild.append(timed(lambda: build_features(with_it)))  # noqa: B023
        started = time.perf_counter()
        change = live.update(fixture)
        live.rows([next_id + k])
        read.append(time.perf_counter() - started)
        assert change is Change.READ, change
    print(f"new fixture, rebuild (build_features):    {min(rebuild):8.3f} s")
    print(f"new fixture, live update + row:           {1e3 * min(read):8.3f} ms")
    print(f"ratio rebuild / live (new fixture):       {min(rebuild) / min(read):8.0f}")

    # Results: each repeat plays one of the new fixtures, one day later than the last
    # (the state steps a day), then a second match of that same day (the day again).
    new_day, same_day, rebuild_result = [], [], []
    base = next_id + repeats
    for k in range(repeats):
        played = fixture_like(frame, last, fixture_id=base + k, days=8 + k)
        played["home_goals"], played["away_goals"] = 2.0, 1.0
        started = time.perf_counter()
        change = live.update(played)
        live.rows([base + k])
        new_day.append(time.perf_counter() - started)
        assert change is Change.STEPPED, change
        again = fixture_like(frame, frame.iloc[-2], fixture_id=base + repeats + k, days=8 + k)
        again["home_goals"], again["away_goals"] = 0.0, 0.0
        started = time.perf_counter()
        change = live.update(again)
        live.rows([base + repeats + k])
        same_day.append(time.perf_counter() - started)
        assert change is Change.STEPPED, change
        rebuild_result.append(timed(lambda: build_features(frame)))
    print(f"result, rebuild (build_features):         {min(rebuild_result):8.3f} s")
    print(f"result of a new day, live update + row:   {1e3 * min(new_day):8.3f} ms")
    print(f"result of the same day, live update + row:{1e3 * min(same_day):8.3f} ms")
    print(f"ratio rebuild / live (result, new day):   {min(rebuild_result) / min(new_day):8.0f}")
    print(f"ratio rebuild / live (result, same day):  {min(rebuild_result) / min(same_day):8.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
