"""The Odds API's keys in Scoreline's vocabulary: sport keys to divisions, bookmaker keys to codes.

Both tables live here and only here, so a new league or bookmaker is one line.
Sport keys map to football-data.co.uk division codes, the codes every other
provider uses for a competition. Bookmaker keys map to the short codes of
``scoreline.domain.odds.BOOKMAKER_NAMES`` (football-data's column prefixes)
where one exists, so Pinnacle's prices from either source land on ``PS``.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from scoreline.errors import DataError

__all__ = ["BOOKMAKER_CODES", "COMPETITION_BY_SPORT", "bookmaker_code", "competition_code"]

COMPETITION_BY_SPORT: Mapping[str, str] = MappingProxyType(
    {
        "soccer_epl": "E0",
        "soccer_efl_champ": "E1",
        "soccer_england_league1": "E2",
        "soccer_england_league2": "E3",
        "soccer_spain_la_liga": "SP1",
        "soccer_spain_segunda_division": "SP2",
        "soccer_germany_bundesliga": "D1",
        "soccer_germany_bundesliga2": "D2",
        "soccer_italy_serie_a": "I1",
        "soccer_italy_serie_b": "I2",
        "soccer_france_ligue_one": "F1",
        "soccer_france_ligue_two": "F2",
        "soccer_netherlands_eredivisie": "N1",
        "soccer_portugal_primeira_liga": "P1",
        "soccer_spl": "SC0",
        "soccer_turkey_super_league": "T1",
        "soccer_greece_super_league": "G1",
        "soccer_belgium_first_div": "B1",
    }
)

BOOKMAKER_CODES: Mapping[str, str] = MappingProxyType(
    {
        "pinnacle": "PS",
        "bet365": "B365",
        "williamhill": "WH",
        "betfair_ex_uk": "BFE",
        "betfair_ex_eu": "BFE",
        "betfair_sb_uk": "BF",
        "betvictor": "BV",
        "coral": "CL",
        "ladbrokes_uk": "LB",
        "onexbet": "1XB",
        "betfred_uk": "BFD",
        "betmgm": "BMGM",
        "sport888": "888",
    }
)


def competition_code(sport_key: str) -> str:
    """The football-data division code of an Odds API sport key.

    Raises
    ------
    DataError
        For a sport key outside the table: a guessed competition would file a
        match's odds under the wrong league, so the key is reported instead.
    """
    try:
        return COMPETITION_BY_SPORT[sport_key]
    except KeyError:
        known = ", ".join(sorted(COMPETITION_BY_SPORT))
        raise DataError(
            f"sport key {sport_key!r} has no Scoreline competition; known keys: {known}"
        ) from None


def bookmaker_code(bookmaker_key: str) -> str:
    """Our short code of a bookmaker (``pinnacle`` -> ``PS``), else the Odds API key unchanged."""
    return BOOKMAKER_CODES.get(bookmaker_key, bookmaker_key)
