"""Faults at the edge (issue 17, items 7 to 10 and 12): what a client sends cannot break the
gateway, and sign-in cannot be abused.

Each case runs on SQLite with the in-memory login limiter and on PostgreSQL with the
Redis limiter (``gateway``): NUL and other control characters answer a JSON 422
naming the field (PostgreSQL used to answer a plain 500); ``stake_minor: true`` is a
422 that places nothing; a replayed refresh token ends its whole family; spraying
emails from one address is refused; an unknown or disabled account costs the argon2
check a real one does. A real uvicorn server in a thread takes a 100 MB anonymous
body (413 before anything reads it, with little memory) and a burst of sign-ins past
the argon2 queue (429 with ``Retry-After``). Two ``scoreline api`` processes share
the login limits on Redis.
"""

from __future__ import annotations

import os
import socket
import threading
import tracemalloc
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr

from conftest import _truncate_all
from scoreline.api.app import create_app
from scoreline.api.context import ApiContext
from scoreline.api.deps import context as context_dependency
from scoreline.api.rate_limit import login_limiter
from scoreline.api.server import build_context
from scoreline.config import Settings
from scoreline.domain.people import Role
from scoreline.errors import AuthError
from scoreline.services import accounts, sign_in
from scoreline.services.passwords import PasswordChecker
from scoreline.storage.db import make_engine, unit_of_work_factory, upgrade
from scoreline.storage.unit_of_work import UnitOfWork
from servers import Api, ServerThread, wait_for

PASSWORD = "correct horse battery staple"
EMAIL = "trader@example.com"
SETTINGS = Settings(jwt_secret=SecretStr("s" * 48), database_url="sqlite:///unused.db")


@dataclass
class Gateway:
    """An app on one backend, its context, and a client signed in as a trader."""

    app: FastAPI
    context: ApiContext
    client: TestClient
    headers: dict[str, str]


@dataclass
class Backend:
    """A database's units of work, and Redis (None: the in-memory limiter) with a key prefix
    of the test's own (the server is shared)."""

    unit_of_work: Callable[[], UnitOfWork]
    redis: redis.Redis | None
    prefix: str = field(default_factory=lambda: f"test:{uuid.uuid4().hex[:10]}")


def _app(backend: Backend, passwords: PasswordChecker | None = None) -> tuple[FastAPI, ApiContext]:
    settings = SETTINGS.model_copy(update={"stream_prefix": backend.prefix})
    made = build_context(settings, backend.unit_of_work, redis=backend.redis)
    if passwords is not None:
        made = replace(made, passwords=passwords)
    return create_app(made), made


@pytest.fixture(
    params=[
        pytest.param("sqlite-memory"),
        pytest.param("postgres-redis", marks=[pytest.mark.postgres, pytest.mark.redis]),
    ]
)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    """SQLite with the in-memory limiter, PostgreSQL with the Redis limiter."""
    if request.param == "sqlite-memory":
        engine = make_engine(f"sqlite:///{tmp_path / 'edge.db'}")
        upgrade(engine)
        yield Backend(unit_of_work_factory(engine), None)
        engine.dispose()
        return
    engine = make_engine(request.getfixturevalue("postgres_url"))
    _truncate_all(engine)
    client = redis.Redis.from_url(request.getfixturevalue("redis_url"))
    made = Backend(unit_of_work_factory(engine), client)
    yield made
    for key in client.scan_iter(match=f"{made.prefix}:*"):
        client.delete(key)
    client.close()
    engine.dispose()


@pytest.fixture
def gateway(backend: Backend) -> Iterator[Gateway]:
    app, context = _app(backend)
    with TestClient(app) as client:
        _bootstrap(client)
        yield Gateway(app, context, client, _bearer(client, EMAIL))


def _bootstrap(client: TestClient) -> None:
    admin = {"email": "admin@example.com", "password": PASSWORD}
    assert client.post("/api/v1/auth/bootstrap", json=admin).status_code == 201
    headers = _bearer(client, admin["email"])
    trader = {"email": EMAIL, "password": PASSWORD, "role": "trader"}
    assert client.post("/api/v1/admin/users", json=trader, headers=headers).status_code == 201


def _bearer(client: TestClient, email: str) -> dict[str, str]:
    answer = client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def _error(answer: httpx.Response, status: int) -> dict[str, Any]:
    """The one error of a JSON error answer with this status."""
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/json"
    (detail,) = answer.json()["detail"]
    return dict(detail)


