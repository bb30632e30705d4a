"""Header eras of football-data.co.uk files: which column holds which price.

Meaning is carried by column names, never positions: the order and the set of
columns change between seasons, and unknown extra columns are tolerated.

::

    seasons     1X2 (H/D/A)                  over/under 2.5            Asian handicap
    2005-2012   B365H BWH GBH ... SJH;       BbMx>2.5 BbAv<2.5 ...     line BbAHh;
                aggregates BbMxH BbAvH                                 BbMxAHH BbAvAHA
    2012-2019   + PSH (Pinnacle) and PSCH    class C files (2017-2019) same
                (Pinnacle closing)           say BbMx.2.5 for BbMx>2.5
    2019-       + closing for every book     B365>2.5 P>2.5 Max>2.5    line AHh; B365AHH PAHH
                (B365CH ...); aggregates     Avg>2.5; closing          MaxAHH AvgAHH; closing
                MaxH AvgH MaxCH AvgCH        B365C>2.5 PC>2.5 ...      line AHCh; B365CAHH ...
    2024-       + 1XB BF BFE BFD BMGM BV CL (same grammar)

A price column is ``<prefix>[C]<suffix>``: the prefix names the bookmaker (``P``
is Pinnacle's prefix in the over/under and handicap markets, ``PS`` in 1X2;
``BbMx``/``Max`` are the market maximum ``MAX``, ``BbAv``/``Avg`` the average
``AVG``), ``C`` marks the closing price, and the suffix names the selection. The
table below is generated from that grammar and checked for collisions at import.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

from scoreline.domain.markets import SELECTIONS, Line, Market, Selection, parse_line
from scoreline.domain.odds import BOOKMAKER_NAMES, PriceKind

__all__ = [
    "BOOKMAKERS",
    "IGNORED_COLUMNS",
    "MANGLED_COLUMNS",
    "MATCH_COLUMNS",
    "PRICE_COLUMNS",
    "REQUIRED_COLUMNS",
    "STAT_COLUMNS",
    "ColumnRole",
    "HeaderLayout",
    "PriceColumn",
    "PriceGroup",
    "classify_column",
    "normalise_header",
    "resolve_header",
]

ColumnRole = Literal["match", "stat", "price", "line", "ignored", "unknown"]

BOOKMAKERS = BOOKMAKER_NAMES  # the codes football-data.co.uk uses are ours

# Column prefix -> bookmaker code. ``P`` is Pinnacle outside 1X2 (``P>2.5``, ``PAHH``).
_PREFIXES: Mapping[str, str] = {
    **{code: code for code in BOOKMAKERS if code not in ("MAX", "AVG")},
    "P": "PS",
    "Max": "MAX",
    "Avg": "AVG",
    "BbMx": "MAX",
    "BbAv": "AVG",
}
_BETBRAIN_PREFIXES = frozenset({"BbMx", "BbAv"})
_NO_MATCH_ODDS_PREFIXES = frozenset({"P"})  # Pinnacle 1X2 is ``PSH``; ``PH`` means nothing

_MATCH_ODDS_SUFFIXES = {"H": Selection.HOME, "D": Selection.DRAW, "A": Selection.AWAY}
_OVER_UNDER_SUFFIXES = {">2.5": Selection.OVER, "<2.5": Selection.UNDER}
_HANDICAP_SUFFIXES = {"AHH": Selection.HOME, "AHA": Selection.AWAY}
_OVER_UNDER_LINE = parse_line("2.5")

# R's read.csv turned these names into syntactic ones in the class C files (2017-2019).
MANGLED_COLUMNS: Mapping[str, str] = MappingProxyType(
    {
        "BbMx.2.5": "BbMx>2.5",
        "BbAv.2.5": "BbAv>2.5",
        "BbMx.2.5.1": "BbMx<2.5",
        "BbAv.2.5.1": "BbAv<2.5",
    }
)

REQUIRED_COLUMNS = ("Div", "Date", "HomeTeam", "AwayTeam", "FTHG", "FTAG")
MATCH_COLUMNS = frozenset(
    {*REQUIRED_COLUMNS, "Time", "HTHG", "HTAG", "Referee"},
)
# In MatchStats field order: home/away shots, on target, corners, fouls, yellows, reds.
STAT_COLUMNS = ("HS", "AS", "HST", "AST", "HC", "AC", "HF", "AF", "HY", "AY", "HR", "AR")
_LINE_COLUMNS = frozenset({"BbAHh", "AHh", "AHCh"})

# Columns read on purpose and left out, with the reason.
IGNORED_COLUMNS: Mapping[str, str] = MappingProxyType(
    {
        "FTR": "full-time result letter; derived from the goals",
        "HTR": "half-time result letter; derived from the goals",
        "Bb1X2": "number of Betbrain books in the 1X2 aggregates, not a price",
        "BbOU": "number of Betbrain books in the over/under aggregates, not a price",
        "BbAH": "number of Betbrain books in the handicap aggregates, not a price",
        "HFKC": "free kicks conceded (2017-2019, some leagues); no MatchStats field",
        "AFKC": "free kicks conceded (2017-2019, some leagues); no MatchStats field",
        "HO": "offsides (older files); no MatchStats field",
        "AO": "offsides (older files); no MatchStats field",
        "HHW": "woodwork hits (older files); no MatchStats field",
        "AHW": "woodwork hits (older files); no MatchStats field",
        "HBP": "booking points (older files); no MatchStats field",
        "ABP": "booking points (older files); no MatchStats field",
        "Attendance": "crowd size (older files); not stored",
        "": "unnamed trailing column (B1 2021-2022); always empty",
    }
)
# ``X59``, ``X60``...: R's names for the unnamed trailing columns of class B files.
_R_PLACEHOLDER = re.compile(r"^X\d+$")


@dataclass(frozen=True, slots=True)
class PriceColumn:
    """What one price column holds.

    ``line`` is the fixed line of the column (2.5 for over/under), and
    ``line_columns`` the columns that may hold an Asian handicap's line, the
    first one present in a header winning.
    """

    name: str
    bookmaker: str
    market: Market
    selection: Selection
    kind: PriceKind
    line: Line | None = None
    line_columns: tuple[str, ...] = ()


def _handicap_line_columns(prefix: str, kind: PriceKind) -> tuple[str, ...]:
    if prefix in _BETBRAIN_PREFIXES:
        return ("BbAHh",)
    if kind is PriceKind.CLOSING:
        return ("AHCh",)
    # Files before 2005 gave each book its own size column (``B365AH``).
    return ("AHh", f"{prefix}AH")


def _build_price_columns() -> dict[str, PriceColumn]:
    table: dict[str, PriceColumn] = {}
    for prefix, bookmaker in _PREFIXES.items():
        for infix, kind in (("", PriceKind.PREMATCH), ("C", PriceKind.CLOSING)):
            specs: list[PriceColumn] = []
            if prefix not in _NO_MATCH_ODDS_PREFIXES:
                specs += [
                    PriceColumn(f"{prefix}{infix}{s}", bookmaker, Market.MATCH_ODDS, sel, kind)
                    for s, sel in _MATCH_ODDS_SUFFIXES.items()
                ]
            specs += [
                PriceColumn(
                    f"{prefix}{infix}{s}",
                    bookmaker,
                    Market.OVER_UNDER,
                    sel,
                    kind,
                    line=_OVER_UNDER_LINE,
                )
                for s, sel in _OVER_UNDER_SUFFIXES.items()
            ]
            line_columns = _handicap_line_columns(prefix, kind)
            specs += [
                PriceColumn(
                    f"{prefix}{infix}{s}",
                    bookmaker,
                    Market.ASIAN_HANDICAP,
                    sel,
                    kind,
                    line_columns=line_columns,
                )
                for s, sel in _HANDICAP_SUFFIXES.items()
            ]
            for spec in specs:
                if spec.name in table:  # pragma: no cover - guards future edits of the grammar
                    raise RuntimeError(f"price column {spec.name!r} is ambiguous")
                table[spec.name] = spec
    return table


PRICE_COLUMNS: Mapping[str, PriceColumn] = MappingProxyType(_build_price_columns())
_OLD_STYLE_LINE_COLUMNS = (
    frozenset(name for spec in PRICE_COLUMNS.values() for name in spec.line_columns) - _LINE_COLUMNS
)


def normalise_header(names: Sequence[str]) -> tuple[str, ...]:
    """Header names stripped of spaces, with the class C mangled names repaired."""
    stripped = (name.strip() for name in names)
    return tuple(MANGLED_COLUMNS.get(name, name) for name in stripped)


def classify_column(name: str) -> ColumnRole:
    """What a (normalised) column is for; ``unknown`` columns are tolerated and skipped."""
    if name in MATCH_COLUMNS:
        return "match"
    if name in STAT_COLUMNS:
        return "stat"
    if name in PRICE_COLUMNS:
        return "price"
    if name in _LINE_COLUMNS or name in _OLD_STYLE_LINE_COLUMNS:
        return "line"
    if name in IGNORED_COLUMNS or _R_PLACEHOLDER.match(name):
        return "ignored"
    return "unknown"


@dataclass(frozen=True, slots=True)
class PriceGroup:
    """The price columns of one bookmaker, market, kind and line in one header.

    ``members`` are (column index, selection, column name). ``line_index`` is the
    column of an Asian handicap's line; ``line`` the fixed line of over/under.
    """

    bookmaker: str
    market: Market
    kind: PriceKind
    line: Line | None
    line_index: int | None
    line_column: str | None
    members: tuple[tuple[int, Selection, str], ...]

    @property
    def is_complete(self) -> bool:
        """Whether the header has a column for every selection of the market."""
        return len(self.members) == len(SELECTIONS[self.market])


@dataclass(frozen=True, slots=True)
class HeaderLayout:
    """One file's header resolved once: where each field and price lives.

    ``duplicates`` are meaningful names that appear twice (the file cannot be
    read unambiguously); ``unknown`` names are skipped; ``no_line`` lists handicap
    price columns whose header has no line column, so they cannot be used.
    """

    names: tuple[str, ...]
    index: Mapping[str, int]
    groups: tuple[PriceGroup, ...]
    duplicates: tuple[str, ...]
    unknown: tuple[str, ...]
    no_line: tuple[str, ...]

    @property
    def missing_required(self) -> tuple[str, ...]:
        """Required columns the header lacks."""
        return tuple(name for name in REQUIRED_COLUMNS if name not in self.index)


def resolve_header(raw_names: Sequence[str]) -> HeaderLayout:
    """Resolve a raw header row into a layout (names normalised first)."""
    names = normalise_header(raw_names)
    index: dict[str, int] = {}
    duplicates: list[str] = []
    unknown: list[str] = []
    for position, name in enumerate(names):
        role = classify_column(name)
        if role == "ignored":
            continue
        if role == "unknown":
            unknown.append(name)
            continue
        if name in index:
            duplicates.append(name)
            continue
        index[name] = position

    grouped: dict[tuple[str, Market, PriceKind, str | None], list[tuple[int, Selection, str]]] = {}
    holders: dict[tuple[str, Market, PriceKind, Selection], str] = {}
    no_line: list[str] = []
    for name, position in index.items():
        spec = PRICE_COLUMNS.get(name)
        if spec is None:
            continue
        slot = (spec.bookmaker, spec.market, spec.kind, spec.selection)
        if slot in holders:  # e.g. both BbMxH and MaxH: two prices for one quote
            duplicates.append(f"{name} (same quote as {holders[slot]})")
            continue
        holders[slot] = name
        line_column: str | None = None
        if spec.market is Market.ASIAN_HANDICAP:
            line_column = next((c for c in spec.line_columns if c in index), None)
            if line_column is None:
                no_line.append(name)
                continue
        key = (spec.bookmaker, spec.market, spec.kind, line_column)
        grouped.setdefault(key, []).append((position, spec.selection, name))

    groups = []
    for (bookmaker, market, kind, line_column), members in grouped.items():
        groups.append(
            PriceGroup(
                bookmaker=bookmaker,
                market=market,
                kind=kind,
                line=_OVER_UNDER_LINE if market is Market.OVER_UNDER else None,
                line_index=None if line_column is None else index[line_column],
                line_column=line_column,
                members=tuple(members),
            )
        )
    return HeaderLayout(
        names=names,
        index=MappingProxyType(index),
        groups=tuple(groups),
        duplicates=tuple(duplicates),
        unknown=tuple(unknown),
        no_line=tuple(no_line),
    )
