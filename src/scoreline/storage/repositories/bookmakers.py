"""Bookmakers and market-wide price figures, by short code."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from scoreline.domain.odds import BOOKMAKER_NAMES
from scoreline.storage.repositories._sql import insert_ignoring
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
        # Loads running side by side may add the same new code: ON CONFLICT waits for the
        # other transaction and then leaves its row, which the next statement reads. In
        # sorted order, two loads adding several codes cannot wait on each other in a ring.
        for code in sorted(wanted - ids.keys()):
            added = self.session.scalars(
                insert_ignoring(self.session, Bookmaker)
                .values(code=code, name=BOOKMAKER_NAMES.get(code, code))
                .on_conflict_do_nothing(index_elements=[Bookmaker.code])
                .returning(Bookmaker.id)
            ).one_or_none()
            if added is None:
                added = self.session.scalars(
                    select(Bookmaker.id).where(Bookmaker.code == code)
                ).one()
            ids[code] = added
        return ids

    def codes_by_id(self) -> dict[int, str]:
        """Every bookmaker's short code by id."""
        return {r[0]: r[1] for r in self.session.execute(select(Bookmaker.id, Bookmaker.code))}
