"""Bookmakers and market-wide price figures, by short code."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from scoreline.domain.odds import BOOKMAKER_NAMES
from scoreline.storage.tables import Bookmaker

__all__ = ["BookmakerRepository"]


class BookmakerRepository:
    """Bookmaker codes and their ids."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def upsert_many(self, *, codes: Iterable[str]) -> dict[str, int]:
        """Ids of the bookmakers with these codes, adding unknown ones."""
        wanted = set(codes)
        rows = self.session.execute(
            select(Bookmaker.code, Bookmaker.id).where(Bookmaker.code.in_(wanted))
        )
        ids: dict[str, int] = {code: bookmaker_id for code, bookmaker_id in rows}  # noqa: C416
        for code in sorted(wanted - ids.keys()):
            ids[code] = self.session.scalars(
                insert(Bookmaker)
                .values(code=code, name=BOOKMAKER_NAMES.get(code, code))
                .returning(Bookmaker.id)
            ).one()
        return ids

    def codes_by_id(self) -> dict[int, str]:
        """Every bookmaker's short code by id."""
        return {r[0]: r[1] for r in self.session.execute(select(Bookmaker.id, Bookmaker.code))}
