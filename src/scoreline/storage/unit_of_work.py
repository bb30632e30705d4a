"""The unit of work: one transaction, and the repositories that work inside it.

::

    with unit_of_work() as uow:          # a session opens
        fixture = uow.fixtures.get(42)   # repositories share its transaction
        uow.bets.add(...)
        uow.commit()                     # services, and only services, commit
    # leaving the block without commit() rolls everything back

A failure half-way therefore never leaves half-written rows (after
cosmicpython's unit of work). Database errors leave the block as Scoreline's
own: ``StorageContentionError`` when it rolled the transaction back to break a
deadlock or a serialisation conflict, or SQLite stayed busy (run the
transaction again: ``services.lock_order.retried``), ``StorageUnavailableError``
when the database cannot be reached (retry later), ``ConflictError`` for a
write a constraint refuses, and ``StorageError`` for the rest, each chained to
the driver's error.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from types import TracebackType
from typing import Self

from sqlalchemy.exc import (
    DBAPIError,
    DisconnectionError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    SQLAlchemyError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.orm import Session

from scoreline.errors import (
    ConflictError,
    StorageContentionError,
    StorageError,
    StorageUnavailableError,
)
from scoreline.storage.repositories.alerts import AlertRepository
from scoreline.storage.repositories.api_keys import ApiKeyRepository
from scoreline.storage.repositories.audit import AuditRepository
from scoreline.storage.repositories.bets import BetRepository
from scoreline.storage.repositories.bookmaker_accounts import BookmakerAccountRepository
from scoreline.storage.repositories.bookmakers import BookmakerRepository
from scoreline.storage.repositories.competitions import CompetitionRepository
from scoreline.storage.repositories.fixtures import FixtureRepository
from scoreline.storage.repositories.ledger import LedgerRepository
from scoreline.storage.repositories.model_versions import ModelVersionRepository
from scoreline.storage.repositories.odds import OddsRepository
from scoreline.storage.repositories.outbox import OutboxRepository
from scoreline.storage.repositories.portfolios import PortfolioRepository
from scoreline.storage.repositories.predictions import PredictionRepository
from scoreline.storage.repositories.refresh_tokens import RefreshTokenRepository
from scoreline.storage.repositories.source_files import SourceFileRepository
from scoreline.storage.repositories.teams import TeamRepository
from scoreline.storage.repositories.users import UserRepository
from scoreline.storage.repositories.web_sessions import WebSessionRepository
from scoreline.storage.repositories.worker_heartbeats import WorkerHeartbeatRepository

__all__ = ["UnitOfWork", "UnitOfWorkFactory", "storage_error"]

_UNAVAILABLE = (OperationalError, InterfaceError, DisconnectionError, PoolTimeoutError)
_SQLITE_BUSY = frozenset({5, 6})  # SQLITE_BUSY, SQLITE_LOCKED (primary result codes)


def storage_error(error: SQLAlchemyError) -> Exception:
    """Scoreline's error for a SQLAlchemy one (see the module docstring)."""
    first = str(getattr(error, "orig", None) or error).splitlines()[0]
    if isinstance(error, IntegrityError):
        return ConflictError(f"the database refused the write: {first}")
    if _is_contention(getattr(error, "orig", None)):
        return StorageContentionError(f"the database rolled the transaction back: {first}")
    if isinstance(error, _UNAVAILABLE) or (
        isinstance(error, DBAPIError) and error.connection_invalidated
    ):
        return StorageUnavailableError(f"the database is unavailable: {first}")
    return StorageError(f"the database refused a statement: {first}")


def _is_contention(driver_error: object) -> bool:
    """Whether the driver's error is a lost lock race rather than a fault: PostgreSQL's
    class 40 (``40P01`` deadlock detected, ``40001`` serialisation failure), or SQLite
    still busy when its timeout ran out."""
    sqlstate = getattr(driver_error, "sqlstate", None)
    if isinstance(sqlstate, str):
        return sqlstate.startswith("40")
    code = getattr(driver_error, "sqlite_errorcode", None)
    return isinstance(code, int) and code & 0xFF in _SQLITE_BUSY


class UnitOfWork:
    """One transaction around a session, handing out repositories; commit or it rolls back.

    Repositories are made on first use and share the transaction. ``session``
    is theirs: services call repositories, never the session.
    """

    def __init__(self, session_factory: Callable[[], Session]) -> None:
        self._session_factory = session_factory

    def __enter__(self) -> Self:
        self.session = self._session_factory()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self.session.rollback()
        finally:
            self.session.close()
        if isinstance(exc, SQLAlchemyError):
            raise storage_error(exc) from exc

    def commit(self) -> None:
        """Make this transaction's writes permanent."""
        try:
            self.session.commit()
        except SQLAlchemyError as error:
            raise storage_error(error) from error

    def rollback(self) -> None:
        """Forget this transaction's writes and start afresh."""
        self.session.rollback()

    # -- repositories, one per stored noun --------------------------------------------

    @cached_property
    def alerts(self) -> AlertRepository:
        return AlertRepository(self.session)

    @cached_property
    def api_keys(self) -> ApiKeyRepository:
        return ApiKeyRepository(self.session)

    @cached_property
    def audit(self) -> AuditRepository:
        return AuditRepository(self.session)

    @cached_property
    def bets(self) -> BetRepository:
        return BetRepository(self.session)

    @cached_property
    def bookmaker_accounts(self) -> BookmakerAccountRepository:
        return BookmakerAccountRepository(self.session)

    @cached_property
    def bookmakers(self) -> BookmakerRepository:
        return BookmakerRepository(self.session)

    @cached_property
    def competitions(self) -> CompetitionRepository:
        return CompetitionRepository(self.session)

    @cached_property
    def fixtures(self) -> FixtureRepository:
        return FixtureRepository(self.session)

    @cached_property
    def ledger(self) -> LedgerRepository:
        return LedgerRepository(self.session)

    @cached_property
    def model_versions(self) -> ModelVersionRepository:
        return ModelVersionRepository(self.session)

    @cached_property
    def odds(self) -> OddsRepository:
        return OddsRepository(self.session)

    @cached_property
    def outbox(self) -> OutboxRepository:
        return OutboxRepository(self.session)

    @cached_property
    def portfolios(self) -> PortfolioRepository:
        return PortfolioRepository(self.session)

    @cached_property
    def predictions(self) -> PredictionRepository:
        return PredictionRepository(self.session)

    @cached_property
    def refresh_tokens(self) -> RefreshTokenRepository:
        return RefreshTokenRepository(self.session)

    @cached_property
    def source_files(self) -> SourceFileRepository:
        return SourceFileRepository(self.session)

    @cached_property
    def teams(self) -> TeamRepository:
        return TeamRepository(self.session)

    @cached_property
    def users(self) -> UserRepository:
        return UserRepository(self.session)

    @cached_property
    def web_sessions(self) -> WebSessionRepository:
        return WebSessionRepository(self.session)

    @cached_property
    def worker_heartbeats(self) -> WorkerHeartbeatRepository:
        return WorkerHeartbeatRepository(self.session)


UnitOfWorkFactory = Callable[[], UnitOfWork]
"""What services take: a way to open a unit of work (``storage.db.unit_of_work_factory``)."""
