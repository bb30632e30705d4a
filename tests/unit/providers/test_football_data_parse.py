"""Reading football-data.co.uk season files: every rule of the data README, on real and
hand-written files."""

from __future__ import annotations

import csv
import dataclasses
import shutil
from collections import Counter
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoreline.domain.competitions import Team
from scoreline.domain.fixtures import FixtureStatus, MatchStats
from scoreline.domain.markets import Market, Selection
from scoreline.domain.odds import OddsSnapshot, PriceKind
from scoreline.errors import DataError
from scoreline.providers.football_data import (
    MatchRow,
    SeasonFile,
    find_season_files,
    prematch_captured_at,
    read_season_file,
)
from scoreline.providers.football_data.odds import parse_handicap

ROOT = Path(__file__).resolve().parents[3]
SAMPLE = ROOT / "data" / "sample" / "football-data"
FIXTURES = ROOT / "tests" / "fixtures" / "football_data"
LONDON = ZoneInfo("Europe/London")


def _utc(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def _quote(
    row: MatchRow, bookmaker: str, market: Market, selection: Selection, kind: PriceKind
) -> OddsSnapshot:
    (snapshot,) = (
        s
        for s in row.odds
        if (s.bookmaker, s.market, s.selection, s.kind) == (bookmaker, market, selection, kind)
    )
    return snapshot


@pytest.fixture(scope="module")
def premier_league() -> SeasonFile:
    return read_season_file(SAMPLE / "E0" / "2019-2020.csv")


def _fixture_file(name: str) -> SeasonFile:
    return read_season_file(FIXTURES / name)


# --- the real 2019-2020 Premier League file -------------------------------------------


def test_sample_file_is_read_whole(premier_league: SeasonFile) -> None:
    assert premier_league.competition.code == "E0"
    assert premier_league.competition.country == "England"
    assert premier_league.season.label == "2019-2020"
    assert len(premier_league.rows) == 380
    assert premier_league.problems == ()
    assert premier_league.dropped_cells == ()
    assert premier_league.skipped_padding == 0
    assert premier_league.sha256.startswith("100037618b94f940")


def test_first_match_is_liverpool_norwich(premier_league: SeasonFile) -> None:
    row = premier_league.rows[0]
    fixture = row.fixture
    assert row.line == 2
    assert (fixture.home_team, fixture.away_team) == ("Liverpool", "Norwich")
    assert fixture.status is FixtureStatus.FINISHED
    assert fixture.referee == "M Oliver"
    assert fixture.result is not None
    assert (fixture.result.home_goals, fixture.result.away_goals) == (4, 1)
    assert (fixture.result.home_goals_ht, fixture.result.away_goals_ht) == (4, 0)


def test_statistics_are_taken_by_column_name(premier_league: SeasonFile) -> None:
    result = premier_league.rows[0].fixture.result
    assert result is not None
    # In this file HF/AF come before HC/AC.
    assert result.stats == MatchStats(15, 12, 7, 5, 11, 2, 9, 9, 0, 2, 0, 0)


def test_uk_kickoff_time_is_converted_to_utc(premier_league: SeasonFile) -> None:
    fixture = premier_league.rows[0].fixture
    assert fixture.has_kickoff_time
    assert fixture.kickoff_utc == _utc(2019, 8, 9, 19, 0)  # 20:00 BST


def test_every_price_of_the_first_match_is_read(premier_league: SeasonFile) -> None:
    odds = premier_league.rows[0].odds
    assert len(odds) == 80
    counts = Counter((s.market, s.kind) for s in odds)
    assert counts == {
        (Market.MATCH_ODDS, PriceKind.PREMATCH): 24,
        (Market.MATCH_ODDS, PriceKind.CLOSING): 24,
        (Market.OVER_UNDER, PriceKind.PREMATCH): 8,
        (Market.OVER_UNDER, PriceKind.CLOSING): 8,
        (Market.ASIAN_HANDICAP, PriceKind.PREMATCH): 8,
        (Market.ASIAN_HANDICAP, PriceKind.CLOSING): 8,
    }
    assert len({(s.bookmaker, s.market, s.selection, s.line, s.kind) for s in odds}) == 80


def test_pinnacle_prices_of_the_first_match(premier_league: SeasonFile) -> None:
    row = premier_league.rows[0]
    prematch = _quote(row, "PS", Market.MATCH_ODDS, Selection.HOME, PriceKind.PREMATCH)
    closing = _quote(row, "PS", Market.MATCH_ODDS, Selection.AWAY, PriceKind.CLOSING)
    over = _quote(row, "PS", Market.OVER_UNDER, Selection.OVER, PriceKind.PREMATCH)
    handicap = _quote(row, "PS", Market.ASIAN_HANDICAP, Selection.HOME, PriceKind.CLOSING)
    assert prematch.price == Decimal("1.15")
    assert prematch.captured_at == _utc(2019, 8, 9, 15, 0)  # Friday 16:00 BST
    assert closing.price == Decimal("19.63")
    assert closing.captured_at == row.fixture.kickoff_utc
    assert (over.line, over.price) == (Decimal("2.50"), Decimal("1.4"))
    assert (handicap.line, handicap.price) == (Decimal("-2.25"), Decimal("1.94"))


def test_aggregates_are_max_and_avg(premier_league: SeasonFile) -> None:
    row = premier_league.rows[0]
    assert _quote(row, "MAX", Market.MATCH_ODDS, Selection.AWAY, PriceKind.PREMATCH).price == 23
    average = _quote(row, "AVG", Market.OVER_UNDER, Selection.UNDER, PriceKind.CLOSING)
    assert average.price == Decimal("3.43")


def test_every_snapshot_passes_the_domain_checks(premier_league: SeasonFile) -> None:
    # Snapshots are built without re-running __post_init__; replace() runs it.
    for row in premier_league.rows:
        for snapshot in row.odds:
            assert dataclasses.replace(snapshot) == snapshot


def test_teams_take_the_country_of_the_league(premier_league: SeasonFile) -> None:
    assert len(premier_league.teams) == 20
    assert Team("Man United", "England") in premier_league.teams


def test_the_whole_sample_loads_with_three_dropped_prices() -> None:
    files = [read_season_file(path) for path in find_season_files([SAMPLE])]
    assert len(files) == 20
    assert sum(len(f.rows) for f in files) == 7203
    assert [p for f in files for p in f.problems] == []
    dropped = [
        (Path(d.path).parent.name, Path(d.path).name, d.line, d.columns, d.code)
        for f in files
        for d in f.dropped_cells
    ]
    assert dropped == [
        ("D1", "2019-2020.csv", 261, ("AvgC>2.5",), "price_below_minimum"),
        ("E0", "2021-2022.csv", 168, ("B365C>2.5",), "price_below_minimum"),
        ("E0", "2021-2022.csv", 168, ("B365C<2.5",), "price_below_minimum"),
    ]


# --- file eras and layouts --------------------------------------------------------------


def test_column_order_does_not_matter(tmp_path: Path, premier_league: SeasonFile) -> None:
    with (SAMPLE / "E0" / "2019-2020.csv").open(encoding="utf-8-sig", newline="") as file:
        records = list(csv.reader(file))
    shuffled = tmp_path / "E0" / "2019-2020.csv"
    shuffled.parent.mkdir()
    with shuffled.open("w", newline="") as file:
        csv.writer(file).writerows(record[::-1] for record in records)
    season = read_season_file(shuffled)
    assert [r.fixture for r in season.rows] == [r.fixture for r in premier_league.rows]
    assert [set(r.odds) for r in season.rows] == [set(r.odds) for r in premier_league.rows]


def test_bom_crlf_file_with_new_bookmakers() -> None:
    season = _fixture_file("modern_bom_crlf.csv")
    assert season.competition.code == "E0"
    assert season.season.label == "2019-2020"  # from the first date
    assert [len(r.odds) for r in season.rows] == [33, 27, 3]
    bookmakers = {s.bookmaker for s in season.rows[0].odds}
    assert bookmakers == {"B365", "PS", "MAX", "AVG", "1XB", "BFE"}


def test_kickoff_on_the_last_bst_saturday() -> None:
    fixture = _fixture_file("modern_bom_crlf.csv").rows[1].fixture
    assert fixture.kickoff_utc == _utc(2019, 10, 26, 11, 30)  # 12:30 BST


def test_missing_time_gives_a_15_00_uk_placeholder() -> None:
    row = _fixture_file("modern_bom_crlf.csv").rows[2]
    assert not row.fixture.has_kickoff_time
    assert row.fixture.kickoff_utc == _utc(2019, 11, 2, 15, 0)  # 15:00 GMT
    assert row.fixture.referee is None
    assert row.fixture.result is not None
    assert row.fixture.result.stats == MatchStats()


def test_prematch_prices_are_dated_to_the_friday_before_a_weekend_match() -> None:
    row = _fixture_file("modern_bom_crlf.csv").rows[1]
    snapshot = _quote(row, "B365", Market.MATCH_ODDS, Selection.HOME, PriceKind.PREMATCH)
    assert snapshot.captured_at == _utc(2019, 10, 25, 15, 0)  # Friday 16:00 BST


def test_class_b_file_two_digit_years_and_na_cells() -> None:
    season = _fixture_file("class_b_two_digit_year.csv")
    assert season.competition.code == "SP2"
    assert season.season.label == "2009-2010"
    assert season.skipped_padding == 1
    first, second = season.rows
    assert first.fixture.kickoff_utc == _utc(2009, 8, 29, 14, 0)  # 15:00 BST placeholder
    assert not first.fixture.has_kickoff_time
    assert [len(first.odds), len(second.odds)] == [20, 20]
    assert "GB" not in {s.bookmaker for s in second.odds}  # NA cells give no quote
    assert "SB" not in {s.bookmaker for s in first.odds}


def test_a_split_handicap_line_is_the_quarter_line_between() -> None:
    second = _fixture_file("class_b_two_digit_year.csv").rows[1]
    lines = {s.line for s in second.odds if s.market is Market.ASIAN_HANDICAP}
    assert lines == {Decimal("-0.75")}


def test_class_c_mangled_over_under_names_are_read() -> None:
    (row,) = _fixture_file("class_c_mangled.csv").rows
    over = _quote(row, "MAX", Market.OVER_UNDER, Selection.OVER, PriceKind.PREMATCH)
    under = _quote(row, "AVG", Market.OVER_UNDER, Selection.UNDER, PriceKind.PREMATCH)
    assert (over.price, under.price) == (Decimal("2.25"), Decimal("1.68"))
    assert len(row.odds) == 20


def test_padding_rows_are_counted_not_reported() -> None:
    season = _fixture_file("padding_rows.csv")
    assert season.skipped_padding == 4  # all-NA, blank, #REF! only, short and empty
    assert season.problems == ()
    assert [r.line for r in season.rows] == [2, 7]


# --- results ------------------------------------------------------------------------------


def test_award_held_in_the_half_time_columns() -> None:
    row = _fixture_file("awarded.csv").rows[0]
    assert row.fixture.status is FixtureStatus.AWARDED
    assert row.fixture.result is not None
    assert (row.fixture.result.home_goals, row.fixture.result.away_goals) == (0, 3)
    assert row.fixture.result.home_goals_ht is None


def test_full_time_score_without_half_time_is_an_award() -> None:
    row = _fixture_file("awarded.csv").rows[1]
    assert row.fixture.status is FixtureStatus.AWARDED
    assert row.fixture.result is not None
    assert (row.fixture.result.home_goals, row.fixture.result.away_goals) == (0, 3)


def test_a_match_without_any_score_is_reported() -> None:
    season = _fixture_file("awarded.csv")
    (problem,) = season.problems
    assert problem.line == 4
    assert problem.reason == "no full-time score: match abandoned or awarded without a score"
    assert season.rows[2].fixture.status is FixtureStatus.FINISHED


def test_without_half_time_columns_every_score_is_a_finished_match(tmp_path: Path) -> None:
    path = tmp_path / "1994-1995.csv"
    path.write_text("Div,Date,HomeTeam,AwayTeam,FTHG,FTAG\nE0,20/08/94,Arsenal,Man City,3,0\n")
    (row,) = read_season_file(path).rows
    assert row.fixture.status is FixtureStatus.FINISHED
    assert row.fixture.kickoff_utc == _utc(1994, 8, 20, 14, 0)


def test_each_bad_row_is_reported_with_its_reason() -> None:
    season = _fixture_file("bad_rows.csv")
    assert [(p.line, p.reason) for p in season.problems] == [
        (2, "FTHG 'x' is not a whole number"),
        (3, "FTHG '-1' is negative"),
        (4, "FTHG '2.5' is not a whole number"),
        (5, "HomeTeam or AwayTeam is empty"),
        (6, "HomeTeam and AwayTeam are both 'Stoke'"),
        (7, "Date '31/02/2020' is not a dd/mm/yy or dd/mm/yyyy date"),
        (8, "Date '10/08/2021' is outside season 2019-2020"),
        (9, "half-time score 2-0 exceeds full-time score 1-1"),
        (10, "FTAG is empty"),
        (11, "has 6 cells where the header has 10"),
        (12, "Div is empty on a row that names teams"),
    ]
    assert [r.line for r in season.rows] == [13]


def test_bad_row_message_names_file_line_and_outcome() -> None:
    problem = _fixture_file("bad_rows.csv").problems[0]
    assert str(problem).endswith("bad_rows.csv line 2: FTHG 'x' is not a whole number; row skipped")


def test_a_second_row_for_the_same_fixture_is_reported() -> None:
    season = _fixture_file("duplicate_fixture.csv")
    (problem,) = season.problems
    assert problem.line == 3
    assert problem.reason == "duplicate fixture: Ajax v Vitesse on 2019-08-03 already at line 2"
    assert [(r.fixture.home_team, r.line) for r in season.rows] == [("Ajax", 2), ("Vitesse", 4)]


# --- prices -------------------------------------------------------------------------------


def test_bad_cells_are_dropped_with_their_reason() -> None:
    season = _fixture_file("bad_prices.csv")
    assert len(season.rows) == 4
    assert [(d.line, d.columns, d.code) for d in season.dropped_cells] == [
        (2, ("HS",), "stat_not_whole_number"),
        (2, ("B365H",), "price_not_a_number"),
        (2, ("B365A",), "price_below_minimum"),
        (2, ("SJH", "SJD", "SJA"), "book_out_of_range"),
        (2, ("BbMx>2.5",), "two_way_price_too_high"),
        (2, ("BbAHh", "BbMxAHH", "BbMxAHA"), "handicap_line_invalid"),
        (2, ("BbAHh", "BbAvAHH", "BbAvAHA"), "handicap_line_invalid"),
        (3, ("Time",), "time_invalid"),
        (3, ("B365A",), "price_below_minimum"),
        (3, ("BbAHh", "BbMxAHH", "BbMxAHA"), "handicap_line_invalid"),
        (3, ("BbAHh", "BbAvAHH", "BbAvAHA"), "handicap_line_invalid"),
        (4, ("BbMxAHH", "BbMxAHA"), "handicap_line_missing"),
        (4, ("BbAvAHH", "BbAvAHA"), "handicap_line_missing"),
        (5, ("SJH",), "price_not_a_number"),
    ]


_PRICED_HEADER = "Div,Date,HomeTeam,AwayTeam,FTHG,FTAG,HTHG,HTAG,B365H,B365D,B365A\n"


def _priced_file(tmp_path: Path, prices: str) -> Path:
    path = tmp_path / "2019-2020.csv"
    path.write_text(
        _PRICED_HEADER
        + "E0,09/08/2019,Liverpool,Norwich,4,1,4,0,1.14,10,19\n"
        + f"E0,10/08/2019,West Ham,Man City,0,5,0,1,{prices}\n"
    )
    return path


@pytest.mark.parametrize("price", ["1e30", "50000", "1000.01"])
def test_a_price_above_the_maximum_refuses_the_whole_file(tmp_path: Path, price: str) -> None:
    with pytest.raises(DataError) as refused:
        read_season_file(_priced_file(tmp_path, f",{price},1.2"))
    assert str(refused.value) == (
        f"{tmp_path / '2019-2020.csv'} line 3: B365D={price!r} is above the maximum decimal"
        " price 1,000; file rejected"
    )


@pytest.mark.parametrize(("team", "code"), [("West\x00Ham", "U+0000"), ("West\x1bHam", "U+001B")])
def test_a_control_character_in_a_cell_refuses_the_whole_file(
    tmp_path: Path, team: str, code: str
) -> None:
    path = tmp_path / "2019-2020.csv"
    path.write_text(_PRICED_HEADER + f"E0,10/08/2019,{team},Man City,0,5,0,1,1.5,4,6\n")
    with pytest.raises(DataError) as refused:
        read_season_file(path)
    assert str(refused.value) == (
        f"{path} line 2: holds the control character {code}, which no football-data file has;"
        " file rejected"
    )


def test_the_range_ends_are_prices_and_below_it_a_cell_is_dropped(tmp_path: Path) -> None:
    season = read_season_file(_priced_file(tmp_path, "1.01,1000,1.005"))
    assert [(s.selection, s.price) for s in season.rows[1].odds] == [
        (Selection.HOME, Decimal("1.01")),
        (Selection.DRAW, Decimal(1000)),
    ]
    (dropped,) = season.dropped_cells
    assert (dropped.line, dropped.columns, dropped.code) == (3, ("B365A",), "price_below_minimum")
    assert dropped.reason == "below the minimum decimal price 1.01"


def test_dropped_cell_message() -> None:
    dropped = _fixture_file("bad_prices.csv").dropped_cells[3]
    assert dropped.message.endswith(
        "bad_prices.csv line 2: SJH='275', SJD='3.13', SJA='2.6': the prices imply a book of"
        " 71%, outside 95%-150%: one is mistyped; dropped, row kept"
    )


def test_the_good_prices_of_a_row_with_bad_ones_are_kept() -> None:
    row = _fixture_file("bad_prices.csv").rows[0]
    assert {(s.bookmaker, s.market, s.selection) for s in row.odds} == {
        ("B365", Market.MATCH_ODDS, Selection.DRAW),
        ("MAX", Market.OVER_UNDER, Selection.UNDER),
        # A market maximum may imply under 100% (17, 4.02, 6.65 is 46%): kept.
        ("MAX", Market.MATCH_ODDS, Selection.HOME),
        ("MAX", Market.MATCH_ODDS, Selection.DRAW),
        ("MAX", Market.MATCH_ODDS, Selection.AWAY),
    }


def test_a_bad_time_falls_back_to_the_placeholder() -> None:
    fixture = _fixture_file("bad_prices.csv").rows[1].fixture
    assert not fixture.has_kickoff_time
    assert fixture.kickoff_utc == _utc(2019, 8, 10, 14, 0)


def test_zero_and_minus_half_is_a_quarter_line() -> None:
    row = _fixture_file("bad_prices.csv").rows[3]
    assert {s.line for s in row.odds if s.market is Market.ASIAN_HANDICAP} == {Decimal("-0.25")}


@given(st.text(max_size=12))
def test_any_handicap_cell_gives_a_line_or_a_reason(cell: str) -> None:
    assert isinstance(parse_handicap(cell), Decimal | str)


@given(st.integers(min_value=-40, max_value=40))
def test_quarter_lines_read_as_written(quarters: int) -> None:
    line = Decimal(quarters) / 4
    assert parse_handicap(str(line)) == line


@given(
    st.datetimes(
        min_value=datetime(2005, 1, 1),
        max_value=datetime(2030, 12, 31),
        timezones=st.just(UTC),
    )
)
def test_prematch_capture_is_the_latest_tuesday_or_friday_afternoon(kickoff: datetime) -> None:
    captured = prematch_captured_at(kickoff)
    local = captured.astimezone(LONDON)
    assert local.weekday() in (1, 4)
    assert (local.hour, local.minute) == (16, 0)
    assert captured <= kickoff - timedelta(hours=1)
    # Slots are at most four days apart (Friday to Tuesday), give or take a clock change.
    assert kickoff - captured < timedelta(days=4, hours=2)


def test_a_midweek_evening_match_is_priced_on_tuesday_afternoon() -> None:
    # Tuesday 19:45 BST: Tuesday 16:00 BST is more than an hour before.
    assert prematch_captured_at(_utc(2019, 8, 27, 18, 45)) == _utc(2019, 8, 27, 15, 0)


def test_a_friday_afternoon_match_uses_the_tuesday_before() -> None:
    # Friday 16:30 GMT: Friday 16:00 is only 30 minutes before.
    assert prematch_captured_at(_utc(2019, 12, 6, 16, 30)) == _utc(2019, 12, 3, 16, 0)


# --- whole files that cannot be read ------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("invalid_utf8.csv", "not UTF-8 text (byte 91 is b'\\xfc'); file rejected"),
        ("missing_column.csv", "required column(s) missing: FTAG; file rejected"),
        ("two_divisions.csv", "holds more than one division (E0, E1); file rejected"),
        ("empty.csv", "no header row; file rejected"),
    ],
)
def test_unreadable_files_are_rejected_whole(name: str, message: str) -> None:
    with pytest.raises(DataError) as caught:
        _fixture_file(name)
    assert str(caught.value) == f"{FIXTURES / name}: {message}"


