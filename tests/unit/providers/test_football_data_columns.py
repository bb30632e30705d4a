"""Header eras of football-data.co.uk files: every column name means one thing."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from scoreline.domain.markets import Market, Selection
from scoreline.domain.odds import PriceKind
from scoreline.providers.football_data import columns

ROOT = Path(__file__).resolve().parents[3]
SAMPLE = ROOT / "data" / "sample" / "football-data"
FIXTURES = ROOT / "tests" / "fixtures" / "football_data"

HOME, DRAW, AWAY = Selection.HOME, Selection.DRAW, Selection.AWAY
OVER, UNDER = Selection.OVER, Selection.UNDER
ODDS, TOTALS, HANDICAP = Market.MATCH_ODDS, Market.OVER_UNDER, Market.ASIAN_HANDICAP
PRE, CLOSE = PriceKind.PREMATCH, PriceKind.CLOSING


def _header(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as file:
        return next(csv.reader(file))


@pytest.mark.parametrize(
    ("name", "bookmaker", "market", "selection", "kind"),
    [
        ("B365H", "B365", ODDS, HOME, PRE),
        ("BWD", "BW", ODDS, DRAW, PRE),
        ("PSA", "PS", ODDS, AWAY, PRE),
        ("PSCH", "PS", ODDS, HOME, CLOSE),
        ("B365CD", "B365", ODDS, DRAW, CLOSE),
        ("BbMxH", "MAX", ODDS, HOME, PRE),
        ("BbAvA", "AVG", ODDS, AWAY, PRE),
        ("MaxCH", "MAX", ODDS, HOME, CLOSE),
        ("AvgCA", "AVG", ODDS, AWAY, CLOSE),
        ("SJH", "SJ", ODDS, HOME, PRE),
        ("BSA", "BS", ODDS, AWAY, PRE),
        ("1XBH", "1XB", ODDS, HOME, PRE),
        ("BFECA", "BFE", ODDS, AWAY, CLOSE),
        ("BFDD", "BFD", ODDS, DRAW, PRE),
        ("BMGMH", "BMGM", ODDS, HOME, PRE),
        ("BVCH", "BV", ODDS, HOME, CLOSE),
        ("CLA", "CL", ODDS, AWAY, PRE),
        ("BbMx>2.5", "MAX", TOTALS, OVER, PRE),
        ("BbAv<2.5", "AVG", TOTALS, UNDER, PRE),
        ("B365>2.5", "B365", TOTALS, OVER, PRE),
        ("P<2.5", "PS", TOTALS, UNDER, PRE),
        ("PC>2.5", "PS", TOTALS, OVER, CLOSE),
        ("MaxC<2.5", "MAX", TOTALS, UNDER, CLOSE),
        ("BbMxAHH", "MAX", HANDICAP, HOME, PRE),
        ("BbAvAHA", "AVG", HANDICAP, AWAY, PRE),
        ("PAHH", "PS", HANDICAP, HOME, PRE),
        ("B365CAHA", "B365", HANDICAP, AWAY, CLOSE),
        ("AvgCAHH", "AVG", HANDICAP, HOME, CLOSE),
    ],
)
def test_price_column_names_map_to_their_quote(
    name: str, bookmaker: str, market: Market, selection: Selection, kind: PriceKind
) -> None:
    spec = columns.PRICE_COLUMNS[name]
    assert (spec.bookmaker, spec.market, spec.selection, spec.kind) == (
        bookmaker,
        market,
        selection,
        kind,
    )


def test_over_under_columns_carry_the_fixed_line() -> None:
    assert columns.PRICE_COLUMNS["P>2.5"].line == Decimal("2.50")
    assert columns.PRICE_COLUMNS["B365H"].line is None


@pytest.mark.parametrize(
    ("name", "line_columns"),
    [
        ("BbMxAHH", ("BbAHh",)),
        ("B365AHH", ("AHh", "B365AH")),
        ("PAHA", ("AHh", "PAH")),
        ("PCAHH", ("AHCh",)),
        ("MaxCAHA", ("AHCh",)),
    ],
)
def test_handicap_prices_know_where_their_line_is(name: str, line_columns: tuple[str, ...]) -> None:
    assert columns.PRICE_COLUMNS[name].line_columns == line_columns


def test_pinnacle_has_no_one_letter_match_odds_column() -> None:
    assert "PH" not in columns.PRICE_COLUMNS
    assert "PCH" not in columns.PRICE_COLUMNS


def test_class_c_mangled_names_are_repaired() -> None:
    raw = ["Div", "BbMx.2.5", "BbAv.2.5", "BbMx.2.5.1", "BbAv.2.5.1", " HomeTeam "]
    assert columns.normalise_header(raw) == (
        "Div",
        "BbMx>2.5",
        "BbAv>2.5",
        "BbMx<2.5",
        "BbAv<2.5",
        "HomeTeam",
    )


@pytest.mark.parametrize(
    ("name", "role"),
    [
        ("Div", "match"),
        ("Time", "match"),
        ("Referee", "match"),
        ("HST", "stat"),
        ("AR", "stat"),
        ("PSCH", "price"),
        ("BbAHh", "line"),
        ("AHh", "line"),
        ("AHCh", "line"),
        ("B365AH", "line"),
        ("Bb1X2", "ignored"),
        ("BbOU", "ignored"),
        ("BbAH", "ignored"),
        ("FTR", "ignored"),
        ("HFKC", "ignored"),
        ("X59", "ignored"),
        ("X73", "ignored"),
        ("", "ignored"),
        ("Comment", "unknown"),
    ],
)
def test_columns_are_classified(name: str, role: columns.ColumnRole) -> None:
    assert columns.classify_column(name) == role


def test_price_names_never_shadow_other_columns() -> None:
    others = columns.MATCH_COLUMNS | set(columns.STAT_COLUMNS) | set(columns.IGNORED_COLUMNS)
    assert not others & set(columns.PRICE_COLUMNS)


def test_every_column_of_the_sample_data_is_mapped_or_deliberately_ignored() -> None:
    files = sorted(SAMPLE.rglob("*.csv"))
    assert len(files) == 20
    unknown = {
        name
        for path in files
        for name in columns.normalise_header(_header(path))
        if columns.classify_column(name) == "unknown"
    }
    assert unknown == set()


def test_every_fixture_column_is_known_except_the_deliberate_extra() -> None:
    unknown = {
        name
        for path in sorted(FIXTURES.glob("*.csv"))
        if path.stat().st_size and path.name != "invalid_utf8.csv"
        for name in columns.normalise_header(_header(path))
        if columns.classify_column(name) == "unknown"
    }
    assert unknown == {"Comment"}


def test_a_2019_header_resolves_into_thirty_two_price_groups() -> None:
    layout = columns.resolve_header(_header(SAMPLE / "E0" / "2019-2020.csv"))
    # 1X2 pre-match and closing for 6 books and MAX/AVG (16 groups), O/U and AH for
    # B365, PS, MAX and AVG, pre-match and closing (16 groups).
    assert len(layout.groups) == 32
    assert sum(len(group.members) for group in layout.groups) == 80
    assert layout.unknown == ()
    assert layout.no_line == ()
    assert layout.duplicates == ()


def test_handicap_groups_point_at_their_line_column() -> None:
    layout = columns.resolve_header(_header(SAMPLE / "E0" / "2019-2020.csv"))
    by_key = {(g.bookmaker, g.market, g.kind): g for g in layout.groups}
    closing = by_key["PS", HANDICAP, CLOSE]
    assert closing.line_column == "AHCh"
    assert closing.line_index == layout.index["AHCh"]
    assert by_key["B365", HANDICAP, PRE].line_column == "AHh"
    assert by_key["PS", TOTALS, PRE].line == Decimal("2.50")


def test_a_column_given_twice_is_a_duplicate() -> None:
    layout = columns.resolve_header(["Div", "B365H", "B365H"])
    assert layout.duplicates == ("B365H",)


def test_two_columns_for_one_quote_are_a_duplicate() -> None:
    layout = columns.resolve_header(["Div", "BbMxH", "MaxH"])
    assert layout.duplicates == ("MaxH (same quote as BbMxH)",)


def test_ignored_and_unknown_columns_may_repeat() -> None:
    layout = columns.resolve_header(["Div", "X59", "X59", "", "", "Note", "Note"])
    assert layout.duplicates == ()
    assert layout.unknown == ("Note", "Note")


def test_handicap_prices_without_a_line_column_cannot_be_used() -> None:
    layout = columns.resolve_header(["Div", "B365AHH", "B365AHA"])
    assert layout.no_line == ("B365AHH", "B365AHA")
    assert layout.groups == ()


def test_an_old_per_book_size_column_serves_as_the_line() -> None:
    layout = columns.resolve_header(["Div", "GBAHH", "GBAHA", "GBAH"])
    (group,) = layout.groups
    assert group.line_column == "GBAH"


def test_missing_required_columns_are_listed() -> None:
    layout = columns.resolve_header(["Div", "Date", "HomeTeam", "FTHG"])
    assert layout.missing_required == ("AwayTeam", "FTAG")


def test_a_header_missing_a_selection_makes_an_incomplete_group() -> None:
    layout = columns.resolve_header(["Div", "B365H", "B365D"])
    (group,) = layout.groups
    assert not group.is_complete
