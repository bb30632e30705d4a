"""Time ScoreGrid: build Dixon-Coles grids and price every market, against penaltyblog.

Run: ``.venv/bin/python benchmarks/bench_grid.py [--fixtures 10000] [--json out.json]``

Also times the joint inversion of a match's de-margined 1X2, over/under 2.5 and
Asian handicap into goal rates and rho (``models.market_rates``), per match and
batched, as a ratio against the 1X2-only solve (``ScoreGrid.from_1x2``) of the
same matches in the same run (``--inversion-fixtures``, default 2000).

BLAS and OpenMP are pinned to one thread so the numbers compare across machines.
penaltyblog's ``FootballProbabilityGrid`` prices one fixture per object, so the
baseline runs on a subset (``--baseline-fixtures``, default 500) and is scaled
linearly to the full count; per-fixture work is the same for every fixture.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

# Before numpy loads its BLAS, hence the imports below this block.
for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = "1"

import numpy as np  # noqa: E402
import numpy.typing as npt  # noqa: E402
from penaltyblog.models.football_probability_grid import create_dixon_coles_grid  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from scoreline.models.grid import GridMarket, LineMarket, ScoreGrid  # noqa: E402
from scoreline.models.market_rates import LineQuotes, implied_rates  # noqa: E402

FloatArray = npt.NDArray[np.float64]

TOTAL_LINES = [float(x) for x in np.arange(0.5, 6.51, 0.25)]
ASIAN_LINES = [float(x) for x in np.arange(-3.5, 3.51, 0.25)]
FIXED_MARKETS: tuple[GridMarket, ...] = (
    "1x2",
    "double_chance",
    "draw_no_bet",
    "btts",
    "win_to_nil",
    "correct_score",
)
TEAM_AND_MATCH_TOTALS: tuple[LineMarket, ...] = ("over_under", "home_total", "away_total")
MAX_GOALS = 10


def price_with_scoreline(home: FloatArray, away: FloatArray, rho: FloatArray) -> None:
    """Build the grids, then the probabilities and fair odds of every market and line."""
    grid = ScoreGrid.from_dixon_coles(home, away, rho, max_goals=MAX_GOALS)
    for market in FIXED_MARKETS:
        grid.probabilities(market)
        grid.fair_odds(market)
    grid.probabilities("expected_goals")
    for line in TOTAL_LINES:
        for total in TEAM_AND_MATCH_TOTALS:
            grid.settlement(total, line)
            grid.fair_odds(total, line)
    for line in ASIAN_LINES:
        grid.settlement("asian_handicap", line)
        grid.fair_odds("asian_handicap", line)


def price_with_penaltyblog(home: FloatArray, away: FloatArray, rho: FloatArray) -> None:
    """The same markets, one fixture at a time, through penaltyblog's own grid."""
    for lam, mu, r in zip(home.tolist(), away.tolist(), rho.tolist(), strict=True):
        grid = create_dixon_coles_grid(lam, mu, r, max_goals=MAX_GOALS)
        grid.home_draw_away  # noqa: B018 -- properties do the work
        grid.double_chance_1x, grid.double_chance_12, grid.double_chance_x2  # noqa: B018
        grid.draw_no_bet_home, grid.draw_no_bet_away  # noqa: B018
        grid.btts_yes, grid.btts_no  # noqa: B018
        grid.win_to_nil_home(), grid.win_to_nil_away()
        grid.grid  # noqa: B018 -- the exact-score matrix
        home_goals = grid.home_goal_distribution()
        away_goals = grid.away_goal_distribution()
        values = np.arange(MAX_GOALS + 1)
        for line in TOTAL_LINES:
            grid.totals(line)
            # penaltyblog has no team totals: take them from its marginals.
            home_goals[values > line].sum(), away_goals[values > line].sum()
        for line in ASIAN_LINES:
            grid.asian_handicap_probs("home", line)
            grid.asian_handicap_probs("away", -line)


def inversion_inputs(
    home: FloatArray, away: FloatArray, rho: FloatArray
) -> tuple[FloatArray, LineQuotes, LineQuotes]:
    """Each match's 1X2, over 2.5 and a handicap near its balance, from its own grid."""
    grid = ScoreGrid.from_dixon_coles(home, away, rho, max_goals=MAX_GOALS)
    handicap = np.clip(np.round((away - home) * 4) / 4, -3.5, 3.5)
    home_cover = np.empty(len(home))
    for line in np.unique(handicap):
        rows = handicap == line
        home_cover[rows] = grid.probabilities("asian_handicap", float(line))[rows, 0]
    over = grid.probabilities("over_under", 2.5)[:, 0]
    return (
        grid.probabilities("1x2"),
        LineQuotes.single(2.5, over),
        LineQuotes.single(handicap, home_cover),
    )


