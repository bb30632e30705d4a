"""Admin endpoints on SQLite and PostgreSQL: status, refits, uploads, users and every key."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from conftest import SAMPLE_DATA
from scoreline.api.app import create_app
from scoreline.api.server import build_context
from scoreline.config import Settings
from scoreline.domain.workers import WorkerHeartbeat
from scoreline.messaging.memory_bus import MemoryBus
from scoreline.messaging.names import Streams
from scoreline.services import model_versions, worker_heartbeats
from scoreline.storage.unit_of_work import UnitOfWork

PASSWORD = "correct horse battery staple"
E0 = SAMPLE_DATA / "E0" / "2022-2023.csv"


@pytest.fixture
def client(unit_of_work: Callable[[], UnitOfWork], tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(
        jwt_secret=SecretStr("s" * 48), database_url="sqlite:///unused.db", data_dir=tmp_path
    )
    app = create_app(
        build_context(settings, unit_of_work, bus=MemoryBus(), streams=Streams(prefix="t"))
    )
    with TestClient(app) as made:
        yield made


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


@pytest.fixture
def trader(client: TestClient, admin: dict[str, str]) -> tuple[int, dict[str, str]]:
    made = client.post(
        "/api/v1/admin/users",
        json={"email": "trader@example.com", "password": PASSWORD, "role": "trader"},
        headers=admin,
    )
    assert made.status_code == 201
    return made.json()["id"], login(client, "trader@example.com")


def upload(
    client: TestClient, headers: dict[str, str], data: bytes, name: str
) -> dict[str, object]:
    answer = client.post(
        "/api/v1/admin/ingest/football-data",
        params={"filename": name},
        content=data,
        headers={**headers, "Content-Type": "text/csv"},
    )
    assert answer.status_code == 200, answer.text
    body: dict[str, object] = answer.json()
    return body


def test_only_admins_reach_admin_endpoints(
    client: TestClient, trader: tuple[int, dict[str, str]]
) -> None:
    _, headers = trader
    for method, path in (
        ("GET", "/api/v1/admin/status"),
        ("POST", "/api/v1/admin/refit"),
        ("GET", "/api/v1/admin/keys"),
        ("POST", "/api/v1/admin/ingest/football-data"),
        ("PATCH", "/api/v1/admin/users/1"),
    ):
        answer = client.request(method, path, headers=headers, json={})
        assert answer.status_code == 403, (method, path, answer.text)


def test_an_uploaded_file_loads_then_is_unchanged_and_bad_ones_are_refused(
    client: TestClient, admin: dict[str, str]
) -> None:
    first = upload(client, admin, E0.read_bytes(), "2022-2023.csv")
    assert (first["status"], first["matches"], first["fixtures_inserted"]) == ("loaded", 380, 380)
    assert first["odds_inserted"]
    assert first["odds_kept"] == 0
    assert upload(client, admin, E0.read_bytes(), "2022-2023.csv")["status"] == "unchanged"
    broken = client.post(
        "/api/v1/admin/ingest/football-data",
        params={"filename": "2023-2024.csv"},
        content=b"not,a\nfootball,file\n",
        headers={**admin, "Content-Type": "text/csv"},
    )
    assert broken.status_code == 422
    assert broken.json()["detail"][0]["msg"].startswith("2023-2024.csv: required column(s) missing")
    wrong_type = client.post(
        "/api/v1/admin/ingest/football-data",
        content=b"x",
        headers={**admin, "Content-Type": "application/json"},
    )
    assert wrong_type.status_code == 415
    bad_name = client.post(
        "/api/v1/admin/ingest/football-data",
        params={"filename": "../../etc/passwd.csv"},
        content=b"x",
        headers={**admin, "Content-Type": "text/csv"},
    )
    assert bad_name.status_code == 422
    assert "filename" in bad_name.json()["detail"][0]["msg"]
    status = client.get("/api/v1/admin/status", headers=admin).json()
    # Listed by the name it was sent with, not the temporary folder it was read from.
    assert [(f["path"], f["rows"], f["partial"]) for f in status["source_files"]] == [
        ("2022-2023.csv", 380, False)
    ]


def test_a_refit_runs_in_the_background_and_becomes_the_active_model(
    client: TestClient, admin: dict[str, str], unit_of_work: Callable[[], UnitOfWork]
) -> None:
    upload(client, admin, E0.read_bytes(), "2022-2023.csv")
    assert client.get("/api/v1/admin/refit", headers=admin).json()["state"] == "idle"
    started = client.post("/api/v1/admin/refit", headers=admin)
    assert started.status_code == 202
    assert started.json()["state"] == "running"
    client.app.state.context.refits.join(timeout=120)  # type: ignore[attr-defined]
    done = client.get("/api/v1/admin/refit", headers=admin).json()
    assert done["state"] == "done", done
    active = model_versions.active(unit_of_work)
    name, version = active.name, active.version
    assert (name, version) == ("dixon-coles", done["version"])
    status = client.get("/api/v1/admin/status", headers=admin).json()
    assert status["active_model"] == {"name": name, "version": version}
    assert status["bus_error"] is None
    readers = {s["name"]: [g["name"] for g in s["groups"]] for s in status["streams"]}
    assert readers == {
        "t:odds": ["workers", "api-bridge", "alerts"],
        "t:predictions": ["api-bridge", "alerts"],
        "t:results": ["settlement"],
        "t:settlements": ["api-bridge"],
    }
    models = client.get("/api/v1/models", headers=admin).json()
    assert [(m["version"], m["is_active"]) for m in models["items"]] == [(version, True)]
    again = client.put(
        "/api/v1/admin/models/active", json={"name": name, "version": version}, headers=admin
    )
    assert again.status_code == 200
    assert again.json()["is_active"]
    missing = client.put(
        "/api/v1/admin/models/active", json={"name": name, "version": "nope"}, headers=admin
    )
    assert missing.status_code == 404


def register(unit_of_work: Callable[[], UnitOfWork], version: str, *, active: bool) -> int:
    with unit_of_work() as uow:
        version_id = uow.model_versions.add(
            name="dixon-coles",
            version=version,
            created_at=datetime.now(UTC),
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


def test_the_status_lists_the_workers_with_the_version_each_serves(
    client: TestClient, admin: dict[str, str], unit_of_work: Callable[[], UnitOfWork]
) -> None:
    assert client.get("/api/v1/admin/status", headers=admin).json()["workers"] == []
    old = register(unit_of_work, "20261201T080000000000Z", active=False)
    new = register(unit_of_work, "20261203T100026123456Z", active=True)
    now = datetime.now(UTC)
    for name, version_id, seen_s, state in (
        ("box-1-101-aaa", new, 1, "running"),
        ("box-1-102-bbb", old, 3, "running"),  # not yet switched to the new version
        ("box-2-103-ccc", new, 600, "running"),  # killed: it never said it stopped
        ("box-2-104-ddd", old, 7200, "stopped"),
        ("box-3-105-eee", old, 2 * 86400, "stopped"),  # over a day ago: not listed
    ):
        worker_heartbeats.record(
            unit_of_work,
            beat=WorkerHeartbeat(
                consumer=name,
                host=name[:5],
                pid=int(name.split("-")[2]),
                started_at=now - timedelta(days=3),
                last_seen_at=now - timedelta(seconds=seen_s),
                model_version_id=version_id,
                beat_every_s=5.0,
                entries_handled=1_000,
                predictions=990,
                dead_lettered=10,
                state=state,  # type: ignore[arg-type]
            ),
        )
    workers = client.get("/api/v1/admin/status", headers=admin).json()["workers"]
    shown = [
        (w["name"], w["host"], w["pid"], w["version"], w["serves_active"], w["state"])
        for w in workers
    ]
    assert shown == [
        ("box-1-101-aaa", "box-1", 101, "20261203T100026123456Z", True, "running"),
        ("box-1-102-bbb", "box-1", 102, "20261201T080000000000Z", False, "running"),
        ("box-2-103-ccc", "box-2", 103, "20261203T100026123456Z", True, "stale"),
        ("box-2-104-ddd", "box-2", 104, "20261201T080000000000Z", False, "stopped"),
    ]
    first = workers[0]
    assert first["model"] == "dixon-coles"
    assert first["model_version_id"] == new
    assert (first["entries_handled"], first["predictions"], first["dead_lettered"]) == (
        1_000,
        990,
        10,
    )
    # Reckoned when the request was served, a moment after the beats were written.
    assert [w["seen_seconds_ago"] for w in workers] == [
        pytest.approx(s, abs=5) for s in (1, 3, 600, 7200)
    ]


def test_a_refit_with_nothing_to_fit_on_reports_why(
    client: TestClient, admin: dict[str, str]
) -> None:
    assert client.post("/api/v1/admin/refit", headers=admin).status_code == 202
    client.app.state.context.refits.join(timeout=60)  # type: ignore[attr-defined]
    failed = client.get("/api/v1/admin/refit", headers=admin).json()
    assert failed["state"] == "failed"
    assert "no finished matches" in failed["error"]


def test_disabling_a_user_ends_their_sessions_and_keys_are_revocable_by_admins(
    client: TestClient, admin: dict[str, str], trader: tuple[int, dict[str, str]]
) -> None:
    trader_id, trader_headers = trader
    key = client.post(
        "/api/v1/keys", json={"name": "bot", "scopes": ["read"]}, headers=trader_headers
    ).json()
    listed = client.get("/api/v1/admin/keys", headers=admin).json()
    assert [(k["email"], k["name"], k["user_id"]) for k in listed["items"]] == [
        ("trader@example.com", "bot", trader_id)
    ]
    assert "secret" not in listed["items"][0]
    bot = {"X-API-Key": key["secret"]}
    assert client.get("/api/v1/me", headers=bot).status_code == 200
    assert client.delete(f"/api/v1/admin/keys/{key['id']}", headers=admin).status_code == 204
    assert client.get("/api/v1/me", headers=bot).status_code == 401
    assert client.delete("/api/v1/admin/keys/999999", headers=admin).status_code == 404

    session = client.post(
        "/api/v1/auth/session", json={"email": "trader@example.com", "password": PASSWORD}
    )
    assert session.status_code == 200
    assert client.get("/api/v1/me").json()["email"] == "trader@example.com"
    changed = client.patch(
        f"/api/v1/admin/users/{trader_id}", json={"is_active": False}, headers=admin
    )
    assert changed.status_code == 200
    assert changed.json()["is_active"] is False
    assert client.get("/api/v1/me").status_code == 401  # the browser session ended
    assert client.get("/api/v1/me", headers=trader_headers).status_code == 401
    promoted = client.patch(
        f"/api/v1/admin/users/{trader_id}", json={"role": "viewer"}, headers=admin
    )
    assert promoted.json()["role"] == "viewer"
    me = client.get("/api/v1/me", headers=admin).json()
    assert (
        client.patch(
            f"/api/v1/admin/users/{me['id']}", json={"is_active": False}, headers=admin
        ).status_code
        == 409
    )
