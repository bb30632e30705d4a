"""Fixtures shared by every suite: databases on SQLite and on the local PostgreSQL.

Tests that take ``engine`` run once per backend. The PostgreSQL run gets a
database of its own, created for the session and dropped afterwards; when the
server cannot be reached the test is skipped, except under ``CI`` where it fails.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from redis_cluster import running_cluster
from scoreline.messaging.bus import Bus
from scoreline.messaging.memory_bus import MemoryBus
from scoreline.messaging.names import Streams
from scoreline.messaging.redis_bus import RedisBus
from scoreline.services.fitting import fit_dixon_coles
from scoreline.services.ingest import ingest_football_data
from scoreline.storage.db import make_engine, unit_of_work_factory, upgrade
from scoreline.storage.tables import Base
from scoreline.storage.unit_of_work import UnitOfWork

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_DATA = ROOT / "data" / "sample" / "football-data"
POSTGRES_ADMIN_URL = os.environ.get(
    "SCORELINE_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REDIS_TEST_URL = os.environ.get("SCORELINE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _missing_service(message: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{message} (CI is set, so this fails instead of skipping)")
    pytest.skip(message)


@contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database of its own, dropped on exit; its URL."""
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"scoreline_test_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        admin.dispose()
        _missing_service(f"PostgreSQL at {POSTGRES_ADMIN_URL} unreachable: {exc.orig}")
    url = make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this test session."""
    with postgres_database() as url:
        yield url


def _truncate_all(engine: Engine) -> None:
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated, empty database on each backend."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'scoreline.db'}")
        upgrade(engine)
    else:
        engine = make_engine(request.getfixturevalue("postgres_url"))
        _truncate_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def unit_of_work(engine: Engine) -> Callable[[], UnitOfWork]:
    """Units of work on the parametrised database."""
    return unit_of_work_factory(engine)


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The local Redis (db 15 unless SCORELINE_TEST_REDIS_URL says otherwise), checked once."""
    client = redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as exc:
        _missing_service(f"Redis at {REDIS_TEST_URL} unreachable: {exc}")
    finally:
        client.close()
    return REDIS_TEST_URL


# -- the live pipeline ----------------------------------------------------------------


@dataclass
class Loaded:
    """A loaded, fitted database: its units of work and the model registry folder."""

    unit_of_work: Callable[[], UnitOfWork]
    artifacts: Path


SEASON = SAMPLE_DATA / "E0" / "2021-2022.csv"
FIT_BEFORE = datetime(2022, 5, 1, tzinfo=UTC)


@pytest.fixture
def loaded(unit_of_work: Callable[[], UnitOfWork], tmp_path: Path) -> Loaded:
    """E0 2021-22 ingested and Dixon-Coles fitted on the matches before May 2022."""
    report = ingest_football_data(unit_of_work, [SEASON])
    assert report.matches == 380
    artifacts = tmp_path / "models"
    fit_dixon_coles(unit_of_work, artifacts_dir=artifacts, as_of=FIT_BEFORE)
    return Loaded(unit_of_work, artifacts)


@pytest.fixture
def streams() -> Streams:
    """Stream names unique to the test (the Redis server is shared)."""
    return Streams(prefix=f"test:{uuid.uuid4().hex[:10]}")


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
def bus(request: pytest.FixtureRequest, streams: Streams) -> Iterator[Bus]:
    """The in-process bus, and Redis Streams on the local server."""
    if request.param == "memory":
        yield MemoryBus()
        return
    made = RedisBus(request.getfixturevalue("redis_url"))
    yield made
    for key in made.client.scan_iter(match=f"{streams.prefix}:*"):
        made.client.delete(key)
    made.close()


@pytest.fixture(scope="session")
def redis_cluster_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A three-node Redis Cluster of the session's own (``redis_cluster``); the URL of a node."""
    with running_cluster(tmp_path_factory.mktemp("cluster")) as url:
        yield url
