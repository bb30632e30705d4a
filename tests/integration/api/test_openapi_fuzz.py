"""Every operation of the REST API, fuzzed against our own OpenAPI document (schemathesis).

Schemathesis reads ``/api/v1/openapi.json`` and generates requests for each
operation, valid and invalid; no answer may be a server error, and an answer
with a documented status must have its documented body. Each operation runs
once as a trader and once as an admin, signed in with a bearer token and owning
a funded portfolio, an open bet and an API key. Half the cases aim their ids
(and competition) at those, so the checks reach past 404 into the code behind.

``status_code_conformance`` is left out on purpose: no operation documents a
403, and ``POST /admin/users`` no 409, so it fails refusals the API makes by
design (a trader on ``/admin/users``, a key scope beyond the role, an email
taken) instead of finding bugs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import settings
from hypothesis import strategies as st
from pydantic import SecretStr
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from conftest import SAMPLE_DATA, postgres_database
from scoreline.api.app import create_app
from scoreline.api.server import build_context
from scoreline.config import Settings
from scoreline.messaging.memory_bus import MemoryBus
from scoreline.messaging.names import Streams
from scoreline.pipeline.ingestion import IngestionEngine
from scoreline.services.ingest import ingest_football_data
from scoreline.storage.db import make_engine, unit_of_work_factory, upgrade
from scoreline.storage.unit_of_work import UnitOfWork

pytestmark = pytest.mark.slow

PASSWORD = "correct horse battery staple"
EMAILS = {"admin": "admin@example.com", "trader": "trader@example.com"}
SETTINGS = Settings(jwt_secret=SecretStr("s" * 48), database_url="sqlite:///unused.db")
CREDENTIAL_HEADERS = ("authorization", "x-api-key")


def _no_database() -> UnitOfWork:
    raise AssertionError("the OpenAPI document is built without a database")


# The document does not depend on data, so it is read once, at collection, from an app
# without a database, and each case goes to the app of the caller's own database.
# (schemathesis.pytest.from_fixture would read it per test, but it sets Node._nodeid,
# which pytest 9 no longer has.) An explicit Config keeps a stray schemathesis.toml out.
schema = schemathesis.openapi.from_asgi(
    "/api/v1/openapi.json",
    create_app(build_context(SETTINGS, _no_database)),
    config=schemathesis.Config(),
)


@dataclass(frozen=True, slots=True)
class Caller:
    """The app under test, who the fuzzer signs in as, and values that exist there."""

    app: FastAPI
    headers: dict[str, str]
    known: dict[str, int | str]


def _load(unit_of_work: Callable[[], UnitOfWork]) -> None:
    """E0 2022-23, and one future fixture with prices as the live feed would bring it."""
    ingest_football_data(unit_of_work, [SAMPLE_DATA / "E0" / "2022-2023.csv"])
    engine = IngestionEngine(MemoryBus(), unit_of_work, streams=Streams(prefix="fuzz"))
    summary = engine.submit(
        [
            {
                "type": "odds",
                "provider": "replay",
                "competition": "E0",
                "home_team": "Arsenal",
                "away_team": "Chelsea",
                "kickoff": "2099-08-20T15:00:00Z",
                "bookmaker": "PS",
                "market": "1x2",
                "line": None,
                "prices": {"home": "2.10", "draw": "3.50", "away": "3.60"},
                "captured_at": "2099-08-19T10:00:00Z",
            }
        ]
    )
    assert summary.stored == 1


def _call(client: TestClient, method: str, path: str, status: int, **kwargs: Any) -> Any:
    answer = client.request(method, f"/api/v1{path}", **kwargs)
    assert answer.status_code == status, answer.text
    return answer.json()


def _sign_in(client: TestClient, email: str) -> dict[str, str]:
    tokens = _call(client, "POST", "/auth/login", 200, json={"email": email, "password": PASSWORD})
    return {"Authorization": f"Bearer {tokens['access_token']}"}


def _set_up(client: TestClient, role: str) -> tuple[dict[str, str], dict[str, int | str]]:
    """The admin and a trader; the one playing ``role`` gets a portfolio, a bet and a key."""
    admin = {"email": EMAILS["admin"], "password": PASSWORD}
    _call(client, "POST", "/auth/bootstrap", 201, json=admin)
    trader = {"email": EMAILS["trader"], "password": PASSWORD, "role": "trader"}
    as_admin = _sign_in(client, admin["email"])
    _call(client, "POST", "/admin/users", 201, json=trader, headers=as_admin)
    me = _sign_in(client, EMAILS[role])
    scheduled = _call(client, "GET", "/fixtures?status=scheduled", 200, headers=me)
    fixture_id = scheduled["items"][0]["id"]
    snapshot_id = _call(client, "GET", f"/fixtures/{fixture_id}/odds", 200, headers=me)[0]["id"]
    created = _call(client, "POST", "/portfolios", 201, json={"name": "main"}, headers=me)
    portfolio_id = created["id"]
    portfolio = f"/portfolios/{portfolio_id}"
    _call(client, "POST", f"{portfolio}/deposits", 200, json={"amount_minor": 10**6}, headers=me)
    bet = {"odds_snapshot_id": snapshot_id, "selection": "home", "stake_minor": 1_000}
    bet_id = _call(client, "POST", f"{portfolio}/bets", 201, json=bet, headers=me)["id"]
    key_id = _call(client, "POST", "/keys", 201, json={"name": "bot"}, headers=me)["id"]
    known: dict[str, int | str] = {
        "competition": "E0",
        "fixture_id": fixture_id,
        "odds_snapshot_id": snapshot_id,
        "portfolio_id": portfolio_id,
        "bet_id": bet_id,
        "key_id": key_id,
    }
    return me, known


@pytest.fixture(
    scope="module",
    params=[
        pytest.param((role, backend), id=f"{role}-{backend}", marks=marks)
        for role in sorted(EMAILS)
        for backend, marks in (("sqlite", ()), ("postgres", pytest.mark.postgres))
    ],
)
def caller(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Caller]:
    """A loaded database of its own behind its own app, and the user playing this role.

    Module-scoped, so each role loads the season once for all operations; the
    conftest ``unit_of_work`` is per test and would load it 32 times. PostgreSQL
    gets a database apart from the session's shared one, which other tests empty.
    """
    role, backend = request.param
    with ExitStack() as stack:
        if backend == "sqlite":
            database = tmp_path_factory.mktemp(f"fuzz-{role}") / "scoreline.db"
            url = f"sqlite:///{database}"
        else:
            url = stack.enter_context(postgres_database())
        engine = make_engine(url)
        stack.callback(engine.dispose)
        upgrade(engine)
        unit_of_work = unit_of_work_factory(engine)
        _load(unit_of_work)
        app = create_app(build_context(SETTINGS, unit_of_work))
        with TestClient(app) as client:
            headers, known = _set_up(client, role)
        yield Caller(app=app, headers=headers, known=known)


def _aim(case: schemathesis.Case[Any], known: dict[str, int | str]) -> None:
    """Point the case's ids and competition, wherever it has them, at things that exist."""
    for values in (case.path_parameters, case.query, case.body):
        if isinstance(values, dict):
            values.update({name: value for name, value in known.items() if name in values})


# `given` turns off schemathesis' coverage phase (its fixed boundary cases); the
# Hypothesis generation that remains draws both valid and invalid requests.
@schema.parametrize()
@schema.given(data=st.data())
@settings(max_examples=30, deadline=None, derandomize=True, database=None)
def test_every_operation_answers_within_its_schema(
    case: schemathesis.Case[Any], data: st.DataObject, caller: Caller
) -> None:
    # The caller's bearer token replaces generated credentials; a generated API key
    # would otherwise win over it and turn every case into a 401.
    for name in [n for n in case.headers or {} if n.lower() in CREDENTIAL_HEADERS]:
        del case.headers[name]
    if data.draw(st.booleans(), label="aim at existing ids"):
        _aim(case, caller.known)
    case.call_and_validate(
        app=caller.app,
        headers=caller.headers,
        checks=[not_a_server_error, response_schema_conformance],
    )