# -- control characters and strict types -------------------------------------------------


def test_control_characters_answer_a_json_422_naming_the_field(gateway: Gateway) -> None:
    client, headers = gateway.client, gateway.headers
    named = client.post("/api/v1/portfolios", json={"name": "main\x00"}, headers=headers)
    assert _error(named, 422)["loc"] == ["body", "name"]
    queried = client.get("/api/v1/fixtures?competition=E%000", headers=headers)
    assert _error(queried, 422)["loc"] == ["query", "competition"]
    pathed = client.get("/api/v1/fixtures/1%00", headers=headers)
    assert _error(pathed, 422)["loc"] == ["path", "fixture_id"]
    cookie = client.get("/api/v1/fixtures", headers={"Cookie": 'scoreline_session="\\000"'})
    assert _error(cookie, 422)["loc"] == ["header", "cookie"]
    tabbed = client.post("/api/v1/keys", json={"name": "bot\tone"}, headers=headers)
    assert _error(tabbed, 422)["msg"] == "contains the control character U+0009; remove it"
    listed = client.get("/api/v1/portfolios", headers=headers).json()
    assert listed["total"] == 0  # nothing was stored on the way


def test_a_password_may_hold_any_character_it_is_only_hashed(gateway: Gateway) -> None:
    answer = gateway.client.post(
        "/api/v1/auth/login", json={"email": EMAIL, "password": "tab\there\x00"}
    )
    assert _error(answer, 401)["msg"] == "wrong email or password"


@pytest.mark.parametrize("stake", [True, 1.0, "1", None])
def test_a_stake_that_is_not_a_json_integer_is_a_422_and_places_nothing(
    gateway: Gateway, stake: object
) -> None:
    client, headers = gateway.client, gateway.headers
    portfolio = client.post("/api/v1/portfolios", json={"name": "main"}, headers=headers).json()
    path = f"/api/v1/portfolios/{portfolio['id']}"
    assert client.post(f"{path}/deposits", json={"amount_minor": 10_000}, headers=headers)
    bet = {"odds_snapshot_id": 1, "selection": "home", "stake_minor": stake}
    refused = client.post(f"{path}/bets", json=bet, headers=headers)
    assert _error(refused, 422)["loc"] == ["body", "stake_minor"]
    assert client.get(f"{path}/bets", headers=headers).json()["total"] == 0
    assert client.get(path, headers=headers).json()["bankroll_minor"] == 10_000


def test_a_boolean_deposit_is_refused_where_it_was_taken_as_one(gateway: Gateway) -> None:
    client, headers = gateway.client, gateway.headers
    portfolio = client.post("/api/v1/portfolios", json={"name": "main"}, headers=headers).json()
    path = f"/api/v1/portfolios/{portfolio['id']}"
    refused = client.post(f"{path}/deposits", json={"amount_minor": True}, headers=headers)
    assert _error(refused, 422)["loc"] == ["body", "amount_minor"]
    assert client.get(path, headers=headers).json()["bankroll_minor"] == 0


def test_the_upload_takes_a_file_past_the_json_limit_and_no_more_than_its_own(
    gateway: Gateway,
) -> None:
    client, settings = gateway.client, gateway.context.settings
    upload = "/api/v1/admin/ingest/football-data"
    body = b"x" * (settings.max_body_bytes + 1)
    too_big_for_json = client.post("/api/v1/portfolios", content=body, headers=gateway.headers)
    assert _error(too_big_for_json, 413)["loc"] == ["header", "content-length"]
    # Past the JSON limit the upload still gets to its route, which wants an admin.
    assert _error(client.post(upload, content=body, headers=gateway.headers), 403)
    declared = {"Content-Length": str(settings.max_upload_bytes + 1)}
    refused = client.post(upload, content=b"x" * (settings.max_upload_bytes + 1), headers=declared)
    assert "20,971,520 bytes" in _error(refused, 413)["msg"]


# -- sign-in -----------------------------------------------------------------------------


def test_replaying_a_rotated_refresh_token_ends_the_whole_family(gateway: Gateway) -> None:
    client = gateway.client
    first = client.post("/api/v1/auth/login", json={"email": EMAIL, "password": PASSWORD}).json()
    other = client.post("/api/v1/auth/login", json={"email": EMAIL, "password": PASSWORD}).json()
    second = client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert second.status_code == 200
    replayed = client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert _error(replayed, 401)["type"] == "unauthorized"
    newer = client.post(
        "/api/v1/auth/refresh", json={"refresh_token": second.json()["refresh_token"]}
    )
    assert _error(newer, 401)["msg"] == "this refresh token was already used or revoked"
    # Another sign-in of the same account is another family, and lives on.
    apart = client.post("/api/v1/auth/refresh", json={"refresh_token": other["refresh_token"]})
    assert apart.status_code == 200


