"""Plain Python records and rules: no I/O, no framework imports."""

from scoreline.domain.competitions import Competition, Season, Team, TeamAlias
from scoreline.domain.fixtures import Fixture, FixtureStatus, MatchStats, Result
from scoreline.domain.markets import Line, Market, Selection, split_line
from scoreline.domain.odds import OddsSnapshot, PriceKind

__all__ = [
    "Competition",
    "Fixture",
    "FixtureStatus",
    "Line",
    "Market",
    "MatchStats",
    "OddsSnapshot",
    "PriceKind",
    "Result",
    "Season",
    "Selection",
    "Team",
    "TeamAlias",
    "split_line",
]
