"""Stored predictions, idempotent on (fixture, model version, trigger)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.orm import Session

from scoreline.domain import FixtureStatus
from scoreline.domain.predictions import PredictionRecord
from scoreline.storage.repositories._sql import count_of, insert_ignoring
from scoreline.storage.tables import (
    CompetitionRow,
    FixtureRow,
    ModelVersion,
    PredictionRow,
    ResultRow,
)

__all__ = ["NewPrediction", "PredictionMoment", "PredictionRepository", "SettledPrediction"]


@dataclass(frozen=True, slots=True)
class NewPrediction:
    """A prediction to store. ``trigger`` names what caused it (``odds:<id>``, ``cli``):
    with the fixture and the version it is the prediction's natural key."""

    fixture_id: int
    model_version_id: int
    trigger: str
    created_at: datetime
    home_goals_expectation: float
    away_goals_expectation: float
    rho: float
    p_home: float
    p_draw: float
    p_away: float
    odds_snapshot_id: int | None = None
    markets: dict[str, Any] | None = None
    feature_hash: str | None = None

    def values(self) -> dict[str, Any]:
        """Column values of the row. Shallow, unlike ``dataclasses.asdict``: deep-copying
        ``markets`` cost most of a worker batch's time."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


class SettledPrediction(NamedTuple):
    """A finished match, its score, and the 1X2 probabilities a version gave it (which)."""

    fixture_id: int
    kickoff: datetime
    home_goals: int
    away_goals: int
    probabilities: tuple[float, float, float]
    model_version_id: int


class PredictionMoment(NamedTuple):
    """A prediction made before its match kicked off: when, of what, and what it said."""

    fixture_id: int
    league: str
    kickoff: datetime
    created_at: datetime
    probabilities: tuple[float, float, float]


class PredictionRepository:
    """Predictions of fixtures by model versions."""

    def __init__(self, session: Session) -> None:
        self.session = session

    # -- writes ------------------------------------------------------------------------

    def add_many(self, predictions: Sequence[NewPrediction]) -> int:
        """Store predictions, skipping ones already stored (same fixture, version and
        trigger): streams redeliver, and a redelivered tick must write nothing twice.
        Returns how many were new."""
        if not predictions:
            return 0
        statement = insert_ignoring(self.session, PredictionRow.__table__).on_conflict_do_nothing(
            index_elements=["fixture_id", "model_version_id", "trigger"]
        )
        result = self.session.connection().execute(statement, [p.values() for p in predictions])
        return int(getattr(result, "rowcount", 0) or 0)

    def upsert_many(self, predictions: Sequence[NewPrediction]) -> int:
        """Store predictions, replacing the values of ones already stored; how many."""
        keys = {(p.fixture_id, p.model_version_id, p.trigger) for p in predictions}
        stored = {
            (p.fixture_id, p.model_version_id, p.trigger): p
            for p in self.session.scalars(
                select(PredictionRow).where(
                    PredictionRow.fixture_id.in_({k[0] for k in keys}),
                    PredictionRow.model_version_id.in_({k[1] for k in keys}),
                )
            )
        }
        for prediction in predictions:
            values = prediction.values()
            existing = stored.get(
                (prediction.fixture_id, prediction.model_version_id, prediction.trigger)
            )
            if existing is None:
                self.session.add(PredictionRow(**values))
            else:
                for name, value in values.items():
                    setattr(existing, name, value)
        self.session.flush()
        return len(predictions)

    # -- reads -------------------------------------------------------------------------

    def latest(
        self,
        *,
        fixture_ids: Sequence[int] | None = None,
        competition: str | None = None,
        model_version_id: int,
    ) -> list[PredictionRecord]:
        """The newest prediction by ``model_version_id`` for each fixture asked about, by
        fixture id (callers ask ``model_versions.active()`` which version that is)."""
        newest = (
            select(func.max(PredictionRow.id).label("id"))
            .where(PredictionRow.model_version_id == model_version_id)
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
        rows = self.session.execute(
            _records().join(sub, sub.c.id == PredictionRow.id).order_by(PredictionRow.fixture_id)
        ).all()
        return [_record(*row) for row in rows]

    def history(
        self, fixture_id: int, *, limit: int, offset: int
    ) -> tuple[list[PredictionRecord], int]:
        """Every prediction of a fixture, newest first, any model version; and how many."""
        statement = _records().where(PredictionRow.fixture_id == fixture_id)
        rows = self.session.execute(
            statement.order_by(PredictionRow.id.desc()).limit(limit).offset(offset)
        ).all()
        return [_record(*row) for row in rows], count_of(self.session, statement)

    def latest_by_version(
        self, *, fixture_ids: Sequence[int], model_version_id: int
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
        rows = self.session.execute(
            select(
                PredictionRow.fixture_id,
                PredictionRow.p_home,
                PredictionRow.p_draw,
                PredictionRow.p_away,
            ).where(PredictionRow.id.in_(newest))
        )
        return {r[0]: (r[1], r[2], r[3]) for r in rows}

    def last_created_at(self) -> datetime | None:
        """When the newest prediction was made, or None."""
        return self.session.scalar(select(func.max(PredictionRow.created_at)))

    def list_settled(
        self, *, model_version_id: int | None, start: datetime, end: datetime
    ) -> list[SettledPrediction]:
        """Finished matches kicking off in [start, end] that the version predicted, in kick-off
        order, each with its latest prediction made before kick-off (else its latest at all).

        Two choices in one query: what the model said in time is what it is judged on,
        and a match predicted only afterwards (a backfill) still counts with what it has.
        ``model_version_id`` None takes every version's predictions: each match then
        comes with the prediction that served it (the latest before kick-off, by
        whichever version was active then), so a refit or a roll-back leaves the
        record of the matches already played as it was.
        """
        in_window = (
            FixtureRow.status == FixtureStatus.FINISHED.value,
            FixtureRow.kickoff_utc >= start,
            FixtureRow.kickoff_utc <= end,
        )
        chosen = (
            select(
                PredictionRow.fixture_id.label("fixture_id"),
                func.max(
                    case((PredictionRow.created_at < FixtureRow.kickoff_utc, PredictionRow.id))
                ).label("before"),
                func.max(PredictionRow.id).label("latest"),
            )
            .join(FixtureRow, FixtureRow.id == PredictionRow.fixture_id)
            .where(*in_window)
            .group_by(PredictionRow.fixture_id)
        )
        if model_version_id is not None:
            chosen = chosen.where(PredictionRow.model_version_id == model_version_id)
        chosen_rows = chosen.subquery()
        rows = self.session.execute(
            select(
                FixtureRow.id,
                FixtureRow.kickoff_utc,
                ResultRow.home_goals,
                ResultRow.away_goals,
                PredictionRow.p_home,
                PredictionRow.p_draw,
                PredictionRow.p_away,
                PredictionRow.model_version_id,
            )
            .join(chosen_rows, chosen_rows.c.fixture_id == FixtureRow.id)
            .join(ResultRow, ResultRow.fixture_id == FixtureRow.id)
            .join(
                PredictionRow,
                PredictionRow.id == func.coalesce(chosen_rows.c.before, chosen_rows.c.latest),
            )
            .order_by(FixtureRow.kickoff_utc, FixtureRow.id)
        )
        return [SettledPrediction(r[0], r[1], r[2], r[3], (r[4], r[5], r[6]), r[7]) for r in rows]

    def list_moments_of_finished(
        self, *, model_version_id: int, start: datetime, end: datetime
    ) -> list[PredictionMoment]:
        """Every prediction by the version made before kick-off of the finished matches
        kicking off in [start, end], in id order; one query."""
        rows = self.session.execute(
            select(
                PredictionRow.fixture_id,
                CompetitionRow.code,
                FixtureRow.kickoff_utc,
                PredictionRow.created_at,
                PredictionRow.p_home,
                PredictionRow.p_draw,
                PredictionRow.p_away,
            )
            .join(FixtureRow, FixtureRow.id == PredictionRow.fixture_id)
            .join(CompetitionRow, CompetitionRow.id == FixtureRow.competition_id)
            .where(
                PredictionRow.model_version_id == model_version_id,
                PredictionRow.created_at <= FixtureRow.kickoff_utc,
                FixtureRow.status == FixtureStatus.FINISHED.value,
                FixtureRow.kickoff_utc >= start,
                FixtureRow.kickoff_utc <= end,
            )
            .order_by(PredictionRow.id)
        )
        return [PredictionMoment(r[0], r[1], r[2], r[3], (r[4], r[5], r[6])) for r in rows]

    def list_recent_home_probabilities(self, *, model_version_id: int, limit: int) -> list[float]:
        """The home probabilities of the version's newest ``limit`` predictions, newest first."""
        return list(
            self.session.scalars(
                select(PredictionRow.p_home)
                .where(PredictionRow.model_version_id == model_version_id)
                .order_by(PredictionRow.id.desc())
                .limit(limit)
            )
        )


def _records() -> Select[*tuple[Any, ...]]:
    return select(PredictionRow, ModelVersion.name, ModelVersion.version).join(
        ModelVersion, ModelVersion.id == PredictionRow.model_version_id
    )


def _record(row: PredictionRow, name: str, version: str) -> PredictionRecord:
    return PredictionRecord(
        id=row.id,
        fixture_id=row.fixture_id,
        model=name,
        version=version,
        created_at=row.created_at,
        odds_snapshot_id=row.odds_snapshot_id,
        probabilities=(row.p_home, row.p_draw, row.p_away),
        expected_goals=(row.home_goals_expectation, row.away_goals_expectation),
        rho=row.rho,
        markets=row.markets,
        feature_hash=row.feature_hash,
    )
