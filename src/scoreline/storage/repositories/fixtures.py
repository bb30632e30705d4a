"""Fixtures and their results: synchronised a season at a time from files, scheduled and
finished from live feeds, and read back as records or as history rows for the models."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session, aliased

from scoreline.domain import FixtureStatus
from scoreline.domain.fixtures import FORM_STATISTICS, FixtureRecord, HistoryRow
from scoreline.errors import ConflictError
from scoreline.storage.repositories._sql import chunks, count_of
from scoreline.storage.repositories.fixture_sync import (
    FixtureEntry,
    FixtureKey,
    SyncCounts,
    sync_season,
)
from scoreline.storage.tables import (
    CompetitionRow,
    FixtureRow,
    ResultRow,
    SeasonRow,
    TeamRow,
)
from scoreline.storage.types import UTCDateTime

__all__ = ["FixtureRepository", "played_at", "with_names"]


class FixtureRepository:
    """Fixtures with their results, by id, by season, by kick-off."""

    def __init__(self, session: Session) -> None:
        self.session = session

    # -- files -------------------------------------------------------------------------

    def sync_season(
        self, *, competition_id: int, season_id: int, entries: Sequence[FixtureEntry]
    ) -> tuple[dict[FixtureKey, int], SyncCounts]:
        """Make the stored fixtures and results of a season match ``entries`` (see
        ``_sync_season``): the id of every entry's fixture by key, and the counts."""
        return sync_season(self.session, competition_id, season_id=season_id, entries=entries)

    # -- live feeds --------------------------------------------------------------------

    def find(self, *, home_id: int, away_id: int, kickoff: datetime) -> int | None:
        """The fixture of two teams on the kick-off's date (local dates may be a day off UTC)."""
        day = kickoff.date()
        rows = self.session.execute(
            select(FixtureRow.id, FixtureRow.match_date).where(
                FixtureRow.home_team_id == home_id,
                FixtureRow.away_team_id == away_id,
                FixtureRow.match_date.between(day - timedelta(days=1), day + timedelta(days=1)),
            )
        ).all()
        if not rows:
            return None
        return int(min(rows, key=lambda r: abs((r[1] - day).days))[0])

    def schedule(
        self,
        *,
        competition_id: int,
        season_id: int,
        home_id: int,
        away_id: int,
        kickoff: datetime,
        true_kickoff: datetime | None = None,
    ) -> int:
        """Add a scheduled fixture first seen on a live feed; its id. ``true_kickoff`` is
        the time a replayed match was really played (``kickoff`` is then on the wall
        clock); None for a live feed, whose kick-off is true."""
        fixture = FixtureRow(
            competition_id=competition_id,
            season_id=season_id,
            home_team_id=home_id,
            away_team_id=away_id,
            match_date=kickoff.date(),
            kickoff_utc=kickoff,
            true_kickoff_utc=None if true_kickoff == kickoff else true_kickoff,
            has_kickoff_time=True,
            neutral=False,
            status=FixtureStatus.SCHEDULED.value,
            referee=None,
        )
        self.session.add(fixture)
        self.session.flush()
        return fixture.id

    def record_result(self, *, fixture_id: int, home_goals: int, away_goals: int) -> bool:
        """Record a final score; False when the same score was already there.

        A different score for a finished fixture raises ``ConflictError``: results
        are records, and a correction is a person's decision, not a feed's.
        """
        existing = self.session.get(ResultRow, fixture_id)
        if existing is not None:
            if (existing.home_goals, existing.away_goals) == (home_goals, away_goals):
                return False
            raise ConflictError(
                f"fixture {fixture_id} already has {existing.home_goals}-{existing.away_goals},"
                f" the feed says {home_goals}-{away_goals}"
            )
        self.session.add(
            ResultRow(fixture_id=fixture_id, home_goals=home_goals, away_goals=away_goals)
        )
        fixture = self.session.get(FixtureRow, fixture_id)
        if fixture is not None:
            fixture.status = FixtureStatus.FINISHED.value
        self.session.flush()
        return True

    # -- reads -------------------------------------------------------------------------

    def get(self, fixture_id: int) -> FixtureRecord | None:
        """One fixture, or None."""
        row = self.session.execute(_records().where(FixtureRow.id == fixture_id)).first()
        return None if row is None else FixtureRecord(*row)

    def list_(
        self,
        *,
        competition: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        status: str | None = None,
        limit: int,
        offset: int,
    ) -> tuple[list[FixtureRecord], int]:
        """Fixtures by kick-off, filtered by competition, [start, end) and status; and how
        many match."""
        statement = _records()
        if competition:
            statement = statement.where(CompetitionRow.code == competition)
        if start is not None:
            statement = statement.where(FixtureRow.kickoff_utc >= start)
        if end is not None:
            statement = statement.where(FixtureRow.kickoff_utc < end)
        if status:
            statement = statement.where(FixtureRow.status == status)
        rows = self.session.execute(
            statement.order_by(FixtureRow.kickoff_utc, FixtureRow.id).limit(limit).offset(offset)
        )
        return [FixtureRecord(*row) for row in rows], count_of(self.session, statement)

    def list_between(
        self,
        *,
        start: datetime,
        end: datetime,
        competitions: Sequence[str] | None = None,
        limit: int = 500,
    ) -> list[FixtureRecord]:
        """Fixtures kicking off in [start, end), soonest first, with goals where played."""
        statement = _records().where(FixtureRow.kickoff_utc >= start, FixtureRow.kickoff_utc < end)
        if competitions:
            statement = statement.where(CompetitionRow.code.in_(competitions))
        rows = self.session.execute(
            statement.order_by(FixtureRow.kickoff_utc, FixtureRow.id).limit(limit)
        )
        return [FixtureRecord(*row) for row in rows]

    def history(
        self,
        *,
        finished_only: bool = False,
        competitions: Sequence[str] | None = None,
        before: datetime | None = None,
        fixture_ids: Sequence[int] | None = None,
        after_id: int | None = None,
    ) -> list[HistoryRow]:
        """Fixtures as the models read them, oldest first (awarded ones never).

        ``finished_only`` keeps played matches (what a model fits on); otherwise
        unplayed fixtures come too, without goals (what the feature engine rates).
        ``before`` is on the wall clock (what has kicked off by then), but each
        row's ``date`` is the time the match was really played (``played_at``):
        a replayed match keeps the gaps it had in history, so rest days, form
        windows and rating decay see them, and a fit's training window names
        true dates. Rows come in that order.
        ``fixture_ids`` keeps those fixtures, ``after_id`` those with a higher id:
        how the live feature engine asks for what changed (results of the fixtures
        it holds unplayed, fixtures added since) without reading every fixture.
        """
        home, away = aliased(TeamRow), aliased(TeamRow)
        played = played_at()
        statement = (
            select(
                FixtureRow.id,
                played,
                FixtureRow.neutral,
                CompetitionRow.code,
                SeasonRow.label,
                home.name,
                away.name,
                ResultRow.home_goals,
                ResultRow.away_goals,
                *(getattr(ResultRow, name) for name in FORM_STATISTICS),
            )
            .join(CompetitionRow, CompetitionRow.id == FixtureRow.competition_id)
            .join(SeasonRow, SeasonRow.id == FixtureRow.season_id)
            .join(home, home.id == FixtureRow.home_team_id)
            .join(away, away.id == FixtureRow.away_team_id)
        )
        if finished_only:
            statement = statement.join(ResultRow, ResultRow.fixture_id == FixtureRow.id).where(
                FixtureRow.status == FixtureStatus.FINISHED.value
            )
        else:
            statement = statement.outerjoin(ResultRow, ResultRow.fixture_id == FixtureRow.id).where(
                FixtureRow.status != FixtureStatus.AWARDED.value
            )
        if competitions:
            statement = statement.where(CompetitionRow.code.in_(competitions))
        if before is not None:
            statement = statement.where(FixtureRow.kickoff_utc < before)
        if after_id is not None:
            statement = statement.where(FixtureRow.id > after_id)
        if fixture_ids is None:
            rows = self.session.execute(statement.order_by(played, FixtureRow.id))
            return [HistoryRow(*row) for row in rows]
        found: list[HistoryRow] = []
        for chunk in chunks(sorted(set(fixture_ids))):
            picked = statement.where(FixtureRow.id.in_(chunk))
            found += [HistoryRow(*row) for row in self.session.execute(picked)]
        return sorted(found, key=lambda row: (row.date, row.fixture_id))

    def latest_kickoff(self) -> datetime | None:
        """The latest kick-off stored, or None for an empty database."""
        return self.session.scalar(select(func.max(FixtureRow.kickoff_utc)))

    def latest_finished_kickoff(self) -> datetime | None:
        """The kick-off of the latest finished match with a stored result, or None."""
        return self.session.scalar(
            select(func.max(FixtureRow.kickoff_utc))
            .join(ResultRow, ResultRow.fixture_id == FixtureRow.id)
            .where(FixtureRow.status == FixtureStatus.FINISHED.value)
        )

    def results_version(self) -> tuple[int, date | None]:
        """How many results are stored and the latest match date: a cheap change detector."""
        row = self.session.execute(
            select(func.count(ResultRow.fixture_id), func.max(FixtureRow.match_date)).join(
                FixtureRow, FixtureRow.id == ResultRow.fixture_id
            )
        ).one()
        return int(row[0]), row[1]

    def competition_codes(self, fixture_ids: Sequence[int]) -> dict[int, str]:
        """The competition code of each of these fixtures that exists."""
        found: dict[int, str] = {}
        for chunk in chunks(sorted(set(fixture_ids))):
            rows = self.session.execute(
                select(FixtureRow.id, CompetitionRow.code)
                .join(CompetitionRow, CompetitionRow.id == FixtureRow.competition_id)
                .where(FixtureRow.id.in_(chunk))
            )
            found.update({int(fixture_id): code for fixture_id, code in rows})
        return found

    def kickoffs(self, fixture_ids: Sequence[int]) -> dict[int, datetime]:
        """The kick-off (UTC) of each of these fixtures that exists."""
        found: dict[int, datetime] = {}
        for chunk in chunks(sorted(set(fixture_ids))):
            rows = self.session.execute(
                select(FixtureRow.id, FixtureRow.kickoff_utc).where(FixtureRow.id.in_(chunk))
            )
            found.update({int(fixture_id): kickoff for fixture_id, kickoff in rows})
        return found


