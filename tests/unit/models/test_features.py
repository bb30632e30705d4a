"""Point-in-time features: no leakage from later or same-day data, and hand-worked values."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoreline.errors import DataError, ModelError
from scoreline.models.features import FEATURE_COLUMNS, FeatureConfig, build_features

STATS = (
    "home_shots",
    "away_shots",
    "home_shots_on_target",
    "away_shots_on_target",
    "home_corners",
    "away_corners",
)
PRICES = tuple(f"{p}_{s}" for p in ("ps", "psc", "best", "avg") for s in ("home", "draw", "away"))
MUTATIONS = ("results", "prices", "drop", "permute", "swap_goals", "everything")


def synthetic_history(seed: int, *, n_leagues: int = 3, n_teams: int = 8) -> pd.DataFrame:
    """Two seasons of double round robins in a few leagues, like ``services.history``.

    Between seasons one team per league goes up, one down, and a new team enters
    the last league, so Elo sees promotions and newcomers. Some rows lack
    statistics or Pinnacle prices; leagues share some match days.
    """
    rng = np.random.default_rng(seed)
    leagues = [[f"T{lg}{i}" for i in range(n_teams)] for lg in range(n_leagues)]
    strength = {t: rng.normal(0, 0.3) for teams in leagues for t in teams}
    rows: list[dict[str, Any]] = []
    for season in range(2):
        start = pd.Timestamp(f"{2020 + season}-08-01", tz="UTC")
        for lg, teams in enumerate(leagues):
            for rnd, pairs in enumerate(_round_robin(list(rng.permutation(teams)))):
                hours = int(rng.choice([12, 15]))
                fixture = {
                    "league": f"L{lg}",
                    "season": f"{2020 + season}-{2021 + season}",
                    "date": start + pd.Timedelta(days=7 * rnd + lg % 2, hours=hours),
                }
                for home, away in pairs:
                    pair = {"home_team": home, "away_team": away}
                    rows.append(_match(rng, fixture | pair, strength))
        for lg in range(n_leagues - 1):  # promotion and relegation
            leagues[lg][-1], leagues[lg + 1][0] = leagues[lg + 1][0], leagues[lg][-1]
        newcomer = f"N{season}"
        strength[newcomer] = rng.normal(-0.2, 0.2)
        leagues[-1][-1] = newcomer
    frame = pd.DataFrame(rows).sort_values(["date", "league", "home_team"], kind="stable")
    frame = frame.reset_index(drop=True)
    frame.insert(0, "match_id", np.arange(len(frame)))
    return frame


def _round_robin(teams: list[str]) -> list[list[tuple[str, str]]]:
    """The rounds of a double round robin, by the circle method."""
    order, rounds = list(teams), []
    for _ in range(len(teams) - 1):
        rounds.append([(order[i], order[-1 - i]) for i in range(len(order) // 2)])
        order.insert(1, order.pop())
    return rounds + [[(away, home) for home, away in pairs] for pairs in rounds]


def _match(
    rng: np.random.Generator, fixture: dict[str, Any], strength: dict[str, float]
) -> dict[str, Any]:
    diff = strength[fixture["home_team"]] - strength[fixture["away_team"]]
    row = fixture | {
        "neutral": False,
        "home_goals": int(rng.poisson(math.exp(0.35 + diff))),
        "away_goals": int(rng.poisson(math.exp(0.1 - diff))),
    }
    known = rng.random() > 0.2
    for name in STATS:
        row[name] = float(rng.poisson(8)) if known else np.nan
    p = rng.dirichlet([4, 3, 3])
    for prefix in ("ps", "psc", "best", "avg"):
        odds = 1 / (p * rng.uniform(1.02, 1.08))
        for side, price in zip(("home", "draw", "away"), odds, strict=True):
            row[f"{prefix}_{side}"] = float(price)
    if rng.random() < 0.3:
        row["ps_home"] = np.nan
    if rng.random() < 0.03:
        row["avg_draw"] = np.nan
    return row


def _dc(history: pd.DataFrame, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    p = rng.dirichlet([4, 3, 3], size=len(history))
    goals = rng.uniform(0.5, 2.5, size=(len(history), 2))
    columns = {"dc_home": p[:, 0], "dc_draw": p[:, 1], "dc_away": p[:, 2]}
    columns |= {"dc_home_goals": goals[:, 0], "dc_away_goals": goals[:, 1]}
    return pd.DataFrame(columns, index=history.index)


def _mutate(history: pd.DataFrame, later: pd.Series, mutation: str, seed: int) -> pd.DataFrame:
    """``history`` with the rows flagged ``later`` changed in one way."""
    rng = np.random.default_rng(seed + 1000)
    out = history.copy()
    rows = later.to_numpy()
    n = int(rows.sum())
    if mutation in ("results", "everything"):
        for column in ("home_goals", "away_goals"):
            out.loc[rows, column] = rng.integers(0, 7, size=n)
        for column in STATS:
            out.loc[rows, column] = np.where(rng.random(n) < 0.5, np.nan, rng.integers(0, 30, n))
    if mutation in ("prices", "everything"):
        for column in PRICES:
            out.loc[rows, column] = rng.uniform(1.01, 15.0, size=n)
    if mutation in ("swap_goals", "everything"):
        out.loc[rows, "home_goals"] = rng.permutation(out.loc[rows, "home_goals"].to_numpy())
    if mutation in ("permute", "everything"):
        kept = np.flatnonzero(~rows)
        out = out.iloc[np.concatenate([kept, rng.permutation(np.flatnonzero(rows))])]
    if mutation in ("drop", "everything"):
        out = out.loc[~later.reindex(out.index).to_numpy() | (rng.random(len(out)) < 0.3)]
    return out


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    cut=st.floats(0.05, 0.95),
    mutation=st.sampled_from(MUTATIONS),
)
def test_later_data_never_changes_features_on_or_before_the_cutoff(
    seed: int, cut: float, mutation: str
) -> None:
    history = synthetic_history(seed)
    days = history["date"].dt.floor("D")
    cutoff = days.iloc[int(cut * (len(history) - 1))]
    later = days > cutoff
    dc = _dc(history, seed)
    before = build_features(history, dixon_coles=dc)
    changed = _mutate(history, later, mutation, seed)
    dc_changed = dc.copy()
    dc_changed.loc[later.to_numpy()] = 0.25
    after = build_features(changed, dixon_coles=dc_changed.loc[changed.index])
    early = history.index[~later.to_numpy()]
    pd.testing.assert_frame_equal(after.loc[early], before.loc[early], check_exact=True)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), pick=st.integers(0, 10**6))
def test_a_match_never_sees_its_own_result_stats_or_closing_prices(seed: int, pick: int) -> None:
    history = synthetic_history(seed)
    row = history.index[pick % len(history)]
    changed = history.copy()
    changed.loc[row, ["home_goals", "away_goals"]] = [9, 0]
    changed.loc[row, list(STATS)] = 40.0
    changed.loc[row, ["psc_home", "psc_draw", "psc_away"]] = [1.01, 30.0, 50.0]
    days = history["date"].dt.floor("D")
    same_day_or_before = (days <= days[row]).to_numpy()
    before = build_features(history).loc[same_day_or_before]
    after = build_features(changed).loc[same_day_or_before]
    pd.testing.assert_frame_equal(after, before, check_exact=True)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_closing_and_best_prices_are_never_used(seed: int) -> None:
    history = synthetic_history(seed)
    changed = history.copy()
    for column in PRICES:
        if column.startswith(("psc_", "best_")):
            changed[column] = 1.5
    pd.testing.assert_frame_equal(build_features(changed), build_features(history))


@pytest.mark.parametrize("seed", [4, 5])
def test_row_order_does_not_matter(seed: int) -> None:
    history = synthetic_history(seed)
    shuffled = history.sample(frac=1.0, random_state=seed)
    expected = build_features(history)
    got = build_features(shuffled).loc[history.index]
    pd.testing.assert_frame_equal(got, expected, rtol=1e-12)


def test_output_has_the_feature_columns_as_float64_on_the_input_index() -> None:
    history = synthetic_history(0)
    history.index = history.index + 100
    features = build_features(history)
    assert tuple(features.columns) == FEATURE_COLUMNS
    assert features.index.equals(history.index)
    assert (features.dtypes == np.float64).all()


# -- hand-worked values on tiny frames --------------------------------------------------


def matches(*rows: tuple[str, str, str, int, int], **columns: list[Any]) -> pd.DataFrame:
    """A history frame from (date, home, away, home goals, away goals) rows."""
    names = ["date", "home_team", "away_team", "home_goals", "away_goals"]
    frame = pd.DataFrame(rows, columns=names)
    frame["date"] = pd.to_datetime(frame["date"], utc=True)
    frame["league"] = columns.pop("league", ["L1"] * len(frame))
    frame["season"] = columns.pop("season", ["2020-2021"] * len(frame))
    for name, values in columns.items():
        frame[name] = values
    return frame


def test_one_elo_update() -> None:
    # A beats B 2-0 at home: A gains 20 * 1.5 * (1 - 1 / (10 ** (-60 / 400) + 1)) = 12.43504.
    history = matches(("2020-08-01", "A", "B", 2, 0), ("2020-08-08", "B", "A", 0, 0))
    second = build_features(history).iloc[1]
    assert second["home_elo"] == pytest.approx(1500 - 12.435039639845716)
    assert second["away_elo"] == pytest.approx(1500 + 12.435039639845716)
    assert second["elo_diff"] == pytest.approx(-2 * 12.435039639845716)
    expected = 1 / (10 ** (-(second["elo_diff"] + 60) / 400) + 1)
    assert second["elo_expected_home"] == pytest.approx(expected)


def test_one_pi_rating_update() -> None:
    # From 0: expected 0, error 2, psi = 3 log10(3) = 1.4313638, lambda psi = 0.0500977.
    # B's home rating falls by gamma lambda psi = 0.0350684; A's away rating rises as much.
    history = matches(("2020-08-01", "A", "B", 2, 0), ("2020-08-08", "B", "A", 0, 0))
    second = build_features(history).iloc[1]
    assert second["pi_home"] == pytest.approx(-0.7 * 0.035 * 3 * math.log10(3))
    assert second["pi_away"] == pytest.approx(0.0350684122218952)
    g = 10 ** (0.0350684122218952 / 3) - 1
    assert second["pi_expected_goal_diff"] == pytest.approx(-2 * g)


def test_same_day_matches_see_the_state_before_the_day() -> None:
    history = matches(("2020-08-01 12:00", "A", "B", 5, 0), ("2020-08-01 19:00", "A", "C", 0, 3))
    second = build_features(history).iloc[1]
    assert second["home_elo"] == 1500
    assert second["pi_home"] == 0
    assert math.isnan(second["home_form_goals_for"])
    assert math.isnan(second["home_rest_days"])
    assert second["home_played"] == 0


def test_a_team_playing_twice_in_a_day_gets_both_updates() -> None:
    history = matches(
        ("2020-08-01", "A", "B", 1, 0),
        ("2020-08-01", "C", "A", 1, 1),
        ("2020-08-05", "A", "D", 0, 0),
    )
    third = build_features(history).iloc[2]
    assert third["home_played"] == 2
    assert third["home_form_goals_for"] == pytest.approx(1.0)  # same weight for both
    assert third["home_form_points"] == pytest.approx(2.0)


def test_exponentially_weighted_form_after_three_matches() -> None:
    # Half-life 2 matches: weights d^2, d, 1 with d = 0.5 ** 0.5 for goals 1, 3, 0
    # gives (0.5 + 3 d) / (0.5 + d + 1) = 1.1876726.
    history = matches(
        ("2020-08-01", "A", "B", 1, 0),
        ("2020-08-08", "C", "A", 2, 3),
        ("2020-08-15", "A", "D", 0, 0),
        ("2020-08-22", "E", "A", 0, 0),
        home_shots=[10.0, 4.0, np.nan, 0.0],
        away_shots=[2.0, 6.0, np.nan, 0.0],
    )
    fourth = build_features(history, config=FeatureConfig(form_half_life=2)).iloc[3]
    d = 0.5**0.5
    assert fourth["away_form_goals_for"] == pytest.approx(1.1876726427121085)
    assert fourth["away_form_goals_against"] == pytest.approx(2 * d / (0.5 + d + 1))
    assert fourth["away_form_points"] == pytest.approx((3 * 0.5 + 3 * d + 1) / (0.5 + d + 1))
    # the third match has no shots: the mean over the first two, aged alike
    assert fourth["away_form_shots_for"] == pytest.approx((10 * 0.5 + 6 * d) / (0.5 + d))
    # away-only form: the one away match, 3-2 at C
    assert fourth["away_venue_form_goals_for"] == pytest.approx(3.0)
    assert fourth["away_venue_form_points"] == pytest.approx(3.0)


def test_rest_days_are_capped_and_start_unknown() -> None:
    history = matches(
        ("2020-08-01 15:00", "A", "B", 1, 0),
        ("2020-08-05 19:45", "A", "C", 1, 0),
        ("2020-10-01 15:00", "B", "A", 1, 0),
    )
    features = build_features(history)
    assert math.isnan(features["home_rest_days"].iloc[0])
    assert features["home_rest_days"].iloc[1] == 4
    assert math.isnan(features["rest_days_diff"].iloc[1])
    assert features["home_rest_days"].iloc[2] == 30
    assert features["away_rest_days"].iloc[2] == 30


def test_league_rates_weight_the_league_s_earlier_matches() -> None:
    history = matches(
        ("2020-08-01", "A", "B", 1, 1),
        ("2020-08-01", "C", "D", 3, 0),
        ("2020-08-02", "A", "C", 0, 0),
        ("2020-08-02", "X", "Y", 0, 0),
        league=["L1", "L1", "L1", "L2"],
    )
    features = build_features(history)
    assert features["league_draw_rate"].iloc[2] == pytest.approx(0.5)
    assert features["league_goals_per_match"].iloc[2] == pytest.approx(2.5)
    assert math.isnan(features["league_draw_rate"].iloc[3])


def test_market_uses_pinnacle_else_average_and_sums_to_one() -> None:
    prices = {
        "ps_home": [2.0, np.nan, np.nan],
        "ps_draw": [3.5, 3.5, np.nan],
        "ps_away": [4.0, 4.0, np.nan],
        "avg_home": [1.9, 2.1, np.nan],
        "avg_draw": [3.4, 3.3, 3.0],
        "avg_away": [3.8, 3.6, 3.0],
    }
    history = matches(*[("2020-08-01", f"H{i}", f"A{i}", 1, 0) for i in range(3)], **prices)
    features = build_features(history)
    market = features[["market_home", "market_draw", "market_away"]].to_numpy()
    np.testing.assert_allclose(market[:2].sum(axis=1), 1.0)
    assert features["market_is_pinnacle"].tolist()[:2] == [1.0, 0.0]
    assert features["market_overround"].iloc[0] == pytest.approx(1 / 2 + 1 / 3.5 + 1 / 4 - 1)
    assert np.isnan(market[2]).all()
    assert math.isnan(features["market_is_pinnacle"].iloc[2])


@settings(deadline=None)  # each example also solves the match's goal rates: timing varies
@given(st.lists(st.floats(1.05, 30.0), min_size=3, max_size=3))
def test_market_probabilities_sum_to_one(odds: list[float]) -> None:
    prices = dict(zip(("ps_home", "ps_draw", "ps_away"), [[o] for o in odds], strict=True))
    features = build_features(matches(("2020-08-01", "A", "B", 1, 0), **prices))
    total = features[["market_home", "market_draw", "market_away"]].sum(axis=1).iloc[0]
    assert total == pytest.approx(1.0)


def test_dixon_coles_columns_pass_through() -> None:
    history = matches(("2020-08-01", "A", "B", 1, 0), ("2020-08-08", "B", "A", 0, 0))
    dc = pd.DataFrame(
        {
            "dc_home": [0.5],
            "dc_draw": [0.3],
            "dc_away": [0.2],
            "dc_home_goals": [1.6],
            "dc_away_goals": [1.1],
        },
        index=[1],
    )
    features = build_features(history, dixon_coles=dc)
    assert features.loc[1, "dc_home"] == 0.5
    assert features.loc[1, "dc_goal_diff"] == pytest.approx(0.5)
    assert features.loc[0, ["dc_home", "dc_goal_diff"]].isna().all()
    assert build_features(history)["dc_home"].isna().all()


def test_newcomer_in_a_later_season_starts_below_the_league_mean() -> None:
    history = matches(
        ("2020-08-01", "A", "B", 3, 0),
        ("2021-08-01", "A", "N", 1, 0),
        season=["2020-2021", "2021-2022"],
    )
    second = build_features(history, config=FeatureConfig(elo_promoted_offset=40)).iloc[1]
    assert second["away_elo"] == pytest.approx(1500 - 40)  # mean of A and B is 1500
    assert second["home_season_played"] == 0
    assert second["home_played"] == 1


def test_bad_config_names_every_bad_setting() -> None:
    with pytest.raises(ModelError, match=r"form_half_life=0.*pi_venue_rate=2"):
        FeatureConfig(form_half_life=0, pi_venue_rate=2)


def test_missing_column_is_a_data_error() -> None:
    history = matches(("2020-08-01", "A", "B", 1, 0)).drop(columns="season")
    with pytest.raises(DataError, match="season"):
        build_features(history)


def test_dixon_coles_without_its_columns_is_a_data_error() -> None:
    history = matches(("2020-08-01", "A", "B", 1, 0))
    with pytest.raises(DataError, match="dc_away_goals"):
        build_features(history, dixon_coles=pd.DataFrame({"dc_home": [0.5]}))


def test_empty_history_gives_an_empty_frame() -> None:
    history = matches(("2020-08-01", "A", "B", 1, 0)).iloc[:0]
    assert build_features(history).shape == (0, len(FEATURE_COLUMNS))


def test_neutral_venue_drops_the_elo_home_advantage() -> None:
    history = matches(
        ("2020-08-01", "A", "B", 1, 0),
        ("2020-08-01", "C", "D", 1, 0),
        neutral=[True, None],
    )
    features = build_features(history)
    assert features["elo_expected_home"].iloc[0] == pytest.approx(0.5)
    assert features["elo_expected_home"].iloc[1] == pytest.approx(1 / (10 ** (-60 / 400) + 1))


@pytest.mark.parametrize("seed", [4, 5])
def test_unplayed_matches_read_the_state_and_leave_it_unchanged(seed: int) -> None:
    history = synthetic_history(seed)
    last_day = history["date"].dt.floor("D").max()
    upcoming = history["date"].dt.floor("D") == last_day
    played = build_features(history)
    unplayed = history.copy()
    unplayed.loc[upcoming, ["home_goals", "away_goals", *STATS]] = np.nan
    features = build_features(unplayed)
    # The last day's matches see the same state whether or not they have been played.
    pd.testing.assert_frame_equal(features, played, check_exact=True)
    # An unplayed match earlier in the frame changes nothing that comes after it.
    first = history.index[0]
    skipped = history.drop(index=first)
    pending = history.copy()
    pending.loc[first, ["home_goals", "away_goals", *STATS]] = np.nan
    pd.testing.assert_frame_equal(
        build_features(pending).drop(index=first), build_features(skipped), check_exact=True
    )


def test_one_goal_missing_is_still_an_error() -> None:
    history = synthetic_history(6)
    history.loc[history.index[3], "home_goals"] = np.nan
    with pytest.raises(DataError, match="unplayed"):
        build_features(history)
