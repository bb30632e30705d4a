"""One contract, two buses: Redis Streams (production, on one server and on a three-node
cluster) and the in-process bus (embedded).

Each test gets fresh stream names, so runs never see each other's entries.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest

from scoreline.messaging.bus import Bus, GroupInfo
from scoreline.messaging.memory_bus import MemoryBus
from scoreline.messaging.redis_bus import RedisBus


@pytest.fixture(
    params=[
        "memory",
        pytest.param("redis", marks=pytest.mark.redis),
        pytest.param("cluster", marks=pytest.mark.redis),
    ]
)
def bus(request: pytest.FixtureRequest) -> Iterator[Bus]:
    if request.param == "memory":
        yield MemoryBus()
        return
    if request.param == "cluster":
        made = RedisBus(request.getfixturevalue("redis_cluster_url"), cluster=True)
    else:
        made = RedisBus(request.getfixturevalue("redis_url"))
    yield made
    made.close()


@pytest.fixture
def stream(bus: Bus) -> Iterator[str]:
    name = f"test:{uuid.uuid4().hex}"
    yield name
    if isinstance(bus, RedisBus):
        bus.client.delete(name)


def test_publish_returns_increasing_ids_and_groups_read_everything_once(
    bus: Bus, stream: str
) -> None:
    ids = bus.publish(stream, [b"a", b"b", b"c"])
    assert len(ids) == 3
    assert ids == sorted(ids, key=lambda i: tuple(map(int, i.split("-"))))
    bus.ensure_group(stream, "g")
    bus.ensure_group(stream, "g")  # idempotent
    first = bus.read(stream, "g", "c1", count=2, block_ms=0)
    second = bus.read(stream, "g", "c2", count=10, block_ms=0)
    assert [d.payload for d in first] == [b"a", b"b"]
    assert [d.payload for d in second] == [b"c"]
    assert [d.id for d in first + second] == ids
    assert all(d.deliveries == 1 for d in first + second)
    assert bus.read(stream, "g", "c1", count=10, block_ms=0) == []


def test_a_group_created_late_still_reads_from_the_start(bus: Bus, stream: str) -> None:
    bus.publish(stream, [b"early"])
    bus.ensure_group(stream, "late")
    assert [d.payload for d in bus.read(stream, "late", "c", count=5, block_ms=0)] == [b"early"]


def test_two_groups_each_see_every_entry(bus: Bus, stream: str) -> None:
    bus.ensure_group(stream, "one")
    bus.ensure_group(stream, "two")
    bus.publish(stream, [b"x", b"y"])
    for group in ("one", "two"):
        got = bus.read(stream, group, "c", count=5, block_ms=0)
        assert [d.payload for d in got] == [b"x", b"y"]


def test_a_group_nobody_created_is_reported_missing(bus: Bus, stream: str) -> None:
    bus.publish(stream, [b"1"])
    assert bus.group_info(stream, "nobody") == GroupInfo(0, 0, 0, exists=False)
    bus.ensure_group(stream, "g")
    assert bus.group_info(stream, "g").exists


def test_pending_until_acked_and_group_info_counts(bus: Bus, stream: str) -> None:
    bus.ensure_group(stream, "g")
    bus.publish(stream, [b"1", b"2", b"3", b"4"])
    info = bus.group_info(stream, "g")
    assert (info.lag, info.pending) == (4, 0)
    got = bus.read(stream, "g", "c", count=3, block_ms=0)
    info = bus.group_info(stream, "g")
    assert (info.lag, info.pending) == (1, 3)
    assert bus.ack(stream, "g", [got[0].id, got[1].id]) == 2
    assert bus.ack(stream, "g", [got[0].id]) == 0  # already acked
    assert bus.group_info(stream, "g").pending == 1


def test_stale_entries_are_claimed_with_their_delivery_count(bus: Bus, stream: str) -> None:
    bus.ensure_group(stream, "g")
    bus.publish(stream, [b"p", b"q"])
    got = bus.read(stream, "g", "dead", count=2, block_ms=0)
    bus.ack(stream, "g", [got[1].id])
    assert bus.claim_stale(stream, "g", "alive", min_idle_ms=60_000, count=10) == []
    time.sleep(0.06)
    claimed = bus.claim_stale(stream, "g", "alive", min_idle_ms=50, count=10)
    assert [(d.id, d.payload, d.deliveries) for d in claimed] == [(got[0].id, b"p", 2)]
    time.sleep(0.06)
    again = bus.claim_stale(stream, "g", "third", min_idle_ms=50, count=10)
    assert [d.deliveries for d in again] == [3]
    bus.ack(stream, "g", [got[0].id])
    time.sleep(0.06)
    assert bus.claim_stale(stream, "g", "third", min_idle_ms=50, count=10) == []


def test_blocking_read_waits_for_a_publish(bus: Bus, stream: str) -> None:
    bus.ensure_group(stream, "g")
    started = time.monotonic()
    assert bus.read(stream, "g", "c", count=1, block_ms=100) == []
    assert time.monotonic() - started >= 0.09


def test_maxlen_caps_the_stream(bus: Bus, stream: str) -> None:
    # Redis trims approximately (whole macro nodes), so the cap is checked from above.
    for _ in range(30):
        bus.publish(stream, [b"z"] * 100, maxlen=200)
    assert 200 <= bus.length(stream) < 3000


def test_tail_reads_after_an_id_outside_groups(bus: Bus, stream: str) -> None:
    ids = bus.publish(stream, [b"1", b"2", b"3"])
    assert [e.payload for e in bus.tail(stream, after="0", count=10, block_ms=0)] == [
        b"1",
        b"2",
        b"3",
    ]
    assert [e.payload for e in bus.tail(stream, after=ids[0], count=1, block_ms=0)] == [b"2"]
    assert bus.tail(stream, after=ids[-1], count=10, block_ms=0) == []


def test_payloads_are_opaque_bytes(bus: Bus, stream: str) -> None:
    garbage = bytes(range(256))
    bus.ensure_group(stream, "g")
    bus.publish(stream, [garbage, b""])
    got = bus.read(stream, "g", "c", count=5, block_ms=0)
    assert [d.payload for d in got] == [garbage, b""]


def test_newest_pages_back_through_a_stream(bus: Bus, stream: str) -> None:
    ids = bus.publish(stream, [b"a", b"b", b"c", b"d", b"e"])
    first = bus.newest(stream, before=None, count=2)
    assert [e.payload for e in first] == [b"e", b"d"]
    second = bus.newest(stream, before=first[-1].id, count=2)
    assert [e.payload for e in second] == [b"c", b"b"]
    last = bus.newest(stream, before=second[-1].id, count=2)
    assert [(e.id, e.payload) for e in last] == [(ids[0], b"a")]
    assert bus.newest(stream, before=ids[0], count=2) == []
    assert bus.newest(f"{stream}:none", before=None, count=2) == []


def test_an_entry_is_found_by_its_id(bus: Bus, stream: str) -> None:
    ids = bus.publish(stream, [b"a", b"b"])
    found = bus.entry(stream, ids[1])
    assert found is not None
    assert (found.id, found.payload) == (ids[1], b"b")
    assert bus.entry(stream, "1-0") is None
