"""The cached predictions fast path answers exactly as the route does, and only when it may."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select

from conftest import SAMPLE_DATA
from scoreline.api.context import ApiContext
from scoreline.api.fast_path import _competition
from scoreline.api.server import build_server
from scoreline.config import Settings
from scoreline.messaging.memory_bus import MemoryBus
from scoreline.messaging.names import Streams
from scoreline.services.fitting import fit_dixon_coles
from scoreline.services.ingest import ingest_football_data
from scoreline.services.predicting import predict_fixtures
from scoreline.storage.tables import ApiKeyRow
from scoreline.storage.unit_of_work import UnitOfWork

PASSWORD = "correct horse battery staple"
PATH = "/api/v1/predictions"


@pytest.fixture
def client(unit_of_work: Callable[[], UnitOfWork], tmp_path: Path) -> Iterator[TestClient]:
    ingest_football_data(unit_of_work, [SAMPLE_DATA / "E0" / "2022-2023.csv"])
    models = tmp_path / "models"
    fit_dixon_coles(unit_of_work, artifacts_dir=models, as_of=datetime(2023, 3, 1, tzinfo=UTC))
    predict_fixtures(
        unit_of_work, artifacts_dir=models, start=datetime(2023, 3, 1, tzinfo=UTC), days=30
    )
    settings = Settings(jwt_secret=SecretStr("f" * 48), database_url="sqlite:///unused.db")
    server = build_server(settings, unit_of_work, bus=MemoryBus(), streams=Streams(prefix="fp"))
    with TestClient(server.asgi) as made:
        # Each invalidator drops the caches once on its first read: past that, a warm
        # read stays warm (else a count of fast reads depends on when that read lands).
        for invalidator in server.invalidators:
            assert invalidator.ready.wait(10)
        made.post("/api/v1/auth/bootstrap", json={"email": "a@example.com", "password": PASSWORD})
        GATEWAYS[made] = server.context
        yield made


GATEWAYS: dict[TestClient, ApiContext] = {}


def gateway(client: TestClient) -> ApiContext:
    return GATEWAYS[client]


def bearer(client: TestClient, email: str = "a@example.com") -> dict[str, str]:
    answer = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def test_a_warm_read_is_the_routes_answer_byte_for_byte(client: TestClient) -> None:
    headers = bearer(client)
    state = gateway(client)
    first = client.get(PATH, params={"competition": "E0"}, headers=headers)  # the route
    assert first.status_code == 200
    assert len(first.json()["items"]) > 0
    assert state.stats.fast_reads == 0
    second = client.get(PATH, params={"competition": "E0"}, headers=headers)
    third = client.get(f"{PATH}?competition=E0&limit=100&offset=0", headers=headers)
    assert state.stats.fast_reads == 2
    assert second.content == first.content == third.content
    drop = {"date"}
    assert {k: v for k, v in second.headers.items() if k not in drop} == {
        k: v for k, v in first.headers.items() if k not in drop
    }


def test_anything_unusual_goes_to_the_route(
    client: TestClient, unit_of_work: Callable[[], UnitOfWork]
) -> None:
    headers = bearer(client)
    state = gateway(client)
    client.get(PATH, params={"competition": "E0"}, headers=headers)  # warm
    small = client.get(PATH, params={"competition": "E0", "limit": 5}, headers=headers)
    assert len(small.json()["items"]) == 5
    assert client.get(PATH, params={"competition": "E0"}).status_code == 401
    value = headers["Authorization"]
    # A character in the middle of the signature: every bit of it counts (the last may not).
    flipped = "A" if value[-10] != "A" else "B"
    forged = {"Authorization": value[:-10] + flipped + value[-9:]}
    assert client.get(PATH, params={"competition": "E0"}, headers=forged).status_code == 401
    too_long = client.get(PATH, params={"competition": "E" * 17}, headers=headers)
    assert too_long.status_code == 422
    key = client.post("/api/v1/keys", json={"name": "bot", "scopes": ["read"]}, headers=headers)
    by_key = client.get(
        PATH, params={"competition": "E0"}, headers={"X-API-Key": key.json()["secret"]}
    )
    assert by_key.status_code == 200  # a key not yet checked goes to the route
    assert state.stats.fast_reads == 0


def test_a_checked_key_reads_from_memory_its_use_batched_and_its_revocation_at_once(
    client: TestClient, unit_of_work: Callable[[], UnitOfWork]
) -> None:
    headers = bearer(client)
    state = gateway(client)
    made = client.post("/api/v1/keys", json={"name": "bot", "scopes": ["read"]}, headers=headers)
    by_key = {"X-API-Key": made.json()["secret"]}
    first = client.get(PATH, params={"competition": "E0"}, headers=by_key)  # checked, cached
    second = client.get(PATH, params={"competition": "E0"}, headers=by_key)
    assert second.content == first.content
    assert state.stats.fast_reads == 1
    with unit_of_work() as uow:
        assert uow.session.scalar(select(ApiKeyRow.last_used_at)) is None  # not yet written
    state.auth.keys.flush()
    with unit_of_work() as uow:
        assert uow.session.scalar(select(ApiKeyRow.last_used_at)) is not None
    client.delete(f"/api/v1/keys/{made.json()['id']}", headers=headers)
    assert client.get(PATH, params={"competition": "E0"}, headers=by_key).status_code == 401


def test_a_disabled_account_is_refused_at_once(client: TestClient) -> None:
    admin = bearer(client)
    made = client.post(
        "/api/v1/admin/users",
        json={"email": "v@example.com", "password": PASSWORD, "role": "viewer"},
        headers=admin,
    )
    viewer = bearer(client, "v@example.com")
    assert client.get(PATH, params={"competition": "E0"}, headers=viewer).status_code == 200
    assert client.get(PATH, params={"competition": "E0"}, headers=viewer).status_code == 200
    assert gateway(client).stats.fast_reads == 1
    client.patch(
        f"/api/v1/admin/users/{made.json()['id']}", json={"is_active": False}, headers=admin
    )
    assert client.get(PATH, params={"competition": "E0"}, headers=viewer).status_code == 401


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (b"competition=E0", "E0"),
        (b"competition=E0&limit=100&offset=0", "E0"),
        (b"offset=0&competition=SP1", "SP1"),
        (b"competition=E0&limit=5", None),
        (b"competition=E0&competition=E1", None),
        (b"competition=", None),
        (b"competition=" + b"E" * 17, None),
        (b"limit=100", None),
        (b"competition=E0&x=1", None),
        (b"competition=%FF", None),
        (b"", None),
    ],
)
def test_only_the_default_page_of_one_competition_is_served_early(
    query: bytes, expected: str | None
) -> None:
    assert _competition(query) == expected
