"""The dashboard's cookie sessions on SQLite and PostgreSQL: httpOnly, CSRF on writes, sign-out."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from scoreline.api.app import create_app
from scoreline.api.server import build_context
from scoreline.api.sessions import CSRF_COOKIE, SESSION_COOKIE
from scoreline.config import Settings
from scoreline.storage.unit_of_work import UnitOfWork

PASSWORD = "correct horse battery staple"
ADMIN = {"email": "admin@example.com", "password": PASSWORD}


@pytest.fixture
def client(unit_of_work: Callable[[], UnitOfWork]) -> Iterator[TestClient]:
    settings = Settings(jwt_secret=SecretStr("s" * 48), database_url="sqlite:///unused.db")
    with TestClient(create_app(build_context(settings, unit_of_work))) as made:
        yield made


def sign_in(client: TestClient) -> str:
    """Bootstrap the admin and sign the browser in; the CSRF value to echo."""
    assert client.get("/api/v1/auth/setup").json() == {"needs_bootstrap": True, "user": None}
    assert client.post("/api/v1/auth/bootstrap", json=ADMIN).status_code == 201
    assert client.get("/api/v1/auth/setup").json() == {"needs_bootstrap": False, "user": None}
    answer = client.post("/api/v1/auth/session", json=ADMIN)
    assert answer.status_code == 200, answer.text
    assert answer.json()["email"] == ADMIN["email"]
    assert "token" not in answer.text  # nothing for a script to keep
    cookies = {c.split("=", 1)[0]: c for c in answer.headers.get_list("set-cookie")}
    session, csrf = cookies[SESSION_COOKIE], cookies[CSRF_COOKIE]
    assert "HttpOnly" in session
    assert "SameSite=strict" in session
    assert "Path=/" in session
    assert "HttpOnly" not in csrf
    assert "SameSite=strict" in csrf
    assert client.get("/api/v1/auth/setup").json()["user"]["email"] == ADMIN["email"]
    value = client.cookies.get(CSRF_COOKIE)
    assert isinstance(value, str)
    assert value
    return value


def test_a_session_reads_with_its_cookie_and_writes_only_with_the_csrf_token(
    client: TestClient,
) -> None:
    csrf = sign_in(client)
    assert client.get("/api/v1/me").json()["role"] == "admin"
    body = {"name": "Main"}
    refused = client.post("/api/v1/portfolios", json=body)
    assert refused.status_code == 403
    assert "X-CSRF-Token" in refused.json()["detail"][0]["msg"]
    altered = csrf[:-1] + ("1" if csrf.endswith("0") else "0")  # one character off
    wrong = client.post("/api/v1/portfolios", json=body, headers={"X-CSRF-Token": altered})
    assert wrong.status_code == 403
    made = client.post("/api/v1/portfolios", json=body, headers={"X-CSRF-Token": csrf})
    assert made.status_code == 201, made.text
    listed = client.get("/api/v1/portfolios").json()
    assert [p["name"] for p in listed["items"]] == ["Main"]


def test_signing_out_ends_the_session_on_the_server(client: TestClient) -> None:
    csrf = sign_in(client)
    stolen = client.cookies.get(SESSION_COOKIE)
    assert stolen
    assert client.delete("/api/v1/auth/session").status_code == 403  # a write: CSRF needed
    out = client.delete("/api/v1/auth/session", headers={"X-CSRF-Token": csrf})
    assert out.status_code == 204
    assert client.cookies.get(SESSION_COOKIE) is None
    assert client.get("/api/v1/me").status_code == 401
    # A copy of the cookie taken before signing out is worth nothing now.
    client.cookies.set(SESSION_COOKIE, stolen)
    replay = client.get("/api/v1/me")
    assert replay.status_code == 401
    assert replay.json()["detail"][0]["msg"] == "your session has ended; sign in again"


def test_a_forged_cookie_and_bearer_callers_are_told_apart(client: TestClient) -> None:
    sign_in(client)
    real = client.cookies.get(SESSION_COOKIE)
    client.cookies.set(SESSION_COOKIE, "sls_" + "A" * 43)
    assert client.get("/api/v1/me").status_code == 401
    client.cookies.set(SESSION_COOKIE, str(real))
    assert client.get("/api/v1/me").status_code == 200
    tokens = client.post("/api/v1/auth/login", json=ADMIN).json()
    client.cookies.clear()
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    # Programs with a bearer token need no CSRF token: no browser sends that header by itself.
    made = client.post("/api/v1/portfolios", json={"name": "Bot"}, headers=bearer)
    assert made.status_code == 201, made.text


def test_wrong_passwords_open_no_session(client: TestClient) -> None:
    assert client.post("/api/v1/auth/bootstrap", json=ADMIN).status_code == 201
    wrong = client.post("/api/v1/auth/session", json={**ADMIN, "password": "nope"})
    assert wrong.status_code == 401
    assert SESSION_COOKIE not in wrong.headers.get("set-cookie", "")
    assert client.get("/api/v1/me").status_code == 401
