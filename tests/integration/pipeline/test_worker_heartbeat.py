"""A worker's heartbeat on SQLite and PostgreSQL: what it serves while it runs, stopped after."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from test_pipeline_flow import make_worker, moving_ticks

from conftest import Loaded
from scoreline.domain.workers import WorkerHeartbeatRecord
from scoreline.errors import StorageUnavailableError
from scoreline.messaging.memory_bus import MemoryBus
from scoreline.messaging.names import Streams
from scoreline.pipeline.ingestion import IngestionEngine
from scoreline.services import admin_status, model_versions
from scoreline.storage.unit_of_work import UnitOfWork


def heartbeat(unit_of_work: Callable[[], UnitOfWork], consumer: str) -> WorkerHeartbeatRecord:
    with unit_of_work() as uow:
        found = uow.worker_heartbeats.get_by_consumer(consumer=consumer)
    assert found is not None, f"no heartbeat of {consumer}"
    return found


def wait_for(condition: Callable[[], bool], *, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_a_running_worker_reports_its_model_and_is_marked_stopped_after_stop(
    loaded: Loaded, streams: Streams
) -> None:
    bus = MemoryBus()
    IngestionEngine(bus, loaded.unit_of_work, streams=streams).submit(moving_ticks(5))
    worker = make_worker(loaded, bus, streams, consumer="hb-1", heartbeat_every_s=0.05)
    active = model_versions.active(loaded.unit_of_work)
    thread = threading.Thread(target=worker.run, daemon=True)
    thread.start()
    try:
        wait_for(
            lambda: (
                (seen := heartbeat_or_none(loaded.unit_of_work, "hb-1")) is not None
                and seen.beat.predictions == 5
            )
        )
        running = heartbeat(loaded.unit_of_work, "hb-1")
        assert (running.model, running.version) == (active.name, active.version)
        assert running.beat.model_version_id == active.id
        assert (running.beat.state, running.beat.entries_handled) == ("running", 5)
        assert (running.beat.host, running.beat.pid) == (socket.gethostname(), os.getpid())
        listed = admin_status.status(loaded.unit_of_work).workers
        assert [(w.beat.consumer, w.state, w.serves_active) for w in listed] == [
            ("hb-1", "running", True)
        ]
    finally:
        worker.stop()
        thread.join(timeout=30)
    assert not thread.is_alive()
    stopped = heartbeat(loaded.unit_of_work, "hb-1")
    assert (stopped.beat.state, stopped.beat.predictions) == ("stopped", 5)
    assert stopped.beat.started_at == running.beat.started_at
    assert stopped.beat.last_seen_at >= running.beat.last_seen_at


def heartbeat_or_none(
    unit_of_work: Callable[[], UnitOfWork], consumer: str
) -> WorkerHeartbeatRecord | None:
    with unit_of_work() as uow:
        return uow.worker_heartbeats.get_by_consumer(consumer=consumer)


def test_a_worker_behind_a_newly_activated_version_is_flagged(
    loaded: Loaded, streams: Streams
) -> None:
    # It never polls for a new version here, so it keeps serving the one it loaded.
    worker = make_worker(
        loaded, MemoryBus(), streams, consumer="hb-2", heartbeat_every_s=0.001, follow_every_s=3600
    )
    worker.step()
    assert [w.serves_active for w in admin_status.status(loaded.unit_of_work).workers] == [True]
    with loaded.unit_of_work() as uow:
        newer = uow.model_versions.add(
            name="dixon-coles",
            version="20991231T000000000000Z",
            created_at=datetime.now(UTC),
            trained_from=None,
            trained_to=None,
            params={},
            metrics={},
            artifact_path=None,
        )
        uow.model_versions.activate(newer)
        uow.commit()
    worker.step()
    (listed,) = admin_status.status(loaded.unit_of_work).workers
    assert (listed.state, listed.serves_active) == ("running", False)
    assert listed.beat.model_version_id == worker.version_id != newer


def test_a_heartbeat_the_database_refuses_is_logged_and_the_worker_goes_on(
    loaded: Loaded, streams: Streams, caplog: pytest.LogCaptureFixture
) -> None:
    bus = MemoryBus()
    worker = make_worker(loaded, bus, streams, consumer="hb-3", heartbeat_every_s=0.001)

    def unreachable() -> UnitOfWork:
        raise StorageUnavailableError("the database is unavailable: connection refused")

    worker.heartbeat.unit_of_work = unreachable
    IngestionEngine(bus, loaded.unit_of_work, streams=streams).submit(moving_ticks(3))
    with caplog.at_level(logging.WARNING, logger="scoreline.pipeline.heartbeat"):
        assert worker.step() == 3
        worker.step()
    assert worker.status.predictions == 3
    assert worker.heartbeat.failed == 2
    assert "heartbeat of hb-3 not recorded (running): the database is unavailable" in caplog.text
    assert heartbeat_or_none(loaded.unit_of_work, "hb-3") is None
    worker.heartbeat.unit_of_work = loaded.unit_of_work  # the database is back
    worker.step()
    assert heartbeat(loaded.unit_of_work, "hb-3").beat.predictions == 3
