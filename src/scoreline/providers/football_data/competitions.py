"""The football-data.co.uk divisions Scoreline knows, by division code.

The 18 main-league codes of the shared data set, plus the other UK divisions the
site publishes in the same format (``EC``, ``SC1``, ``SC2``, ``SC3``). The "extra
leagues" (``ARG``, ``BRA``, ...) use another file layout and are not covered.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from scoreline.domain.competitions import Competition
from scoreline.errors import DataError

__all__ = ["COMPETITIONS", "get_competition"]

_ALL = (
    Competition("E0", "Premier League", "England"),
    Competition("E1", "Championship", "England"),
    Competition("E2", "League One", "England"),
    Competition("E3", "League Two", "England"),
    Competition("EC", "National League", "England"),
    Competition("SC0", "Premiership", "Scotland"),
    Competition("SC1", "Championship", "Scotland"),
    Competition("SC2", "League One", "Scotland"),
    Competition("SC3", "League Two", "Scotland"),
    Competition("D1", "Bundesliga", "Germany"),
    Competition("D2", "2. Bundesliga", "Germany"),
    Competition("I1", "Serie A", "Italy"),
    Competition("I2", "Serie B", "Italy"),
    Competition("SP1", "La Liga", "Spain"),
    Competition("SP2", "Segunda Division", "Spain"),
    Competition("F1", "Ligue 1", "France"),
    Competition("F2", "Ligue 2", "France"),
    Competition("N1", "Eredivisie", "Netherlands"),
    Competition("B1", "First Division A", "Belgium"),
    Competition("P1", "Primeira Liga", "Portugal"),
    Competition("T1", "Super Lig", "Turkey"),
    Competition("G1", "Super League", "Greece"),
)

COMPETITIONS: Mapping[str, Competition] = MappingProxyType({c.code: c for c in _ALL})


def get_competition(code: str) -> Competition:
    """The competition of a football-data division code; DataError when the code is unknown."""
    try:
        return COMPETITIONS[code]
    except KeyError:
        known = ", ".join(sorted(COMPETITIONS))
        raise DataError(
            f"unknown football-data division code {code!r}; known codes: {known}"
        ) from None
