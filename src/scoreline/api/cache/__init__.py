"""The API's cache of latest predictions and market snapshots: read-through, invalidated by events.

Two instances of one design: latest predictions (namespace ``prediction``, invalidated
from ``<prefix>:predictions``) and the latest prices of a fixture (namespace ``market``,
invalidated from ``<prefix>:odds``). What follows says "prediction"; it holds for both.

::

    PredictionCache    read_fixture, read_competition (read-through); invalidate_from_event
        │ uses                                                      (predictions.py)
    Cache              get, get_many, set, delete, version, bump      (stores.py)
        ├── MemoryCache    one process: LRU, TTL, a lock
        └── RedisCache     every API process: redis.Redis or redis.cluster.RedisCluster
    CacheInvalidator   a thread tailing a stream; one invalidation per entry (invalidator.py)

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

from scoreline.api.cache.invalidator import CacheInvalidator
from scoreline.api.cache.predictions import Invalidates, PredictionCache, TieredPredictionCache
from scoreline.api.cache.stores import (
    UNAVAILABLE,
    Cache,
    MemoryCache,
    RedisCache,
    RedisClient,
    make_cache,
    namespaced_key,
)

__all__ = [
    "UNAVAILABLE",
    "Cache",
    "CacheInvalidator",
    "Invalidates",
    "MemoryCache",
    "PredictionCache",
    "RedisCache",
    "RedisClient",
    "TieredPredictionCache",
    "make_cache",
    "namespaced_key",
]
