"""Fixtures and their results: synchronised a season at a time from files, scheduled and
finished from live feeds, and read back as records or as history rows for the models."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Select, Table, func, insert, select
from sqlalchemy.orm import Session, aliased

from scoreline.domain import Fixture, FixtureStatus, MatchStats
from scoreline.domain.fixtures import FORM_STATISTICS, FixtureRecord, HistoryRow
from scoreline.errors import ConflictError
from scoreline.storage.repositories._sql import chunks, count_of
from scoreline.storage.tables import (
    BetRow,
    CompetitionRow,
    FixtureRow,
    ResultRow,
    SeasonRow,
    TeamRow,
)

__all__ = ["FixtureEntry", "FixtureRepository", "SyncCounts", "with_names"]

FixtureKey = tuple[int, int, date]
# Core tables for bulk inserts: the ORM's per-object work is wasted on a fresh season.
_FIXTURES = cast(Table, FixtureRow.__table__)
_RESULTS = cast(Table, ResultRow.__table__)
_STAT_FIELDS = tuple(f.name for f in fields(MatchStats))


@dataclass(frozen=True, slots=True)
class FixtureEntry:
    """A fixture with its teams already resolved to ids."""

    fixture: Fixture
    home_team_id: int
    away_team_id: int

    @property
    def key(self) -> FixtureKey:
        return (self.home_team_id, self.away_team_id, self.fixture.match_date)


@dataclass(slots=True)
class SyncCounts:
    """How many rows a synchronisation added, changed and left alone, and the results it
    would have changed but kept (``conflicts`` says which and why)."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    conflicts: list[str] = field(default_factory=list)


def _fixture_values(entry: FixtureEntry, competition_id: int, season_id: int) -> dict[str, Any]:
    f = entry.fixture
    return {
        "competition_id": competition_id,
        "season_id": season_id,
        "home_team_id": entry.home_team_id,
        "away_team_id": entry.away_team_id,
        "match_date": f.match_date,
        "kickoff_utc": f.kickoff_utc,
        "has_kickoff_time": f.has_kickoff_time,
        "neutral": f.neutral,
        "status": f.status.value,
        "referee": f.referee,
    }


def _result_values(entry: FixtureEntry) -> dict[str, Any] | None:
    r = entry.fixture.result
    if r is None:
        return None
    values: dict[str, Any] = {
        "home_goals": r.home_goals,
        "away_goals": r.away_goals,
        "home_goals_ht": r.home_goals_ht,
        "away_goals_ht": r.away_goals_ht,
    }
    stats = r.stats
    values.update({name: getattr(stats, name) for name in _STAT_FIELDS})
    return values


def _sync_season(
    session: Session, competition_id: int, season_id: int, entries: Sequence[FixtureEntry]
) -> tuple[dict[FixtureKey, int], SyncCounts]:
    """Make the stored fixtures and results of a season match ``entries``.

    New fixtures are added and changed ones updated in place (their ids stay,
    so odds and bets keep pointing at them); identical rows are not written.
    Fixtures stored but absent from ``entries`` are kept: a bet may refer to them.
    A stored result is never removed by a file that lacks it (the live feed may
    have stored it first), and a result that bets were settled on is not
    rewritten: the disagreement is reported in ``conflicts`` instead.
    Returns the id of every entry's fixture by key, and the counts.
    """
    counts = SyncCounts()
    has_any = session.scalar(
        select(FixtureRow.id).where(FixtureRow.season_id == season_id).limit(1)
    )
    if has_any is None:
        return _insert_season(session, competition_id, season_id, entries)
    existing = {
        (row.home_team_id, row.away_team_id, row.match_date): row
        for row in session.scalars(select(FixtureRow).where(FixtureRow.season_id == season_id))
    }
    results = {
        row.fixture_id: row
        for row in session.scalars(
            select(ResultRow).join(FixtureRow).where(FixtureRow.season_id == season_id)
        )
    }
    new_entries = [e for e in entries if e.key not in existing]
    if new_entries:
        session.execute(
            insert(FixtureRow), [_fixture_values(e, competition_id, season_id) for e in new_entries]
        )
        counts.inserted = len(new_entries)
        existing.update(
            {
                (row.home_team_id, row.away_team_id, row.match_date): row
                for row in session.scalars(
                    select(FixtureRow).where(FixtureRow.season_id == season_id)
                )
            }
        )
    ids = {key: row.id for key, row in existing.items()}
    new_keys = {e.key for e in new_entries}
    new_results: list[dict[str, Any]] = []
    settled = _with_settled_bets(session, list(results))
    for entry in entries:
        fixture_id = ids[entry.key]
        changed = False
        wanted = _result_values(entry)
        stored = results.get(fixture_id)
        if entry.key not in new_keys:
            values = _fixture_values(entry, competition_id, season_id)
            if wanted is None and stored is not None:
                values["status"] = existing[entry.key].status  # the stored result stands
            changed = _apply(existing[entry.key], values)
        if wanted is not None and stored is None:
            new_results.append({"fixture_id": fixture_id, **wanted})
            changed = True
        elif wanted is not None and stored is not None:
            if fixture_id in settled and _score(wanted) != _score(stored):
                counts.conflicts.append(
                    f"fixture {fixture_id}: the file says {_score(wanted)} but bets were "
                    f"settled on {_score(stored)}; the stored result is kept"
                )
            else:
                changed = _apply(stored, wanted) or changed
        if entry.key in new_keys:
            continue
        if changed:
            counts.updated += 1
        else:
            counts.unchanged += 1
    if new_results:
        session.execute(insert(ResultRow), new_results)
    session.flush()
    return ids, counts


