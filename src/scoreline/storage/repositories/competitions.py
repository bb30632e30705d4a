"""Competitions and their seasons."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from scoreline.domain import Competition, Season
from scoreline.domain.competitions import season_label
from scoreline.storage.repositories._sql import count_of
from scoreline.storage.tables import CompetitionRow, SeasonRow

__all__ = ["CompetitionRepository"]


class CompetitionRepository:
    """Competitions by code, and their seasons by label."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def upsert(self, *, competition: Competition) -> int:
        """The id of ``competition``, adding it or refreshing its name and country."""
        row = self.session.scalar(
            select(CompetitionRow).where(CompetitionRow.code == competition.code)
        )
        if row is None:
            row = CompetitionRow(
                code=competition.code, name=competition.name, country=competition.country
            )
            self.session.add(row)
            self.session.flush()
        elif (row.name, row.country) != (competition.name, competition.country):
            row.name, row.country = competition.name, competition.country
        return row.id

    def upsert_season(self, *, competition_id: int, season: Season) -> int:
        """The id of ``season`` of the competition, adding it when new."""
        return self.season_id(competition_id=competition_id, label=season.label)

    def season_id(self, *, competition_id: int, label: str) -> int:
        """The id of the season labelled ``label``, adding it when new."""
        season_id = self.session.scalar(
            select(SeasonRow.id).where(
                SeasonRow.competition_id == competition_id, SeasonRow.label == label
            )
        )
        if season_id is None:
            row = SeasonRow(competition_id=competition_id, label=label)
            self.session.add(row)
            self.session.flush()
            season_id = row.id
        return season_id

    def season_id_of_year(self, *, competition_id: int, start_year: int) -> int:
        """The id of the season starting in ``start_year``, adding it when new."""
        return self.season_id(competition_id=competition_id, label=season_label(start_year))

    def get_by_code(self, code: str) -> tuple[int, str] | None:
        """(id, country) of a competition code, or None."""
        row = self.session.execute(
            select(CompetitionRow.id, CompetitionRow.country).where(CompetitionRow.code == code)
        ).first()
        return None if row is None else (row[0], row[1])

    def list_(self, *, limit: int, offset: int) -> tuple[list[Competition], int]:
        """Every competition, by code, a page at a time; and how many there are."""
        statement = select(CompetitionRow.code, CompetitionRow.name, CompetitionRow.country)
        rows = self.session.execute(
            statement.order_by(CompetitionRow.code).limit(limit).offset(offset)
        )
        items = [Competition(code, name, country) for code, name, country in rows]
        return items, count_of(self.session, statement)
