"""Serving's feature engine: the live 1X2 book and the table of base features."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pytest

from scoreline.domain.fixtures import HistoryRow
from scoreline.models import DixonColes
from scoreline.models.feature_table import FeatureTable, MarketBook, MarketQuote
from scoreline.models.features import FEATURE_COLUMNS, build_features
from scoreline.models.serving import LiveModel
from scoreline.pricing import remove_margin

FloatArray = npt.NDArray[np.float64]

FIXTURE = 7
PS = (Decimal("2.10"), Decimal("3.40"), Decimal("3.80"))
AVG = (Decimal("2.05"), Decimal("3.30"), Decimal("3.70"))
MARKET_COLUMNS = ["market_home", "market_draw", "market_away", "market_overround"]


def column(name: str) -> int:
    return FEATURE_COLUMNS.index(name)


def floats(prices: tuple[Decimal, ...]) -> tuple[float, float, float]:
    home, draw, away = (float(p) for p in prices)
    return (home, draw, away)


def sharp(prices: tuple[Decimal, ...]) -> MarketQuote:
    """The quote of a fixture whose sharp book quotes ``prices`` and nobody else does."""
    return MarketQuote(sharp=floats(prices), average=floats(prices))


# -- MarketBook.apply ------------------------------------------------------------------------


def test_an_empty_book_has_seen_nothing_and_quotes_nothing() -> None:
    book = MarketBook()
    assert book.seen(FIXTURE) == 0
    assert book.quote(FIXTURE) is None


def test_apply_remembers_the_last_odds_id_per_fixture() -> None:
    book = MarketBook()
    book.apply(4, FIXTURE, "PS", PS)
    book.apply(9, FIXTURE + 1, "PS", PS)
    assert (book.seen(FIXTURE), book.seen(FIXTURE + 1)) == (4, 9)


@pytest.mark.parametrize("odds_id", [3, 5], ids=["below", "at"])
def test_rows_at_or_below_seen_are_ignored(odds_id: int) -> None:
    book = MarketBook()
    book.apply(5, FIXTURE, "PS", PS)
    book.apply(odds_id, FIXTURE, "PS", (Decimal("1.50"), Decimal("4.00"), Decimal("7.00")))
    book.apply(odds_id, FIXTURE, "B365", AVG)
    assert book.quote(FIXTURE) == sharp(PS)
    assert book.seen(FIXTURE) == 5


def test_a_later_row_replaces_the_bookmakers_prices() -> None:
    book = MarketBook()
    book.apply(1, FIXTURE, "PS", PS)
    newer = (Decimal("1.95"), Decimal("3.50"), Decimal("4.20"))
    book.apply(2, FIXTURE, "PS", newer)
    assert book.quote(FIXTURE) == sharp(newer)


@pytest.mark.parametrize(
    "prices",
    [
        (None, Decimal("3.40"), Decimal("3.80")),
        (Decimal("2.10"), None, None),
        (Decimal("2.10"), Decimal("1.00"), Decimal("3.80")),
        (Decimal("0.50"), Decimal("3.40"), Decimal("3.80")),
    ],
    ids=["no-home", "home-only", "draw-at-evens-stake", "below-one"],
)
def test_incomplete_or_invalid_prices_are_not_kept(
    prices: tuple[Decimal | None, Decimal | None, Decimal | None],
) -> None:
    book = MarketBook()
    book.apply(1, FIXTURE, "PS", prices)
    assert book.quote(FIXTURE) is None
    assert book.seen(FIXTURE) == 1
    book.apply(2, FIXTURE, "B365", AVG)
    book.apply(3, FIXTURE, "B365", prices)
    assert book.quote(FIXTURE) == MarketQuote(sharp=None, average=floats(AVG))


# -- MarketBook.quote: the consensus rule ----------------------------------------------------


def test_pinnacle_is_preferred_to_every_other_price() -> None:
    book = MarketBook()
    book.apply(1, FIXTURE, "AVG", AVG)
    book.apply(2, FIXTURE, "B365", (Decimal("2.2"), Decimal("3.1"), Decimal("3.5")))
    book.apply(3, FIXTURE, "PS", PS)
    book.apply(4, FIXTURE, "MAX", (Decimal("2.3"), Decimal("3.6"), Decimal("4.0")))
    quote = book.quote(FIXTURE)
    assert quote == MarketQuote(sharp=floats(PS), average=floats(AVG))
    out = MarketBook.features([quote])
    expected = remove_margin(np.array([floats(PS)]), method="power")
    np.testing.assert_allclose(out[:, :3], expected, atol=1e-12)
    assert out[0, 4] == 1.0


def test_the_market_average_comes_next() -> None:
    book = MarketBook()
    book.apply(1, FIXTURE, "B365", (Decimal("2.2"), Decimal("3.1"), Decimal("3.5")))
    book.apply(2, FIXTURE, "AVG", AVG)
    quote = book.quote(FIXTURE)
    assert quote == MarketQuote(sharp=None, average=floats(AVG))
    out = MarketBook.features([quote])
    expected = remove_margin(np.array([floats(AVG)]), method="power")
    np.testing.assert_allclose(out[:, :3], expected, atol=1e-12)
    assert out[0, 4] == 0.0


def test_else_the_mean_of_the_bookmakers_without_the_maximum() -> None:
    book = MarketBook()
    book.apply(1, FIXTURE, "B365", (Decimal("2.0"), Decimal("3.5"), Decimal("4.0")))
    book.apply(2, FIXTURE, "WH", (Decimal("2.2"), Decimal("3.3"), Decimal("3.6")))
    book.apply(3, FIXTURE, "MAX", (Decimal("9.0"), Decimal("9.0"), Decimal("9.0")))
    quote = book.quote(FIXTURE)
    assert quote is not None
    assert quote.sharp is None
    assert quote.average == pytest.approx((2.1, 3.4, 3.8), abs=1e-12)
    assert MarketBook.features([quote])[0, 4] == 0.0


def test_the_maximum_alone_is_no_quote() -> None:
    book = MarketBook()
    book.apply(1, FIXTURE, "MAX", PS)
    assert book.quote(FIXTURE) is None


def test_quotes_are_kept_per_fixture() -> None:
    book = MarketBook()
    book.apply(1, FIXTURE, "PS", PS)
    book.apply(2, FIXTURE + 1, "AVG", AVG)
    assert book.quote(FIXTURE) == sharp(PS)
    assert book.quote(FIXTURE + 1) == MarketQuote(sharp=None, average=floats(AVG))
    assert book.quote(FIXTURE + 2) is None


# -- MarketBook.features --------------------------------------------------------------------


def test_features_de_margin_each_quote_by_the_power_method() -> None:
    quotes: list[MarketQuote | None] = [
        MarketQuote(sharp=(2.10, 3.40, 3.80), average=(2.0, 3.3, 3.7)),
        None,
        MarketQuote(sharp=None, average=(1.50, 4.20, 7.00)),
    ]
    out = MarketBook.features(quotes)
    assert out.shape == (3, 7)
    odds = np.array([[2.10, 3.40, 3.80], [1.50, 4.20, 7.00]])
    np.testing.assert_allclose(out[[0, 2], :3], remove_margin(odds, method="power"), atol=1e-12)
    np.testing.assert_allclose(out[[0, 2], :3].sum(axis=1), 1.0, atol=1e-9)
    np.testing.assert_allclose(out[[0, 2], 3], (1 / odds).sum(axis=1) - 1, atol=1e-15)
    np.testing.assert_array_equal(out[[0, 2], 4], [1.0, 0.0])
    assert np.isnan(out[1]).all()


def test_power_method_raises_each_implied_probability_to_one_power() -> None:
    out = MarketBook.features([MarketQuote(sharp=(2.10, 3.40, 3.80), average=None)])
    implied = 1 / np.array([2.10, 3.40, 3.80])
    exponent = np.log(out[0, :3]) / np.log(implied)
    np.testing.assert_allclose(exponent, exponent[0], rtol=1e-9)
    assert exponent[0] > 1.0  # a positive margin shrinks every probability


def test_features_of_no_quotes_are_all_nan() -> None:
    out = MarketBook.features([None, None])
    assert out.shape == (2, 7)
    assert np.isnan(out).all()
    assert MarketBook.features([]).shape == (0, 7)


# -- FeatureTable ---------------------------------------------------------------------------

TEAMS = ["Ajax", "Breda", "Cambuur", "Dordrecht", "Emmen", "Feyenoord"]
START = datetime(2024, 8, 3, 14, 30, tzinfo=UTC)


def history() -> list[dict[str, Any]]:
    """A double round robin played, then three unplayed fixtures, like ``history_rows``."""
    rng = np.random.default_rng(5)
    rows: list[dict[str, Any]] = []
    pairs = [(h, a) for h in TEAMS for a in TEAMS if h != a]
    for k, (home, away) in enumerate(pairs):
        rows.append(
            {
                "fixture_id": 100 + k,
                "date": START + timedelta(days=3 * k),
                "neutral": False,
                "league": "N1",
                "season": "2024-2025",
                "home_team": home,
                "away_team": away,
                "home_goals": int(rng.poisson(1.6)),
                "away_goals": int(rng.poisson(1.1)),
                "home_shots": int(rng.integers(5, 20)),
                "away_shots": int(rng.integers(3, 15)),
                "home_shots_on_target": int(rng.integers(1, 8)),
                "away_shots_on_target": int(rng.integers(0, 6)),
                "home_corners": int(rng.integers(1, 10)),
                "away_corners": int(rng.integers(0, 8)),
            }
        )
    later = START + timedelta(days=3 * len(pairs) + 4)
    for k, (home, away) in enumerate([("Ajax", "Breda"), ("Cambuur", "Ajax"), ("Emmen", "Zwolle")]):
        rows.append(
            {
                "fixture_id": 500 + k,
                "date": later + timedelta(days=k),
                "neutral": k == 1,
                "league": "N1",
                "season": "2024-2025",
                "home_team": home,
                "away_team": away,
                "home_goals": None,
                "away_goals": None,
                **dict.fromkeys(
                    [
                        "home_shots",
                        "away_shots",
                        "home_shots_on_target",
                        "away_shots_on_target",
                        "home_corners",
                        "away_corners",
                    ]
                ),
            }
        )
    return rows


def frame_of(rows: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(rows)
    frame["date"] = pd.to_datetime(frame["date"], utc=True)
    for side in ("home_goals", "away_goals"):
        frame[side] = pd.to_numeric(frame[side]).astype("float64")
    return frame


@pytest.fixture(scope="module")
def model() -> LiveModel:
    played = frame_of([r for r in history() if r["home_goals"] is not None])
    dc = DixonColes().fit(played)
    return LiveModel(name="dixon-coles", version="1", dixon_coles=dc)


@pytest.fixture(scope="module")
def table(model: LiveModel) -> FeatureTable:
    made = FeatureTable(model)
    made.rebuild([HistoryRow(**r) for r in history()])
    return made


def no_market(n: int) -> FloatArray:
    return np.full((n, 7), np.nan)


def test_rebuild_indexes_every_fixture_played_or_not(table: FeatureTable) -> None:
    assert table.fixtures == len(history()) == 33
    assert 100 in table
    assert 502 in table
    assert 99 not in table
    assert "100" not in table


def test_rows_carry_the_given_market_columns(table: FeatureTable) -> None:
    market = np.array([[0.5, 0.3, 0.2, 0.04, 1.0, 1.6, 1.1], [np.nan] * 7])
    rows = table.rows([500, 501], market)
    base = table.rows([500, 501], no_market(2))
    np.testing.assert_array_equal(rows[:, [column(c) for c in MARKET_COLUMNS]], market[:, :4])
    np.testing.assert_array_equal(rows[:, column("market_is_pinnacle")], market[:, 4])
    np.testing.assert_array_equal(rows[:, column("market_home_rate")], market[:, 5])
    np.testing.assert_array_equal(rows[:, column("market_away_rate")], market[:, 6])
    others = [i for i, c in enumerate(FEATURE_COLUMNS) if not c.startswith("market_")]
    np.testing.assert_array_equal(rows[:, others], base[:, others])
    assert rows.shape == (2, len(FEATURE_COLUMNS))


def test_rows_do_not_change_the_table(table: FeatureTable) -> None:
    before = table.rows([500], no_market(1))
    table.rows([500], np.array([[0.4, 0.3, 0.3, 0.05, 0.0, 1.2, 1.0]]))
    np.testing.assert_array_equal(table.rows([500], no_market(1)), before)


def test_rows_come_in_the_order_asked(table: FeatureTable) -> None:
    both = table.rows([501, 100], no_market(2))
    np.testing.assert_array_equal(both[0], table.rows([501], no_market(1))[0])
    np.testing.assert_array_equal(both[1], table.rows([100], no_market(1))[0])


def test_a_played_fixture_has_the_features_build_features_gives(
    table: FeatureTable, model: LiveModel
) -> None:
    rows = history()
    frame = frame_of(rows)
    expected = build_features(frame, dixon_coles=model.dixon_coles_columns(frame))
    position = [r["fixture_id"] for r in rows].index(110)
    np.testing.assert_allclose(
        table.rows([110], no_market(1))[0], expected.iloc[position].to_numpy(), equal_nan=True
    )


@pytest.mark.parametrize("fixture_id", [500, 501, 502])
def test_an_unplayed_fixture_reads_the_state_after_every_result(
    table: FeatureTable, model: LiveModel, fixture_id: int
) -> None:
    # Built with the played matches and this fixture alone: other unplayed fixtures
    # must not move its ratings or counts.
    rows = history()
    alone = [r for r in rows if r["home_goals"] is not None or r["fixture_id"] == fixture_id]
    frame = frame_of(alone)
    expected = build_features(frame, dixon_coles=model.dixon_coles_columns(frame)).iloc[-1]
    got = pd.Series(table.rows([fixture_id], no_market(1))[0], index=list(FEATURE_COLUMNS))
    for name in ("home_elo", "away_elo", "elo_expected_home", "pi_home", "home_form_goals_for"):
        assert got[name] == pytest.approx(expected[name], rel=1e-12, nan_ok=True)
    np.testing.assert_allclose(got.to_numpy(), expected.to_numpy(), rtol=1e-12, equal_nan=True)


def test_unplayed_fixtures_count_only_the_played_matches(table: FeatureTable) -> None:
    rows = table.rows([500, 501, 502], no_market(3))
    home, away = rows[:, column("home_played")], rows[:, column("away_played")]
    # A double round robin of six teams: ten matches each. Zwolle has none.
    np.testing.assert_array_equal(home, [10, 10, 10])
    np.testing.assert_array_equal(away, [10, 10, 0])


def test_the_first_match_starts_both_teams_at_the_initial_rating(table: FeatureTable) -> None:
    first = table.rows([100], no_market(1))[0]
    assert first[column("home_elo")] == 1500.0
    assert first[column("away_elo")] == 1500.0
    assert first[column("home_played")] == 0.0


def test_dixon_coles_columns_are_the_fitted_models_forecast(
    table: FeatureTable, model: LiveModel
) -> None:
    fixture = pd.DataFrame({"home_team": ["Ajax"], "away_team": ["Breda"], "neutral": [False]})
    grid = model.dixon_coles.predict(fixture)
    row = table.rows([500], no_market(1))[0]
    dc = row[[column(c) for c in ("dc_home", "dc_draw", "dc_away")]]
    np.testing.assert_allclose(dc, grid.probabilities("1x2")[0], atol=1e-12)
    goals = row[[column("dc_home_goals"), column("dc_away_goals")]]
    np.testing.assert_allclose(goals, grid.probabilities("expected_goals")[0], atol=1e-12)


def test_a_neutral_fixture_gets_no_home_advantage(table: FeatureTable, model: LiveModel) -> None:
    row = table.rows([501], no_market(1))[0]  # Cambuur v Ajax at a neutral ground
    assert row[column("elo_expected_home")] == pytest.approx(
        1 / (1 + 10 ** (-row[column("elo_diff")] / 400)), rel=1e-12
    )
    at_home = table.rows([500], no_market(1))[0]  # Ajax v Breda at Ajax: 60 Elo points
    assert at_home[column("elo_expected_home")] == pytest.approx(
        1 / (1 + 10 ** (-(at_home[column("elo_diff")] + 60) / 400)), rel=1e-12
    )
    home_ground = model.dixon_coles.predict(
        pd.DataFrame({"home_team": ["Cambuur"], "away_team": ["Ajax"], "neutral": [False]})
    )
    assert row[column("dc_home_goals")] < home_ground.probabilities("expected_goals")[0, 0]


def test_rebuild_with_no_history_empties_the_table(model: LiveModel) -> None:
    made = FeatureTable(model)
    made.rebuild([HistoryRow(**r) for r in history()])
    made.rebuild([])
    assert made.fixtures == 0
    assert 100 not in made
    assert made.rows([], no_market(0)).shape == (0, len(FEATURE_COLUMNS))