def test_a_column_given_twice_rejects_the_file(tmp_path: Path) -> None:
    path = tmp_path / "twice.csv"
    path.write_text("Div,Date,HomeTeam,AwayTeam,FTHG,FTAG,PSH,PSH\n")
    with pytest.raises(DataError, match="column\\(s\\) given twice: PSH"):
        read_season_file(path)


def test_an_unknown_division_rejects_the_file(tmp_path: Path) -> None:
    path = tmp_path / "argentina.csv"
    path.write_text("Div,Date,HomeTeam,AwayTeam,FTHG,FTAG\nARG,01/08/2019,Boca,River,1,1\n")
    with pytest.raises(DataError, match="unknown football-data division code 'ARG'"):
        read_season_file(path)


def test_a_missing_file_is_a_data_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="cannot be read"):
        read_season_file(tmp_path / "nowhere.csv")


def test_a_file_the_csv_reader_refuses_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "huge-cell.csv"
    path.write_text("Div,Date,HomeTeam,AwayTeam,FTHG,FTAG\nE0," + "x" * 200_000 + "\n")
    with pytest.raises(DataError, match="line 2: not CSV \\(field larger than field limit"):
        read_season_file(path)


# --- competition and season -------------------------------------------------------------


def test_football_data_own_layout_gives_the_season(tmp_path: Path) -> None:
    path = tmp_path / "mmz4281" / "1920" / "E0.csv"
    path.parent.mkdir(parents=True)
    shutil.copy(SAMPLE / "E0" / "2019-2020.csv", path)
    season = read_season_file(path)
    assert (season.competition.code, season.season.label) == ("E0", "2019-2020")


