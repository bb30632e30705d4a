"""Bookmakers and market-wide price aggregates, by short code."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from scoreline.storage.tables import Bookmaker

__all__ = ["NAMES", "upsert_many"]

NAMES = {
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
    "MAX": "Market maximum",
    "AVG": "Market average",
    "1XB": "1xBet",
    "BF": "Betfair",
    "BFE": "Betfair Exchange",
    "BFD": "Betfred",
    "BMGM": "BetMGM",
    "BV": "BetVictor",
    "CL": "Coral",
}


def upsert_many(session: Session, *, codes: Iterable[str]) -> dict[str, int]:
    """Ids of the bookmakers with these codes, adding unknown ones."""
    wanted = set(codes)
    rows = session.execute(select(Bookmaker.code, Bookmaker.id).where(Bookmaker.code.in_(wanted)))
    ids: dict[str, int] = dict(iter(rows))
    for code in sorted(wanted - ids.keys()):
        ids[code] = session.scalars(
            insert(Bookmaker).values(code=code, name=NAMES.get(code, code)).returning(Bookmaker.id)
        ).one()
    return ids
