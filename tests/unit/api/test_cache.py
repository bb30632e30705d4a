"""The API cache in memory: TTL, LRU and namespaces on a fake clock; invalidation by event;
the invalidator thread on the in-process bus."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from scoreline.api.cache import CacheInvalidator, MemoryCache, PredictionCache, make_cache
from scoreline.errors import BusUnavailableError, ConfigError
from scoreline.messaging.bus import StreamEntry
from scoreline.messaging.memory_bus import MemoryBus
from scoreline.messaging.names import Streams

COMPETITIONS = {1: "E0", 2: "E0", 3: "SP1"}


class FakeClock:
    """Seconds that move only when told."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def event(fixture_id: object) -> bytes:
    """A predictions-stream entry as the worker publishes it."""
    return json.dumps(
        {
            "fixture_id": fixture_id,
            "odds_id": 7,
            "model": "dixon-coles",
            "version": "1",
            "probabilities": {"home": 0.5, "draw": 0.3, "away": 0.2},
            "markets": {},
            "feature_hash": "abc",
            "received_at": "2022-05-01T12:00:00+00:00",
            "predicted_at": "2022-05-01T12:00:01+00:00",
        }
    ).encode()


def absent() -> bytes | None:
    """A loader that finds nothing, so a read tells whether the value is cached."""
    return None


def returning(value: str) -> Callable[[], bytes]:
    """A loader that finds ``value``."""
    return value.encode


def fill(cache: PredictionCache) -> None:
    """Cache fixtures 1-3 and both competitions."""
    for fixture_id in COMPETITIONS:
        cache.read_fixture(fixture_id, load=returning(f"fixture {fixture_id}"))
    for code in ("E0", "SP1"):
        cache.read_competition(code, load=returning(f"listing {code}"))


def cached(cache: PredictionCache) -> set[str]:
    """Which of fixtures 1-3 and the two competitions are still cached."""
    found = {f"fixture {f}" for f in COMPETITIONS if cache.read_fixture(f, load=absent)}
    return found | {c for c in ("E0", "SP1") if cache.read_competition(c, load=absent)}


def wait_until(predicate: Callable[[], bool], timeout_s: float = 2.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.005)


@pytest.fixture
def predictions() -> PredictionCache:
    return PredictionCache(MemoryCache(), competition_of=COMPETITIONS.get)


# -- MemoryCache ------------------------------------------------------------------------


def test_entry_is_served_until_its_ttl_then_gone() -> None:
    clock = FakeClock()
    cache = MemoryCache(clock=clock)
    cache.set("k", b"v", ttl_s=10)
    clock.now += 9.999
    assert cache.get("k") == b"v"
    clock.now += 0.001
    assert cache.get("k") is None
    assert len(cache) == 0


def test_entry_without_ttl_never_expires() -> None:
    clock = FakeClock()
    cache = MemoryCache(clock=clock)
    cache.set("k", b"v", ttl_s=None)
    clock.now += 1e9
    assert cache.get("k") == b"v"


@pytest.mark.parametrize("ttl_s", [0, -1.0])
def test_non_positive_ttl_is_refused(ttl_s: float) -> None:
    with pytest.raises(ValueError, match="ttl_s must be positive"):
        MemoryCache().set("k", b"v", ttl_s=ttl_s)


def test_least_recently_used_entry_is_evicted_first() -> None:
    cache = MemoryCache(max_entries=2)
    cache.set("a", b"1", ttl_s=None)
    cache.set("b", b"2", ttl_s=None)
    assert cache.get("a") == b"1"  # now b is the least recently used
    cache.set("c", b"3", ttl_s=None)
    assert cache.get_many(["a", "b", "c"]) == [b"1", None, b"3"]


def test_get_many_keeps_order_and_misses_expired() -> None:
    clock = FakeClock()
    cache = MemoryCache(clock=clock)
    cache.set("short", b"s", ttl_s=1)
    cache.set("long", b"l", ttl_s=100)
    clock.now += 5
    assert cache.get_many(["long", "none", "short"]) == [b"l", None, None]


def test_delete_counts_only_live_entries() -> None:
    clock = FakeClock()
    cache = MemoryCache(clock=clock)
    cache.set("a", b"1", ttl_s=None)
    cache.set("b", b"2", ttl_s=1)
    clock.now += 2
    assert cache.delete("a", "b", "c") == 1
    assert cache.get("a") is None


def test_bump_moves_one_namespace_only() -> None:
    cache = MemoryCache()
    e0, sp1 = cache.version("E0"), cache.version("SP1")
    assert cache.version("E0") == e0
    bumped = cache.bump("E0")
    assert bumped > e0
    assert cache.version("E0") == bumped
    assert cache.version("SP1") == sp1


def test_evicted_namespace_returns_with_a_higher_version() -> None:
    cache = MemoryCache(max_entries=1)
    first = cache.version("E0")
    cache.version("SP1")  # evicts E0's version
    assert cache.version("E0") > first