def played_at() -> ColumnElement[datetime]:
    """When a fixture is (or was) really played: its true kick-off where a replay moved it
    onto the wall clock, else its kick-off. The one home of that rule in SQL."""
    return func.coalesce(
        FixtureRow.true_kickoff_utc, FixtureRow.kickoff_utc, type_=UTCDateTime(timezone=True)
    )


def with_names(*columns: Any) -> Select[*tuple[Any, ...]]:
    """``SELECT`` a fixture's id, competition code, kick-off and team names, then
    ``columns``, from fixtures joined to their competition and teams: how every
    repository shows a fixture to a person."""
    home, away = aliased(TeamRow), aliased(TeamRow)
    return (
        select(
            FixtureRow.id,
            CompetitionRow.code,
            FixtureRow.kickoff_utc,
            home.name,
            away.name,
            *columns,
        )
        .join(CompetitionRow, CompetitionRow.id == FixtureRow.competition_id)
        .join(home, home.id == FixtureRow.home_team_id)
        .join(away, away.id == FixtureRow.away_team_id)
    )


def _records() -> Select[*tuple[Any, ...]]:
    """The columns of ``FixtureRecord``, in its order."""
    return with_names(
        FixtureRow.status, FixtureRow.neutral, ResultRow.home_goals, ResultRow.away_goals
    ).outerjoin(ResultRow, ResultRow.fixture_id == FixtureRow.id)
