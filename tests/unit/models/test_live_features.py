"""One feature path: the live table, fed fixture by fixture and result by result as the worker
feeds it, gives every fixture the row ``build_features`` gives on the whole history."""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterator, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pytest

from scoreline.domain.fixtures import FORM_STATISTICS, HistoryRow
from scoreline.models import DixonColes
from scoreline.models.feature_table import MARKET_COLUMNS, Change, FeatureTable
from scoreline.models.features import build_features
from scoreline.models.live_features import LiveFeatures
from scoreline.models.serving import LiveModel
from scoreline.services.history import load_history

FloatArray = npt.NDArray[np.float64]

SAMPLE = Path(__file__).resolve().parents[3] / "data" / "sample" / "football-data"
NO_MARKET = np.full((1, len(MARKET_COLUMNS)), np.nan)


def assert_same(got: FloatArray, expected: FloatArray, what: str) -> None:
    """Equal to the last bit, the Dixon-Coles columns included (they do not depend on the
    batch a fixture is priced in: ``LiveModel.dixon_coles_columns``)."""
    np.testing.assert_array_equal(got, expected, err_msg=what)


@pytest.fixture(scope="module")
def matches() -> pd.DataFrame:
    """Two Premier League seasons and one Bundesliga season of the vendored sample: 1,066
    real matches, two leagues sharing match days, promoted teams entering."""
    history = load_history([SAMPLE], leagues=["E0", "D1"])
    keep = (history["league"] == "E0") & history["season"].isin(["2020-2021", "2021-2022"])
    keep |= (history["league"] == "D1") & (history["season"] == "2021-2022")
    picked = history[keep].sort_values("date", kind="stable").reset_index(drop=True)
    picked.insert(0, "fixture_id", np.arange(1, len(picked) + 1))
    return picked


@pytest.fixture(scope="module")
def model(matches: pd.DataFrame) -> LiveModel:
    first = matches[matches["season"] == "2020-2021"]
    return LiveModel(name="dixon-coles", version="1", dixon_coles=DixonColes().fit(first))


def history_row(match: Mapping[Hashable, Any], *, played: bool) -> HistoryRow:
    """The row ``FixtureRepository.history`` reads for the match, before or after its result."""
    goals = {
        name: (int(match[name]) if played and pd.notna(match[name]) else None)
        for name in ("home_goals", "away_goals", *FORM_STATISTICS)
    }
    return HistoryRow(
        fixture_id=int(match["fixture_id"]),
        date=pd.Timestamp(match["date"]).to_pydatetime(),
        neutral=False,
        league=str(match["league"]),
        season=str(match["season"]),
        home_team=str(match["home_team"]),
        away_team=str(match["away_team"]),
        **goals,
    )


def database_frame(rows: list[HistoryRow]) -> pd.DataFrame:
    """Rows as ``FeatureTable.rebuild`` frames them, in the database's order."""
    frame = pd.DataFrame.from_records(rows, columns=HistoryRow._fields)
    frame["date"] = pd.to_datetime(frame["date"], utc=True)
    for side in ("home_goals", "away_goals"):
        frame[side] = pd.to_numeric(frame[side]).astype("float64")
    return frame.sort_values(["date", "fixture_id"], kind="stable").reset_index(drop=True)


def expected_rows(model: LiveModel, rows: list[HistoryRow]) -> dict[int, FloatArray]:
    """``build_features`` on every row at once, as the backtest computes features."""
    frame = database_frame(rows)
    features = build_features(frame, dixon_coles=model.dixon_coles_columns(frame)).to_numpy()
    return {int(f): features[i] for i, f in enumerate(frame["fixture_id"])}


def events(
    matches: pd.DataFrame, *, late: Collection[int] = frozenset(), late_by: timedelta = timedelta(0)
) -> Iterator[tuple[datetime, int, str, int]]:
    """(time, order, kind, fixture): each day's fixtures scheduled together three days
    ahead, each looked up at its kick-off, its result in two hours after it (``late_by``
    more for ``late``)."""
    for match in matches.to_dict("records"):
        kickoff = pd.Timestamp(match["date"]).to_pydatetime()
        fixture = int(match["fixture_id"])
        result_at = kickoff + timedelta(hours=2) + (late_by if fixture in late else timedelta(0))
        midnight = kickoff.replace(hour=0, minute=0, second=0, microsecond=0)
        yield midnight - timedelta(days=3), 1, "fixture", fixture
        yield kickoff, 2, "look", fixture
        yield result_at, 0, "result", fixture


