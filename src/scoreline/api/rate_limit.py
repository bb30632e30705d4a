"""Login rate limiting: a sliding window of attempts per key (an email, an address, both).

Two implementations of ``services.sign_in.LoginLimiter``: in memory, for a
single process and for tests, and on Redis, so that every API process counts the
same attempts. Both follow one rule. An attempt at time ``t`` counts until
``t + window``; :meth:`~LoginLimiter.hit` records an attempt and returns ``None``
while fewer than the limit count, and otherwise refuses with a
:class:`RetryAfter`. A refused attempt is *not* recorded, so the retry-after is
exact: wait that long and one more attempt is allowed. Hammering on does not
extend the lockout, but neither does it buy a single extra guess.

An attempt is a *member* of its key: unique by default, so every attempt counts;
given (say, the email tried from one address), an attempt with a member already
counted is allowed and counts nothing new, so the key counts *distinct* members
(how many emails one address has tried). :meth:`~LoginLimiter.forget` drops one
member (a sign-in that succeeded), :meth:`~LoginLimiter.reset` a whole key.
"""

from __future__ import annotations

import math
import secrets
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import redis
from redis.cluster import RedisCluster

from scoreline.errors import ConfigError
from scoreline.services.sign_in import LoginLimiter, RetryAfter

__all__ = [
    "Clock",
    "LoginLimiter",
    "LoginRateLimiter",
    "RedisLoginRateLimiter",
    "RetryAfter",
    "login_limiter",
]

Clock = Callable[[], datetime]
"""Returns the current, timezone-aware time; tests pass a fake one."""

_SWEEP_EVERY = 1024  # hits between sweeps of idle keys in memory


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _check_limits(max_attempts: int, window: timedelta) -> None:
    if max_attempts < 1:
        raise ConfigError(f"max_attempts is {max_attempts}; allow at least 1 login attempt")
    if window <= timedelta(0):
        raise ConfigError(f"the rate limit window is {window}; it must be positive")


def _retry_after(oldest: float, now: float, window: timedelta) -> RetryAfter:
    """The wait until the attempt at ``oldest`` leaves the window, within (0, window]."""
    window_seconds = window.total_seconds()
    wait = min(max(oldest + window_seconds - now, 0.0), window_seconds)
    return RetryAfter(timedelta(seconds=wait) or timedelta(microseconds=1))


class LoginRateLimiter:
    """A sliding-window login limiter in this process's memory; thread-safe.

    Parameters
    ----------
    max_attempts : int
        Attempts allowed per key within one window, unless a hit names its own limit.
    window : timedelta
        How long an attempt counts.
    clock : Clock
        The time source; ``datetime.now(UTC)`` unless a test passes a fake.

    Idle keys are swept now and then, so a spray of usernames does not grow
    memory without bound.
    """

    def __init__(
        self,
        max_attempts: int = 5,
        window: timedelta = timedelta(minutes=15),
        clock: Clock = _utc_now,
    ) -> None:
        _check_limits(max_attempts, window)
        self.max_attempts = max_attempts
        self.window = window
        self._clock = clock
        # Per key, its members and when each was counted, oldest first.
        self._attempts: dict[str, dict[str, float]] = {}
        self._lock = threading.Lock()
        self._hits = 0

    def hit(
        self, key: str, *, limit: int | None = None, member: str | None = None
    ) -> RetryAfter | None:
        """Record an attempt for ``key``; ``None`` if allowed, else how long to wait."""
        now = self._clock().timestamp()
        allowed = self.max_attempts if limit is None else limit
        with self._lock:
            self._hits += 1
            if self._hits % _SWEEP_EVERY == 0:
                self._sweep(now)
            attempts = self._attempts.setdefault(key, {})
            self._expire(attempts, now)
            if member is not None and member in attempts:
                return None
            if len(attempts) >= allowed:
                return _retry_after(next(iter(attempts.values())), now, self.window)
            attempts[member or secrets.token_hex(8)] = now
            return None

    def forget(self, key: str, member: str) -> None:
        """Drop one member's attempt from ``key`` (it succeeded, so it should not count)."""
        with self._lock:
            self._attempts.get(key, {}).pop(member, None)

    def reset(self, key: str) -> None:
        """Forget the attempts for ``key``, after a successful login."""
        with self._lock:
            self._attempts.pop(key, None)

    def _expire(self, attempts: dict[str, float], now: float) -> None:
        cutoff = now - self.window.total_seconds()
        while attempts:
            oldest = next(iter(attempts))
            if attempts[oldest] > cutoff:
                break
            del attempts[oldest]

    def _sweep(self, now: float) -> None:
        for key in list(self._attempts):
            self._expire(self._attempts[key], now)
            if not self._attempts[key]:
                del self._attempts[key]


