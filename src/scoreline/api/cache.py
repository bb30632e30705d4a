"""The API's cache of latest predictions and market snapshots: read-through, invalidated by events.

Two instances of one design: latest predictions (namespace ``prediction``, invalidated
from ``<prefix>:predictions``) and the latest prices of a fixture (namespace ``market``,
invalidated from ``<prefix>:odds``). What follows says "prediction"; it holds for both.

::

    PredictionCache    read_fixture, read_competition (read-through); invalidate_from_event
        │ uses
    Cache              get, get_many, set, delete, version, bump
        ├── MemoryCache    one process: LRU, TTL, a lock
        └── RedisCache     every API process: redis.Redis or redis.cluster.RedisCluster
    CacheInvalidator   (cache_invalidator.py) a thread tailing a stream; one invalidation per entry

**Invalidation bumps versions instead of deleting keys.** A cached value lives under a key
that names the versions current when its reader *started*::

    {prediction:fixture:42}:<epoch version>.<fixture version>:latest
    {prediction:competition:E0}:<epoch version>.<competition version>:latest

A plain ``DEL`` would lose a race: a reader misses the cache, reads the database just
before the worker commits, the invalidator deletes the key, and then the reader writes its
stale value, which stays until its TTL. With versions, that late write lands under a version
nobody reads any more, and expires.

**Why a stale read never outlives one event.** (1) The worker commits prediction P and only
then publishes its event E. (2) The invalidator, on E, bumps the fixture's and its
competition's versions. (3) A reader takes the versions, then tries the cache, then on a miss
calls ``load`` (the database) and stores the result under the versions it took. A reader
that took its versions after (2) reads the database after the commit, so it sees P or newer;
a reader that took them before (2) stores under versions no later reader looks up. Once E is
handled, every read returns P or newer. ``load`` must therefore start its own transaction
(an older snapshot could predate the commit) on the primary, not on a lagging replica.

The argument needs every event. ``CacheInvalidator`` starts from the id of its start
time (stream ids begin with milliseconds; ``"$"`` would be re-resolved on every read and
let entries slip between two reads), so it sees every entry published after it started.
On start and after any failure it bumps the *epoch*, a version in every key, once its
next read returns: whatever it could have missed was published, hence committed, before.

**Redis Cluster.** Every command names one key (``GET``, ``SET``, ``DEL``, ``INCR``); batches
go through non-transactional pipelines, which redis-py splits per node, so one code path
serves ``redis.Redis`` and ``RedisCluster`` with no ``CROSSSLOT`` errors. Keys carry their
namespace as a hash tag ``{...}``, so a namespace's version key and values share a slot:
they live, replicate (in order) and fail over together on one node, so a promoted replica
holds a version and values of the same moment; and an atomic multi-key step within one
namespace (a Lua script, ``MULTI``) stays possible later. A read costs three commands (epoch
version, namespace version, value); the epoch is one hot key, on one node of a cluster.
"""

from __future__ import annotations

import json
import logging
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any, Protocol, cast
from urllib.parse import quote

import redis
from redis.cluster import RedisCluster
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from scoreline.errors import BusUnavailableError, ConfigError

__all__ = [
    "UNAVAILABLE",
    "Cache",
    "Invalidates",
    "MemoryCache",
    "PredictionCache",
    "RedisCache",
    "RedisClient",
    "TieredPredictionCache",
    "make_cache",
    "namespaced_key",
]

logger = logging.getLogger(__name__)

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


def _fixture_of(payload: bytes) -> int | None:
    """The ``fixture_id`` of a predictions or odds entry, or ``None`` (logged) if it has none."""
    try:
        body = json.loads(payload)
    except (ValueError, RecursionError) as error:  # bad UTF-8 and bad JSON are ValueErrors
        logger.warning("stream entry %.80r is not JSON (%s); ignored", payload, error)
        return None
    fixture_id = body.get("fixture_id") if isinstance(body, dict) else None
    if not isinstance(fixture_id, int) or isinstance(fixture_id, bool):
        logger.warning("stream entry %.80r has no integer fixture_id; ignored", payload)
        return None
    return fixture_id


