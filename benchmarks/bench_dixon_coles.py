"""Benchmark our DixonColes against penaltyblog's DixonColesGoalModel on football-data files.

Both fit the same matches with the same time-decay weights (``exp(-xi * days
before the latest match)``, passed to penaltyblog as ``weights``), on one BLAS
thread. Both parameter sets are then scored by OUR weighted log-likelihood
(log-factorials included), so the comparison uses one formula. penaltyblog runs
in a child process so that a slow fit can be cut off at ``--penaltyblog-timeout``.

Usage::

    .venv/bin/python benchmarks/bench_dixon_coles.py [--data DIR] [--quick] [--json out.json]
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import multiprocessing as mp  # noqa: E402
import queue  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from dataclasses import asdict, dataclass  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
import numpy.typing as npt  # noqa: E402
import pandas as pd  # noqa: E402
from penaltyblog.models import DixonColesGoalModel  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from scoreline.models import DixonColes  # noqa: E402
from scoreline.models._dc_likelihood import log_likelihood  # noqa: E402
from scoreline.models._dc_rho import rho_range  # noqa: E402
from scoreline.models._dc_teams import index_matches  # noqa: E402
from scoreline.models._frames import match_columns  # noqa: E402

DEFAULT_DATA = Path("/work/shared/data/football-data")
COLUMNS = {"Div", "Date", "HomeTeam", "AwayTeam", "FTHG", "FTAG"}


@dataclass
class Case:
    """One benchmark row."""

    name: str
    matches: int
    teams: int
    components: int
    ours_seconds: float
    ours_converged: bool
    ours_newton_steps: int
    ours_log_likelihood: float
    penaltyblog_seconds: float | None  # constructor + fit
    penaltyblog_fit_seconds: float | None  # fit() alone
    penaltyblog_converged: bool | None
    penaltyblog_log_likelihood: float | None  # its parameters, OUR formula
    penaltyblog_self_reported: float | None  # its own loglikelihood attribute
    penaltyblog_rho_valid: bool | None  # every tau positive for every pair in a component
    speedup: float | None  # penaltyblog_seconds / ours_seconds
    note: str


def read_matches(files: list[Path]) -> pd.DataFrame:
    """football-data CSVs as our match frame; padding rows and rows missing a result dropped."""
    frames = []
    for path in files:
        raw = pd.read_csv(
            path, encoding="utf-8-sig", na_values=["NA"], usecols=lambda c: c in COLUMNS
        )
        raw = raw.dropna(subset=["Div", "Date", "HomeTeam", "AwayTeam", "FTHG", "FTAG"])
        text = raw["Date"].astype(str).str.strip()
        short = pd.to_datetime(text, format="%d/%m/%y", errors="coerce")
        long = pd.to_datetime(text, format="%d/%m/%Y", errors="coerce")
        frames.append(
            pd.DataFrame(
                {
                    "date": short.where(text.str.len() <= 8, long),
                    "home_team": raw["HomeTeam"].astype(str).str.strip(),
                    "away_team": raw["AwayTeam"].astype(str).str.strip(),
                    "home_goals": raw["FTHG"].astype(int),
                    "away_goals": raw["FTAG"].astype(int),
                }
            )
        )
    matches = pd.concat(frames, ignore_index=True)
    return matches.dropna(subset=["date"]).reset_index(drop=True)


def decay_weights(matches: pd.DataFrame, xi: float) -> npt.NDArray[np.float64]:
    days = (matches["date"].max() - matches["date"]).dt.days.to_numpy(dtype=np.float64)
    return np.asarray(np.exp(-xi * days), dtype=np.float64)


def our_log_likelihood(
    matches: pd.DataFrame, xi: float, params: dict[str, Any]
) -> tuple[float, bool]:
    """OUR weighted log-likelihood at named parameters, and whether rho is in its range."""
    columns = match_columns(matches)
    teams, data = index_matches(columns, decay_weights(matches, xi))
    n = len(teams.names)
    theta = np.empty(2 * n + 2)
    theta[:n] = [params["attack"][name] for name in teams.names]
    theta[n : 2 * n] = [params["defence"][name] for name in teams.names]
    theta[2 * n], theta[-1] = params["home"], params["rho"]
    bounds = rho_range(theta, teams.members)
    return log_likelihood(theta, data), bool(bounds.lower < theta[-1] < bounds.upper)


def _penaltyblog_child(
    matches: pd.DataFrame, weights: npt.NDArray[np.float64], repeats: int, out: Any
) -> None:
    """Fit penaltyblog ``repeats`` times; send the best times and the parameters."""
    with threadpool_limits(1):
        totals, fits = [], []
        for _ in range(repeats):
            start = time.perf_counter()
            model = DixonColesGoalModel(
                matches["home_goals"].to_numpy(),
                matches["away_goals"].to_numpy(),
                matches["home_team"].to_numpy(dtype=str),
                matches["away_team"].to_numpy(dtype=str),
                weights=weights,
            )
            built = time.perf_counter()
            try:
                model.fit()
                converged = True
            except ValueError:  # penaltyblog raises when scipy reports failure
                converged = False
            done = time.perf_counter()
            totals.append(done - start)
            fits.append(done - built)
    teams = [str(t) for t in model.teams]
    params = np.asarray(model._params, dtype=np.float64)
    n = len(teams)
    out.put(
        {
            "seconds": min(totals),
            "fit_seconds": min(fits),
            "converged": converged,
            "self_reported": None if model.loglikelihood is None else float(model.loglikelihood),
            "params": {
                "attack": dict(zip(teams, params[:n].tolist(), strict=True)),
                "defence": dict(zip(teams, params[n : 2 * n].tolist(), strict=True)),
                "home": float(params[-2]),
                "rho": float(params[-1]),
            },
        }
    )


def run_penaltyblog(
    matches: pd.DataFrame, weights: npt.NDArray[np.float64], repeats: int, timeout: float
) -> dict[str, Any] | None:
    """penaltyblog's result, or None if it did not finish within ``timeout`` seconds."""
    context = mp.get_context("fork")
    out = context.Queue()
    child = context.Process(target=_penaltyblog_child, args=(matches, weights, repeats, out))
    child.start()
    try:
        result: dict[str, Any] = out.get(timeout=timeout)
    except queue.Empty:
        child.terminate()
        child.join()
        return None
    child.join()
    return result


