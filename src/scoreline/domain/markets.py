"""Markets, selections and lines, including Asian quarter lines.

A line is a ``Decimal`` in steps of 0.25. For Asian handicap it is the home
side's handicap (``-0.75`` means home gives three quarters of a goal); for
totals it is the goal line. A quarter line is two half-stakes on its
neighbouring half and whole lines: ``-0.75`` = ``-0.5`` and ``-1.0``.
"""

from __future__ import annotations

import enum
from decimal import Decimal, DecimalException

__all__ = ["MAX_LINE", "Line", "Market", "Selection", "market_line", "parse_line", "split_line"]

Line = Decimal

_QUARTER = Decimal("0.25")

MAX_LINE = Decimal(20)
"""The widest line taken, in goals; football-data's own files never go past 10."""


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


def market_line(market: Market, value: object) -> Line | None:
    """The line a price or a bet on ``market`` is at: None for 1X2, which takes none; for
    the others a quarter-goal line within ``MAX_LINE`` (totals above 0). ``ValueError``
    says what is wrong; feeds (``domain.ticks``) and bets recorded by hand share the rule.
    """
    if market is Market.MATCH_ODDS:
        if value not in (None, ""):
            raise ValueError(f"1x2 takes no line, got {value!r}")
        return None
    if value in (None, ""):
        raise ValueError(f"{market.value} needs a line")
    if not isinstance(value, str | int | float | Decimal) or isinstance(value, bool):
        raise ValueError(f"line {value!r}: not a number")
    try:
        line = parse_line(value)
    except (ValueError, DecimalException) as error:
        raise ValueError(f"line {value!r}: {error}") from error
    if not line.is_finite() or abs(line) > MAX_LINE or (market is Market.OVER_UNDER and line <= 0):
        bounds = "0 < line" if market is Market.OVER_UNDER else f"-{MAX_LINE} <= line"
        raise ValueError(
            f"line {value!r} is out of range for {market.value} ({bounds} <= {MAX_LINE})"
        )
    return line
