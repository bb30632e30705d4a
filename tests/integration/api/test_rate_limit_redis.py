"""The Redis login limiter on the local server: the in-memory rules, shared between processes."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import redis

from scoreline.api.rate_limit import RedisLoginRateLimiter, RetryAfter

pytestmark = pytest.mark.redis

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
WINDOW = timedelta(minutes=15)


class FakeClock:
    """A clock that moves only when told."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@pytest.fixture
def client(redis_url: str) -> Iterator[redis.Redis]:
    made = redis.Redis.from_url(redis_url)
    yield made
    made.close()


@pytest.fixture
def prefix(client: redis.Redis) -> Iterator[str]:
    """A key prefix unique to the test; its keys are deleted afterwards."""
    made = f"test:login:{uuid.uuid4().hex[:10]}:"
    yield made
    for key in client.scan_iter(match=f"{made}*"):
        client.delete(key)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NOW)


def _limiter(client: redis.Redis, clock: FakeClock, prefix: str) -> RedisLoginRateLimiter:
    return RedisLoginRateLimiter(
        client, max_attempts=5, window=WINDOW, clock=clock, key_prefix=prefix
    )


@pytest.fixture
def limiter(client: redis.Redis, clock: FakeClock, prefix: str) -> RedisLoginRateLimiter:
    return _limiter(client, clock, prefix)


def _five_a_minute_apart(limiter: RedisLoginRateLimiter, clock: FakeClock, key: str) -> None:
    for _ in range(5):
        assert limiter.hit(key) is None
        clock.advance(timedelta(minutes=1))


def test_five_attempts_pass_and_the_sixth_waits_for_the_first_to_age_out(
    limiter: RedisLoginRateLimiter, clock: FakeClock
) -> None:
    _five_a_minute_apart(limiter, clock, "alice|10.0.0.1")
    refused = limiter.hit("alice|10.0.0.1")
    assert refused == RetryAfter(timedelta(minutes=10))
    assert refused.seconds == 600


def test_window_slides(limiter: RedisLoginRateLimiter, clock: FakeClock) -> None:
    _five_a_minute_apart(limiter, clock, "k")
    clock.advance(timedelta(minutes=10) - timedelta(seconds=1))
    assert limiter.hit("k") == RetryAfter(timedelta(seconds=1))
    clock.advance(timedelta(seconds=1))
    assert limiter.hit("k") is None
    assert limiter.hit("k") == RetryAfter(timedelta(minutes=1))


def test_refused_attempt_is_not_stored(
    limiter: RedisLoginRateLimiter, clock: FakeClock, client: redis.Redis, prefix: str
) -> None:
    _five_a_minute_apart(limiter, clock, "k")
    for _ in range(3):
        assert limiter.hit("k") is not None
    assert client.zcard(f"{prefix}k") == 5


def test_processes_share_the_count(client: redis.Redis, clock: FakeClock, prefix: str) -> None:
    first, second = _limiter(client, clock, prefix), _limiter(client, clock, prefix)
    for limiter in (first, second, first, second, first):
        assert limiter.hit("k") is None
    assert second.hit("k") == RetryAfter(WINDOW)


def test_key_expires_once_the_window_has_passed(
    limiter: RedisLoginRateLimiter, client: redis.Redis, prefix: str
) -> None:
    limiter.hit("k")
    ttl = client.ttl(f"{prefix}k")
    assert 0 < ttl <= WINDOW.total_seconds() + 1


def test_reset_deletes_the_key(
    limiter: RedisLoginRateLimiter, clock: FakeClock, client: redis.Redis, prefix: str
) -> None:
    _five_a_minute_apart(limiter, clock, "k")
    limiter.reset("k")
    assert client.exists(f"{prefix}k") == 0
    assert limiter.hit("k") is None