def test_spraying_emails_from_one_address_is_refused(gateway: Gateway) -> None:
    client = gateway.client
    allowed = sign_in.DEFAULT_POLICY.emails_per_address
    for n in range(allowed):
        wrong = {"email": f"guess{n}@example.com", "password": "a wrong passphrase"}
        assert client.post("/api/v1/auth/login", json=wrong).status_code == 401
    sprayed = client.post(
        "/api/v1/auth/login", json={"email": "one-more@example.com", "password": "guess"}
    )
    assert _error(sprayed, 429)["type"] == "rate_limited"
    assert int(sprayed.headers["Retry-After"]) > 0
    # The owner of an email already tried from this address is not locked out by it.
    again = client.post("/api/v1/auth/login", json={"email": "guess0@example.com", "password": "x"})
    assert again.status_code == 401


class CountingChecker(PasswordChecker):
    """The process's checker, counting the argon2 checks it makes."""

    def __init__(self) -> None:
        super().__init__(workers=1, queue=4)
        self.checks = 0

    def verify(self, stored_hash: str, plain: str) -> bool:
        self.checks += 1
        return super().verify(stored_hash, plain)


def test_unknown_disabled_and_real_accounts_cost_one_argon2_check_each(
    backend: Backend,
) -> None:
    unit_of_work = backend.unit_of_work
    admin = accounts.bootstrap(unit_of_work, email="admin@example.com", password=PASSWORD)
    user = accounts.create_user(
        unit_of_work, email="gone@example.com", password=PASSWORD, role=Role.TRADER
    )
    accounts.change(unit_of_work, caller_id=admin.id, user_id=user.id, is_active=False)
    limiter = login_limiter(backend.redis, key_prefix=f"{backend.prefix}:login:")
    checker = CountingChecker()
    for email, password in [
        ("nobody@example.com", PASSWORD),  # unknown
        ("gone@example.com", PASSWORD),  # disabled, right password
        ("admin@example.com", "a wrong passphrase"),  # real, wrong password
    ]:
        before = checker.checks
        with pytest.raises(AuthError, match="wrong email or password"):
            sign_in.log_in(
                unit_of_work,
                limiter=limiter,
                email=email,
                password=password,
                client="10.0.0.1",
                secret="s" * 48,
                now=datetime.now(UTC),
                passwords=checker,
            )
        assert checker.checks == before + 1
    checker.close()


# -- a real server: bodies and the argon2 queue --------------------------------------------


MIB = 1024 * 1024


def _send_body(port: int, head: bytes, chunks: int, chunk: bytes, *, chunked: bool) -> bytes:
    """Send ``head``, then up to ``chunks`` pieces of body until the server answers; the
    answer (status line, headers, body)."""
    with socket.create_connection(("127.0.0.1", port), timeout=20) as connection:
        connection.sendall(head)
        for _ in range(chunks):
            piece = b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk
            try:
                connection.sendall(piece)
            except (BrokenPipeError, ConnectionResetError):
                break
            connection.setblocking(False)
            try:
                early = connection.recv(65536)
            except BlockingIOError:
                early = b""
            connection.setblocking(True)
            if early:
                return early + _rest(connection)
        return _rest(connection)


def _rest(connection: socket.socket) -> bytes:
    out = b""
    try:
        while part := connection.recv(65536):
            out += part
    except (ConnectionResetError, TimeoutError):
        pass
    return out


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_100_mb_anonymous_body_is_refused_before_anything_reads_it(
    tmp_path: Path, chunked: bool
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'edge.db'}")
    upgrade(engine)
    app, context = _app(Backend(unit_of_work_factory(engine), None))
    handled: list[str] = []

    async def spy() -> ApiContext:
        handled.append("a route's dependencies were solved")
        return context

    app.dependency_overrides[context_dependency] = spy
    framing = b"Transfer-Encoding: chunked" if chunked else b"Content-Length: %d" % (100 * MIB)
    head = (
        b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + framing
        + b"\r\n\r\n"
    )
    with ServerThread(app) as server:
        tracemalloc.start()
        answer = _send_body(server.port, head, 100, b"x" * MIB, chunked=chunked)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    engine.dispose()
    status_line, _, rest = answer.partition(b"\r\n")
    assert status_line.split()[1] == b"413", answer[:300]
    assert b"application/json" in rest
    assert b'"type":"too_large"' in rest.replace(b" ", b"")
    assert handled == []
    assert peak < 8 * MIB, f"peak {peak / MIB:.1f} MiB while refusing a 100 MiB body"


