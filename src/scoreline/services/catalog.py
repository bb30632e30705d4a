"""What anyone signed in may read: competitions, teams, fixtures, odds and predictions.

Each call opens its own transaction (a cached read must start after the commit
it should see; ``api.cache``) and returns typed records; lists come a page at
a time with the total count.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from scoreline.domain import Competition
from scoreline.domain.competitions import TeamRecord
from scoreline.domain.fixtures import FixtureRecord
from scoreline.domain.odds import OddsRecord
from scoreline.domain.predictions import PredictionRecord
from scoreline.errors import DataError, NotFoundError
from scoreline.storage.unit_of_work import UnitOfWorkFactory

__all__ = [
    "cache_signature",
    "competition_codes",
    "competitions",
    "fixture",
    "fixtures",
    "latest_odds",
    "latest_prediction",
    "latest_predictions",
    "odds_history",
    "prediction_history",
    "teams",
]


def competitions(
    unit_of_work: UnitOfWorkFactory, *, limit: int, offset: int
) -> tuple[list[Competition], int]:
    """Every competition, by code."""
    with unit_of_work() as uow:
        return uow.competitions.list_(limit=limit, offset=offset)


def teams(
    unit_of_work: UnitOfWorkFactory, *, country: str | None, limit: int, offset: int
) -> tuple[list[TeamRecord], int]:
    """Teams, optionally of one country, by name."""
    with unit_of_work() as uow:
        return uow.teams.list_(country=country, limit=limit, offset=offset)


def fixtures(
    unit_of_work: UnitOfWorkFactory,
    *,
    competition: str | None,
    start: datetime | None,
    end: datetime | None,
    status: str | None,
    limit: int,
    offset: int,
) -> tuple[list[FixtureRecord], int]:
    """Fixtures by kick-off: a competition, a time range [start, end), a status.

    ``DataError`` for a bound without a time zone (it would be compared with UTC
    kick-offs as if it were UTC, which is rarely what was meant) or with no UTC
    time (0001-01-01 at +01:00 is in year 0).
    """
    for name, value in (("start", start), ("end", end)):
        if value is None:
            continue
        if value.tzinfo is None:
            raise DataError(f"{name} needs a time zone, e.g. 2023-05-01T00:00:00Z")
        try:
            value.astimezone(UTC)
        except OverflowError as error:
            raise DataError(f"{name} {value.isoformat()} is out of range in UTC") from error
    with unit_of_work() as uow:
        return uow.fixtures.list_(
            competition=competition,
            start=start,
            end=end,
            status=status,
            limit=limit,
            offset=offset,
        )


def fixture(unit_of_work: UnitOfWorkFactory, fixture_id: int) -> FixtureRecord:
    """One fixture; ``NotFoundError`` if there is none with that id."""
    with unit_of_work() as uow:
        found = uow.fixtures.get(fixture_id)
    if found is None:
        raise NotFoundError(f"fixture {fixture_id} not found")
    return found


def latest_odds(unit_of_work: UnitOfWorkFactory, fixture_id: int) -> list[OddsRecord]:
    """The latest snapshot of every bookmaker, market, line and kind of a fixture;
    ``NotFoundError`` for an unknown fixture."""
    with unit_of_work() as uow:
        if uow.fixtures.get(fixture_id) is None:
            raise NotFoundError(f"fixture {fixture_id} not found")
        return uow.odds.latest(fixture_id)


def odds_history(
    unit_of_work: UnitOfWorkFactory,
    fixture_id: int,
    *,
    market: str | None,
    bookmaker: str | None,
    limit: int,
    offset: int,
) -> tuple[list[OddsRecord], int]:
    """Every stored snapshot of a fixture in capture order; ``NotFoundError`` for an
    unknown fixture."""
    with unit_of_work() as uow:
        if uow.fixtures.get(fixture_id) is None:
            raise NotFoundError(f"fixture {fixture_id} not found")
        return uow.odds.history(
            fixture_id, market=market, bookmaker=bookmaker, limit=limit, offset=offset
        )


def latest_predictions(
    unit_of_work: UnitOfWorkFactory,
    *,
    fixture_ids: Sequence[int] | None = None,
    competition: str | None = None,
) -> list[PredictionRecord]:
    """The active model's newest prediction of each fixture asked about, by fixture id;
    none before a model is active."""
    with unit_of_work() as uow:
        active = uow.model_versions.active()
        if active is None:
            return []
        return uow.predictions.latest(
            fixture_ids=fixture_ids, competition=competition, model_version_id=active.id
        )


def latest_prediction(unit_of_work: UnitOfWorkFactory, fixture_id: int) -> PredictionRecord:
    """The active model's newest prediction of one fixture, else the newest by an earlier
    version (labelled with its model and version); ``NotFoundError`` when there is none,
    or no model is active yet (an unknown fixture has none either).

    A refit activates a version that has predicted nothing yet: a finished fixture
    keeps showing what an earlier version said of it rather than "no prediction".
    """
    found = latest_predictions(unit_of_work, fixture_ids=[fixture_id])
    if found:
        return found[0]
    with unit_of_work() as uow:
        served = uow.model_versions.active() is not None
        newest = uow.predictions.history(fixture_id, limit=1, offset=0)[0] if served else []
    if not newest:
        raise NotFoundError(f"no prediction of fixture {fixture_id} yet")
    return newest[0]


def prediction_history(
    unit_of_work: UnitOfWorkFactory, fixture_id: int, *, limit: int, offset: int
) -> tuple[list[PredictionRecord], int]:
    """Every prediction of a fixture, newest first, by any model version."""
    with unit_of_work() as uow:
        return uow.predictions.history(fixture_id, limit=limit, offset=offset)


def cache_signature(unit_of_work: UnitOfWorkFactory) -> tuple[object, ...]:
    """What changes served data without a stream event: the active model and the loaded
    files. Two indexed aggregates, cheap enough to read every few seconds from each API
    process (``api.cache.CacheInvalidator``)."""
    with unit_of_work() as uow:
        return uow.model_versions.active_ids(), *uow.source_files.signature()


def competition_codes(
    unit_of_work: UnitOfWorkFactory, fixture_ids: Sequence[int]
) -> dict[int, str]:
    """The competition code of each of these fixtures that exists (the realtime bridge's
    rooms for a prediction, which names only its fixture)."""
    with unit_of_work() as uow:
        return uow.fixtures.competition_codes(fixture_ids)