def time_inversion(
    home: FloatArray, away: FloatArray, rho: FloatArray, repeats: int
) -> dict[str, float]:
    """Joint inversion against the 1X2-only solve: per match (one call each) and batched."""
    one_x_two, totals, asian = inversion_inputs(home, away, rho)
    n = len(home)

    def one(i: int) -> LineQuotes:
        return LineQuotes(totals.lines[i : i + 1], totals.probabilities[i : i + 1])

    def two(i: int) -> LineQuotes:
        return LineQuotes(asian.lines[i : i + 1], asian.probabilities[i : i + 1])

    per_match = min(n, 200)
    joint_one = median_ms(
        lambda: [
            implied_rates(one_x_two[i : i + 1], totals=one(i), asian=two(i))
            for i in range(per_match)
        ],
        repeats,
    )
    solve_one = median_ms(
        lambda: [ScoreGrid.from_1x2(one_x_two[i : i + 1], rho=-0.05) for i in range(per_match)],
        repeats,
    )
    joint_batch = median_ms(
        lambda: implied_rates(one_x_two, totals=totals, asian=asian), max(1, repeats // 4)
    )
    solve_batch = median_ms(lambda: ScoreGrid.from_1x2(one_x_two, rho=-0.05), repeats)
    return {
        "inversion_fixtures": n,
        "joint_per_match_ms": round(joint_one / per_match, 3),
        "solve_1x2_per_match_ms": round(solve_one / per_match, 3),
        "joint_over_1x2_per_match": round(joint_one / solve_one, 1),
        "joint_batch_ms": round(joint_batch, 1),
        "solve_1x2_batch_ms": round(solve_batch, 2),
        "joint_over_1x2_batch": round(joint_batch / solve_batch, 1),
    }


def median_ms(run: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixtures", type=int, default=10_000)
    parser.add_argument("--baseline-fixtures", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=21)
    parser.add_argument("--baseline-repeats", type=int, default=3)
    parser.add_argument("--inversion-fixtures", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)
    home = rng.uniform(0.3, 3.0, args.fixtures)
    away = rng.uniform(0.3, 3.0, args.fixtures)
    rho = rng.uniform(-0.15, 0.05, args.fixtures)
    subset = slice(0, min(args.baseline_fixtures, args.fixtures))
    n_lines = 3 * len(TOTAL_LINES) + len(ASIAN_LINES)

    with threadpool_limits(limits=1):
        price_with_scoreline(home, away, rho)  # warm-up
        ours = median_ms(lambda: price_with_scoreline(home, away, rho), args.repeats)
        build = median_ms(
            lambda: ScoreGrid.from_dixon_coles(home, away, rho, max_goals=MAX_GOALS), args.repeats
        )
        target = ScoreGrid.from_dixon_coles(home, away, rho).probabilities("1x2")
        solve = median_ms(lambda: ScoreGrid.from_1x2(target, rho=rho), args.repeats)
        inversion = time_inversion(
            home[: args.inversion_fixtures],
            away[: args.inversion_fixtures],
            rho[: args.inversion_fixtures],
            max(3, args.repeats // 4),
        )
        baseline_subset = median_ms(
            lambda: price_with_penaltyblog(home[subset], away[subset], rho[subset]),
            args.baseline_repeats,
        )
    n_baseline = subset.stop
    baseline = baseline_subset * args.fixtures / n_baseline
    results = {
        "fixtures": args.fixtures,
        "max_goals": MAX_GOALS,
        "line_markets_priced": n_lines,
        "scoreline_total_ms": round(ours, 2),
        "scoreline_build_grids_ms": round(build, 2),
        "penaltyblog_fixtures_timed": n_baseline,
        "penaltyblog_subset_ms": round(baseline_subset, 1),
        "penaltyblog_scaled_ms": round(baseline, 1),
        "speedup": round(baseline / ours, 1),
        "solve_from_1x2_ms": round(solve, 2),
        "solve_over_build": round(solve / build, 2),
        **inversion,
        "threads": 1,
    }
    print(f"ScoreGrid, {args.fixtures} fixtures, grids + every market ({n_lines} lines):")
    print(f"  {ours:8.2f} ms median of {args.repeats} (grid build alone {build:.2f} ms)")
    print(
        f"  rates solved back from 1X2 prices: {solve:.2f} ms ({solve / build:.1f}x the grid build)"
    )
    print(
        "  joint 1X2 + over/under 2.5 + handicap inversion (rates and rho):"
        f" {inversion['joint_per_match_ms']:.2f} ms a match one at a time,"
        f" {inversion['joint_over_1x2_per_match']:.1f}x the 1X2-only solve"
        f" ({inversion['solve_1x2_per_match_ms']:.2f} ms);"
        f" batched {inversion['joint_batch_ms']:.0f} ms for {inversion['inversion_fixtures']},"
        f" {inversion['joint_over_1x2_batch']:.1f}x the batched 1X2 solve"
    )
    print(f"penaltyblog FootballProbabilityGrid, {n_baseline} fixtures timed:")
    print(f"  {baseline_subset:8.1f} ms, scaled to {args.fixtures}: {baseline:.0f} ms")
    print(
        f"speed-up: {baseline / ours:.0f}x; target under 50 ms: {'met' if ours < 50 else 'MISSED'}"
    )
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
