"""The newcomer's demo: its users, its book, and what ``scoreline demo`` prints.

``scoreline up`` and ``scoreline demo`` load the bundled sample up to a cut-off
and replay the rest; this module holds their use cases that touch the database,
so the commands stay shells that parse options and print.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from scoreline.domain.fixtures import FixtureRecord
from scoreline.domain.people import Role
from scoreline.errors import ConfigError, NotFoundError
from scoreline.providers.football_data import find_season_files, read_season_file
from scoreline.services import accounts, model_versions, portfolios
from scoreline.storage.unit_of_work import UnitOfWorkFactory

__all__ = [
    "ADMIN",
    "BANKROLL_MINOR",
    "TRADER",
    "kickoff_predictions",
    "latest_kickoff",
    "seed_portfolio",
    "seed_users",
    "trained_ensemble",
]

ADMIN, TRADER = "admin@scoreline.local", "trader@scoreline.local"
BANKROLL_MINOR = 1_000_000  # 10,000.00 EUR
_USERS = ((ADMIN, Role.ADMIN), (TRADER, Role.TRADER))


def latest_kickoff(folder: Path) -> datetime:
    """The last kick-off in the newest season file of each competition under ``folder``."""
    newest: dict[str, Path] = {}
    for path in find_season_files([folder]):
        newest[path.parent.name] = max(newest.get(path.parent.name, path), path)
    kickoffs = [
        row.fixture.kickoff_utc for path in newest.values() for row in read_season_file(path).rows
    ]
    if not kickoffs:
        raise ConfigError(f"no fixtures found in {folder}")
    return max(kickoffs)


def seed_users(unit_of_work: UnitOfWorkFactory) -> dict[str, str]:
    """The demo admin and trader, created or given fresh random passwords; email to password."""
    return {
        email: accounts.reset_password(unit_of_work, email=email, role=role)
        for email, role in _USERS
    }


def seed_portfolio(unit_of_work: UnitOfWorkFactory, email: str = TRADER) -> None:
    """The trader's "Demo book" with a bankroll, made once."""
    with unit_of_work() as uow:
        owner = uow.users.get_by_email(email)
    if owner is None:
        return
    _, count = portfolios.list_(unit_of_work, owner_id=owner.id, limit=1, offset=0)
    if count:
        return
    portfolio = portfolios.create(unit_of_work, owner_id=owner.id, name="Demo book")
    portfolios.deposit(
        unit_of_work, owner_id=owner.id, portfolio_id=portfolio, amount_minor=BANKROLL_MINOR
    )


def trained_ensemble(unit_of_work: UnitOfWorkFactory, cut: datetime) -> str | None:
    """The active ensemble's version if it was trained on data up to ``cut`` (within a week)."""
    try:
        active = model_versions.active(unit_of_work)
    except NotFoundError:
        return None
    trained_to = active.trained_to
    if active.name != "ensemble" or trained_to is None:
        return None
    fresh = cut.date() - timedelta(days=7) <= trained_to < cut.date()
    return active.version if fresh else None


def kickoff_predictions(
    unit_of_work: UnitOfWorkFactory, *, start: datetime, end: datetime
) -> list[tuple[FixtureRecord, tuple[float, float, float] | None]]:
    """Fixtures kicking off in [start, end) with the active model's newest prediction."""
    version_id = model_versions.active(unit_of_work).id
    with unit_of_work() as uow:
        fixtures = uow.fixtures.list_between(start=start, end=end, limit=1000)
        predicted = uow.predictions.latest_by_version(
            fixture_ids=[f.id for f in fixtures], model_version_id=version_id
        )
    return [(f, predicted.get(f.id)) for f in fixtures]
