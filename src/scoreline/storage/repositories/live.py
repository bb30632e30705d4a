"""Reads and writes of the live pipeline: resolution, odds with their outbox, predictions.

Every write here is idempotent on a natural key (``INSERT ... ON CONFLICT DO
NOTHING``), because streams deliver at least once: a redelivered tick or a
restarted worker writes nothing twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

from scoreline.domain import FixtureStatus, Market
from scoreline.domain.competitions import season_label
from scoreline.domain.fixtures import FORM_STATISTICS
from scoreline.storage.tables import (
    Bookmaker,
    CompetitionRow,
    FixtureRow,
    OddsOutboxRow,
    OddsRow,
    PredictionRow,
    ResultRow,
    SeasonRow,
    TeamAliasRow,
    TeamRow,
)

__all__ = [
    "OddsInsert",
    "bookmaker_codes",
    "competition_of",
    "delete_outbox",
    "find_fixture",
    "history_rows",
    "insert_odds",
    "insert_predictions",
    "latest_predictions",
    "match_odds_since",
    "outbox_payloads",
    "resolve_team",
    "results_version",
    "schedule_fixture",
    "store_result",
]

_STATS = FORM_STATISTICS


def _insert(session: Session, table: Any) -> postgresql.Insert | sqlite.Insert:
    """An INSERT that can say ON CONFLICT DO NOTHING on the session's backend."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def competition_of(session: Session, code: str) -> tuple[int, str] | None:
    """(id, country) of a competition code, or None."""
    row = session.execute(
        select(CompetitionRow.id, CompetitionRow.country).where(CompetitionRow.code == code)
    ).first()
    return None if row is None else (row[0], row[1])


def resolve_team(session: Session, *, provider: str, country: str, name: str) -> int | None:
    """A team id from a provider's spelling: its alias first, then the canonical name."""
    found = session.scalar(
        select(TeamAliasRow.team_id).where(
            TeamAliasRow.provider == provider,
            TeamAliasRow.country == country,
            TeamAliasRow.alias == name,
        )
    )
    if found is not None:
        return found
    return session.scalar(
        select(TeamRow.id).where(TeamRow.name == name, TeamRow.country == country)
    )


def find_fixture(session: Session, *, home_id: int, away_id: int, kickoff: datetime) -> int | None:
    """The fixture of two teams on the kick-off's date (local dates may be a day off UTC)."""
    day = kickoff.date()
    rows = session.execute(
        select(FixtureRow.id, FixtureRow.match_date).where(
            FixtureRow.home_team_id == home_id,
            FixtureRow.away_team_id == away_id,
            FixtureRow.match_date.between(day - timedelta(days=1), day + timedelta(days=1)),
        )
    ).all()
    if not rows:
        return None
    return min(rows, key=lambda r: abs((r[1] - day).days))[0]


def schedule_fixture(
    session: Session, *, competition_id: int, home_id: int, away_id: int, kickoff: datetime
) -> int:
    """Add a scheduled fixture first seen on a live feed; its season from the kick-off."""
    start_year = kickoff.year if kickoff.month >= 7 else kickoff.year - 1
    label = season_label(start_year)
    season_id = session.scalar(
        select(SeasonRow.id).where(
            SeasonRow.competition_id == competition_id, SeasonRow.label == label
        )
    )
    if season_id is None:
        season = SeasonRow(competition_id=competition_id, label=label)
        session.add(season)
        session.flush()
        season_id = season.id
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
    session.add(fixture)
    session.flush()
    return fixture.id


def store_result(session: Session, *, fixture_id: int, home_goals: int, away_goals: int) -> bool:
    """Record a final score; False when the same score was already there.

    A different score for a finished fixture raises ``ValueError``: results are
    records, and a correction is a person's decision, not a feed's.
    """
    existing = session.get(ResultRow, fixture_id)
    if existing is not None:
        if (existing.home_goals, existing.away_goals) == (home_goals, away_goals):
            return False
        raise ValueError(
            f"fixture {fixture_id} already has {existing.home_goals}-{existing.away_goals},"
            f" the feed says {home_goals}-{away_goals}"
        )
    session.add(ResultRow(fixture_id=fixture_id, home_goals=home_goals, away_goals=away_goals))
    fixture = session.get(FixtureRow, fixture_id)
    if fixture is not None:
        fixture.status = FixtureStatus.FINISHED.value
    session.flush()
    return True


OddsInsert = dict[str, Any]
"""Values of one ``odds_snapshots`` row plus ``payload`` (the stream entry to publish)."""


_ODDS_KEY = ("fixture_id", "bookmaker_id", "market", "line_quarters", "kind", "captured_at")


def insert_odds(session: Session, rows: Sequence[OddsInsert], *, now: datetime) -> list[int | None]:
    """Insert snapshots and their outbox entries; per row its new id, or None if already stored.

    One cached ``INSERT ... ON CONFLICT DO NOTHING RETURNING`` executed for the
    whole batch (SQLAlchemy batches it into multi-row statements), below the ORM
    because it runs for every tick; the returned ids are matched back to the
    rows by the natural key, and a key repeated within the batch keeps its first
    row.
    """
    if not rows:
        return []
    connection = session.connection()
    table = OddsRow.__table__
    values = [{k: v for k, v in r.items() if k != "payload"} for r in rows]
    returned = connection.execute(
        _insert(session, table)
        .on_conflict_do_nothing(index_elements=list(_ODDS_KEY))
        .returning(table.c.id, *(table.c[name] for name in _ODDS_KEY)),
        values,
    ).all()
    new_ids = {tuple(r[1:]): r[0] for r in returned}
    ids: list[int | None] = []
    for value in values:
        key = tuple(value[name] for name in _ODDS_KEY)
        ids.append(new_ids.pop(key, None))
    outbox = [
        {"odds_snapshot_id": new_id, "payload": values["payload"], "created_at": now}
        for new_id, values in zip(ids, rows, strict=True)
        if new_id is not None
    ]
    if outbox:
        connection.execute(_insert(session, OddsOutboxRow.__table__), outbox)
    return ids