def test_the_season_comes_from_the_file_name(tmp_path: Path) -> None:
    path = tmp_path / "2009-2010.csv"
    shutil.copy(FIXTURES / "class_b_two_digit_year.csv", path)
    assert read_season_file(path).season.label == "2009-2010"


def test_explicit_codes_win_and_must_agree_with_div(tmp_path: Path) -> None:
    season = read_season_file(FIXTURES / "awarded.csv", season_label="2018-2019")
    assert season.season.label == "2018-2019"
    with pytest.raises(DataError, match="Div is 'G1' but 'E0' was asked for"):
        read_season_file(FIXTURES / "awarded.csv", competition_code="E0")
    with pytest.raises(DataError, match="not of the form 2019-2020"):
        read_season_file(FIXTURES / "awarded.csv", season_label="2018")


def test_without_div_values_the_folder_names_the_division(tmp_path: Path) -> None:
    path = tmp_path / "SC0" / "2019-2020.csv"
    path.parent.mkdir()
    path.write_text("Div,Date,HomeTeam,AwayTeam,FTHG,FTAG\nNA,NA,NA,NA,NA,NA\n")
    season = read_season_file(path)
    assert (season.competition.name, season.skipped_padding, season.rows) == ("Premiership", 1, ())


def test_a_file_with_nothing_to_name_it_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "empty-body.csv"
    path.write_text("Div,Date,HomeTeam,AwayTeam,FTHG,FTAG\n")
    with pytest.raises(DataError, match="no Div values and no division code in its name"):
        read_season_file(path)
    with pytest.raises(DataError, match="cannot tell the season"):
        read_season_file(path, competition_code="E0")