def test_concurrent_writers_never_exceed_the_bound() -> None:
    cache = MemoryCache(max_entries=50)

    def write(worker: int) -> None:
        for i in range(2000):
            cache.set(f"{worker}:{i}", b"x", ttl_s=60)
            cache.get(f"{worker}:{i - 1}")

    threads = [threading.Thread(target=write, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(cache) == 50


def test_make_cache_without_url_is_in_memory() -> None:
    assert isinstance(make_cache(None), MemoryCache)
    with pytest.raises(ConfigError, match="needs redis_url"):
        make_cache(None, cluster=True)


# -- PredictionCache --------------------------------------------------------------------


def test_read_loads_once_then_serves_from_cache(predictions: PredictionCache) -> None:
    loads: list[int] = []

    def load() -> bytes:
        loads.append(1)
        return b'{"fixture_id":1}'

    assert predictions.read_fixture(1, load=load) == b'{"fixture_id":1}'
    assert predictions.read_fixture(1, load=load) == b'{"fixture_id":1}'
    assert len(loads) == 1


def test_nothing_found_is_not_cached(predictions: PredictionCache) -> None:
    assert predictions.read_fixture(1, load=absent) is None
    assert predictions.read_fixture(1, load=lambda: b"first") == b"first"


def test_event_drops_the_fixture_and_its_competition_only(predictions: PredictionCache) -> None:
    fill(predictions)
    assert predictions.invalidate_from_event(event(1)) is True
    assert cached(predictions) == {"fixture 2", "fixture 3", "SP1"}


def test_unknown_competition_drops_every_entry(
    predictions: PredictionCache, caplog: pytest.LogCaptureFixture
) -> None:
    fill(predictions)
    with caplog.at_level(logging.WARNING):
        assert predictions.invalidate_from_event(event(99)) is True
    assert cached(predictions) == set()
    assert "fixture 99 has no known competition" in caplog.text


def test_competition_code_with_braces_is_cached_and_invalidated() -> None:
    cache = PredictionCache(MemoryCache(), competition_of=lambda _: "{x}:")
    assert cache.read_competition("{x}:", load=returning("listing")) == b"listing"
    assert cache.read_competition("{x}:", load=absent) == b"listing"
    cache.invalidate_from_event(event(1))
    assert cache.read_competition("{x}:", load=absent) is None


def test_failing_competition_lookup_drops_every_entry(caplog: pytest.LogCaptureFixture) -> None:
    def broken(fixture_id: int) -> str | None:
        raise RuntimeError("database unreachable")

    cache = PredictionCache(MemoryCache(), competition_of=broken)
    fill(cache)
    with caplog.at_level(logging.WARNING):
        assert cache.invalidate_from_event(event(3)) is True
    assert cached(cache) == set()
    assert "database unreachable" in caplog.text


@pytest.mark.parametrize(
    "payload",
    [
        b"",
        b"not json",
        b"\xff\xfe",
        b"[1, 2]",
        b'{"odds_id": 7}',
        event("1"),
        event(True),
        event(None),
        event(1.0),
        b"[" * 100_000,
    ],
    ids=[
        "empty",
        "text",
        "bad-utf8",
        "array",
        "no-fixture",
        "string-id",
        "bool-id",
        "null-id",
        "float-id",
        "too-deep",
    ],
)
def test_malformed_entry_is_ignored_with_a_warning(
    predictions: PredictionCache, payload: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    fill(predictions)
    with caplog.at_level(logging.WARNING, logger="scoreline.api.cache"):
        assert predictions.invalidate_from_event(payload) is False
    assert "ignored" in caplog.text
    assert len(cached(predictions)) == 5


def test_value_read_before_the_commit_is_not_served_after_the_event(
    predictions: PredictionCache,
) -> None:
    # The reader misses, reads the old row; meanwhile the worker commits and the event is
    # handled; then the reader stores the old row. The next reader must not get it.
    def load_racing_the_worker() -> bytes:
        predictions.invalidate_from_event(event(1))
        return b"old"

    assert predictions.read_fixture(1, load=load_racing_the_worker) == b"old"
    assert predictions.read_fixture(1, load=lambda: b"new") == b"new"


# -- CacheInvalidator -------------------------------------------------------------------


def give_position(bus: MemoryBus, invalidator: CacheInvalidator) -> None:
    """Publish fixture 3's events until one is handled. Before that the invalidator reads
    from "$", and an entry published between two reads is covered by an epoch bump, not seen."""
    deadline = time.monotonic() + 2
    while invalidator.events == 0:
        assert time.monotonic() < deadline, "the invalidator handled no event"
        bus.publish(invalidator.stream, [event(3)])
        time.sleep(0.02)


@pytest.fixture
def running(predictions: PredictionCache) -> Iterator[tuple[MemoryBus, CacheInvalidator]]:
    """An invalidator on a fresh bus, ready, and past its first entry (a known position)."""
    bus = MemoryBus()
    streams = Streams(prefix="test")
    invalidator = CacheInvalidator(bus, predictions, stream=streams.predictions, block_ms=50)
    invalidator.start()
    assert invalidator.ready.wait(2)
    give_position(bus, invalidator)
    yield bus, invalidator
    assert invalidator.stop(timeout_s=2)


def test_values_cached_before_start_are_dropped_once_ready(predictions: PredictionCache) -> None:
    fill(predictions)
    stream = Streams().predictions
    invalidator = CacheInvalidator(MemoryBus(), predictions, stream=stream, block_ms=50)
    invalidator.start()
    try:
        assert invalidator.ready.wait(2)
        assert cached(predictions) == set()
    finally:
        assert invalidator.stop(timeout_s=2)


def test_published_prediction_drops_its_keys_promptly(
    predictions: PredictionCache, running: tuple[MemoryBus, CacheInvalidator]
) -> None:
    bus, invalidator = running
    epochs = invalidator.epochs
    fill(predictions)
    bus.publish(invalidator.stream, [event(1)])
    wait_until(lambda: cached(predictions) == {"fixture 2", "fixture 3", "SP1"}, timeout_s=1)
    assert invalidator.epochs == epochs  # past its first entry, it no longer drops everything


def test_malformed_entry_does_not_stop_the_invalidator(
    predictions: PredictionCache, running: tuple[MemoryBus, CacheInvalidator]
) -> None:
    bus, invalidator = running
    fill(predictions)
    handled = invalidator.events
    bus.publish(invalidator.stream, [b"garbage", event(3)])
    wait_until(lambda: invalidator.events == handled + 1)
    assert invalidator.ignored == 1
    assert cached(predictions) == {"fixture 1", "fixture 2", "E0"}


def test_stop_returns_within_one_read(running: tuple[MemoryBus, CacheInvalidator]) -> None:
    _, invalidator = running
    started = time.monotonic()
    assert invalidator.stop(timeout_s=2)
    assert time.monotonic() - started < 0.5


class FlakyBus(MemoryBus):
    """The in-process bus, unreachable for its first ``failures`` tails."""

    def __init__(self, failures: int) -> None:
        super().__init__()
        self.failures = failures

    def tail(self, stream: str, *, after: str, count: int, block_ms: int) -> list[StreamEntry]:
        if self.failures > 0:
            self.failures -= 1
            raise BusUnavailableError("Redis at redis://127.0.0.1:1 unavailable during XREAD")
        return super().tail(stream, after=after, count=count, block_ms=block_ms)


def test_bus_outage_is_retried_and_followed_by_a_full_drop(
    predictions: PredictionCache, caplog: pytest.LogCaptureFixture
) -> None:
    bus = FlakyBus(failures=2)
    invalidator = CacheInvalidator(
        bus, predictions, stream=Streams().predictions, block_ms=50, retry_s=0.01
    ).start()
    try:
        assert invalidator.ready.wait(2)
        assert invalidator.failures == 2
        give_position(bus, invalidator)
    finally:
        assert invalidator.stop(timeout_s=2)
    assert "cache invalidation paused" in caplog.text
    assert "failures=2" in repr(invalidator)


# -- the watch: changes no stream announces ------------------------------------------


def test_a_watched_change_drops_everything_once_its_period_is_up(
    predictions: PredictionCache,
) -> None:
    clock, signature = FakeClock(), ["model 1"]
    invalidator = CacheInvalidator(
        MemoryBus(),
        predictions,
        stream=Streams().predictions,
        block_ms=1,
        watch=lambda: signature[0],
        watch_every_s=5,
        clock=clock,
    )
    invalidator.poll()  # the start: one epoch bump, the signature noted
    fill(predictions)
    everything = cached(predictions)
    assert len(everything) == 5
    signature[0] = "model 2"  # say, another process activated a version
    clock.now += 4.9
    invalidator.poll()
    assert cached(predictions) == everything  # not read yet: at most one period late
    clock.now += 0.1
    invalidator.poll()
    assert cached(predictions) == set()
    assert (invalidator.epochs, invalidator.changes) == (1, 1)
    fill(predictions)
    clock.now += 60
    invalidator.poll()
    assert cached(predictions) == everything  # read again, unchanged: nothing dropped
    assert invalidator.changes == 1


def test_a_failing_watch_is_retried_and_followed_by_a_full_drop(
    predictions: PredictionCache, caplog: pytest.LogCaptureFixture
) -> None:
    calls = [0]

    def watch() -> str:
        calls[0] += 1
        if calls[0] == 2:
            raise BusUnavailableError("the database did not answer")
        return "same"

    clock = FakeClock()
    invalidator = CacheInvalidator(
        MemoryBus(),
        predictions,
        stream=Streams().predictions,
        block_ms=1,
        watch=watch,
        watch_every_s=5,
        clock=clock,
    )
    invalidator.poll()
    fill(predictions)
    clock.now += 5
    with pytest.raises(BusUnavailableError):
        invalidator.poll()
    invalidator._failed()  # what ``run`` does with the error
    invalidator.poll()  # unsure: the watch is read again at once, and everything goes
    assert calls[0] == 3
    assert cached(predictions) == set()
    assert invalidator.epochs == 2


def test_the_watch_period_must_be_positive(predictions: PredictionCache) -> None:
    with pytest.raises(ValueError, match="watch_every_s is 0"):
        CacheInvalidator(MemoryBus(), predictions, stream="s", watch=lambda: 1, watch_every_s=0)
