"""load_history on copies of the vendored football-data sample: one frame, oldest first."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pandas as pd
import pytest

from scoreline.services.history import HISTORY_COLUMNS, load_history

ROOT = Path(__file__).resolve().parents[3]
SAMPLE = ROOT / "data" / "sample" / "football-data"
SEASON = "2022-2023"
FILES = (("E0", SEASON), ("SP1", SEASON))
# The individual bookmakers quoting 1X2 before the match in these files (MaxH/AvgH
# are aggregates; B365CH, PSCH, VCCH ... are closing prices).
BOOKS = ("B365", "BW", "IW", "PS", "WH", "VC")
SIDES = (("H", "home"), ("D", "draw"), ("A", "away"))


def _copy(root: Path, league: str, season: str) -> Path:
    target = root / league / f"{season}.csv"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(SAMPLE / league / f"{season}.csv", target)
    return target


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _match(frame: pd.DataFrame, league: str, row: dict[str, str]) -> pd.Series:
    """The one frame row of a CSV row."""
    found = frame.loc[
        (frame["league"] == league)
        & (frame["home_team"] == row["HomeTeam"])
        & (frame["away_team"] == row["AwayTeam"])
    ]
    assert len(found) == 1, (league, row["HomeTeam"], row["AwayTeam"], len(found))
    return found.iloc[0]


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "fd"
    for league, season in FILES:
        _copy(root, league, season)
    return root


@pytest.fixture
def history(tree: Path) -> pd.DataFrame:
    return load_history([tree])


def test_columns_are_exactly_the_history_columns(history: pd.DataFrame) -> None:
    assert tuple(history.columns) == HISTORY_COLUMNS


def test_every_finished_match_of_both_files_is_a_row(tree: Path, history: pd.DataFrame) -> None:
    counts = {league: len(_rows(tree / league / f"{SEASON}.csv")) for league, _ in FILES}
    assert history["league"].value_counts().to_dict() == counts
    assert set(history["season"]) == {SEASON}


def test_rows_are_sorted_by_kickoff(history: pd.DataFrame) -> None:
    assert str(history["date"].dtype).startswith("datetime64")
    assert str(history["date"].dt.tz) == "UTC"
    assert history["date"].is_monotonic_increasing
    assert history.index.equals(pd.RangeIndex(len(history)))


def test_match_ids_count_from_zero_in_kickoff_order(history: pd.DataFrame) -> None:
    assert history["match_id"].tolist() == list(range(len(history)))


def test_a_real_row_carries_the_cells_of_its_csv_line(tree: Path, history: pd.DataFrame) -> None:
    row = _rows(tree / "E0" / f"{SEASON}.csv")[0]
    match = _match(history, "E0", row)
    local = match["date"].tz_convert("Europe/London")
    assert (local.strftime("%d/%m/%Y"), local.strftime("%H:%M")) == (row["Date"], row["Time"])
    assert (match["home_goals"], match["away_goals"]) == (int(row["FTHG"]), int(row["FTAG"]))
    assert (match["home_shots"], match["away_shots"]) == (float(row["HS"]), float(row["AS"]))
    assert (match["home_shots_on_target"], match["away_shots_on_target"]) == (
        float(row["HST"]),
        float(row["AST"]),
    )
    assert (match["home_corners"], match["away_corners"]) == (float(row["HC"]), float(row["AC"]))
    assert not match["neutral"]
    for letter, side in SIDES:
        assert match[f"ps_{side}"] == float(row[f"PS{letter}"])
        assert match[f"psc_{side}"] == float(row[f"PSC{letter}"])
        assert match[f"avg_{side}"] == float(row[f"Avg{letter}"])
        assert match[f"best_{side}"] == max(float(row[f"{book}{letter}"]) for book in BOOKS)


def test_pinnacle_columns_hold_psh_and_psch_on_every_row(tree: Path, history: pd.DataFrame) -> None:
    for league, season in FILES:
        for row in _rows(tree / league / f"{season}.csv"):
            match = _match(history, league, row)
            for letter, side in SIDES:
                assert match[f"ps_{side}"] == float(row[f"PS{letter}"])
                assert match[f"psc_{side}"] == float(row[f"PSC{letter}"])


def test_best_price_is_at_least_every_bookmakers_price(tree: Path, history: pd.DataFrame) -> None:
    checked = 0
    for league, season in FILES:
        for row in _rows(tree / league / f"{season}.csv"):
            match = _match(history, league, row)
            for letter, side in SIDES:
                for book in BOOKS:
                    cell = row[f"{book}{letter}"]
                    if cell not in ("", "NA"):
                        assert match[f"best_{side}"] >= float(cell), (row, book, side)
                        checked += 1
    assert checked > 6 * len(history)


def test_awarded_matches_are_left_out(tree: Path) -> None:
    path = tree / "E0" / f"{SEASON}.csv"
    rows = _rows(path)
    awarded = rows[5]
    # A full-time score without a half-time one is how football-data writes an award.
    awarded["HTHG"] = awarded["HTAG"] = awarded["HTR"] = ""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)

    history = load_history([tree], leagues=["E0"])

    assert len(history) == len(rows) - 1
    teams = set(zip(history["home_team"], history["away_team"], strict=True))
    assert (awarded["HomeTeam"], awarded["AwayTeam"]) not in teams


def test_the_leagues_filter_skips_other_leagues(tree: Path) -> None:
    seen: list[str] = []
    history = load_history(
        [tree], leagues=["SP1"], progress=lambda path, _done, _total: seen.append(path.parent.name)
    )
    assert set(history["league"]) == {"SP1"}
    assert len(history) == len(_rows(tree / "SP1" / f"{SEASON}.csv"))
    assert sorted(seen) == ["E0", "SP1"]  # every file is offered, the E0 one is skipped


def test_merging_a_root_with_a_copy_of_itself_adds_no_rows(
    tree: Path, tmp_path: Path, history: pd.DataFrame
) -> None:
    copy = tmp_path / "copy"
    _copy(copy, "E0", SEASON)

    merged = load_history([tree, copy])

    assert len(merged) == len(history)
    keys = merged[["league", "home_team", "away_team", "date"]]
    assert not keys.duplicated().any()
    assert merged["match_id"].tolist() == list(range(len(merged)))
    pd.testing.assert_frame_equal(merged, history)


def test_no_root_with_matches_gives_an_empty_frame_with_the_columns(tmp_path: Path) -> None:
    empty = load_history([tmp_path])
    assert empty.empty
    assert tuple(empty.columns) == HISTORY_COLUMNS


def test_when_two_roots_hold_the_same_match_the_later_root_wins(tmp_path: Path) -> None:
    earlier, later = tmp_path / "z_earlier", tmp_path / "a_later"
    _copy(earlier, "E0", SEASON)
    path = _copy(later, "E0", SEASON)
    rows = _rows(path)
    rows[0]["PSH"] = "3.33"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)

    merged = load_history([earlier, later])

    assert _match(merged, "E0", rows[0])["ps_home"] == 3.33
