"""Which codes are bookmakers, which are market figures, and which book is the sharp one.

football-data.co.uk and our feeds quote prices under short codes (``B365``,
``PS``...). Two codes are not bookmakers at all but figures over the market:
``MAX`` (the best price on offer) and ``AVG`` (the mean). Nobody can bet at
them, so the board, value bets and stake sizing leave them out; the market
consensus uses ``AVG`` only where the sharp book is missing.
"""

from __future__ import annotations

from typing import Final

__all__ = ["AGGREGATES", "AVERAGE", "MAXIMUM", "SHARP", "is_bookmaker"]

MAXIMUM: Final = "MAX"
AVERAGE: Final = "AVG"
AGGREGATES: Final = frozenset({MAXIMUM, AVERAGE})
"""Market-wide figures, not bookmakers: never bet on, never shown as a bookmaker."""
SHARP: Final = "PS"
"""Pinnacle: the sharp book whose prices are the market's best estimate."""


def is_bookmaker(code: str) -> bool:
    """Whether ``code`` is a bookmaker one can bet with (not a market-wide figure)."""
    return code not in AGGREGATES
