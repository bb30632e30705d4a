"""Bookmakers and market-wide price aggregates, by short code."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from scoreline.domain.odds import BOOKMAKER_NAMES
from scoreline.storage.tables import Bookmaker

__all__ = ["upsert_many"]


def upsert_many(session: Session, *, codes: Iterable[str]) -> dict[str, int]:
    """Ids of the bookmakers with these codes, adding unknown ones."""
    wanted = set(codes)
    rows = session.execute(select(Bookmaker.code, Bookmaker.id).where(Bookmaker.code.in_(wanted)))
    ids: dict[str, int] = dict(iter(rows))
    for code in sorted(wanted - ids.keys()):
        ids[code] = session.scalars(
            insert(Bookmaker)
            .values(code=code, name=BOOKMAKER_NAMES.get(code, code))
            .returning(Bookmaker.id)
        ).one()
    return ids