class RedisLoginRateLimiter:
    """The same limiter on Redis, shared by every API process.

    Each key is a sorted set of attempts scored by their time. One ``MULTI``/``EXEC``
    pipeline drops attempts older than the window (``ZREMRANGEBYSCORE``), adds this
    one (``ZADD``), counts (``ZCARD``), reads the oldest (``ZRANGE 0 0``) and renews
    the set's ``EXPIRE``, so concurrent logins are counted one at a time. A refused
    attempt is then removed again (``ZREM``).

    Parameters
    ----------
    redis_client : redis.Redis or redis.cluster.RedisCluster
        A connected client; the caller owns and closes it. Each key is one Redis key,
        so the ``MULTI``/``EXEC`` below stays within one slot of a cluster.
    max_attempts, window, clock
        As for :class:`LoginRateLimiter`. Times come from ``clock``, so the API
        processes' clocks should agree (NTP); Redis's own time is used only for
        the expiry that clears idle keys.
    key_prefix : str
        Prepended to each key, so that limiters and tests sharing a server do not meet.

    Redis errors propagate: whether to allow a login while the limiter cannot be
    reached is the caller's decision (refusing with 503 is the safe one).
    """

    def __init__(
        self,
        redis_client: redis.Redis | RedisCluster,
        max_attempts: int = 5,
        window: timedelta = timedelta(minutes=15),
        clock: Clock = _utc_now,
        *,
        key_prefix: str = "scoreline:login:",
    ) -> None:
        _check_limits(max_attempts, window)
        self.max_attempts = max_attempts
        self.window = window
        self.key_prefix = key_prefix
        self._client = redis_client
        self._clock = clock

    def hit(
        self, key: str, *, limit: int | None = None, member: str | None = None
    ) -> RetryAfter | None:
        """Record an attempt for ``key``; ``None`` if allowed, else how long to wait."""
        now = self._clock().timestamp()
        name = self.key_prefix + key
        # Unique unless given, so simultaneous attempts all count.
        member = member or f"{now:.6f}:{secrets.token_hex(8)}"
        pipe = self._client.pipeline(transaction=True)
        pipe.zremrangebyscore(name, "-inf", now - self.window.total_seconds())
        pipe.zadd(name, {member: now}, nx=True)  # a member counted already keeps its time
        pipe.zcard(name)
        pipe.zrange(name, 0, 0, withscores=True)
        # One second over the window, so the set outlives its newest attempt.
        pipe.expire(name, math.ceil(self.window.total_seconds()) + 1)
        replies: list[Any] = pipe.execute()
        added: int = replies[1]
        count: int = replies[2]
        oldest: list[tuple[Any, float]] = replies[3]
        if not added or count <= (self.max_attempts if limit is None else limit):
            return None
        self._client.zrem(name, member)
        return _retry_after(oldest[0][1], now, self.window)

    def forget(self, key: str, member: str) -> None:
        """Drop one member's attempt from ``key`` (it succeeded, so it should not count)."""
        self._client.zrem(self.key_prefix + key, member)

    def reset(self, key: str) -> None:
        """Forget the attempts for ``key``, after a successful login."""
        self._client.delete(self.key_prefix + key)


def login_limiter(
    redis_client: redis.Redis | RedisCluster | None, *, key_prefix: str = "scoreline:login:"
) -> LoginLimiter:
    """The limiter an API process uses: on Redis whenever Redis is configured, so that every
    process counts the same attempts (two processes would otherwise give twice the guesses);
    in memory for a lone process. ``key_prefix`` keeps deployments sharing a Redis apart."""
    if redis_client is None:
        return LoginRateLimiter()
    return RedisLoginRateLimiter(redis_client, key_prefix=key_prefix)
