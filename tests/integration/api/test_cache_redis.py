"""The API's Redis parts on the shared server and on a three-node Redis Cluster of the module's
own: the cache (every behaviour on both, through the same ``RedisCache`` code path), and on the
cluster the login limiter and Socket.IO's manager.

The cluster's nodes are ``redis-server`` processes on free loopback ports, killed when the
module ends.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any
from urllib.parse import urlsplit

import pytest
import redis
import socketio  # type: ignore[import-untyped]
import uvicorn
from fastapi import FastAPI
from redis.cluster import RedisCluster
from redis.crc import key_slot

from scoreline.api.authenticator import Authenticator
from scoreline.api.cache import (
    CacheInvalidator,
    PredictionCache,
    RedisCache,
    RedisClient,
    make_cache,
)
from scoreline.api.credentials import Presented
from scoreline.api.rate_limit import login_limiter
from scoreline.api.realtime import SocketServer, socket_manager
from scoreline.api.server import compose
from scoreline.api.sessions import SessionStore
from scoreline.domain.people import Principal, Role, scopes_of
from scoreline.messaging.names import BET_SETTLED, Streams
from scoreline.messaging.redis_bus import RedisBus

pytestmark = pytest.mark.redis

COMPETITIONS = {1: "E0", 2: "E0", 3: "SP1"}


def free_ports(n: int) -> list[int]:
    """``n`` distinct loopback ports free right now (held together so none repeats)."""
    with ExitStack() as stack:
        sockets = [stack.enter_context(socket.socket()) for _ in range(n)]
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [int(s.getsockname()[1]) for s in sockets]


def wait_until(predicate: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} not within {timeout_s} s")
        time.sleep(0.01)


@pytest.fixture
def cluster_port(redis_cluster_url: str) -> int:
    """The port of a node of the session's three-node cluster (``tests/redis_cluster.py``)."""
    port = urlsplit(redis_cluster_url).port
    assert port is not None
    return port


@pytest.fixture(params=["redis", "cluster"])
def client(request: pytest.FixtureRequest) -> Iterator[RedisClient]:
    """A client of the shared server, or of the module's cluster."""
    made: RedisClient
    if request.param == "redis":
        made = redis.Redis.from_url(request.getfixturevalue("redis_url"))
    else:
        made = RedisCluster(host="127.0.0.1", port=request.getfixturevalue("cluster_port"))
    yield made
    made.close()


@pytest.fixture
def cache(client: RedisClient) -> Iterator[RedisCache]:
    """A cache under a key prefix of the test's own, emptied afterwards."""
    made = RedisCache(client, key_prefix=f"test:{uuid.uuid4().hex[:10]}:")
    yield made
    for key in client.scan_iter(match=f"{made.key_prefix}*"):
        client.delete(key)


@pytest.fixture
def predictions(cache: RedisCache) -> PredictionCache:
    return PredictionCache(cache, competition_of=COMPETITIONS.get)


def event(fixture_id: int) -> bytes:
    return json.dumps({"fixture_id": fixture_id, "odds_id": 7, "model": "dixon-coles"}).encode()


def absent() -> bytes | None:
    return None


def returning(value: bytes) -> Callable[[], bytes]:
    return lambda: value


def fill(cache: PredictionCache) -> None:
    for fixture_id in COMPETITIONS:
        cache.read_fixture(fixture_id, load=returning(f"fixture {fixture_id}".encode()))
    for code in ("E0", "SP1"):
        cache.read_competition(code, load=returning(f"listing {code}".encode()))


def cached(cache: PredictionCache) -> set[str]:
    found = {f"fixture {f}" for f in COMPETITIONS if cache.read_fixture(f, load=absent)}
    return found | {c for c in ("E0", "SP1") if cache.read_competition(c, load=absent)}


# -- RedisCache -------------------------------------------------------------------------


def test_entry_expires_after_its_ttl(cache: RedisCache) -> None:
    cache.set("{a}:k", b"v", ttl_s=0.2)
    assert cache.get("{a}:k") == b"v"
    wait_until(lambda: cache.get("{a}:k") is None, 3, "expiry")


