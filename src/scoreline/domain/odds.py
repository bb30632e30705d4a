"""Odds snapshots: one price of one selection, from one bookmaker, at one time."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from types import MappingProxyType

from scoreline.domain.markets import SELECTIONS, Line, Market, Selection
from scoreline.domain.prices import price_fault

__all__ = ["BOOKMAKER_NAMES", "OddsRecord", "OddsSnapshot", "PriceKind"]

# Short codes of bookmakers and market-wide aggregates, after football-data.co.uk's column prefixes.
BOOKMAKER_NAMES: Mapping[str, str] = MappingProxyType(
    {
        "B365": "Bet365",
        "BW": "Bet&Win",
        "IW": "Interwetten",
        "PS": "Pinnacle",
        "WH": "William Hill",
        "VC": "VC Bet",
        "LB": "Ladbrokes",
        "GB": "Gamebookers",
        "SB": "Sportingbet",
        "SJ": "Stan James",
        "BS": "Blue Square",
        "SO": "Sporting Odds",
        "SY": "Stanleybet",
        "1XB": "1xBet",
        "BF": "Betfair",
        "BFE": "Betfair Exchange",
        "BFD": "Betfred",
        "BMGM": "BetMGM",
        "BV": "BetVictor",
        "CL": "Coral",
        "MAX": "market maximum (Betbrain to 2018-2019, then football-data's own)",
        "AVG": "market average (Betbrain to 2018-2019, then football-data's own)",
    }
)


class PriceKind(enum.StrEnum):
    """Whether a price was taken before the match or is the closing price at kick-off."""

    PREMATCH = "prematch"
    CLOSING = "closing"


@dataclass(frozen=True, slots=True)
class OddsSnapshot:
    """A decimal price for a selection; ``line`` is None for the 1X2 market.

    ``bookmaker`` is a short code (``PS`` Pinnacle, ``B365`` Bet365, ``MAX`` and
    ``AVG`` for market-wide aggregates). ``captured_at`` is UTC. The price is in the
    range of ``domain.prices``.
    """

    bookmaker: str
    market: Market
    selection: Selection
    line: Line | None
    price: Decimal
    captured_at: datetime
    kind: PriceKind = PriceKind.PREMATCH

    def __post_init__(self) -> None:
        if (fault := price_fault(self.price)) is not None:
            raise ValueError(f"price {self.price} is {fault}")
        if self.selection not in SELECTIONS[self.market]:
            raise ValueError(f"{self.selection.value} is not a selection of {self.market.value}")
        if (self.line is None) != (self.market is Market.MATCH_ODDS):
            raise ValueError(
                f"{self.market.value} {'needs' if self.line is None else 'takes no'} line"
            )
        if self.captured_at.tzinfo is None:
            raise ValueError("captured_at must be timezone-aware (UTC)")


@dataclass(frozen=True, slots=True)
class OddsRecord:
    """A stored snapshot: one bookmaker's prices for one market of a fixture at one time.

    ``line`` is the line as text (``"-0.75"``), None for 1X2; ``prices`` maps each
    selection quoted (``home``, ``draw``, ``away``, ``over``, ``under``) to its price.
    """

    id: int
    fixture_id: int
    bookmaker: str
    market: str
    line: str | None
    kind: str
    captured_at: datetime
    prices: Mapping[str, Decimal]
