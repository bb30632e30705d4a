"""Engines, the factory of units of work (``storage.unit_of_work``), and schema migrations."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker

from scoreline.errors import ConfigError
from scoreline.storage.unit_of_work import UnitOfWork, UnitOfWorkFactory

__all__ = [
    "current_revision",
    "downgrade",
    "make_engine",
    "shared_database_url",
    "unit_of_work_factory",
    "upgrade",
]

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    """Foreign keys on, WAL so readers never block the loader, and fsync per checkpoint."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA cache_size=-200000")
    cursor.close()


def make_engine(database_url: str) -> Engine:
    """An engine for ``database_url``; the parent folder of a SQLite file is created."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url)
        event.listen(engine, "connect", _tune_sqlite)
        return engine
    if url.get_backend_name() == "postgresql":
        return create_engine(url, pool_pre_ping=True)
    raise ConfigError(f"database backend {url.get_backend_name()!r} is not supported")


def unit_of_work_factory(engine: Engine) -> UnitOfWorkFactory:
    """A factory of units of work on ``engine``."""
    sessions = sessionmaker(engine, expire_on_commit=False)
    return lambda: UnitOfWork(sessions)


def shared_database_url(unit_of_work: UnitOfWorkFactory) -> str | None:
    """The URL (password included) other processes open to write to the same database
    side by side; None for SQLite, which takes one writer at a time, so parallel writers
    would only wait on each other."""
    with unit_of_work() as uow:
        bind = uow.session.get_bind()
    if bind.dialect.name != "postgresql":
        return None
    return bind.engine.url.render_as_string(hide_password=False)


def _alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to ``revision`` with Alembic; the only way tables are made."""
    command.upgrade(_alembic_config(engine), revision)
    logger.info("database schema at %s", current_revision(engine))


def downgrade(engine: Engine, revision: str) -> None:
    """Take the schema down to ``revision``."""
    command.downgrade(_alembic_config(engine), revision)


def current_revision(engine: Engine) -> str | None:
    """The Alembic revision the database is at, or None when it has no schema yet."""
    from alembic.runtime.migration import MigrationContext  # noqa: PLC0415

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
