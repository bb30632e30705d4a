"""Two ``scoreline api`` processes act as one: each prediction reaches every client once, and
sign-in attempts count against one shared limit.

Both processes read the predictions stream through the ``api-bridge`` consumer
group, so exactly one of them emits an entry; Socket.IO's Redis manager carries
that emit to the clients of both. A client connected to each process, both in
the same competition room, must therefore see the entry exactly once: twice
would mean both processes emitted it, never would mean the fan-out failed.
Both also count sign-in attempts on Redis (``api.rate_limit.login_limiter``):
five failures split between them lock the sixth attempt on either, where two
limiters of their own would allow ten guesses. Real processes, the local
PostgreSQL and the local Redis.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import socketio  # type: ignore[import-untyped]
from sqlalchemy import select

from conftest import SAMPLE_DATA, _truncate_all
from scoreline.messaging.names import REALTIME_GROUP, Streams
from scoreline.messaging.redis_bus import RedisBus
from scoreline.services.ingest import ingest_football_data
from scoreline.storage.db import make_engine, unit_of_work_factory
from scoreline.storage.tables import CompetitionRow, FixtureRow
from servers import Api, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.slow]

PASSWORD = "correct horse battery staple"


@pytest.fixture
def fixture_id(postgres_url: str) -> int:
    """A fresh database with E0 2022-23; one of its fixtures."""
    engine = make_engine(postgres_url)
    _truncate_all(engine)
    unit_of_work = unit_of_work_factory(engine)
    ingest_football_data(unit_of_work, [SAMPLE_DATA / "E0" / "2022-2023.csv"])
    with unit_of_work() as uow:
        found = uow.session.scalar(
            select(FixtureRow.id)
            .join(CompetitionRow, CompetitionRow.id == FixtureRow.competition_id)
            .where(CompetitionRow.code == "E0")
            .limit(1)
        )
    engine.dispose()
    assert found is not None
    return found


@pytest.fixture
def empty_database(postgres_url: str) -> None:
    """The session's PostgreSQL database, emptied."""
    engine = make_engine(postgres_url)
    _truncate_all(engine)
    engine.dispose()


@pytest.fixture
def apis(postgres_url: str, redis_url: str, tmp_path: Path) -> Iterator[tuple[Streams, list[Api]]]:
    """Two API processes on one database and one Redis, under stream names of their own."""
    streams = Streams(prefix=f"test:{uuid.uuid4().hex[:10]}")
    env = os.environ | {
        "SCORELINE_DATABASE_URL": postgres_url,
        "SCORELINE_REDIS_URL": redis_url,
        "SCORELINE_JWT_SECRET": "s" * 48,  # shared: a token from one process works on the other
        "SCORELINE_STREAM_PREFIX": streams.prefix,
        "SCORELINE_LOG_LEVEL": "WARNING",
    }
    started: list[Api] = []
    try:
        for name in ("a", "b"):
            started.append(Api(env, tmp_path / f"api-{name}.log"))
        for api in started:
            # Generous: the CLI imports the whole stack (pandas, scikit-learn, XGBoost),
            # which takes many seconds on a busy two-core machine.
            wait_for(api.is_live, f"{api.url}/health/live", timeout=120)
        yield streams, started
    finally:
        for api in started:
            api.stop()
        cleanup = RedisBus(redis_url)
        for key in cleanup.client.scan_iter(match=f"{streams.prefix}:*"):
            cleanup.client.delete(key)
        cleanup.close()


def access_token(url: str) -> str:
    with httpx.Client(base_url=url) as http:
        body = {"email": "admin@example.com", "password": PASSWORD}
        assert http.post("/api/v1/auth/bootstrap", json=body).status_code == 201
        answer = http.post("/api/v1/auth/login", json=body)
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["access_token"]
    return token


def test_each_prediction_reaches_every_client_exactly_once(
    apis: tuple[Streams, list[Api]], fixture_id: int, redis_url: str
) -> None:
    streams, processes = apis
    token = access_token(processes[0].url)
    received: dict[int, list[dict[str, Any]]] = {0: [], 1: []}
    clients = []
    try:
        for index, api in enumerate(processes):
            client = socketio.Client(reconnection=False)
            client.on("prediction:update", received[index].append)
            client.connect(
                api.url, auth={"token": token}, transports=["websocket"], wait_timeout=10
            )
            clients.append(client)
            ack = client.call("subscribe", {"competition": "E0"}, timeout=10)
            assert ack == {"ok": True, "room": "competition:E0"}

        bus = RedisBus(redis_url)
        entry = {
            "fixture_id": fixture_id,
            "odds_id": 1,
            "model": "dixon-coles",
            "version": "1",
            "probabilities": {"home": 0.5, "draw": 0.3, "away": 0.2},
            "markets": {},
            "feature_hash": "abc123",
            "received_at": time.time(),
            "predicted_at": "2023-05-01T12:00:00+00:00",
        }
        bus.publish(streams.predictions, [json.dumps(entry).encode()])

        wait_for(
            lambda: received[0] and received[1], "the prediction on both processes", timeout=20
        )
        time.sleep(1.0)  # a second emit, from the other process, would have arrived by now
        for index in (0, 1):
            assert [u["fixture_id"] for u in received[index]] == [fixture_id], processes[
                index
            ].output()
            assert received[index][0]["competition"] == "E0"
        assert (
            bus.group_info(streams.predictions, REALTIME_GROUP).pending == 0
        )  # acked once emitted
        bus.close()
    finally:
        for client in clients:
            client.disconnect()


def test_sign_in_attempts_count_against_one_limit_across_processes(
    empty_database: None, apis: tuple[Streams, list[Api]]
) -> None:
    _, (first, second) = apis
    body = {"email": "admin@example.com", "password": PASSWORD}
    assert httpx.post(f"{first.url}/api/v1/auth/bootstrap", json=body).status_code == 201
    wrong = {**body, "password": "not the passphrase"}
    codes = [
        httpx.post(f"{api.url}/api/v1/auth/login", json=wrong).status_code
        for api in (first, second, first, second, first)
    ]
    assert codes == [401] * 5
    for api in (second, first):  # locked on both, even with the right password
        locked = httpx.post(f"{api.url}/api/v1/auth/login", json=body)
        assert locked.status_code == 429, api.output()
        assert int(locked.headers["Retry-After"]) > 0
