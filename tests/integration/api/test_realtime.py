"""Socket.IO on the gateway, end to end: a real uvicorn server in a thread, real clients.

The server is ``build_server`` on each database with the in-process bus; Socket.IO
broadcasts through its Redis manager on the local Redis (tests marked ``redis``)
or, as a lone ``scoreline serve`` does, in-process. Clients are python-socketio's
synchronous client over a WebSocket.
"""

from __future__ import annotations

import json
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import socketio  # type: ignore[import-untyped]
from pydantic import SecretStr
from sqlalchemy import select

from conftest import SAMPLE_DATA
from scoreline.api.realtime import RealtimeBridge, SocketServer
from scoreline.api.server import build_server
from scoreline.config import Settings
from scoreline.messaging.memory_bus import MemoryBus
from scoreline.messaging.names import REALTIME_GROUP, Streams
from scoreline.services.ingest import ingest_football_data
from scoreline.storage.tables import CompetitionRow, FixtureRow
from scoreline.storage.unit_of_work import UnitOfWork
from servers import ServerThread, wait_for

PASSWORD = "correct horse battery staple"
EVENTS = ("odds:update", "prediction:update", "bet:settled")
REFUSED = "connect_error"


@dataclass
class Live:
    """A running gateway, its sockets and stream bridge, the bus it reads and its stream names."""

    url: str
    server: ServerThread
    sockets: SocketServer
    bridge: RealtimeBridge
    bus: MemoryBus
    streams: Streams
    clients: list[Listener] = field(default_factory=list)

    def publish(self, stream: str, body: dict[str, Any] | bytes) -> None:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.bus.publish(stream, [raw])

    def listener(self, auth: dict[str, str] | None = None, **options: Any) -> Listener:
        made = Listener()
        made.client.connect(
            self.url, auth=auth, transports=["websocket"], wait_timeout=10, **options
        )
        self.clients.append(made)
        return made

    def refusal(self, auth: dict[str, str] | None = None) -> str:
        """The server's reason for refusing a connection."""
        made = Listener()
        with pytest.raises(socketio.exceptions.ConnectionError):
            made.client.connect(self.url, auth=auth, transports=["websocket"], wait_timeout=10)
        (reason,) = made.received[REFUSED]
        message: str = reason["message"]
        return message


@dataclass
class Listener:
    """A connected client and what it received, by event."""

    client: socketio.Client = field(default_factory=lambda: socketio.Client(reconnection=False))
    received: dict[str, list[Any]] = field(default_factory=lambda: defaultdict(list))

    def __post_init__(self) -> None:
        for event in (*EVENTS, REFUSED):
            self.client.on(event, self._recorder(event))

    def _recorder(self, event: str) -> Callable[[Any], None]:
        def record(data: Any) -> None:
            self.received[event].append(data)  # the key appears only once something arrives

        return record

    def subscribe(self, **room: object) -> dict[str, Any]:
        answer: dict[str, Any] = self.client.call("subscribe", room, timeout=10)
        return answer


@contextmanager
def serving(unit_of_work: Callable[[], UnitOfWork], redis_url: str | None) -> Iterator[Live]:
    """``build_server`` on the in-process bus, with Socket.IO's Redis manager if a URL is given."""
    settings = Settings(
        jwt_secret=SecretStr("s" * 48), database_url="sqlite:///unused.db", redis_url=redis_url
    )
    bus, streams = MemoryBus(), Streams(prefix=f"test:{uuid.uuid4().hex[:10]}")
    built = build_server(settings, unit_of_work, bus=bus, streams=streams)
    with ServerThread(built.asgi) as server:
        made = Live(server.url, server, built.sockets, built.bridge, bus, streams)
        try:
            yield made
        finally:
            for listener in made.clients:
                listener.client.disconnect()


@pytest.fixture
def live(unit_of_work: Callable[[], UnitOfWork], redis_url: str) -> Iterator[Live]:
    """A gateway broadcasting through Redis, as several API processes do."""
    with serving(unit_of_work, redis_url) as made:
        yield made


def sign_in(url: str, email: str, *, role: str = "trader") -> str:
    """An access token for a new user; the first one made is the admin."""
    with httpx.Client(base_url=url) as http:
        body = {"email": email, "password": PASSWORD}
        first = http.post("/api/v1/auth/bootstrap", json=body)
        if first.status_code == 409:
            admin = http.post(
                "/api/v1/auth/login", json={"email": "admin@example.com", "password": PASSWORD}
            )
            headers = {"Authorization": f"Bearer {admin.json()['access_token']}"}
            made = http.post("/api/v1/admin/users", json=body | {"role": role}, headers=headers)
            assert made.status_code == 201, made.text
        else:
            assert first.status_code == 201, first.text
        answer = http.post("/api/v1/auth/login", json=body)
        assert answer.status_code == 200, answer.text
        token: str = answer.json()["access_token"]
        return token