def _insert_season(
    session: Session, competition_id: int, season_id: int, entries: Sequence[FixtureEntry]
) -> tuple[dict[FixtureKey, int], SyncCounts]:
    """A season seen for the first time: insert everything with Core, skipping the ORM."""
    if not entries:
        return {}, SyncCounts()
    session.execute(
        insert(_FIXTURES), [_fixture_values(e, competition_id, season_id) for e in entries]
    )
    rows = session.execute(
        select(
            FixtureRow.home_team_id, FixtureRow.away_team_id, FixtureRow.match_date, FixtureRow.id
        ).where(FixtureRow.season_id == season_id)
    )
    ids = {(home, away, day): fixture_id for home, away, day, fixture_id in rows}
    results = [
        {"fixture_id": ids[e.key], **values}
        for e in entries
        if (values := _result_values(e)) is not None
    ]
    if results:
        session.execute(insert(_RESULTS), results)
    return ids, SyncCounts(inserted=len(entries))


def _with_settled_bets(session: Session, fixture_ids: list[int]) -> set[int]:
    """Which of these fixtures have bets settled on their stored result."""
    found: set[int] = set()
    for chunk in chunks(fixture_ids):
        found.update(
            session.scalars(
                select(BetRow.fixture_id)
                .where(BetRow.fixture_id.in_(chunk), BetRow.status == "settled")
                .distinct()
            )
        )
    return found


def _score(values: dict[str, Any] | ResultRow) -> str:
    if isinstance(values, ResultRow):
        return f"{values.home_goals}-{values.away_goals}"
    return f"{values['home_goals']}-{values['away_goals']}"


def _apply(row: FixtureRow | ResultRow, values: dict[str, Any]) -> bool:
    """Set the attributes that differ; True when anything changed."""
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


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
        return _sync_season(self.session, competition_id, season_id=season_id, entries=entries)

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
    ) -> int:
        """Add a scheduled fixture first seen on a live feed; its id."""
        fixture = FixtureRow(
            competition_id=competition_id,
            season_id=season_id,
            home_team_id=home_id,
            away_team_id=away_id,
            match_date=kickoff.date(),
            kickoff_utc=kickoff,
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
    ) -> list[HistoryRow]:
        """Fixtures as the models read them, oldest first (awarded ones never).

        ``finished_only`` keeps played matches (what a model fits on); otherwise
        unplayed fixtures come too, without goals (what the feature engine rates).
        """
        home, away = aliased(TeamRow), aliased(TeamRow)
        statement = (
            select(
                FixtureRow.id,
                FixtureRow.kickoff_utc,
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
        rows = self.session.execute(statement.order_by(FixtureRow.kickoff_utc, FixtureRow.id))
        return [HistoryRow(*row) for row in rows]

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
