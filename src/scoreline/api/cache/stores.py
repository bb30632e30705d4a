"""Where the API cache keeps its bytes: in this process, or on Redis (a server or a cluster).

Both stores keep a version per namespace that only goes up, which is what lets
``predictions.PredictionCache`` drop a namespace without listing its keys (see
the package docstring for why that beats deleting).
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any, Protocol, cast

import redis
from redis.cluster import RedisCluster
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from scoreline.errors import BusUnavailableError, ConfigError

__all__ = [
    "UNAVAILABLE",
    "Cache",
    "MemoryCache",
    "RedisCache",
    "RedisClient",
    "make_cache",
    "namespaced_key",
]

RedisClient = redis.Redis | RedisCluster
"""Either client: ``RedisCache`` uses only what both accept."""
UNAVAILABLE = (BusUnavailableError, RedisConnectionError, RedisTimeoutError)


def namespaced_key(namespace: str, *parts: object) -> str:
    """``{namespace}:part:part``: the braces make ``namespace`` the key's Redis Cluster hash tag."""
    if "{" in namespace or "}" in namespace:
        raise ValueError(f"namespace {namespace!r} holds a brace; it would change the hash tag")
    return ":".join([f"{{{namespace}}}", *map(str, parts)])


def _check_ttl(ttl_s: float | None) -> None:
    if ttl_s is not None and not ttl_s > 0:
        raise ValueError(f"ttl_s must be positive or None (never expires), not {ttl_s!r}")


class Cache(Protocol):
    """Bytes by key with TTLs, plus a version per namespace that only goes up.

    ``version`` and ``bump`` let a caller drop a whole namespace (every prediction of a
    competition) without listing its keys: build keys with the namespace's version in them,
    and ``bump`` to move on. Values under old versions are never read again and expire.
    """

    def get(self, key: str) -> bytes | None:
        """The value, or ``None`` if absent or expired."""
        ...

    def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        """Values in the order of ``keys``, ``None`` where missing."""
        ...

    def set(self, key: str, value: bytes, ttl_s: float | None) -> None:
        """Store ``value`` for ``ttl_s`` seconds (``None``: until evicted)."""
        ...

    def delete(self, *keys: str) -> int:
        """Remove ``keys``; how many were there."""
        ...

    def version(self, namespace: str) -> int:
        """The namespace's current version; never lower than any version it had before."""
        ...

    def bump(self, namespace: str) -> int:
        """Move the namespace to a new, higher version and return it."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


class MemoryCache:
    """An in-process cache: thread-safe, TTL on an injectable clock, LRU beyond ``max_entries``.

    Parameters
    ----------
    max_entries : int
        Values held at most; the least recently used goes first. Namespace versions are
        bounded by the same number, in their own LRU.
    clock : callable returning float
        Seconds on a monotonic scale (``time.monotonic``); tests pass a fake one.

    Notes
    -----
    An evicted namespace comes back with a version higher than any issued so far (one
    counter serves all namespaces), so eviction never resurrects values stored under it.
    """

    def __init__(
        self, *, max_entries: int = 10_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if max_entries < 1:
            raise ValueError(f"max_entries must be at least 1, not {max_entries}")
        self.max_entries = max_entries
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, tuple[bytes, float]] = OrderedDict()  # value, expires at
        self._versions: OrderedDict[str, int] = OrderedDict()
        self._issued = 0  # the highest version handed out, to any namespace

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def _live(self, key: str, now: float) -> bytes | None:
        found = self._entries.get(key)
        if found is None:
            return None
        if found[1] <= now:
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return found[0]

    def get(self, key: str) -> bytes | None:
        """The value, if present and not expired; marks it recently used."""
        with self._lock:
            return self._live(key, self._clock())

    def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        """Values in order, ``None`` where missing or expired."""
        with self._lock:
            now = self._clock()
            return [self._live(key, now) for key in keys]

    def set(self, key: str, value: bytes, ttl_s: float | None) -> None:
        """Store ``value``, evicting the least recently used beyond ``max_entries``."""
        _check_ttl(ttl_s)
        with self._lock:
            expires_at = math.inf if ttl_s is None else self._clock() + ttl_s
            self._entries[key] = (bytes(value), expires_at)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def delete(self, *keys: str) -> int:
        """Remove ``keys``; how many were held (expired ones count as absent)."""
        with self._lock:
            now = self._clock()
            removed = 0
            for key in keys:
                if self._live(key, now) is not None:
                    del self._entries[key]
                    removed += 1
            return removed

    def _issue(self, namespace: str) -> int:
        self._issued += 1
        self._versions[namespace] = self._issued
        self._versions.move_to_end(namespace)
        while len(self._versions) > self.max_entries:
            self._versions.popitem(last=False)
        return self._issued

    def version(self, namespace: str) -> int:
        """The namespace's version (a fresh one if never seen or evicted)."""
        with self._lock:
            found = self._versions.get(namespace)
            if found is None:
                return self._issue(namespace)
            self._versions.move_to_end(namespace)
            return found

    def bump(self, namespace: str) -> int:
        """A new version for ``namespace``, higher than every version issued so far."""
        with self._lock:
            return self._issue(namespace)

    def close(self) -> None:
        """Nothing to release."""