def run_case(
    name: str, files: list[Path], *, xi: float, repeats: int, timeout: float, pb_repeats: int
) -> Case:
    matches = read_matches(files)
    model = DixonColes(xi=xi)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        model = DixonColes(xi=xi).fit(matches)
        times.append(time.perf_counter() - start)
    ours = {
        "attack": dict(zip(model.teams_, model.attack_.tolist(), strict=True)),
        "defence": dict(zip(model.teams_, model.defence_.tolist(), strict=True)),
        "home": model.home_advantage_,
        "rho": model.rho_,
    }
    ours_ll, _ = our_log_likelihood(matches, xi, ours)
    print(f"  ours: {min(times):.4f} s, log-likelihood {ours_ll:.6f}", flush=True)
    pb = run_penaltyblog(matches, decay_weights(matches, xi), pb_repeats, timeout)
    pb_ll, pb_valid, note = None, None, ""
    if pb is None:
        note = f"penaltyblog did not finish within {timeout:g} s; stopped"
    else:
        pb_ll, pb_valid = our_log_likelihood(matches, xi, pb["params"])
        print(f"  penaltyblog: {pb['seconds']:.4f} s, log-likelihood {pb_ll:.6f}", flush=True)
    return Case(
        name=name,
        matches=len(matches),
        teams=len(model.teams_),
        components=len(model.components_),
        ours_seconds=min(times),
        ours_converged=model.converged_,
        ours_newton_steps=model.n_iter_,
        ours_log_likelihood=ours_ll,
        penaltyblog_seconds=None if pb is None else pb["seconds"],
        penaltyblog_fit_seconds=None if pb is None else pb["fit_seconds"],
        penaltyblog_converged=None if pb is None else pb["converged"],
        penaltyblog_log_likelihood=pb_ll,
        penaltyblog_self_reported=None if pb is None else pb["self_reported"],
        penaltyblog_rho_valid=pb_valid,
        speedup=None if pb is None else pb["seconds"] / min(times),
        note=note,
    )


