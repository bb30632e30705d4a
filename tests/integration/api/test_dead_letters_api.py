"""The dead-letter admin routes, on SQLite and PostgreSQL, memory and Redis: admins only,
paginated, replay once, JSON errors."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from scoreline.api.app import create_app
from scoreline.api.server import build_context
from scoreline.config import Settings
from scoreline.messaging.bus import Bus
from scoreline.messaging.dead_letters import DeadLetter, encode_dead_letter
from scoreline.messaging.names import Streams
from scoreline.messaging.redis_bus import RedisBus
from scoreline.storage.unit_of_work import UnitOfWork

PASSWORD = "correct horse battery staple"


@pytest.fixture
def client(
    unit_of_work: Callable[[], UnitOfWork], bus: Bus, streams: Streams, tmp_path: Path
) -> Iterator[TestClient]:
    settings = Settings(
        jwt_secret=SecretStr("s" * 48), database_url="sqlite:///unused.db", data_dir=tmp_path
    )
    with TestClient(
        create_app(build_context(settings, unit_of_work, bus=bus, streams=streams))
    ) as c:
        yield c


def login(client: TestClient, email: str) -> dict[str, str]:
    answer = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


@pytest.fixture
def admin(client: TestClient) -> dict[str, str]:
    made = client.post(
        "/api/v1/auth/bootstrap", json={"email": "admin@example.com", "password": PASSWORD}
    )
    assert made.status_code == 201
    return login(client, "admin@example.com")


def letters(bus: Bus, streams: Streams, n: int) -> list[str]:
    made = [
        DeadLetter(
            "workers",
            "bad_id" if i % 2 else "not_json",
            f"letter {i}",
            b'{"odds_id": 1e400, "n": %d}' % i,
            stream=streams.odds,
            entry=f"{i + 1}-0",
            deliveries=1,
        )
        for i in range(n)
    ]
    return bus.publish(streams.dead_letter, [encode_dead_letter(letter) for letter in made])


def test_admins_page_through_dead_letters_and_count_them(
    client: TestClient, admin: dict[str, str], bus: Bus, streams: Streams
) -> None:
    ids = letters(bus, streams, 5)
    first = client.get("/api/v1/admin/dead-letters", params={"limit": 2}, headers=admin).json()
    assert (first["total"], first["limit"], first["offset"]) == (5, 2, 0)
    assert [item["id"] for item in first["items"]] == [ids[4], ids[3]]
    assert first["items"][0]["payload"] == '{"odds_id": 1e400, "n": 4}'
    rest = client.get(
        "/api/v1/admin/dead-letters", params={"limit": 2, "offset": 4}, headers=admin
    ).json()
    assert [item["id"] for item in rest["items"]] == [ids[0]]
    only = client.get(
        "/api/v1/admin/dead-letters", params={"reason": "bad_id"}, headers=admin
    ).json()
    assert (only["total"], {i["reason"] for i in only["items"]}) == (2, {"bad_id"})
    counts = client.get("/api/v1/admin/dead-letters/reasons", headers=admin).json()
    assert counts == [
        {"stage": "workers", "reason": "not_json", "count": 3, "replayed": 0},
        {"stage": "workers", "reason": "bad_id", "count": 2, "replayed": 0},
    ]


def test_a_replay_puts_the_entry_back_once(
    client: TestClient, admin: dict[str, str], bus: Bus, streams: Streams
) -> None:
    ids = letters(bus, streams, 1)
    done = client.post(
        "/api/v1/admin/dead-letters/replay", json={"ids": [ids[0], "1-0"]}, headers=admin
    )
    assert done.status_code == 200, done.text
    replayed, missing = done.json()
    assert replayed["skipped"] is None
    assert missing == {"id": "1-0", "replayed_as": None, "skipped": "not_found", "message": None}
    again = client.post("/api/v1/admin/dead-letters/replay", json={"ids": ids}, headers=admin)
    assert again.json()[0]["skipped"] == "already_replayed"
    assert [e.payload for e in bus.tail(streams.odds, after="0", count=10, block_ms=0)] == [
        b'{"odds_id": 1e400, "n": 0}'
    ]
    listed = client.get("/api/v1/admin/dead-letters", headers=admin).json()["items"][0]
    assert listed["replay"]["replayed_as"] == replayed["replayed_as"]
    assert listed["replay"]["by"].startswith("user:")


def test_only_admins_and_bad_input_answers_json(client: TestClient, admin: dict[str, str]) -> None:
    client.post(
        "/api/v1/admin/users",
        json={"email": "t@example.com", "password": PASSWORD, "role": "trader"},
        headers=admin,
    )
    trader = login(client, "t@example.com")
    for answer in (
        client.get("/api/v1/admin/dead-letters", headers=trader),
        client.post("/api/v1/admin/dead-letters/replay", json={"ids": ["1-0"]}, headers=trader),
    ):
        assert answer.status_code == 403
        assert answer.json()["detail"][0]["type"] == "forbidden"
    assert client.get("/api/v1/admin/dead-letters").status_code == 401
    bodies: list[dict[str, object]] = [{"ids": []}, {"ids": ["1-0; DROP"]}, {"ids": "1-0"}]
    for body in bodies:
        bad = client.post("/api/v1/admin/dead-letters/replay", json=body, headers=admin)
        assert bad.status_code == 422
        assert bad.json()["detail"][0]["type"] == "invalid"
    bad = client.get("/api/v1/admin/dead-letters", params={"reason": "x\x00"}, headers=admin)
    assert bad.status_code == 422


def test_a_bus_that_is_down_answers_503(
    unit_of_work: Callable[[], UnitOfWork], tmp_path: Path
) -> None:
    settings = Settings(
        jwt_secret=SecretStr("s" * 48), database_url="sqlite:///unused.db", data_dir=tmp_path
    )
    down = RedisBus("redis://127.0.0.1:9/0", socket_timeout=0.5)
    context = build_context(settings, unit_of_work, bus=down, streams=Streams(prefix="d"))
    with TestClient(create_app(context)) as client:
        client.post(
            "/api/v1/auth/bootstrap", json={"email": "admin@example.com", "password": PASSWORD}
        )
        answer = client.get(
            "/api/v1/admin/dead-letters", headers=login(client, "admin@example.com")
        )
    assert answer.status_code == 503
    assert answer.json()["detail"][0]["type"] == "unavailable"


def test_a_process_without_the_streams_has_no_dead_letters(
    unit_of_work: Callable[[], UnitOfWork], tmp_path: Path
) -> None:
    settings = Settings(
        jwt_secret=SecretStr("s" * 48), database_url="sqlite:///unused.db", data_dir=tmp_path
    )
    with TestClient(create_app(build_context(settings, unit_of_work))) as client:
        client.post(
            "/api/v1/auth/bootstrap", json={"email": "admin@example.com", "password": PASSWORD}
        )
        headers = login(client, "admin@example.com")
        listed = client.get("/api/v1/admin/dead-letters", headers=headers)
        replayed = client.post(
            "/api/v1/admin/dead-letters/replay", json={"ids": ["1-0"]}, headers=headers
        )
    assert listed.json() == {"items": [], "total": 0, "limit": 50, "offset": 0}
    assert replayed.json()[0]["skipped"] == "not_found"