def outbox_payloads(session: Session, *, limit: int) -> list[tuple[int, str]]:
    """The oldest entries stored but not yet published: (odds id, payload)."""
    rows = session.execute(
        select(OddsOutboxRow.odds_snapshot_id, OddsOutboxRow.payload)
        .order_by(OddsOutboxRow.odds_snapshot_id)
        .limit(limit)
    )
    return [(r[0], r[1]) for r in rows]


def delete_outbox(session: Session, odds_ids: Iterable[int]) -> None:
    """Forget entries the stream now holds."""
    ids = list(odds_ids)
    if not ids:
        return
    session.execute(delete(OddsOutboxRow).where(OddsOutboxRow.odds_snapshot_id.in_(ids)))


def match_odds_since(
    session: Session, *, fixture_ids: Sequence[int], after_id: int, up_to_id: int
) -> list[tuple[int, int, int, Decimal | None, Decimal | None, Decimal | None]]:
    """1X2 rows of ``fixture_ids`` with ids in (after_id, up_to_id], in id order.

    Returns (id, fixture id, bookmaker id, home, draw, away); pre-match and
    closing prices alike (the latest price is the market's view either way).
    """
    rows = session.execute(
        select(
            OddsRow.id,
            OddsRow.fixture_id,
            OddsRow.bookmaker_id,
            OddsRow.home,
            OddsRow.draw,
            OddsRow.away,
        )
        .where(
            OddsRow.fixture_id.in_(fixture_ids),
            OddsRow.market == Market.MATCH_ODDS.value,
            OddsRow.id > after_id,
            OddsRow.id <= up_to_id,
        )
        .order_by(OddsRow.id)
    )
    return [(r[0], r[1], r[2], r[3], r[4], r[5]) for r in rows]


def bookmaker_codes(session: Session) -> dict[int, str]:
    """Every bookmaker's short code by id."""
    return {r[0]: r[1] for r in session.execute(select(Bookmaker.id, Bookmaker.code))}


def insert_predictions(session: Session, rows: Sequence[dict[str, Any]]) -> int:
    """Insert predictions, skipping ones already stored (same fixture, version, trigger)."""
    if not rows:
        return 0
    statement = _insert(session, PredictionRow.__table__).on_conflict_do_nothing(
        index_elements=["fixture_id", "model_version_id", "trigger"]
    )
    result = session.connection().execute(statement, list(rows))
    return int(getattr(result, "rowcount", 0) or 0)


def results_version(session: Session) -> tuple[int, date | None]:
    """How many results are stored and the latest match date: a cheap change detector."""
    row = session.execute(
        select(func.count(ResultRow.fixture_id), func.max(FixtureRow.match_date)).join(
            FixtureRow, FixtureRow.id == ResultRow.fixture_id
        )
    ).one()
    return int(row[0]), row[1]


def history_rows(session: Session) -> list[dict[str, Any]]:
    """Every fixture, played or not, as the feature engine's history rows.

    Unplayed fixtures have no goals; finished ones carry their statistics.
    """
    home, away = aliased(TeamRow), aliased(TeamRow)
    statement = (
        select(
            FixtureRow.id.label("fixture_id"),
            FixtureRow.kickoff_utc.label("date"),
            FixtureRow.neutral.label("neutral"),
            CompetitionRow.code.label("league"),
            SeasonRow.label.label("season"),
            home.name.label("home_team"),
            away.name.label("away_team"),
            ResultRow.home_goals.label("home_goals"),
            ResultRow.away_goals.label("away_goals"),
            *(getattr(ResultRow, name).label(name) for name in _STATS),
        )
        .join(CompetitionRow, CompetitionRow.id == FixtureRow.competition_id)
        .join(SeasonRow, SeasonRow.id == FixtureRow.season_id)
        .join(home, home.id == FixtureRow.home_team_id)
        .join(away, away.id == FixtureRow.away_team_id)
        .outerjoin(ResultRow, ResultRow.fixture_id == FixtureRow.id)
        .where(FixtureRow.status != FixtureStatus.AWARDED.value)
        .order_by(FixtureRow.kickoff_utc, FixtureRow.id)
    )
    return [dict(row) for row in session.execute(statement).mappings()]


def latest_predictions(
    session: Session, *, fixture_ids: Sequence[int], model_version_id: int
) -> dict[int, tuple[float, float, float]]:
    """Each fixture's newest prediction by one model version: (home, draw, away)."""
    if not fixture_ids:
        return {}
    newest = (
        select(func.max(PredictionRow.id))
        .where(
            PredictionRow.fixture_id.in_(fixture_ids),
            PredictionRow.model_version_id == model_version_id,
        )
        .group_by(PredictionRow.fixture_id)
    )
    rows = session.execute(
        select(
            PredictionRow.fixture_id,
            PredictionRow.p_home,
            PredictionRow.p_draw,
            PredictionRow.p_away,
        ).where(PredictionRow.id.in_(newest))
    )
    return {r[0]: (r[1], r[2], r[3]) for r in rows}
