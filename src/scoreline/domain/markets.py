"""Markets, selections and lines, including Asian quarter lines.

A line is a ``Decimal`` in steps of 0.25. For Asian handicap it is the home
side's handicap (``-0.75`` means home gives three quarters of a goal); for
totals it is the goal line. A quarter line is two half-stakes on its
neighbouring half and whole lines: ``-0.75`` = ``-0.5`` and ``-1.0``.
"""

from __future__ import annotations

import enum
from decimal import Decimal

__all__ = ["Line", "Market", "Selection", "parse_line", "split_line"]

Line = Decimal

_QUARTER = Decimal("0.25")


class Market(enum.StrEnum):
    """The markets Scoreline stores odds for."""

    MATCH_ODDS = "1x2"
    OVER_UNDER = "over_under"
    ASIAN_HANDICAP = "asian_handicap"


class Selection(enum.StrEnum):
    """A side of a market. Handicap selections are HOME and AWAY."""

    HOME = "home"
    DRAW = "draw"
    AWAY = "away"
    OVER = "over"
    UNDER = "under"


SELECTIONS: dict[Market, tuple[Selection, ...]] = {
    Market.MATCH_ODDS: (Selection.HOME, Selection.DRAW, Selection.AWAY),
    Market.OVER_UNDER: (Selection.OVER, Selection.UNDER),
    Market.ASIAN_HANDICAP: (Selection.HOME, Selection.AWAY),
}


def parse_line(value: str | float | Decimal) -> Line:
    """A line as a Decimal on the quarter-goal grid; raises ValueError otherwise."""
    line = Decimal(str(value)).normalize()
    if (line / _QUARTER) % 1 != 0:
        raise ValueError(f"line {value!r} is not a multiple of 0.25")
    return line + Decimal("0.00")


def split_line(line: Line) -> tuple[Line, ...]:
    """The one or two lines a stake on ``line`` is settled on (quarter lines split)."""
    line = parse_line(line)
    if (line * 2) % 1 == 0:
        return (line,)
    return (line - _QUARTER, line + _QUARTER)