def print_table(cases: list[Case], xi: float) -> None:
    def num(value: float | None, fmt: str) -> str:
        return "-" if value is None else format(value, fmt)

    print(f"\nDixon-Coles, xi = {xi} per day, one BLAS thread; times are best of the repeats")
    head = (
        f"{'case':<22}{'matches':>8}{'teams':>6}{'ours s':>9}{'pb s':>9}{'pb fit s':>9}"
        f"{'speed-up':>9}{'LL ours':>15}{'LL pb (ours fn)':>17}{'ours - pb':>11}"
        f"{'conv o/pb':>10}{'steps':>6}"
    )
    print(head)
    print("-" * len(head))
    for c in cases:
        gap = (
            None
            if c.penaltyblog_log_likelihood is None
            else c.ours_log_likelihood - c.penaltyblog_log_likelihood
        )
        conv = f"{'Y' if c.ours_converged else 'N'}/" + (
            "-" if c.penaltyblog_converged is None else "YN"[not c.penaltyblog_converged]
        )
        print(
            f"{c.name:<22}{c.matches:>8}{c.teams:>6}{c.ours_seconds:>9.4f}"
            f"{num(c.penaltyblog_seconds, '.4f'):>9}{num(c.penaltyblog_fit_seconds, '.4f'):>9}"
            f"{num(c.speedup, '.1f'):>9}{c.ours_log_likelihood:>15.4f}"
            f"{num(c.penaltyblog_log_likelihood, '.4f'):>17}{num(gap, '.2e'):>11}"
            f"{conv:>10}{c.ours_newton_steps:>6}"
        )
        if c.note:
            print(f"  note: {c.note}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="football-data folder")
    parser.add_argument("--quick", action="store_true", help="one and five seasons only")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--xi", type=float, default=0.0018, help="time decay per day")
    parser.add_argument("--repeats", type=int, default=5, help="timed fits per case (best kept)")
    parser.add_argument("--penaltyblog-timeout", type=float, default=600.0, help="seconds")
    args = parser.parse_args(argv)
    data: Path = args.data
    if not data.is_dir():
        print(f"no football-data folder at {data}; nothing to benchmark")
        return 0
    seasons = [data / "E0" / f"{y}-{y + 1}.csv" for y in range(2014, 2019)]
    cases = [("E0 2018-2019", seasons[-1:]), ("E0 2014-2019", seasons)]
    if not args.quick:
        cases.append(("E0-E3 all seasons", sorted(data.glob("E[0-3]/*.csv"))))
        cases.append(("all files", sorted(data.glob("*/*.csv"))))
    results = []
    with threadpool_limits(1):
        for name, files in cases:
            present = [f for f in files if f.is_file()]
            if not present:
                print(f"{name}: files missing under {data}; skipped")
                continue
            print(f"{name} ({len(present)} file(s))", flush=True)
            big = name == "all files"
            results.append(
                run_case(
                    f"{name} ({len(present)})" if len(present) > 5 else name,
                    present,
                    xi=args.xi,
                    repeats=max(args.repeats, 1),
                    timeout=args.penaltyblog_timeout,
                    pb_repeats=1 if big else max(args.repeats, 1),
                )
            )
    print_table(results, args.xi)
    if args.json:
        args.json.write_text(json.dumps([asdict(c) for c in results], indent=2))
        print(f"\nwritten {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
