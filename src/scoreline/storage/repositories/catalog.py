"""Reads the API serves: competitions, teams, fixtures, odds and predictions, paginated.

Every list returns ``(rows, total)`` so the API can page with limit and
offset and say how many there are. Rows are plain dicts of JSON-ready values
(Decimals stay Decimals; the API's schemas serialise them).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session, aliased

from scoreline.storage.tables import (
    Bookmaker,
    CompetitionRow,
    FixtureRow,
    ModelVersion,
    OddsRow,
    PredictionRow,
    ResultRow,
    SourceFile,
    TeamRow,
)

__all__ = [
    "cache_signature",
    "competitions",
    "fixture",
    "fixtures",
    "latest_odds",
    "latest_predictions",
    "odds_history",
    "prediction_history",
    "teams",
]

_PRICES = ("home", "draw", "away", "over", "under")


def _page(
    session: Session, statement: Select[*tuple[Any, ...]], limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    total = session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    rows = session.execute(statement.limit(limit).offset(offset)).mappings().all()
    return [dict(r) for r in rows], int(total or 0)


def competitions(session: Session, *, limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
    """Every competition, by code."""
    statement = select(CompetitionRow.code, CompetitionRow.name, CompetitionRow.country).order_by(
        CompetitionRow.code
    )
    return _page(session, statement, limit, offset)


def teams(
    session: Session, *, country: str | None, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """Teams, optionally of one country, by name."""
    statement = select(TeamRow.id, TeamRow.name, TeamRow.country).order_by(
        TeamRow.country, TeamRow.name
    )
    if country:
        statement = statement.where(TeamRow.country == country)
    return _page(session, statement, limit, offset)


def _fixture_columns() -> Select[*tuple[Any, ...]]:
    home, away = aliased(TeamRow), aliased(TeamRow)
    return (
        select(
            FixtureRow.id.label("id"),
            CompetitionRow.code.label("competition"),
            FixtureRow.kickoff_utc.label("kickoff"),
            home.name.label("home_team"),
            away.name.label("away_team"),
            FixtureRow.status.label("status"),
            ResultRow.home_goals.label("home_goals"),
            ResultRow.away_goals.label("away_goals"),
        )
        .join(CompetitionRow, CompetitionRow.id == FixtureRow.competition_id)
        .join(home, home.id == FixtureRow.home_team_id)
        .join(away, away.id == FixtureRow.away_team_id)
        .outerjoin(ResultRow, ResultRow.fixture_id == FixtureRow.id)
    )


def fixtures(
    session: Session,
    *,
    competition: str | None,
    start: datetime | None,
    end: datetime | None,
    status: str | None,
    limit: int,
    offset: int,
) -> tuple[list[dict[str, Any]], int]:
    """Fixtures by kick-off, filtered by competition, [start, end) and status."""
    statement = _fixture_columns().order_by(FixtureRow.kickoff_utc, FixtureRow.id)
    if competition:
        statement = statement.where(CompetitionRow.code == competition)
    if start is not None:
        statement = statement.where(FixtureRow.kickoff_utc >= start)
    if end is not None:
        statement = statement.where(FixtureRow.kickoff_utc < end)
    if status:
        statement = statement.where(FixtureRow.status == status)
    return _page(session, statement, limit, offset)


def fixture(session: Session, fixture_id: int) -> dict[str, Any] | None:
    """One fixture, or None."""
    row = session.execute(_fixture_columns().where(FixtureRow.id == fixture_id)).mappings().first()
    return None if row is None else dict(row)


def _odds_record(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "bookmaker": row.code,
        "market": row.market,
        "line": None if row.market == "1x2" else str(Decimal(row.line_quarters) / 4),
        "kind": row.kind,
        "captured_at": row.captured_at,
        "prices": {p: getattr(row, p) for p in _PRICES if getattr(row, p) is not None},
    }


def latest_odds(session: Session, fixture_id: int) -> list[dict[str, Any]]:
    """The newest snapshot per bookmaker, market, line and kind."""
    newest = (
        select(func.max(OddsRow.id).label("id"))
        .where(OddsRow.fixture_id == fixture_id)
        .group_by(OddsRow.bookmaker_id, OddsRow.market, OddsRow.line_quarters, OddsRow.kind)
        .subquery()
    )
    rows = session.execute(
        select(OddsRow, Bookmaker.code)
        .join(newest, newest.c.id == OddsRow.id)
        .join(Bookmaker, Bookmaker.id == OddsRow.bookmaker_id)
        .order_by(OddsRow.market, OddsRow.line_quarters, Bookmaker.code, OddsRow.kind)
    ).all()
    return [_odds_record(_Flat(odds, code)) for odds, code in rows]


def odds_history(
    session: Session,
    fixture_id: int,
    *,
    market: str | None,
    bookmaker: str | None,
    limit: int,
    offset: int,
) -> tuple[list[dict[str, Any]], int]:
    """Every stored snapshot of a fixture in capture order, filtered."""
    statement = (
        select(OddsRow, Bookmaker.code)
        .join(Bookmaker, Bookmaker.id == OddsRow.bookmaker_id)
        .where(OddsRow.fixture_id == fixture_id)
        .order_by(OddsRow.captured_at, OddsRow.id)
    )
    if market:
        statement = statement.where(OddsRow.market == market)
    if bookmaker:
        statement = statement.where(Bookmaker.code == bookmaker)
    total = session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    rows = session.execute(statement.limit(limit).offset(offset)).all()
    return [_odds_record(_Flat(odds, code)) for odds, code in rows], int(total or 0)


def _prediction_record(row: PredictionRow, name: str, version: str) -> dict[str, Any]:
    probabilities = [row.p_home, row.p_draw, row.p_away]
    return {
        "id": row.id,
        "fixture_id": row.fixture_id,
        "model": name,
        "version": version,
        "created_at": row.created_at,
        "odds_snapshot_id": row.odds_snapshot_id,
        "probabilities": probabilities,
        "fair_odds": [round(1 / p, 4) if p > 0 else None for p in probabilities],
        "expected_goals": [row.home_goals_expectation, row.away_goals_expectation],
        "markets": row.markets,
        "feature_hash": row.feature_hash,
    }


def latest_predictions(
    session: Session, *, fixture_ids: list[int] | None = None, competition: str | None = None
) -> list[dict[str, Any]]:
    """The newest prediction of the active model for each fixture asked about."""
    newest = (
        select(func.max(PredictionRow.id).label("id"))
        .join(ModelVersion, ModelVersion.id == PredictionRow.model_version_id)
        .where(ModelVersion.is_active.is_(True))
        .group_by(PredictionRow.fixture_id)
    )
    if fixture_ids is not None:
        newest = newest.where(PredictionRow.fixture_id.in_(fixture_ids))
    if competition is not None:
        newest = newest.join(FixtureRow, FixtureRow.id == PredictionRow.fixture_id).join(
            CompetitionRow,
            and_(
                CompetitionRow.id == FixtureRow.competition_id,
                CompetitionRow.code == competition,
            ),
        )
    sub = newest.subquery()
    rows = session.execute(
        select(PredictionRow, ModelVersion.name, ModelVersion.version)
        .join(sub, sub.c.id == PredictionRow.id)
        .join(ModelVersion, ModelVersion.id == PredictionRow.model_version_id)
        .order_by(PredictionRow.fixture_id)
    ).all()
    return [_prediction_record(p, n, v) for p, n, v in rows]


def prediction_history(
    session: Session, fixture_id: int, *, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """Every prediction of a fixture, newest first, any model version."""
    statement = (
        select(PredictionRow, ModelVersion.name, ModelVersion.version)
        .join(ModelVersion, ModelVersion.id == PredictionRow.model_version_id)
        .where(PredictionRow.fixture_id == fixture_id)
        .order_by(PredictionRow.id.desc())
    )
    total = session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
    rows = session.execute(statement.limit(limit).offset(offset)).all()
    return [_prediction_record(p, n, v) for p, n, v in rows], int(total or 0)


class _Flat:
    """An odds row and its bookmaker code read as one object."""

    def __init__(self, odds: OddsRow, code: str) -> None:
        self._odds, self.code = odds, code

    def __getattr__(self, name: str) -> Any:
        return getattr(self._odds, name)


def cache_signature(session: Session) -> tuple[object, ...]:
    """What changes served data without an event: the active models and the loaded files.

    Two indexed aggregates, cheap enough to read every few seconds from each API
    process (``api.cache_invalidator``). A reloaded file keeps its row and moves
    its ``loaded_at``; a new file adds a row.
    """
    active = tuple(
        session.scalars(
            select(ModelVersion.id)
            .where(ModelVersion.is_active.is_(True))
            .order_by(ModelVersion.id)
        )
    )
    files = session.execute(select(func.count(SourceFile.id), func.max(SourceFile.loaded_at))).one()
    return active, int(files[0]), files[1]
