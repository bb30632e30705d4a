"""Competitions and their seasons."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from scoreline.domain import Competition, Season
from scoreline.storage.tables import CompetitionRow, SeasonRow

__all__ = ["upsert", "upsert_season"]


def upsert(session: Session, *, competition: Competition) -> int:
    """The id of ``competition``, adding it or refreshing its name and country."""
    row = session.scalar(select(CompetitionRow).where(CompetitionRow.code == competition.code))
    if row is None:
        row = CompetitionRow(
            code=competition.code, name=competition.name, country=competition.country
        )
        session.add(row)
        session.flush()
    elif (row.name, row.country) != (competition.name, competition.country):
        row.name, row.country = competition.name, competition.country
    return row.id


def upsert_season(session: Session, *, competition_id: int, season: Season) -> int:
    """The id of ``season`` of the competition, adding it when new."""
    season_id = session.scalar(
        select(SeasonRow.id).where(
            SeasonRow.competition_id == competition_id, SeasonRow.label == season.label
        )
    )
    if season_id is None:
        row = SeasonRow(competition_id=competition_id, label=season.label)
        session.add(row)
        session.flush()
        season_id = row.id
    return season_id
