"""Alembic environment: runs on the engine handed over by ``storage.db.upgrade``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine, create_engine

from scoreline.storage.tables import Base

config = context.config
target_metadata = Base.metadata


def _engine() -> Engine:
    engine = config.attributes.get("engine")
    if isinstance(engine, Engine):
        return engine
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no engine: run migrations through `scoreline db upgrade`")
    return create_engine(url)


def run_migrations_online() -> None:
    with _engine().connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch mode rebuilds a table on SQLite (copy, drop, rename); dropping a table
            # that other rows point at fails while foreign keys are enforced, and the pragma
            # only takes effect outside a transaction: off here, checked and on after.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        # Batch mode lets one migration history alter tables on SQLite too.
        context.configure(
            connection=connection, target_metadata=target_metadata, render_as_batch=True
        )
        try:
            with context.begin_transaction():
                context.run_migrations()
                if sqlite:
                    dangling = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                    if dangling:
                        raise RuntimeError(f"migration left dangling references: {dangling[:5]}")
            connection.commit()
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")


run_migrations_online()
