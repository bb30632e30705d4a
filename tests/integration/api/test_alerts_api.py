"""Alerts through the gateway on SQLite and PostgreSQL: settings, following, the notification
centre, and the relay pushing ``alert:new`` to the user's room and posting the webhook, with
one poison entry beside good ones. A real uvicorn server in a thread, real Socket.IO clients
and a real HTTP endpoint for the webhook; Socket.IO through Redis (marked ``redis``).
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
import socketio  # type: ignore[import-untyped]
from pydantic import SecretStr
from sqlalchemy import select

from conftest import SAMPLE_DATA
from scoreline.api.realtime.webhooks import WebhookSender, blocked_reason
from scoreline.api.server import Server, build_server
from scoreline.config import Settings
from scoreline.domain.alerts import WebhookState
from scoreline.messaging.memory_bus import MemoryBus
from scoreline.messaging.names import ALERTS_GROUP, Streams
from scoreline.pipeline.ingestion import IngestionEngine
from scoreline.services.ingest import ingest_football_data
from scoreline.storage.tables import (
    AlertRow,
    FixtureRow,
    PredictionRow,
    UserRow,
)
from scoreline.storage.unit_of_work import UnitOfWork
from seeding import add_model_version
from servers import ServerThread, wait_for

PASSWORD = "correct horse battery staple"
KICKOFF = "2099-08-20T15:00:00Z"


def tick(bookmaker: str, prices: dict[str, str], at: str) -> dict[str, Any]:
    return {
        "type": "odds",
        "provider": "replay",
        "competition": "E0",
        "home_team": "Arsenal",
        "away_team": "Chelsea",
        "kickoff": KICKOFF,
        "bookmaker": bookmaker,
        "market": "1x2",
        "line": None,
        "prices": prices,
        "captured_at": at,
        "kind": "prematch",
    }


class Hook:
    """A webhook endpoint on loopback: records each JSON body, answers ``statuses`` in turn."""

    def __init__(self, statuses: list[int] | None = None) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.statuses = list(statuses or [])
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                size = int(self.headers["Content-Length"])
                hook.bodies.append(json.loads(self.rfile.read(size)))
                self.send_response(hook.statuses.pop(0) if hook.statuses else 204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Hook:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@dataclass
class Live:
    url: str
    built: Server
    bus: MemoryBus
    streams: Streams
    unit_of_work: Callable[[], UnitOfWork]
    fixture: int
    version: int
    hook: Hook
    clients: list[socketio.Client] = field(default_factory=list)
    http: list[httpx.Client] = field(default_factory=list)

    def api(self, token: str) -> httpx.Client:
        """A client of the REST API as this user, closed with the server."""
        made = httpx.Client(
            base_url=self.url + "/api/v1", headers={"Authorization": f"Bearer {token}"}
        )
        self.http.append(made)
        return made

    def ingest(self, *ticks: dict[str, Any]) -> None:
        engine = IngestionEngine(self.bus, self.unit_of_work, streams=self.streams)
        assert engine.submit(list(ticks)).stored == len(ticks)

    def listen(self, token: str) -> list[dict[str, Any]]:
        got: list[dict[str, Any]] = []
        client = socketio.Client(reconnection=False)
        client.on("alert:new", got.append)
        client.connect(self.url, auth={"token": token}, transports=["websocket"], wait_timeout=10)
        self.clients.append(client)
        return got

    def predict(self, probabilities: tuple[float, float, float]) -> None:
        """Store a prediction and announce it, as the worker does after a tick."""
        with self.unit_of_work() as uow:
            row = PredictionRow(
                fixture_id=self.fixture,
                model_version_id=self.version,
                trigger="test",
                created_at=datetime.now(UTC),
                home_goals_expectation=1.6,
                away_goals_expectation=1.1,
                rho=-0.05,
                p_home=probabilities[0],
                p_draw=probabilities[1],
                p_away=probabilities[2],
                markets=None,
            )
            uow.session.add(row)
            uow.commit()
        self.bus.publish(
            self.streams.predictions, [json.dumps({"fixture_id": self.fixture}).encode()]
        )


@pytest.fixture
def live(unit_of_work: Callable[[], UnitOfWork], redis_url: str) -> Iterator[Live]:
    ingest_football_data(unit_of_work, [SAMPLE_DATA / "E0" / "2022-2023.csv"])
    with unit_of_work() as uow:
        version_id = add_model_version(uow, "20990101T000000000000Z-000000000001", active=True)
        uow.commit()
    settings = Settings(
        jwt_secret=SecretStr("s" * 48),
        database_url="sqlite:///unused.db",
        redis_url=redis_url,
        alert_webhook_private=True,  # the endpoint is on loopback
    )
    bus, streams = MemoryBus(), Streams(prefix=f"test:{uuid.uuid4().hex[:10]}")
    built = build_server(settings, unit_of_work, bus=bus, streams=streams)
    with ServerThread(built.asgi) as server, Hook() as hook:
        made = Live(server.url, built, bus, streams, unit_of_work, 0, version_id, hook)
        made.ingest(tick("PS", {"home": "2.00", "draw": "3.60", "away": "3.90"}, _now()))
        with unit_of_work() as uow:
            fixture = uow.session.scalar(
                select(FixtureRow.id).where(
                    FixtureRow.kickoff_utc == datetime.fromisoformat(KICKOFF)
                )
            )
        assert fixture is not None
        made.fixture = fixture
        try:
            yield made
        finally:
            for client in made.clients:
                client.disconnect()
            for http in made.http:
                http.close()


def _now() -> str:
    return datetime.now(UTC).isoformat()


def sign_in(url: str, email: str) -> str:
    with httpx.Client(base_url=url) as http:
        body = {"email": email, "password": PASSWORD}
        first = http.post("/api/v1/auth/bootstrap", json=body)
        if first.status_code == 409:
            admin = http.post(
                "/api/v1/auth/login", json={"email": "admin@example.com", "password": PASSWORD}
            )
            headers = {"Authorization": f"Bearer {admin.json()['access_token']}"}
            made = http.post("/api/v1/admin/users", json=body | {"role": "trader"}, headers=headers)
            assert made.status_code == 201, made.text
        answer = http.post("/api/v1/auth/login", json=body)
        assert answer.status_code == 200, answer.text
        token: str = answer.json()["access_token"]
        return token


@pytest.mark.redis
def test_settings_following_and_the_notification_centre(live: Live) -> None:
    ann = live.api(sign_in(live.url, "admin@example.com"))
    assert ann.get("/alerts/settings").json() == {
        "value_edge_min": None,
        "line_move_min": None,
        "webhook_url": None,
    }
    for body, where in (
        ({"value_edge_min": "0"}, "value_edge_min"),
        ({"line_move_min": "1.5"}, "line_move_min"),
        ({"value_edge_min": "0.00001"}, "value_edge_min"),
        ({"webhook_url": "ftp://example.com/x"}, "webhook_url"),
        ({"value_edge_min": 0.05}, None),  # a JSON number is read as a decimal too
    ):
        answer = ann.put("/alerts/settings", json=body)
        if where is None:
            assert answer.status_code == 200, answer.text
            continue
        assert answer.status_code == 422, answer.text
        (problem,) = answer.json()["detail"]
        assert problem["loc"][-1] == where, answer.text
        assert problem["msg"].startswith(("must be", "has more than")), answer.text
    assert ann.get("/alerts/settings").json()["value_edge_min"] == "0.0500"
    assert ann.put("/fixtures/999999/follow").status_code == 404
    assert ann.delete(f"/fixtures/{live.fixture}/follow").status_code == 404
    followed = ann.put(f"/fixtures/{live.fixture}/follow")
    assert followed.status_code == 200, followed.text
    again = ann.put(f"/fixtures/{live.fixture}/follow").json()
    assert again["followed_at"] == followed.json()["followed_at"]
    (listed,) = ann.get("/alerts/following").json()
    assert (listed["fixture_id"], listed["home_team"]) == (live.fixture, "Arsenal")
    assert ann.delete(f"/fixtures/{live.fixture}/follow").status_code == 204
    assert ann.get("/alerts/following").json() == []
    page = ann.get("/alerts").json()
    assert (page["items"], page["total"], page["unread"]) == ([], 0, 0)


@pytest.mark.redis
def test_a_tick_and_its_prediction_reach_the_user_and_the_webhook(live: Live) -> None:
    token = sign_in(live.url, "admin@example.com")
    ann = live.api(token)
    bob_token = sign_in(live.url, "bob@example.com")
    settings = {"value_edge_min": "0.05", "line_move_min": "0.05", "webhook_url": live.hook.url}
    assert ann.put("/alerts/settings", json=settings).status_code == 200
    assert ann.put(f"/fixtures/{live.fixture}/follow").status_code == 200
    mine, bobs = live.listen(token), live.listen(bob_token)

    # Poison beside good entries: not JSON, no usable id; then the prediction.
    live.bus.publish(live.streams.predictions, [b"\xff not json"])
    live.bus.publish(live.streams.predictions, [json.dumps({"fixture_id": "7"}).encode()])
    sent = time.monotonic()
    live.predict((0.58, 0.24, 0.18))  # home 0.58 * 2.00 - 1 = +16%
    wait_for(lambda: mine, "the value-bet alert", timeout=5)
    value_latency = time.monotonic() - sent
    (value,) = mine
    assert (value["kind"], value["selection"], value["bookmaker"]) == ("value_bet", "home", "PS")
    assert (value["price"], value["edge"]) == ("2.0000", "0.1600")
    assert value["title"] == "Value bet: Arsenal"
    assert value["webhook"] == {"state": "pending", "detail": None}

    # A line move on the followed fixture: PS home 2.00 -> 2.20 is +10%.
    sent = time.monotonic()
    live.ingest(tick("PS", {"home": "2.20", "draw": "3.60", "away": "3.90"}, _now()))
    wait_for(lambda: len(mine) == 2, "the line-move alert", timeout=5)
    move_latency = time.monotonic() - sent
    move = mine[1]
    assert (move["kind"], move["previous_price"], move["price"], move["change"]) == (
        "line_move", "2.0000", "2.2000", "0.1000",
    )  # fmt: skip
    assert move["message"] == "Arsenal v Chelsea: PS Arsenal 2.00 → 2.20 (+10.0%)"
    print(f"alert latency: value bet {value_latency:.3f} s, line move {move_latency:.3f} s")
    assert value_latency < 2.0
    assert move_latency < 2.0

    # The webhook got both, as the centre lists them; bob, with no settings, got nothing.
    wait_for(lambda: len(live.hook.bodies) == 2, "the webhook posts")
    assert sorted(b["alert"]["kind"] for b in live.hook.bodies) == ["line_move", "value_bet"]

    def delivered() -> bool:
        items = ann.get("/alerts").json()["items"]
        return [i["webhook"]["state"] for i in items] == ["sent", "sent"]

    wait_for(delivered, "the webhook outcomes recorded")
    page = ann.get("/alerts").json()
    assert (page["total"], page["unread"]) == (2, 2)
    assert [i["id"] for i in page["items"]] == [move["id"], value["id"]]
    assert bobs == []
    bob = live.api(bob_token)
    assert bob.post("/alerts/read", json={"all": True}).json() == {"unread": 0}
    assert ann.post("/alerts/read", json={"ids": [value["id"]]}).json() == {"unread": 1}
    assert ann.get("/alerts", params={"unread_only": True}).json()["items"][0]["id"] == move["id"]

    # The two poison entries were dead-lettered; the group has nothing pending.
    wait_for(
        lambda: live.bus.group_info(live.streams.predictions, ALERTS_GROUP).pending == 0,
        "the acks",
    )
    letters = [
        json.loads(entry.payload)
        for entry in live.bus.newest(live.streams.dead_letter, before=None, count=10)
    ]
    ours = sorted(letter["reason"] for letter in letters if letter["stage"] == ALERTS_GROUP)
    assert ours == ["bad_id", "not_json"]  # the realtime bridge refused them too, on its own
    assert live.built.relay is not None
    assert live.built.relay.raised == 2


def test_webhooks_refuse_private_addresses_and_record_failures(
    unit_of_work: Callable[[], UnitOfWork],
) -> None:
    assert "private or reserved" in (
        blocked_reason("http://127.0.0.1:9/x", allow_private=False) or ""
    )
    assert blocked_reason("http://127.0.0.1:9/x", allow_private=True) is None
    ingest_football_data(unit_of_work, [SAMPLE_DATA / "E0" / "2022-2023.csv"])
    with unit_of_work() as uow:
        fixture = uow.session.scalar(select(FixtureRow.id).order_by(FixtureRow.id).limit(1))
        user = UserRow(
            email="ann@example.com",
            password_hash="x",
            role="trader",
            is_active=True,
            created_at=datetime.now(UTC),
        )
        uow.session.add(user)
        uow.session.flush()
        ids = []
        for key in ("a", "b"):
            row = AlertRow(
                user_id=user.id,
                kind="value_bet",
                fixture_id=fixture,
                market="1x2",
                line_quarters=0,
                selection="home",
                bookmaker="PS",
                price=Decimal("2.1"),
                edge=Decimal("0.05"),
                dedup_key=key,
                created_at=datetime.now(UTC),
                webhook_state="pending",
            )
            uow.session.add(row)
            uow.session.flush()
            ids.append(row.id)
        uow.commit()
    waits: list[float] = []
    with Hook(statuses=[500, 503, 502]) as hook:
        sender = WebhookSender(unit_of_work, allow_private=True, timeout_s=2, pause=waits.append)
        sender.submit(ids[0], hook.url, {"alert": {"id": ids[0]}})
        guarded = WebhookSender(unit_of_work, allow_private=False, timeout_s=2)
        guarded.submit(ids[1], hook.url, {"alert": {"id": ids[1]}})
        wait_for(lambda: sender.failed == 1, "three tries")
        wait_for(lambda: guarded.failed == 1, "the refusal")
        sender.stop()
        guarded.stop()
    assert len(hook.bodies) == 3  # three tries, none to the guarded sender's loopback
    assert waits == [1.0, 2.0]
    with unit_of_work() as uow:
        rows = {
            r.id: (r.webhook_state, r.webhook_detail or "")
            for r in uow.session.scalars(select(AlertRow))
        }
    assert rows[ids[0]] == (WebhookState.FAILED.value, "try 3: HTTP 502")
    assert rows[ids[1]][0] == WebhookState.FAILED.value
    assert rows[ids[1]][1].startswith("refused: 127.0.0.1 resolves to")
