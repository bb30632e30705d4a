"""The consumer loop on the in-process bus: a poison entry, whatever it raises, is isolated,
dead-lettered within ``max_deliveries`` and never stops the loop or its valid neighbours."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence

import pytest

from scoreline.errors import ConflictError, StorageUnavailableError
from scoreline.messaging.bus import Delivery
from scoreline.messaging.consumer import ConsumerConfig, ConsumerLoop, Rejection
from scoreline.messaging.memory_bus import MemoryBus

STREAM, DEAD = "t:odds", "t:deadletter"


def config(**overrides: object) -> ConsumerConfig:
    settings: dict[str, object] = {
        "stream": STREAM,
        "group": "g",
        "consumer": "c1",
        "dead_letter_stream": DEAD,
        "block_ms": 0,
        "claim_idle_ms": 0,
        "claim_every_s": 0.0,
        "max_deliveries": 3,
        "retry_sleep_s": 0.0,
    }
    return ConsumerConfig(**(settings | overrides))  # type: ignore[arg-type]


class Handler:
    """Handles entries ``b"ok..."``; raises ``error`` on any other entry."""

    def __init__(self, error: Exception) -> None:
        self.error = error
        self.handled: list[bytes] = []

    def __call__(self, batch: Sequence[Delivery]) -> list[Rejection]:
        if any(not d.payload.startswith(b"ok") for d in batch):
            raise self.error
        self.handled += [d.payload for d in batch]
        return []


def letters(bus: MemoryBus) -> list[dict[str, object]]:
    return [json.loads(e.payload) for e in bus.tail(DEAD, after="0", count=100, block_ms=0)]


@pytest.mark.parametrize(
    "error",
    [
        OverflowError("cannot convert float infinity to integer"),
        ConflictError("the database refused the write"),
        RecursionError("maximum recursion depth exceeded"),
        KeyError("odds_id"),
    ],
)
def test_a_poison_entry_is_dead_lettered_within_max_deliveries_and_the_rest_handled(
    error: Exception,
) -> None:
    bus = MemoryBus()
    bus.publish(STREAM, [b"ok1", b"poison", b"ok2"])
    handler = Handler(error)
    loop = ConsumerLoop(bus, config(), handler)
    for _ in range(10):
        loop.step()
    assert handler.handled == [b"ok1", b"ok2"]
    [letter] = letters(bus)
    assert letter["reason"] == "handler_failed"
    assert letter["deliveries"] == 3
    assert type(error).__name__ in str(letter["message"])
    assert bus.group_info(STREAM, "g").pending == 0


def test_a_transient_looking_failure_with_healthy_parts_is_the_entrys_own() -> None:
    bus = MemoryBus()
    bus.publish(STREAM, [b"ok1", b"poison"])
    handler = Handler(StorageUnavailableError("the database is unavailable: bad statement"))
    loop = ConsumerLoop(bus, config(), handler, healthy=lambda: True)
    for _ in range(10):
        loop.step()
    assert handler.handled == [b"ok1"]
    assert [letter["reason"] for letter in letters(bus)] == ["handler_failed"]


def test_a_transient_failure_with_a_part_down_waits_and_dead_letters_nothing() -> None:
    bus = MemoryBus()
    bus.publish(STREAM, [b"poison"])
    asked: list[int] = []

    def healthy() -> bool:
        asked.append(1)
        if len(asked) >= 5:
            loop.stop()  # the outage outlasts the test: stop waiting
        return False

    loop = ConsumerLoop(
        bus, config(), Handler(StorageUnavailableError("database down")), healthy=healthy
    )
    loop.step()
    assert len(asked) == 5
    assert letters(bus) == []
    assert bus.group_info(STREAM, "g").pending == 1  # kept for when the database is back


def test_the_loop_survives_an_error_outside_the_handler_and_stays_alive() -> None:
    bus = MemoryBus()
    calls: list[int] = []

    def read_badly(*_: object, **__: object) -> list[Delivery]:
        calls.append(1)
        if len(calls) == 3:
            loop.stop()
        raise RuntimeError("the bus answered nonsense")

    loop = ConsumerLoop(bus, config(), Handler(ValueError()))
    bus.read = read_badly  # type: ignore[method-assign]
    bus.claim_stale = read_badly  # type: ignore[method-assign]
    loop.run()
    assert len(calls) == 3
    assert loop.stats.failures == 3


def test_a_loop_is_alive_only_while_it_runs() -> None:
    loop = ConsumerLoop(MemoryBus(), config(block_ms=10), Handler(ValueError()))
    assert not loop.is_alive()  # built, never started
    loop.start()
    deadline = time.monotonic() + 5
    while not loop.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert loop.is_alive()
    loop.stop()
    assert loop.join(5)
    assert not loop.is_alive()