# --- finding files ------------------------------------------------------------------------


def test_find_season_files_walks_folders_sorted(tmp_path: Path) -> None:
    for name in ("E1/2020-2021.csv", "E0/2020-2021.csv", "E0/notes.txt", "E0/.partial.csv"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("Div\n")
    single = tmp_path / "E1" / "2020-2021.csv"
    assert find_season_files([tmp_path, single]) == [
        tmp_path / "E0" / "2020-2021.csv",
        tmp_path / "E1" / "2020-2021.csv",
    ]


def test_find_season_files_refuses_a_missing_path(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no such file or folder"):
        find_season_files([tmp_path / "missing"])


def test_a_known_misspelling_reads_as_the_clubs_usual_name(tmp_path: Path) -> None:
    # The one row of D2 2008-2009 that writes "St. Pauli" instead of "St Pauli".
    path = tmp_path / "D2" / "2008-2009.csv"
    path.parent.mkdir()
    path.write_text(
        "Div,Date,HomeTeam,AwayTeam,FTHG,FTAG,FTR\n"
        "D2,10/05/09,St Pauli,Freiburg,1,1,D\n"
        "D2,14/05/09,Ingolstadt,St. Pauli,0,1,A\n",
        encoding="utf-8",
    )
    parsed = read_season_file(path)
    assert [r.fixture.away_team for r in parsed.rows] == ["Freiburg", "St Pauli"]
    assert parsed.rows[0].fixture.home_team == "St Pauli"
    assert parsed.problems == ()