def test_a_full_argon2_queue_answers_429_and_reads_go_on(backend: Backend) -> None:
    unit_of_work = backend.unit_of_work
    accounts.bootstrap(unit_of_work, email=EMAIL, password=PASSWORD)
    # An account each, so that no login limit refuses first: only the queue does.
    emails = [f"user{n}@example.com" for n in range(6)]
    for email in emails:
        accounts.create_user(unit_of_work, email=email, password=PASSWORD, role=Role.VIEWER)
    checker = PasswordChecker(workers=1, queue=1)
    app, _ = _app(backend, passwords=checker)
    with ServerThread(app) as server:
        token = httpx.post(
            f"{server.url}/api/v1/auth/login", json={"email": EMAIL, "password": PASSWORD}
        ).json()["access_token"]
        answers: list[httpx.Response] = []
        lock = threading.Lock()
        start = threading.Barrier(len(emails))

        def sign_in_once(email: str) -> None:
            start.wait()
            made = httpx.post(
                f"{server.url}/api/v1/auth/login",
                json={"email": email, "password": PASSWORD},
                timeout=60,
            )
            with lock:
                answers.append(made)

        threads = [threading.Thread(target=sign_in_once, args=(e,)) for e in emails]
        for thread in threads:
            thread.start()
        read = httpx.get(
            f"{server.url}/api/v1/competitions", headers={"Authorization": f"Bearer {token}"}
        )
        for thread in threads:
            thread.join()
    checker.close()
    assert read.status_code == 200
    statuses = sorted(a.status_code for a in answers)
    assert set(statuses) == {200, 429}, statuses
    for refused in (a for a in answers if a.status_code == 429):
        assert refused.headers["Retry-After"] == "1"
        assert refused.json()["detail"][0]["msg"].startswith("too many sign-ins at once")


# -- two processes -------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.slow
def test_two_api_processes_share_the_login_limits(
    postgres_url: str, redis_url: str, tmp_path: Path
) -> None:
    engine = make_engine(postgres_url)
    _truncate_all(engine)
    accounts.bootstrap(unit_of_work_factory(engine), email=EMAIL, password=PASSWORD)
    engine.dispose()
    prefix = f"test:{uuid.uuid4().hex[:10]}"
    env = os.environ | {
        "SCORELINE_DATABASE_URL": postgres_url,
        "SCORELINE_REDIS_URL": redis_url,
        "SCORELINE_JWT_SECRET": "s" * 48,
        "SCORELINE_STREAM_PREFIX": prefix,
        "SCORELINE_LOG_LEVEL": "WARNING",
    }
    apis = [Api(env, tmp_path / f"api-{name}.log") for name in "ab"]
    try:
        for api in apis:
            wait_for(api.is_live, f"{api.url}/health/live", timeout=120)
        login = "/api/v1/auth/login"
        wrong = {"email": EMAIL, "password": "a wrong passphrase"}
        for n in range(5):  # split between the processes: one count
            assert httpx.post(apis[n % 2].url + login, json=wrong).status_code == 401
        for api in apis:
            locked = httpx.post(api.url + login, json=wrong)
            assert locked.status_code == 429, locked.text
            assert int(locked.headers["Retry-After"]) > 0
        # A spray of distinct emails, split between the processes: the address's limit.
        allowed = sign_in.DEFAULT_POLICY.emails_per_address - 1  # EMAIL counts already
        for n in range(allowed):
            guess = {"email": f"guess{n}@example.com", "password": "a wrong passphrase"}
            assert httpx.post(apis[n % 2].url + login, json=guess).status_code == 401
        sprayed = {"email": "one-more@example.com", "password": "a wrong passphrase"}
        assert httpx.post(apis[0].url + login, json=sprayed).status_code == 429
        assert httpx.post(apis[1].url + login, json=sprayed).status_code == 429
    finally:
        for api in apis:
            api.stop()
        client = redis.Redis.from_url(redis_url)
        for key in client.scan_iter(match=f"{prefix}:*"):
            client.delete(key)
        client.close()
