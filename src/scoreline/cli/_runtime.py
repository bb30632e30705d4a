"""What every command needs: settings, an engine and units of work."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine

from scoreline.config import Settings, get_settings
from scoreline.errors import ConfigError
from scoreline.storage.db import current_revision, make_engine, unit_of_work_factory
from scoreline.storage.unit_of_work import UnitOfWork

__all__ = ["Runtime", "open_runtime"]


@dataclass(frozen=True, slots=True)
class Runtime:
    settings: Settings
    engine: Engine
    unit_of_work: Callable[[], UnitOfWork]


def open_runtime(*, require_schema: bool = True) -> Runtime:
    """Settings from the environment and a database engine; checks the schema exists."""
    settings = get_settings()
    engine = make_engine(settings.database_url)
    if require_schema and current_revision(engine) is None:
        raise ConfigError(
            f"database {engine.url.render_as_string(hide_password=True)} has no schema; "
            "run `scoreline db upgrade` first"
        )
    return Runtime(settings, engine, unit_of_work_factory(engine))
