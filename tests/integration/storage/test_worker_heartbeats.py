"""Worker heartbeats on SQLite and PostgreSQL: one row per worker, upserted, listed by age."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from scoreline.domain.workers import WorkerHeartbeat
from scoreline.errors import ConflictError
from scoreline.services import admin_status, worker_heartbeats
from scoreline.storage.tables import WorkerHeartbeatRow
from scoreline.storage.unit_of_work import UnitOfWork

NOW = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


def add_version(unit_of_work: Callable[[], UnitOfWork], version: str, *, active: bool) -> int:
    with unit_of_work() as uow:
        version_id = uow.model_versions.add(
            name="dixon-coles",
            version=version,
            created_at=NOW - timedelta(days=1),
            trained_from=None,
            trained_to=None,
            params={},
            metrics={},
            artifact_path=None,
        )
        if active:
            uow.model_versions.activate(version_id)
        uow.commit()
    return version_id


def beat(consumer: str, version_id: int, **changes: object) -> WorkerHeartbeat:
    made = WorkerHeartbeat(
        consumer=consumer,
        host="box-1",
        pid=4242,
        started_at=NOW - timedelta(minutes=10),
        last_seen_at=NOW - timedelta(seconds=2),
        model_version_id=version_id,
        beat_every_s=5.0,
        entries_handled=120,
        predictions=118,
        dead_lettered=2,
        state="running",
    )
    return replace(made, **changes)  # type: ignore[arg-type]


def test_a_later_beat_replaces_the_row_but_keeps_its_start(
    unit_of_work: Callable[[], UnitOfWork],
) -> None:
    version_id = add_version(unit_of_work, "20261203T100026123456Z", active=True)
    first = beat("box-1-4242-abc", version_id)
    worker_heartbeats.record(unit_of_work, beat=first)
    later = replace(
        first,
        started_at=NOW,  # a beat never moves the start it first wrote
        last_seen_at=NOW,
        entries_handled=300,
        predictions=290,
        state="stopped",
    )
    worker_heartbeats.record(unit_of_work, beat=later)
    with unit_of_work() as uow:
        stored = uow.worker_heartbeats.get_by_consumer(consumer="box-1-4242-abc")
        rows = uow.session.scalar(select(func.count(WorkerHeartbeatRow.id)))
    assert rows == 1
    assert stored is not None
    assert stored.beat == replace(later, started_at=first.started_at)
    assert (stored.model, stored.version) == ("dixon-coles", "20261203T100026123456Z")


def test_an_unknown_worker_is_none(unit_of_work: Callable[[], UnitOfWork]) -> None:
    with unit_of_work() as uow:
        assert uow.worker_heartbeats.get_by_consumer(consumer="nobody") is None


def test_a_beat_naming_no_registered_version_is_refused(
    unit_of_work: Callable[[], UnitOfWork],
) -> None:
    with pytest.raises(ConflictError, match="refused the write"):
        worker_heartbeats.record(unit_of_work, beat=beat("box-1-4242-abc", 999))


def test_admin_status_lists_workers_of_the_last_day_with_their_state(
    unit_of_work: Callable[[], UnitOfWork],
) -> None:
    old = add_version(unit_of_work, "20261201T080000000000Z", active=False)
    new = add_version(unit_of_work, "20261203T100026123456Z", active=True)
    for made in (
        beat("a-fresh", new),
        beat("b-lagging", old, last_seen_at=NOW - timedelta(seconds=4)),
        beat("c-silent", new, last_seen_at=NOW - timedelta(seconds=31)),
        beat("d-stopped", old, last_seen_at=NOW - timedelta(hours=23), state="stopped"),
        beat("e-gone", new, last_seen_at=NOW - timedelta(days=1, seconds=1), state="stopped"),
        beat("f-dead", new, last_seen_at=NOW - timedelta(days=2)),
    ):
        worker_heartbeats.record(unit_of_work, beat=made)

    workers = admin_status.status(unit_of_work, now=NOW).workers

    listed = [(w.beat.consumer, w.state, w.seen_seconds_ago, w.serves_active) for w in workers]
    assert listed == [
        ("a-fresh", "running", 2.0, True),
        ("b-lagging", "running", 4.0, False),
        ("c-silent", "stale", 31.0, True),
        ("d-stopped", "stopped", 23 * 3600.0, False),
    ]
    assert workers[1].version == "20261201T080000000000Z"
    # Reading drops nothing: the workers not listed keep their rows.
    with unit_of_work() as uow:
        assert uow.session.scalar(select(func.count(WorkerHeartbeatRow.id))) == 6