class PredictionCache:
    """The API's read path for latest predictions (or market snapshots), and its invalidation.

    Parameters
    ----------
    cache : Cache
        Where serialised responses live.
    competition_of : callable
        The competition code of a fixture id, or ``None`` if unknown. Called once per event;
        a fixture never changes competition, so the caller may memoise it.
    ttl_s : float
        Lifetime of a cached response. Correctness does not rest on it (see the module
        docstring); it bounds the memory held by values under superseded versions.
    namespace : str
        First part of every namespace, so other caches can share the store.

    Notes
    -----
    ``load`` returning ``None`` (nothing stored yet) is not cached: the next read asks
    again, so a fixture's first prediction shows up without waiting for an event. An event
    whose fixture has no known competition drops every entry (bumps the epoch): wider than
    needed, never stale.
    """

    def __init__(
        self,
        cache: Cache,
        *,
        competition_of: Callable[[int], str | None],
        ttl_s: float = 300.0,
        namespace: str = "prediction",
    ) -> None:
        _check_ttl(ttl_s)
        self.cache = cache
        self.competition_of = competition_of
        self.ttl_s = ttl_s
        self.namespace = namespace

    def _fixture_ns(self, fixture_id: int) -> str:
        return f"{self.namespace}:fixture:{fixture_id}"

    def _competition_ns(self, competition: str) -> str:
        # Codes may come from a query string: quoting keeps a brace from taking the hash tag.
        return f"{self.namespace}:competition:{quote(competition, safe='')}"

    def _read_through(self, namespace: str, load: Callable[[], bytes | None]) -> bytes | None:
        # Versions first, database last: the ordering the module docstring relies on.
        epoch = self.cache.version(f"{self.namespace}:epoch")
        key = namespaced_key(namespace, f"{epoch}.{self.cache.version(namespace)}", "latest")
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        value = load()
        if value is not None:
            self.cache.set(key, value, self.ttl_s)
        return value

    def _peek(self, namespace: str) -> bytes | None:
        epoch = self.cache.version(f"{self.namespace}:epoch")
        key = namespaced_key(namespace, f"{epoch}.{self.cache.version(namespace)}", "latest")
        return self.cache.get(key)

    def peek_fixture(self, fixture_id: int) -> bytes | None:
        """The cached entry if there is one; never loads (safe on an event loop for memory)."""
        return self._peek(self._fixture_ns(fixture_id))

    def peek_competition(self, competition: str) -> bytes | None:
        """The cached listing if there is one; never loads."""
        return self._peek(self._competition_ns(competition))

    def read_fixture(self, fixture_id: int, *, load: Callable[[], bytes | None]) -> bytes | None:
        """The latest prediction of a fixture as the API serves it; ``load`` on a miss."""
        return self._read_through(self._fixture_ns(fixture_id), load)

    def read_competition(
        self, competition: str, *, load: Callable[[], bytes | None]
    ) -> bytes | None:
        """The latest predictions of a competition's fixtures; ``load`` on a miss."""
        return self._read_through(self._competition_ns(competition), load)

    def invalidate_fixture(self, fixture_id: int) -> None:
        """Drop the fixture's entry and its competition's listing (all entries if unknown)."""
        self.cache.bump(self._fixture_ns(fixture_id))
        try:
            competition = self.competition_of(fixture_id)
        except Exception:
            # A failed lookup must not leave a listing stale: fall back to dropping everything.
            logger.warning("competition of fixture %d not found", fixture_id, exc_info=True)
            competition = None
        if competition is None:
            logger.warning("fixture %d has no known competition; every entry dropped", fixture_id)
            self.invalidate_all()
        else:
            self.cache.bump(self._competition_ns(competition))

    def invalidate_all(self) -> None:
        """Drop every entry at once, by moving the epoch that is part of every key."""
        self.cache.bump(f"{self.namespace}:epoch")

    def invalidate_from_event(self, payload: bytes) -> bool:
        """Invalidate for one predictions-stream entry; ``False`` if it is malformed (logged)."""
        fixture_id = _fixture_of(payload)
        if fixture_id is None:
            return False
        self.invalidate_fixture(fixture_id)
        return True


class Invalidates(Protocol):
    """What the invalidator drives: a ``PredictionCache`` or a ``TieredPredictionCache``."""

    def invalidate_all(self) -> None: ...

    def invalidate_from_event(self, payload: bytes) -> bool: ...


class TieredPredictionCache:
    """A per-process near cache in front of the shared one (Redis), both versioned.

    Reads try this process's memory, then Redis, then the database; every
    prediction event invalidates both (each API process runs its own
    invalidator on the stream, so every near cache hears every event). The
    ordering argument of the module docstring holds at each tier: a tier reads
    its versions before asking the next one.
    """

    def __init__(self, near: PredictionCache, far: PredictionCache | None) -> None:
        self.near, self.far = near, far

    def peek_fixture(self, fixture_id: int) -> bytes | None:
        """The near tier's entry, without loading."""
        return self.near.peek_fixture(fixture_id)

    def peek_competition(self, competition: str) -> bytes | None:
        """The near tier's listing, without loading."""
        return self.near.peek_competition(competition)

    def read_fixture(self, fixture_id: int, *, load: Callable[[], bytes | None]) -> bytes | None:
        """Near, then far, then ``load``."""
        far = self.far
        if far is None:
            return self.near.read_fixture(fixture_id, load=load)
        return self.near.read_fixture(
            fixture_id, load=lambda: far.read_fixture(fixture_id, load=load)
        )

    def read_competition(
        self, competition: str, *, load: Callable[[], bytes | None]
    ) -> bytes | None:
        """Near, then far, then ``load``."""
        far = self.far
        if far is None:
            return self.near.read_competition(competition, load=load)
        return self.near.read_competition(
            competition, load=lambda: far.read_competition(competition, load=load)
        )

    def invalidate_all(self) -> None:
        """Both tiers."""
        self.near.invalidate_all()
        if self.far is not None:
            self.far.invalidate_all()

    def invalidate_from_event(self, payload: bytes) -> bool:
        """Both tiers; ``False`` for a malformed entry."""
        handled = self.near.invalidate_from_event(payload)
        if self.far is not None:
            self.far.invalidate_from_event(payload)
        return handled