def feed(
    table: FeatureTable, matches: pd.DataFrame, timeline: list[tuple[datetime, int, str, int]]
) -> tuple[dict[int, FloatArray], list[Change]]:
    """Play the timeline into the table the way ``Predictor`` does: rows of what arrived at
    one instant go in one update; a look-up reads the fixture's row then."""
    by_id = {int(m["fixture_id"]): m for m in matches.to_dict("records")}
    looked: dict[int, FloatArray] = {}
    changes: list[Change] = []
    batch: list[HistoryRow] = []
    timeline = sorted(timeline)
    for i, (when, _, kind, fixture) in enumerate(timeline):
        if kind == "look":
            looked[fixture] = table.rows([fixture], NO_MARKET)[0]
            continue
        batch.append(history_row(by_id[fixture], played=kind == "result"))
        following = timeline[i + 1] if i + 1 < len(timeline) else None
        if following is None or following[0] != when or following[2] != kind:
            changes.append(table.update(batch))
            batch = []
    return looked, changes


def test_the_sample_is_big_enough(matches: pd.DataFrame) -> None:
    assert len(matches) >= 1_000


def test_live_rows_are_build_features_rows_on_the_whole_history(
    matches: pd.DataFrame, model: LiveModel
) -> None:
    table = FeatureTable(model)
    looked, changes = feed(table, matches, list(events(matches)))
    played = [history_row(m, played=True) for m in matches.to_dict("records")]
    expected = expected_rows(model, played)
    assert len(looked) == len(matches) >= 1_000
    for fixture, row in looked.items():
        assert_same(row, expected[fixture], f"fixture {fixture}")
    # In time order nothing needed a rebuild: fixtures were reads, results steps.
    assert Change.REBUILT not in changes[1:]
    assert {Change.READ, Change.STEPPED} <= set(changes)
    final = table.live.rows(sorted(expected))
    assert_same(final, np.stack([expected[f] for f in sorted(expected)]), "after every result")


def test_late_results_give_the_rows_of_a_rebuild(matches: pd.DataFrame, model: LiveModel) -> None:
    # Every 30th result comes ten days late: later fixtures were looked up without it,
    # and its arrival must leave every row as a rebuild on the stored rows makes it.
    early = matches.iloc[:300]
    late = set(early["fixture_id"].iloc[::30].tolist())
    table = FeatureTable(model)
    _, changes = feed(table, early, list(events(early, late=late, late_by=timedelta(days=10))))
    assert Change.REBUILT in changes[1:]
    played = [history_row(m, played=True) for m in early.to_dict("records")]
    expected = expected_rows(model, played)
    got = table.live.rows(sorted(expected))
    assert_same(got, np.stack([expected[f] for f in sorted(expected)]), "after the late results")


def test_pending_fixtures_read_the_state_after_the_last_result(
    matches: pd.DataFrame, model: LiveModel
) -> None:
    # Half the history played, the next 60 fixtures (a promoted team's first among them)
    # scheduled: each pending row is the row build_features gives on that database.
    records = matches.to_dict("records")
    rows = [history_row(m, played=True) for m in records[:500]]
    rows += [history_row(m, played=False) for m in records[500:560]]
    table = FeatureTable(model)
    table.rebuild(rows[:450])
    assert table.update(rows[450:500]) is Change.STEPPED
    table.update(rows[500:])
    expected = expected_rows(model, rows)
    for fixture in range(1, 561):
        assert_same(table.rows([fixture], NO_MARKET)[0], expected[fixture], f"fixture {fixture}")


def test_an_unchanged_row_changes_nothing(matches: pd.DataFrame, model: LiveModel) -> None:
    rows = [history_row(m, played=True) for m in matches.to_dict("records")[:50]]
    table = FeatureTable(model)
    table.rebuild(rows)
    assert table.update(rows[10:20]) is Change.NOTHING


def test_an_update_with_other_columns_is_refused() -> None:
    live = LiveFeatures()
    first = pd.DataFrame(
        {
            "fixture_id": [1],
            "date": [pd.Timestamp("2024-08-01", tz="UTC")],
            "league": ["L"],
            "season": ["2024"],
            "home_team": ["A"],
            "away_team": ["B"],
            "home_goals": [1.0],
            "away_goals": [0.0],
        }
    )
    live.rebuild(first)
    with pytest.raises(Exception, match="columns"):
        live.update(first.drop(columns=["season"]).assign(fixture_id=2))


def test_dixon_coles_columns_do_not_depend_on_the_batch(
    matches: pd.DataFrame, model: LiveModel
) -> None:
    # A new fixture is priced alone, a rebuild prices every fixture at once: the worker's
    # row and its feature hash must be those of ``scoreline predict``.
    fixtures = matches[["home_team", "away_team"]].assign(neutral=False)
    whole = model.dixon_coles_columns(fixtures).to_numpy()
    for start, size in [(0, 1), (17, 1), (500, 1), (3, 2), (40, 3), (100, 9), (200, 65)]:
        part = model.dixon_coles_columns(fixtures.iloc[start : start + size]).to_numpy()
        np.testing.assert_array_equal(part, whole[start : start + size])
