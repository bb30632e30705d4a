"""The prices of one football-data.co.uk row, as odds snapshots, and the cells dropped.

A price is kept only if it can be a price. Each rule below was found in the
2005-2023 files, and every drop is reported as a ``DroppedCell`` with its reason:

- not a number (``#``, ``c``) or below the minimum price of ``domain.prices``
  (``0``, ``0.42``: football-data's way of saying "no price", or a lost digit): the
  cell is dropped;
- above the maximum price of ``domain.prices`` (1e30, 50000): no slip football-data
  makes (its largest genuine price is 201), so the file was altered or is not a
  season file, and none of it is trusted: ``DataError`` naming the line and the
  column, and the whole file is refused (nothing of it is written);
- above 50 in a two-way market (over/under, handicap): a lost decimal point
  (``172`` for 1.72); the cell is dropped;
- one book's complete set of prices implying under 95% or over 150% (under 90%
  for a market average; no floor for a market maximum, which can legitimately
  sit under 100%): one of them is mistyped, so the set is dropped;
- a handicap line that is missing, off the quarter-goal grid (``-1.2``) or beyond
  ten goals (``-225``): the prices quoted on it are dropped. A split line written
  as two half lines (``-0.5,-1``) is the quarter line between them (-0.75).

``captured_at`` is kick-off for closing prices and an estimate for pre-match ones
(see ``prematch_captured_at``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from operator import itemgetter
from typing import Literal
from zoneinfo import ZoneInfo

from scoreline.domain.markets import Line, Market, Selection, parse_line
from scoreline.domain.odds import OddsSnapshot, PriceKind
from scoreline.domain.prices import PriceFault, price_fault
from scoreline.errors import DataError
from scoreline.providers.football_data.columns import HeaderLayout, PriceGroup

__all__ = ["DropCode", "DroppedCell", "OddsReader", "parse_handicap", "prematch_captured_at"]

LONDON = ZoneInfo("Europe/London")
MISSING = frozenset({"", "NA"})

_CAPTURE_TIME = time(16, 0)
_CAPTURE_WEEKDAYS = frozenset({1, 4})  # Tuesday, Friday
_CAPTURE_LEAD = timedelta(hours=1)
_TWO_WAY_MIN_INVERSE = 1 / 50
_BOOK_CEILING = 1.5
_BOOK_FLOORS = {"MAX": 0.0, "AVG": 0.90}
_BOOK_FLOOR = 0.95
_MAX_HANDICAP = Decimal(10)
_HALF = Decimal("0.5")

DropCode = Literal[
    "price_not_a_number",
    "price_below_minimum",
    "two_way_price_too_high",
    "book_out_of_range",
    "handicap_line_invalid",
    "handicap_line_missing",
    "stat_not_whole_number",
    "time_invalid",
]


@dataclass(frozen=True, slots=True)
class DroppedCell:
    """Cells of a kept row whose values were dropped, with the reason."""

    path: str
    line: int
    columns: tuple[str, ...]
    values: tuple[str, ...]
    code: DropCode
    reason: str

    @property
    def message(self) -> str:
        """One line for a log or a report."""
        cells = ", ".join(f"{c}={v!r}" for c, v in zip(self.columns, self.values, strict=True))
        return f"{self.path} line {self.line}: {cells}: {self.reason}; dropped, row kept"


def prematch_captured_at(kickoff_utc: datetime) -> datetime:
    """When football-data's pre-match prices were taken: an estimate, in UTC.

    football-data.co.uk collects them "Friday afternoons for weekend games and
    Tuesday afternoons for midweek games" (its notes.txt). The estimate is the
    latest Tuesday or Friday, 16:00 UK time, at least one hour before kick-off.
    """
    limit = kickoff_utc - _CAPTURE_LEAD
    day = kickoff_utc.astimezone(LONDON).date()
    while True:
        if day.weekday() in _CAPTURE_WEEKDAYS:
            captured = datetime.combine(day, _CAPTURE_TIME, LONDON).astimezone(UTC)
            if captured <= limit:
                return captured
        day -= timedelta(days=1)


def parse_handicap(value: str) -> Line | str:
    """A handicap line (home side), or why it is unusable. ``-0.5,-1`` is the quarter line -0.75."""
    try:
        halves = [Decimal(part.strip()) for part in value.split(",")]
        if not all(half.is_finite() for half in halves):
            return f"Asian-handicap line {value!r} is not a number"
        if len(halves) > 2 or (len(halves) == 2 and abs(halves[0] - halves[1]) != _HALF):
            return f"Asian-handicap line {value!r} is not one line or two neighbouring half lines"
        line = parse_line(sum(halves) / len(halves))
    except InvalidOperation:
        return f"Asian-handicap line {value!r} is not a number"
    except ValueError:
        return f"Asian-handicap line {value!r} is not a multiple of 0.25"
    if abs(line) > _MAX_HANDICAP:
        return f"Asian-handicap line {value!r} is beyond {_MAX_HANDICAP} goals"
    return line


# Every invariant OddsSnapshot.__post_init__ checks holds by construction here (price
# in range per cell, selection and line from the column table, aware datetimes). Setting
# the slots directly skips the re-check: ~6 million prices in the full data set.
_SLOT_SETTERS = tuple(
    getattr(OddsSnapshot, name).__set__
    for name in ("bookmaker", "market", "selection", "line", "price", "captured_at", "kind")
)

# A group's usable quotes as parallel sequences: (price, 1/price), selection, column, cell.
_Quotes = tuple[Sequence[tuple[Decimal, float]], Sequence[Selection], Sequence[str], Sequence[str]]


@dataclass(frozen=True, slots=True)
class _Group:
    """A PriceGroup prepared for the row loop."""

    bookmaker: str
    market: Market
    kind: PriceKind
    line: Line | None
    line_index: int  # -1: the market has a fixed line (or none)
    line_column: str
    cells: Callable[[Sequence[str]], tuple[str, ...]]
    selections: tuple[Selection, ...]
    names: tuple[str, ...]
    complete: bool
    two_way: bool
    floor: float
    sound: set[tuple[str, ...]]  # full sets of cells whose book is in range, seen in this file

    @classmethod
    def of(cls, group: PriceGroup) -> _Group:
        positions = [position for position, _, _ in group.members]
        # itemgetter of one index returns the item, not a 1-tuple: ask for it twice.
        cells = itemgetter(*positions) if len(positions) > 1 else itemgetter(*positions * 2)
        return cls(
            bookmaker=group.bookmaker,
            market=group.market,
            kind=group.kind,
            line=group.line,
            line_index=-1 if group.line_index is None else group.line_index,
            line_column=group.line_column or "",
            cells=cells,
            selections=tuple(selection for _, selection, _ in group.members),
            names=tuple(name for _, _, name in group.members),
            complete=group.is_complete,
            two_way=group.market is not Market.MATCH_ODDS,
            floor=_BOOK_FLOORS.get(group.bookmaker, _BOOK_FLOOR),
            sound=set(),
        )


class OddsReader:
    """Reads the prices of the rows of one file.

    Price strings repeat a lot, so each is parsed once per file: ``prices`` holds
    every valid one, ``two_way_prices`` those that can stand in a two-way market.
    """

    def __init__(self, where: str, layout: HeaderLayout, dropped: list[DroppedCell]) -> None:
        self.where = where
        self.dropped = dropped
        self.groups = [_Group.of(group) for group in layout.groups]
        self.prices: dict[str, tuple[Decimal, float]] = {}
        self.two_way_prices: dict[str, tuple[Decimal, float]] = {}
        self.lines: dict[str, Line | str] = {}
        self.captures: dict[datetime, datetime] = {}

    def read(self, line: int, row: list[str], kickoff: datetime) -> list[OddsSnapshot]:
        """The snapshots of one row; bad cells go to ``dropped``."""
        prematch = self.captures.get(kickoff)
        if prematch is None:
            prematch = self.captures[kickoff] = prematch_captured_at(kickoff)
        lines, new = self.lines, object.__new__
        set_bookmaker, set_market, set_selection, set_line, set_price, set_at, set_kind = (
            _SLOT_SETTERS
        )
        snapshots: list[OddsSnapshot] = []
        append = snapshots.append
        for group in self.groups:
            table = self.two_way_prices if group.two_way else self.prices
            cells = group.cells(row)
            try:  # the common case: every cell a price already seen in this file
                quotes: _Quotes = ([table[c] for c in cells], group.selections, group.names, cells)
            except KeyError:
                quotes = self._vet(line, group, cells)
            prices = quotes[0]
            if not prices:
                continue
            at_line = group.line
            if group.line_index >= 0:
                line_cell = row[group.line_index]
                known = lines.get(line_cell)
                at_line = (
                    known
                    if isinstance(known, Decimal)
                    else self._handicap(line, group, line_cell, quotes)
                )
                if at_line is None:
                    continue
            if group.complete and len(prices) == len(group.names) and cells not in group.sound:
                book = sum(inverse for _, inverse in prices)
                if book < group.floor or book > _BOOK_CEILING:
                    reason = (
                        f"the prices imply a book of {book:.0%}, outside"
                        f" {group.floor:.0%}-{_BOOK_CEILING:.0%}: one is mistyped"
                    )
                    self._drop_quotes(line, quotes, "book_out_of_range", reason)
                    continue
                group.sound.add(cells)
            bookmaker, market, kind = group.bookmaker, group.market, group.kind
            at = kickoff if kind is PriceKind.CLOSING else prematch
            for price, selection in zip(prices, quotes[1], strict=True):
                snapshot = new(OddsSnapshot)
                set_bookmaker(snapshot, bookmaker)
                set_market(snapshot, market)
                set_selection(snapshot, selection)
                set_line(snapshot, at_line)
                set_price(snapshot, price[0])
                set_at(snapshot, at)
                set_kind(snapshot, kind)
                append(snapshot)
        return snapshots

    def _vet(self, line: int, group: _Group, cells: tuple[str, ...]) -> _Quotes:
        """The usable quotes among a group's cells, cell by cell, reporting the bad ones."""
        prices: list[tuple[Decimal, float]] = []
        selections: list[Selection] = []
        names: list[str] = []
        kept: list[str] = []
        for cell, selection, name in zip(cells, group.selections, group.names, strict=True):
            if cell in MISSING:
                continue
            price = self.prices.get(cell) or self._new_price(line, name, cell)
            if price is None:
                continue
            if group.two_way and cell not in self.two_way_prices:
                reason = "above 50 in a two-way market: a lost decimal point"
                self._drop(line, (name,), (cell,), "two_way_price_too_high", reason)
                continue
            prices.append(price)
            selections.append(selection)
            names.append(name)
            kept.append(cell)
        return prices, selections, names, kept

    def _new_price(self, line: int, name: str, cell: str) -> tuple[Decimal, float] | None:
        try:
            price = Decimal(cell)
        except InvalidOperation:
            price = Decimal("NaN")
        fault = price_fault(price)
        if fault is PriceFault.NOT_A_NUMBER:
            self._drop(line, (name,), (cell,), "price_not_a_number", "not a price")
            return None
        if fault is PriceFault.BELOW_MINIMUM:
            self._drop(line, (name,), (cell,), "price_below_minimum", fault.value)
            return None
        if fault is PriceFault.ABOVE_MAXIMUM:
            raise DataError(f"{self.where} line {line}: {name}={cell!r} is {fault}; file rejected")
        parsed = self.prices[cell] = (price, 1 / float(price))
        if parsed[1] >= _TWO_WAY_MIN_INVERSE:
            self.two_way_prices[cell] = parsed
        return parsed

    def _handicap(self, line: int, group: _Group, cell: str, quotes: _Quotes) -> Line | None:
        """The handicap line of a row, or None after dropping the group's prices."""
        if cell.strip() in MISSING:
            reason = f"handicap prices but no line in {group.line_column}"
            self._drop_quotes(line, quotes, "handicap_line_missing", reason)
            return None
        handicap = self.lines.get(cell)
        if handicap is None:
            handicap = self.lines[cell] = parse_handicap(cell)
        if isinstance(handicap, str):
            lead = ((group.line_column, cell),)
            self._drop_quotes(line, quotes, "handicap_line_invalid", handicap, lead)
            return None
        return handicap

    def _drop_quotes(
        self,
        line: int,
        quotes: _Quotes,
        code: DropCode,
        reason: str,
        lead: tuple[tuple[str, str], ...] = (),
    ) -> None:
        names = tuple(name for name, _ in lead) + tuple(quotes[2])
        cells = tuple(cell for _, cell in lead) + tuple(quotes[3])
        self._drop(line, names, cells, code, reason)

    def _drop(
        self, line: int, names: tuple[str, ...], cells: tuple[str, ...], code: DropCode, reason: str
    ) -> None:
        self.dropped.append(DroppedCell(self.where, line, names, cells, code, reason))