def new_key(url: str, token: str, scopes: list[str]) -> str:
    with httpx.Client(base_url=url) as http:
        answer = http.post(
            "/api/v1/keys",
            json={"name": "board", "scopes": scopes},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert answer.status_code == 201, answer.text
    secret: str = answer.json()["secret"]
    return secret


def e0_fixture(unit_of_work: Callable[[], UnitOfWork]) -> int:
    """E0 2022-23 loaded; one of its fixtures."""
    ingest_football_data(unit_of_work, [SAMPLE_DATA / "E0" / "2022-2023.csv"])
    with unit_of_work() as uow:
        fixture_id = uow.session.scalar(
            select(FixtureRow.id)
            .join(CompetitionRow, CompetitionRow.id == FixtureRow.competition_id)
            .where(CompetitionRow.code == "E0")
            .order_by(FixtureRow.id)
            .limit(1)
        )
    assert fixture_id is not None
    return fixture_id


def prediction(fixture_id: int) -> dict[str, Any]:
    """A predictions stream entry as the worker writes it."""
    probabilities = {"home": 0.5, "draw": 0.3, "away": 0.2}
    return {
        "fixture_id": fixture_id,
        "odds_id": 17,
        "model": "dixon-coles",
        "version": "1",
        "probabilities": probabilities,
        "markets": {"1x2": probabilities},
        "feature_hash": "abc123",
        "received_at": time.time(),
        "predicted_at": "2023-05-01T12:00:00+00:00",
    }


def odds(fixture_id: int) -> dict[str, Any]:
    """An odds stream entry as the ingestion engine writes it."""
    return {
        "odds_id": 42,
        "fixture_id": fixture_id,
        "competition": "E0",
        "bookmaker": "PS",
        "market": "1x2",
        "line": None,
        "kind": "pre",
        "prices": {"home": "2.10", "draw": "3.50", "away": "3.60"},
        "captured_at": "2023-05-01T12:00:00Z",
        "received_at": time.time(),
    }


@pytest.mark.redis
def test_connection_without_valid_credentials_is_refused(live: Live) -> None:
    token = sign_in(live.url, "admin@example.com")
    trade_only = new_key(live.url, token, ["trade"])
    for auth, reason in (
        (None, "sign in"),
        ({"token": "not-a-token"}, "malformed"),
        ({"api_key": "sl_aaaaaaaa_" + "x" * 43}, "unknown API key"),
        ({"api_key": trade_only}, "'read' permission"),
    ):
        assert reason in live.refusal(auth)


@pytest.mark.redis
def test_token_key_and_headers_all_connect(live: Live) -> None:
    token = sign_in(live.url, "admin@example.com")
    key = new_key(live.url, token, ["read"])
    for listener in (
        live.listener({"token": token}),
        live.listener({"api_key": key}),
        live.listener(headers={"Authorization": f"Bearer {token}"}),
        live.listener(headers={"X-API-Key": key}),
    ):
        assert listener.client.connected


@pytest.mark.redis
def test_prediction_reaches_competition_subscribers_once(
    live: Live, unit_of_work: Callable[[], UnitOfWork]
) -> None:
    fixture_id = e0_fixture(unit_of_work)
    token = sign_in(live.url, "admin@example.com")
    subscriber, bystander = live.listener({"token": token}), live.listener({"token": token})
    assert subscriber.subscribe(competition="E0") == {"ok": True, "room": "competition:E0"}
    assert bystander.subscribe(competition="SP1")["ok"]

    live.publish(live.streams.predictions, prediction(fixture_id))

    wait_for(lambda: subscriber.received["prediction:update"], "the prediction")
    time.sleep(0.5)  # a second copy, or one for the bystander, would be here by now
    (update,) = subscriber.received["prediction:update"]
    assert update["fixture_id"] == fixture_id
    assert update["competition"] == "E0"
    assert update["probabilities"] == {"home": 0.5, "draw": 0.3, "away": 0.2}
    assert not bystander.received


@pytest.mark.redis
def test_odds_reach_a_client_in_both_rooms_once(live: Live) -> None:
    token = sign_in(live.url, "admin@example.com")
    both = live.listener({"token": token})
    assert both.subscribe(competition="E0")["ok"]
    assert both.subscribe(fixture=7) == {"ok": True, "room": "fixture:7"}

    live.publish(live.streams.odds, odds(7))

    wait_for(lambda: both.received["odds:update"], "the odds")
    time.sleep(0.5)
    (update,) = both.received["odds:update"]
    assert update["odds_id"] == 42
    assert update["prices"]["home"] == "2.10"


@pytest.mark.redis
def test_unsubscribed_room_receives_nothing_more(live: Live) -> None:
    token = sign_in(live.url, "admin@example.com")
    client = live.listener({"token": token})
    assert client.subscribe(fixture=7)["ok"]
    answer: dict[str, Any] = client.client.call("unsubscribe", {"fixture": 7}, timeout=10)
    assert answer == {"ok": True, "room": "fixture:7"}

    live.publish(live.streams.odds, odds(7))

    wait_for(lambda: live.bridge.forwarded == 1, "the bridge to forward the odds")
    time.sleep(0.3)
    assert not client.received


@pytest.mark.redis
def test_bet_settled_reaches_only_its_owner(live: Live) -> None:
    admin_token = sign_in(live.url, "admin@example.com")
    trader_token = sign_in(live.url, "trader@example.com")
    admin, trader = live.listener({"token": admin_token}), live.listener({"token": trader_token})
    with httpx.Client(base_url=live.url) as http:
        me = http.get("/api/v1/me", headers={"Authorization": f"Bearer {trader_token}"}).json()

    notice = {
        "bet_id": 5,
        "portfolio_id": 3,
        "fixture_id": 11,
        "outcome": "won",
        "payout_minor": 2_100,
        "profit_minor": 1_100,
    }
    live.publish(live.streams.settlements, notice | {"owner_id": me["id"]})

    wait_for(lambda: trader.received["bet:settled"], "the settlement")
    time.sleep(0.3)
    assert trader.received["bet:settled"] == [notice]  # without naming its owner
    assert not admin.received


@pytest.mark.redis
def test_subscribe_refuses_what_names_no_room(live: Live) -> None:
    token = sign_in(live.url, "admin@example.com")
    client = live.listener({"token": token})
    for room, error in (
        ({}, "send"),
        ({"competition": "E0", "fixture": 1}, "send"),
        ({"league": "E0"}, "send"),
        ({"competition": ""}, "competition must be"),
        ({"competition": "E0; DROP"}, "competition must be"),
        ({"fixture": "12"}, "fixture must be"),
        ({"fixture": 0}, "fixture must be"),
        ({"fixture": True}, "fixture must be"),
    ):
        answer = client.subscribe(**room)
        assert answer["ok"] is False, room
        assert error in answer["error"], room
    answer = client.client.call("subscribe", ["E0"], timeout=10)
    assert answer["ok"] is False


@pytest.mark.redis
def test_rooms_per_connection_are_capped(live: Live) -> None:
    live.sockets.max_rooms = 2
    token = sign_in(live.url, "admin@example.com")
    client = live.listener({"token": token})
    assert client.subscribe(fixture=1)["ok"]
    assert client.subscribe(fixture=2)["ok"]
    assert client.subscribe(fixture=2)["ok"]  # already there: no new room
    refused = client.subscribe(fixture=3)
    assert refused["ok"] is False
    assert "at most 2 rooms" in refused["error"]


@pytest.mark.redis
def test_malformed_entries_are_acked_without_a_push(live: Live) -> None:
    token = sign_in(live.url, "admin@example.com")
    client = live.listener({"token": token})
    assert client.subscribe(fixture=7)["ok"]
    for garbage in (b"\xff not json", b"[1, 2]", json.dumps({"fixture_id": "7"}).encode()):
        live.publish(live.streams.odds, garbage)
    live.publish(live.streams.odds, odds(7) | {"competition": None})
    live.publish(live.streams.odds, odds(7))

    wait_for(lambda: client.received["odds:update"], "the good entry")
    wait_for(
        lambda: live.bus.group_info(live.streams.odds, REALTIME_GROUP).pending == 0, "the acks"
    )
    assert (live.bridge.dropped, live.bridge.forwarded) == (4, 1)
    assert len(client.received["odds:update"]) == 1


@pytest.mark.redis
def test_entries_older_than_max_age_are_acked_without_a_push(live: Live) -> None:
    token = sign_in(live.url, "admin@example.com")
    client = live.listener({"token": token})
    assert client.subscribe(fixture=7)["ok"]
    live.bridge.max_age_seconds = -1.0  # every entry is too old

    live.publish(live.streams.odds, odds(7))

    wait_for(lambda: live.bridge.dropped == 1, "the entry to be dropped")
    wait_for(lambda: live.bus.group_info(live.streams.odds, REALTIME_GROUP).pending == 0, "the ack")
    assert live.bridge.forwarded == 0
    assert not client.received


def test_without_redis_a_single_process_pushes_on_its_own(
    unit_of_work: Callable[[], UnitOfWork],
) -> None:
    fixture_id = e0_fixture(unit_of_work)
    with serving(unit_of_work, None) as live:
        token = sign_in(live.url, "admin@example.com")
        client = live.listener({"token": token})
        assert client.subscribe(fixture=fixture_id)["ok"]

        live.publish(live.streams.predictions, prediction(fixture_id))

        wait_for(lambda: client.received["prediction:update"], "the prediction")
        (update,) = client.received["prediction:update"]
        assert update["competition"] == "E0"