class RedisCache:
    """The cache on Redis or Redis Cluster, shared by every API process.

    Parameters
    ----------
    client : redis.Redis or redis.cluster.RedisCluster
        Without ``decode_responses``. The cache takes it over: ``close`` closes it.
    key_prefix : str
        Put before every key (tenants, tests). Braces are refused: the hash tag must be
        the namespace's.
    clock : callable returning float
        Wall-clock seconds (``time.time``), to seed versions.

    Notes
    -----
    A version key that vanished (evicted, expired, server restarted) is recreated with the
    clock in microseconds, above any count reached since the previous seed unless a
    namespace was bumped more than a million times a second. So versions only go up, and
    losing a version key at worst costs misses. Version keys have no TTL.
    """

    def __init__(
        self,
        client: RedisClient,
        *,
        key_prefix: str = "scoreline:cache:",
        clock: Callable[[], float] = time.time,
    ) -> None:
        if "{" in key_prefix or "}" in key_prefix:
            raise ValueError(f"key_prefix {key_prefix!r} holds a brace; it would take the hash tag")
        self.client = client
        self.key_prefix = key_prefix
        self._clock = clock

    def _pipeline(self) -> Any:
        # Typed as Any: redis-py's two pipeline classes take the same single-key commands.
        return self.client.pipeline(transaction=False)

    def _version_key(self, namespace: str) -> str:
        return self.key_prefix + namespaced_key(namespace, "version")

    def _seed(self) -> int:
        return int(self._clock() * 1_000_000)

    def get(self, key: str) -> bytes | None:
        """``GET``."""
        return cast("bytes | None", self.client.get(self.key_prefix + key))

    def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        """One ``GET`` per key in a pipeline (``MGET`` would need one slot for all keys)."""
        if not keys:
            return []
        pipe = self._pipeline()
        for key in keys:
            pipe.get(self.key_prefix + key)
        return cast("list[bytes | None]", pipe.execute())

    def set(self, key: str, value: bytes, ttl_s: float | None) -> None:
        """``SET`` with ``PX`` (milliseconds, rounded up) when ``ttl_s`` is given."""
        _check_ttl(ttl_s)
        px = None if ttl_s is None else math.ceil(ttl_s * 1000)
        self.client.set(self.key_prefix + key, value, px=px)

    def delete(self, *keys: str) -> int:
        """One ``DEL`` per key in a pipeline; how many existed."""
        if not keys:
            return 0
        pipe = self._pipeline()
        for key in keys:
            pipe.delete(self.key_prefix + key)
        return sum(int(n) for n in pipe.execute())

    def version(self, namespace: str) -> int:
        """``GET``; if missing, ``SET NX GET`` with a clock seed (so concurrent seeders agree)."""
        key = self._version_key(namespace)
        found = cast("bytes | None", self.client.get(key))
        if found is None:
            seed = self._seed()
            previous = cast("bytes | None", self.client.set(key, seed, nx=True, get=True))
            return seed if previous is None else int(previous)
        return int(found)

    def bump(self, namespace: str) -> int:
        """``SET NX`` a seed (if the key vanished) then ``INCR``, pipelined to the key's node."""
        pipe = self._pipeline()
        pipe.set(self._version_key(namespace), self._seed(), nx=True)
        pipe.incr(self._version_key(namespace))
        return int(pipe.execute()[-1])

    def close(self) -> None:
        """Close the client's connections."""
        self.client.close()


def make_cache(
    url: str | None,
    *,
    cluster: bool = False,
    key_prefix: str = "scoreline:cache:",
    max_entries: int = 10_000,
    socket_timeout_s: float = 5.0,
) -> Cache:
    """A ``MemoryCache`` when ``url`` is ``None`` (the embedded default), else a ``RedisCache``.

    ``cluster=True`` connects a ``RedisCluster`` through the node in ``url``, which then
    discovers the others.
    """
    if url is None:
        if cluster:
            raise ConfigError("a Redis Cluster cache needs redis_url; set SCORELINE_REDIS_URL")
        return MemoryCache(max_entries=max_entries)
    options: dict[str, Any] = {
        "socket_timeout": socket_timeout_s,
        "socket_connect_timeout": socket_timeout_s,
    }
    client: RedisClient = (
        RedisCluster.from_url(url, **options) if cluster else redis.Redis.from_url(url, **options)
    )
    return RedisCache(client, key_prefix=key_prefix)
