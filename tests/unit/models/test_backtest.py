"""The walk-forward backtest on a synthetic history: no peeking, the schedule, the gaps."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import poisson

from scoreline.errors import DataError
from scoreline.models.backtest import (
    WalkForwardConfig,
    WalkForwardResult,
    _schedule,
    evaluation_rows,
    outcomes,
    run_walk_forward,
)
from scoreline.services.history import HISTORY_COLUMNS, LINE_COLUMNS

FloatArray = npt.NDArray[np.float64]
SIDES = ("home", "draw", "away")
DC = [f"dc_{s}" for s in SIDES]
XGB = [f"xgb_{s}" for s in SIDES]
ENS = [f"ens_{s}" for s in SIDES]
STATS = [
    "home_shots",
    "away_shots",
    "home_shots_on_target",
    "away_shots_on_target",
    "home_corners",
    "away_corners",
]
PRICES = [f"{p}_{s}" for p in ("ps", "psc", "best", "avg") for s in SIDES]
START, END = date(2022, 10, 1), date(2022, 11, 30)
CONFIG = WalkForwardConfig(start=START, end=END, refit_days=28)
GOALS = np.arange(11)


def _round_robin(teams: list[str]) -> list[list[tuple[str, str]]]:
    """Circle method: n - 1 rounds in which every team plays once."""
    n = len(teams)
    fixed, rest = teams[0], teams[1:]
    rounds = []
    for r in range(n - 1):
        order = [fixed, *rest]
        pairs = [(order[i], order[n - 1 - i]) for i in range(n // 2)]
        rounds.append([(a, b) if r % 2 == 0 else (b, a) for a, b in pairs])
        rest = rest[-1:] + rest[:-1]
    return rounds


def _prices(rng: np.random.Generator, p: FloatArray, noise: float, margin: float) -> FloatArray:
    """Decimal odds around ``p`` with a proportional margin."""
    q = p * np.exp(rng.normal(0.0, noise, 3))
    odds: FloatArray = 1.0 / (q / q.sum() * (1.0 + margin))
    return odds


def synthetic_history(seed: int = 0, *, seasons: int = 5, first_year: int = 2018) -> pd.DataFrame:
    """Two leagues of ten clubs, 36 weekly rounds a season from August, shaped like load_history.

    Goals are Poisson with drifting attack and defence strengths; one club per
    league changes league each summer. Pinnacle prices are noisy fair odds with
    a 2.5% margin (2% at the close); about 5% of matches have none, so the
    market features fall back on the average.
    """
    rng = np.random.default_rng(seed)
    leagues = {code: [f"{code} club {i:02d}" for i in range(10)] for code in ("E0", "D1")}
    clubs = [club for teams in leagues.values() for club in teams]
    attack = dict(zip(clubs, rng.normal(0.0, 0.25, len(clubs)), strict=True))
    defence = dict(zip(clubs, rng.normal(0.0, 0.2, len(clubs)), strict=True))
    records: list[dict[str, Any]] = []
    for s in range(seasons):
        year = first_year + s
        if s:
            up, down = rng.integers(10, size=2)
            leagues["E0"][up], leagues["D1"][down] = leagues["D1"][down], leagues["E0"][up]
        opening = date(year, 8, 1)
        opening += timedelta(days=(5 - opening.weekday()) % 7)  # the first Saturday
        for offset, (code, teams) in enumerate(leagues.items()):
            half = _round_robin(list(teams))
            rounds = [*half, *([(b, a) for a, b in r] for r in half)] * 2
            for week, fixtures in enumerate(rounds):
                day = opening + timedelta(days=7 * week + offset)
                kickoff = datetime(day.year, day.month, day.day, 15, tzinfo=UTC)
                for home, away in fixtures:
                    mu_home = np.exp(0.55 + attack[home] - defence[away])
                    mu_away = np.exp(0.3 + attack[away] - defence[home])
                    grid = np.outer(poisson.pmf(GOALS, mu_home), poisson.pmf(GOALS, mu_away))
                    p = np.array([np.tril(grid, -1).sum(), np.trace(grid), np.triu(grid, 1).sum()])
                    p /= p.sum()
                    ps, psc = _prices(rng, p, 0.05, 0.025), _prices(rng, p, 0.03, 0.02)
                    avg = ps / 1.03
                    best = ps * (1.0 + rng.uniform(0.0, 0.04, 3))
                    if rng.random() < 0.05:
                        ps = psc = np.full(3, np.nan)
                    home_goals, away_goals = rng.poisson(mu_home), rng.poisson(mu_away)
                    home_shots = rng.poisson(8 + 3 * home_goals)
                    away_shots = rng.poisson(6 + 3 * away_goals)
                    record: dict[str, Any] = {
                        "league": code,
                        "season": f"{year}-{year + 1}",
                        "date": kickoff,
                        "home_team": home,
                        "away_team": away,
                        "neutral": False,
                        "home_goals": int(home_goals),
                        "away_goals": int(away_goals),
                        "home_shots": float(home_shots),
                        "away_shots": float(away_shots),
                        "home_shots_on_target": float(rng.binomial(home_shots, 0.35)),
                        "away_shots_on_target": float(rng.binomial(away_shots, 0.35)),
                        "home_corners": float(rng.poisson(5.5)),
                        "away_corners": float(rng.poisson(4.5)),
                    }
                    for prefix, odds in (("ps", ps), ("psc", psc), ("best", best), ("avg", avg)):
                        record.update(
                            {
                                f"{prefix}_{side}": float(o)
                                for side, o in zip(SIDES, odds, strict=True)
                            }
                        )
                    records.append(record)
        for club in clubs:
            attack[club] += rng.normal(0.0, 0.05)
            defence[club] += rng.normal(0.0, 0.05)
    frame = pd.DataFrame.from_records(records)
    frame["date"] = pd.to_datetime(frame["date"], utc=True)
    frame = frame.sort_values(["date", "league", "home_team"], kind="stable")
    frame = frame.reset_index(drop=True)
    frame.insert(0, "match_id", np.arange(len(frame), dtype=np.int64))
    for name in LINE_COLUMNS:  # no over/under or handicap prices: the 1X2 alone sets the rates
        frame[name] = np.nan
    return frame[list(HISTORY_COLUMNS)]


def rewrite_from(history: pd.DataFrame, rows: pd.Series, seed: int = 1) -> pd.DataFrame:
    """A copy where ``rows`` have other goals, statistics and prices (same fixtures)."""
    rng = np.random.default_rng(seed)
    changed = history.copy()
    n = int(rows.sum())
    changed.loc[rows, "home_goals"] = (changed.loc[rows, "home_goals"] + rng.integers(1, 4, n)) % 5
    changed.loc[rows, "away_goals"] = rng.integers(0, 5, n)
    changed.loc[rows, STATS] = rng.integers(0, 25, (n, len(STATS))).astype(np.float64)
    for prefix, margin in (("ps", 0.025), ("psc", 0.02), ("best", 0.0), ("avg", 0.05)):
        fair = rng.dirichlet([4.0, 3.0, 3.0], n)
        changed.loc[rows, [f"{prefix}_{s}" for s in SIDES]] = 1.0 / (fair * (1.0 + margin))
    return changed


def _midnight(day: date) -> pd.Timestamp:
    return pd.Timestamp(datetime(day.year, day.month, day.day, tzinfo=UTC))


@pytest.fixture(scope="module")
def history() -> pd.DataFrame:
    return synthetic_history()


@pytest.fixture(scope="module")
def baseline(history: pd.DataFrame) -> WalkForwardResult:
    return run_walk_forward(history, CONFIG)


def test_the_synthetic_history_is_shaped_like_load_history(history: pd.DataFrame) -> None:
    assert tuple(history.columns) == HISTORY_COLUMNS
    assert history["date"].is_monotonic_increasing
    assert history.groupby("season")["league"].value_counts().eq(180).all()
    assert history["home_team"].nunique() == 20


@pytest.mark.parametrize("cut", [date(2022, 1, 12), date(2022, 10, 20)], ids=str)
def test_changing_matches_from_a_date_on_leaves_earlier_predictions_unchanged(
    history: pd.DataFrame, baseline: WalkForwardResult, cut: date
) -> None:
    later = history["date"] >= _midnight(cut)

    changed = run_walk_forward(rewrite_from(history, later), CONFIG)

    before = baseline.predictions.loc[~later]
    assert before[DC].notna().any().all()
    pd.testing.assert_frame_equal(changed.predictions.loc[~later], before, check_exact=True)
    # Not vacuous: the rewritten matches did reach the later predictions.
    after = changed.predictions.loc[later, DC]
    assert not after.equals(baseline.predictions.loc[later, DC])


def test_changing_matches_after_the_window_changes_nothing_in_it(
    history: pd.DataFrame, baseline: WalkForwardResult
) -> None:
    after_end = history["date"] >= _midnight(END) + pd.Timedelta(days=1)
    assert after_end.sum() > 100

    changed = run_walk_forward(rewrite_from(history, after_end), CONFIG)

    window = evaluation_rows(history, CONFIG).to_numpy()
    pd.testing.assert_frame_equal(
        changed.predictions.loc[window], baseline.predictions.loc[window], check_exact=True
    )
    pd.testing.assert_frame_equal(changed.predictions, baseline.predictions, check_exact=True)


def test_every_evaluated_row_gets_probabilities_summing_to_one(
    history: pd.DataFrame, baseline: WalkForwardResult
) -> None:
    window = evaluation_rows(history, CONFIG).to_numpy()
    assert window.sum() == 2 * 5 * 9  # nine weekends of both leagues
    for columns in (DC, XGB, ENS):
        p = baseline.predictions.loc[window, columns].to_numpy()
        assert np.isfinite(p).all(), columns
        assert ((p > 0) & (p < 1)).all(), columns
        np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-9)
    goals = baseline.predictions.loc[window, ["dc_home_goals", "dc_away_goals"]].to_numpy()
    assert (goals > 0).all()


def test_the_rows_without_pinnacle_prices_get_an_ensemble_too(
    history: pd.DataFrame, baseline: WalkForwardResult
) -> None:
    window = evaluation_rows(history, CONFIG).to_numpy()
    bare = window & history["ps_home"].isna().to_numpy()
    assert bare.any()
    np.testing.assert_allclose(baseline.predictions.loc[bare, ENS].sum(axis=1), 1.0, atol=1e-9)


def test_rows_before_the_burn_in_get_no_prediction(
    history: pd.DataFrame, baseline: WalkForwardResult
) -> None:
    dates = history["date"]
    burn_in = dates < dates.iloc[0] + pd.Timedelta(days=CONFIG.burn_in_days)
    assert burn_in.sum() > 300
    assert baseline.predictions.loc[burn_in].isna().all().all()


def test_the_ensemble_predicts_only_inside_the_window(
    history: pd.DataFrame, baseline: WalkForwardResult
) -> None:
    window = evaluation_rows(history, CONFIG).to_numpy()
    assert baseline.predictions.loc[~window, ENS].isna().all().all()
    after = (history["date"] >= _midnight(END) + pd.Timedelta(days=1)).to_numpy()
    assert baseline.predictions.loc[after].isna().all().all()


def test_refits_are_counted_per_model(baseline: WalkForwardResult) -> None:
    # Dixon-Coles refits every 28 days from a year after the first match; the window
    # of 61 days is three 28-day steps.
    assert baseline.refits["dixon_coles"] > 30
    assert baseline.refits["ensemble"] >= 3
    assert baseline.blend_weights


def test_dixon_coles_alone_predicts_only_its_columns(history: pd.DataFrame) -> None:
    config = WalkForwardConfig(start=START, end=END, refit_days=28, models=("dixon-coles",))
    result = run_walk_forward(history, config)
    assert list(result.predictions.columns) == [*DC, "dc_home_goals", "dc_away_goals"]
    window = evaluation_rows(history, config).to_numpy()
    assert result.predictions.loc[window].notna().all().all()


def test_outcomes_are_home_draw_away() -> None:
    frame = pd.DataFrame({"home_goals": [2, 1, 0, 3], "away_goals": [0, 1, 2, 3]})
    assert outcomes(frame).tolist() == [0, 1, 2, 1]


def test_the_schedule_of_a_known_window() -> None:
    first = pd.Timestamp("2021-12-01", tz="UTC")
    points = _schedule(first, date(2022, 3, 1), date(2022, 3, 20), 28, 7)
    assert [p.date().isoformat() for p in points] == [
        "2021-12-07",
        "2022-01-04",
        "2022-02-01",
        "2022-03-01",
        "2022-03-08",
        "2022-03-15",
        "2022-03-21",
    ]


@given(
    first=st.datetimes(min_value=datetime(2015, 1, 1), max_value=datetime(2024, 12, 31)),
    start=st.dates(min_value=date(2016, 1, 1), max_value=date(2023, 12, 31)),
    length=st.integers(min_value=0, max_value=400),
    before=st.integers(min_value=1, max_value=200),
    during=st.integers(min_value=1, max_value=30),
)
def test_refit_instants_increase_and_cover_the_window(
    first: datetime, start: date, length: int, before: int, during: int
) -> None:
    end = start + timedelta(days=length)
    first_stamp = pd.Timestamp(first, tz="UTC")
    begin, finish = _midnight(start), _midnight(end) + pd.Timedelta(days=1)

    points = _schedule(first_stamp, start, end, before, during)

    assert all(a < b for a, b in pairwise(points))
    assert points[0] <= begin
    assert points[-1] == finish
    assert begin in points
    inside = [p for p in points if p >= begin]
    gaps = [(b - a).days for a, b in pairwise(inside)]
    assert all(g == during for g in gaps[:-1])
    assert 0 < gaps[-1] <= during
    earlier = [p for p in points if p < begin]
    assert all(p > first_stamp for p in earlier)
    assert all((begin - p).days % before == 0 for p in earlier)
    assert points[0] - pd.Timedelta(days=before) <= first_stamp


def test_refits_are_weekly_inside_the_window_by_default() -> None:
    points = _schedule(pd.Timestamp("2020-01-01", tz="UTC"), START, END, 28, 7)
    inside = [p for p in points if _midnight(START) <= p <= _midnight(END)]
    assert {(b - a).days for a, b in pairwise(inside)} == {7}
    assert inside[0] == _midnight(START)
    assert points[-1] == _midnight(END) + pd.Timedelta(days=1)


def test_an_end_before_the_start_is_rejected() -> None:
    with pytest.raises(DataError, match=r"^end 2022-09-30 is before start 2022-10-01$"):
        WalkForwardConfig(start=date(2022, 10, 1), end=date(2022, 9, 30))


def test_an_unknown_model_is_rejected() -> None:
    with pytest.raises(
        DataError, match=r"^unknown models \['foo'\]; choose from dixon-coles, ensemble$"
    ):
        WalkForwardConfig(start=START, end=END, models=("dixon-coles", "foo"))


def test_a_refit_interval_below_one_day_is_rejected() -> None:
    with pytest.raises(DataError, match=r"^refit_days must be at least 1 day$"):
        WalkForwardConfig(start=START, end=END, refit_days=0)


def test_an_empty_history_is_rejected() -> None:
    with pytest.raises(DataError, match="the history is empty"):
        run_walk_forward(pd.DataFrame(columns=list(HISTORY_COLUMNS)), CONFIG)


def test_an_ensemble_without_any_dixon_coles_prediction_is_rejected() -> None:
    # Dixon-Coles needs 50 earlier matches; August has 40 of them before its last week.
    short = synthetic_history(seasons=1, first_year=2022)
    config = WalkForwardConfig(start=date(2022, 8, 1), end=date(2022, 8, 31))
    with pytest.raises(DataError, match="too little history before the start"):
        run_walk_forward(short, config)


def test_a_window_before_any_xgboost_prediction_does_not_crash(history: pd.DataFrame) -> None:
    # Dixon-Coles predicts from August 2019, so XGBoost may first fit in August 2020;
    # 182 days before this start is July 2020: no XGBoost prediction precedes the window.
    config = WalkForwardConfig(start=date(2021, 1, 16), end=date(2021, 2, 13), refit_days=28)
    try:
        result = run_walk_forward(history, config)
    except DataError:
        return  # a clear refusal is an acceptable answer
    window = evaluation_rows(history, config).to_numpy()
    ensemble = result.predictions.loc[window, ENS].to_numpy()
    made = np.isfinite(ensemble).all(axis=1)
    np.testing.assert_allclose(ensemble[made].sum(axis=1), 1.0, atol=1e-9)