def test_entry_without_ttl_has_no_expiry(cache: RedisCache, client: RedisClient) -> None:
    cache.set("{a}:k", b"v", ttl_s=None)
    assert client.pttl(f"{cache.key_prefix}{{a}}:k") == -1


def test_get_many_and_delete_span_namespaces(cache: RedisCache) -> None:
    keys = [f"{{ns{i}}}:k" for i in range(20)]  # twenty hash tags: several slots on a cluster
    for i, key in enumerate(keys[::2]):
        cache.set(key, str(i).encode(), ttl_s=60)
    expected = [str(i // 2).encode() if i % 2 == 0 else None for i in range(20)]
    assert cache.get_many(keys) == expected
    assert cache.delete(*keys) == 10
    assert cache.get_many(keys) == [None] * 20


def test_bump_moves_one_namespace_only(cache: RedisCache) -> None:
    e0, sp1 = cache.version("E0"), cache.version("SP1")
    assert cache.version("E0") == e0
    assert cache.bump("E0") == e0 + 1 == cache.version("E0")
    assert cache.version("SP1") == sp1


def test_lost_version_key_comes_back_higher(cache: RedisCache, client: RedisClient) -> None:
    first = cache.bump("E0")
    client.delete(f"{cache.key_prefix}{{E0}}:version")
    assert cache.version("E0") > first


def test_namespace_keys_share_one_slot(cache: RedisCache, client: RedisClient) -> None:
    PredictionCache(cache, competition_of=COMPETITIONS.get).read_fixture(1, load=returning(b"v"))
    keys = list(client.scan_iter(match=f"{cache.key_prefix}{{prediction:fixture:1}}*"))
    assert len(keys) == 2  # the version and the value
    assert len({key_slot(key) for key in keys}) == 1


def test_make_cache_connects_to_a_url(redis_url: str) -> None:
    made = make_cache(redis_url, key_prefix=f"test:{uuid.uuid4().hex[:10]}:")
    try:
        made.set("{a}:k", b"v", ttl_s=5)
        assert made.get("{a}:k") == b"v"
        assert made.delete("{a}:k") == 1
    finally:
        made.close()


def test_make_cache_connects_to_a_cluster(cluster_port: int) -> None:
    made = make_cache(
        f"redis://127.0.0.1:{cluster_port}", cluster=True, key_prefix=f"test:{uuid.uuid4().hex}:"
    )
    try:
        made.set("{a}:k", b"v", ttl_s=5)
        assert made.get_many(["{a}:k", "{b}:k"]) == [b"v", None]
    finally:
        made.close()


# -- the login limiter and Socket.IO's manager on the cluster ---------------------------


def test_login_limiter_counts_on_a_cluster(cluster_port: int) -> None:
    client = RedisCluster(host="127.0.0.1", port=cluster_port)
    prefix = f"test:{uuid.uuid4().hex[:10]}:login:"
    try:
        limiter = login_limiter(client, key_prefix=prefix)
        assert [limiter.hit("a@example.com|10.0.0.1") for _ in range(5)] == [None] * 5
        refused = limiter.hit("a@example.com|10.0.0.1")
        assert refused is not None
        assert refused.seconds > 0
        limiter.reset("a@example.com|10.0.0.1")
        assert limiter.hit("a@example.com|10.0.0.1") is None
    finally:
        for key in client.scan_iter(match=f"{prefix}*"):
            client.delete(key)
        client.close()


class Anyone(Authenticator):
    """Lets every socket in as user 7, a viewer (the database is not this test's subject)."""

    def __init__(self) -> None:
        super().__init__(_no_database, jwt_secret="k" * 48, sessions=SessionStore(_no_database))

    def peek(self, presented: Presented, *, write: bool = False) -> Principal:
        return Principal(7, Role.VIEWER, scopes_of(Role.VIEWER), "token")


def _no_database() -> Any:
    raise AssertionError("no database in this test")


def test_socket_processes_on_different_cluster_nodes_hear_each_other(cluster_port: int) -> None:
    """One process emits through one node; a socket of another, whose manager listens on
    another node, receives it (classic pub/sub is broadcast across the cluster)."""
    nodes = RedisCluster(host="127.0.0.1", port=cluster_port)
    ports = sorted({int(node.port) for node in nodes.get_nodes()})  # type: ignore[no-untyped-call]
    nodes.close()
    assert len(ports) == 3
    channel = Streams(prefix=f"test:{uuid.uuid4().hex[:10]}", hash_tag=True).socketio_channel
    listening = SocketServer(
        Anyone(),
        cors_origins=[],
        manager=socket_manager(f"redis://127.0.0.1:{ports[1]}", channel=channel),
    )
    port = free_ports(1)[0]
    config = uvicorn.Config(
        compose(FastAPI(), sockets=listening), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn", daemon=True)
    thread.start()
    received: list[Any] = []
    client = socketio.Client(reconnection=False)
    client.on(BET_SETTLED, received.append)
    try:
        wait_until(lambda: server.started, 20, "the listening server")
        client.connect(f"http://127.0.0.1:{port}", auth={"token": "x"}, transports=["websocket"])
        asyncio.run(_emit_until(ports[0], channel, received))
        assert received[0] == {"bet_id": 1}
    finally:
        client.disconnect()
        server.should_exit = True
        thread.join(timeout=15)


async def _emit_until(port: int, channel: str, received: list[Any]) -> None:
    """Emit from another process's server, through another node, until the socket hears it
    (the listener subscribes a moment after it starts)."""
    emitting = SocketServer(
        Anyone(),
        cors_origins=[],
        manager=socket_manager(f"redis://127.0.0.1:{port}", channel=channel),
    )
    await emitting.start()
    try:
        deadline = time.monotonic() + 10
        while not received and time.monotonic() < deadline:
            await emitting.emit(BET_SETTLED, {"bet_id": 1}, ["user:7"])
            await asyncio.sleep(0.3)
    finally:
        await emitting.stop()
    assert received, "the emit never reached the other node's socket"


# -- PredictionCache and CacheInvalidator -----------------------------------------------


def test_event_drops_the_fixture_and_its_competition_only(predictions: PredictionCache) -> None:
    fill(predictions)
    assert predictions.invalidate_from_event(event(1)) is True
    assert cached(predictions) == {"fixture 2", "fixture 3", "SP1"}


def test_malformed_entry_is_ignored(predictions: PredictionCache) -> None:
    fill(predictions)
    assert predictions.invalidate_from_event(b"\xff not json") is False
    assert len(cached(predictions)) == 5


def test_value_read_before_the_commit_is_not_served_after_the_event(
    predictions: PredictionCache,
) -> None:
    def load_racing_the_worker() -> bytes:
        predictions.invalidate_from_event(event(1))
        return b"old"

    assert predictions.read_fixture(1, load=load_racing_the_worker) == b"old"
    assert predictions.read_fixture(1, load=returning(b"new")) == b"new"


@pytest.fixture
def bus(redis_url: str) -> Iterator[tuple[RedisBus, Streams]]:
    """Redis Streams on the shared server under names of the test's own."""
    made, streams = RedisBus(redis_url), Streams(prefix=f"test:{uuid.uuid4().hex[:10]}")
    yield made, streams
    made.client.delete(streams.predictions)
    made.close()


def test_invalidator_drops_keys_of_each_published_prediction(
    predictions: PredictionCache, bus: tuple[RedisBus, Streams]
) -> None:
    redis_bus, streams = bus
    invalidator = CacheInvalidator(redis_bus, predictions, stream=streams.predictions, block_ms=100)
    invalidator.start()
    try:
        assert invalidator.ready.wait(5)
        # Until it handles an entry it reads from "$", and an entry published between two
        # reads is covered by an epoch bump, not seen; so publish until one is handled.
        deadline = time.monotonic() + 5
        while invalidator.events == 0:
            assert time.monotonic() < deadline, "the invalidator handled no event"
            redis_bus.publish(streams.predictions, [event(3)])
            time.sleep(0.05)
        handled = invalidator.events
        fill(predictions)
        redis_bus.publish(streams.predictions, [b"garbage", event(1)])
        wait_until(
            lambda: cached(predictions) == {"fixture 2", "fixture 3", "SP1"}, 3, "invalidation"
        )
        assert (invalidator.events, invalidator.ignored) == (handled + 1, 1)
    finally:
        started = time.monotonic()
        assert invalidator.stop(timeout_s=5)
    assert time.monotonic() - started < 1
