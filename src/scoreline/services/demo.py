"""The newcomer's demo: its users, its book, its ensemble, and what ``scoreline demo`` prints.

``scoreline up`` and ``scoreline demo`` load the bundled sample up to a cut-off
and replay the rest; this module holds their use cases that touch the database
or the model registry, so the commands stay shells that parse options and print.
Both serve the calibrated ensemble, trained the one way the platform trains it:
the walk-forward (``services.backtesting``) on the months before the cut-off,
so it has seen nothing of the replay.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import scoreline
from scoreline.domain.fixtures import FixtureRecord
from scoreline.domain.people import Role
from scoreline.errors import ConfigError
from scoreline.models.features import FEATURE_COLUMNS
from scoreline.models.registry import ModelRegistry
from scoreline.providers.football_data import find_season_files, read_season_file
from scoreline.services import accounts, model_versions, portfolios
from scoreline.services.backtesting import BacktestOptions, run_backtest
from scoreline.storage.unit_of_work import UnitOfWorkFactory

__all__ = [
    "ADMIN",
    "BANKROLL_MINOR",
    "ENSEMBLE_TRAINING_DAYS",
    "TRADER",
    "TrainedEnsemble",
    "activate_ensemble",
    "kickoff_predictions",
    "latest_kickoff",
    "seed_portfolio",
    "seed_users",
]

ADMIN, TRADER = "admin@scoreline.local", "trader@scoreline.local"
BANKROLL_MINOR = 1_000_000  # 10,000.00 EUR
_USERS = ((ADMIN, Role.ADMIN), (TRADER, Role.TRADER))
ENSEMBLE_TRAINING_DAYS = 62  # the walk-forward's window before the cut-off: two months
_REFIT_DAYS = 30


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


@dataclass(frozen=True, slots=True)
class TrainedEnsemble:
    """The ensemble a demo serves: its registry version, and whether an earlier run's was
    reused (``False``: trained just now)."""

    version: str
    reused: bool


def activate_ensemble(
    unit_of_work: UnitOfWorkFactory, *, folder: Path, cut: datetime, artifacts_dir: Path
) -> TrainedEnsemble:
    """Make the ensemble trained point-in-time up to ``cut`` the active version.

    The walk-forward runs on the files under ``folder`` over the
    ``ENSEMBLE_TRAINING_DAYS`` before the cut-off and registers its last refit's
    estimators, trained on matches before the cut-off only. It takes tens of
    seconds, so a version the registry already holds for the same window, code
    version and feature columns is reused: ``scoreline up`` starts afresh each
    time, but its registry folder stays.
    """
    options = BacktestOptions(
        start=(cut - timedelta(days=ENSEMBLE_TRAINING_DAYS)).date(),
        end=(cut - timedelta(days=1)).date(),
        refit_days=_REFIT_DAYS,
        registry_dir=artifacts_dir,
    )
    version = _registered_ensemble(artifacts_dir, options.start, options.end)
    reused = version is not None
    if version is None:
        outcome = run_backtest([folder], options)
        version = str(outcome.report["model_version"])
    model_versions.activate(
        unit_of_work, artifacts_dir=artifacts_dir, name="ensemble", version=version
    )
    return TrainedEnsemble(version, reused)


def _registered_ensemble(artifacts_dir: Path, start: date, end: date) -> str | None:
    """The newest registered ensemble of this walk-forward window, saved by this code
    version with these feature columns; None when there is none."""
    registry = ModelRegistry(artifacts_dir)
    for version in reversed(registry.versions("ensemble")):
        metadata = registry.metadata("ensemble", version)
        config = metadata.get("params", {}).get("config", {})
        if (
            config.get("start") == start.isoformat()
            and config.get("end") == end.isoformat()
            and config.get("refit_days") == _REFIT_DAYS
            and metadata.get("code_version") == scoreline.__version__
            and metadata.get("feature_names") == list(FEATURE_COLUMNS)
        ):
            return version
    return None
