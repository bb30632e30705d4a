"""Synchronising one season of fixtures and results with what a file says.

New fixtures and results are inserted in bulk (below the ORM, with ``COPY`` on
PostgreSQL: a fresh season is hundreds of rows), changed ones updated in place
so their ids stay, and a result that bets were settled on is never rewritten by
a file: the disagreement is reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from scoreline.domain import Fixture, MatchStats
from scoreline.storage.repositories._copy import (
    copy_rows,
    defer_commit_flush,
    is_postgres_connection,
)
from scoreline.storage.repositories._sql import chunks
from scoreline.storage.tables import (
    BetRow,
    FixtureRow,
    ResultRow,
)

__all__ = ["FixtureEntry", "FixtureKey", "SyncCounts", "sync_season"]

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


def sync_season(
    session: Session, competition_id: int, season_id: int, entries: Sequence[FixtureEntry]
) -> tuple[dict[FixtureKey, int], SyncCounts]:
    """Make the stored fixtures and results of a season match ``entries``.

    New fixtures are added and changed ones updated in place (their ids stay,
    so odds and bets keep pointing at them); identical rows are not written.
    Fixtures stored but absent from ``entries`` are kept: a bet may refer to them.
    A stored result is never removed by a file that lacks it (the live feed may
    have stored it first), and a result that bets were settled on is not
    rewritten: the disagreement is reported in ``conflicts`` instead.
    Returns the id of every entry's fixture by key, and the counts. On PostgreSQL the
    file's transaction commits without waiting for the disk (``defer_commit_flush``).
    """
    counts = SyncCounts()
    if is_postgres_connection(session.connection()):
        defer_commit_flush(session.connection())
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
        _insert(
            session, _FIXTURES, [_fixture_values(e, competition_id, season_id) for e in new_entries]
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
        _insert(session, _RESULTS, new_results)
    session.flush()
    return ids, counts


def _insert_season(
    session: Session, competition_id: int, season_id: int, entries: Sequence[FixtureEntry]
) -> tuple[dict[FixtureKey, int], SyncCounts]:
    """A season seen for the first time: insert everything with Core, skipping the ORM."""
    if not entries:
        return {}, SyncCounts()
    _insert(session, _FIXTURES, [_fixture_values(e, competition_id, season_id) for e in entries])
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
        _insert(session, _RESULTS, results)
    return ids, SyncCounts(inserted=len(entries))


def _insert(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (all with the same keys, every value as the column binds it)."""
    connection = session.connection()
    if is_postgres_connection(connection):
        columns = list(rows[0])
        copy_rows(connection, table.name, columns, ([row[c] for c in columns] for row in rows))
    else:
        session.execute(insert(table), rows)


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
