"""The production bus: Redis Streams through redis-py, on one server or a Redis Cluster.

Each entry holds one field, ``d``, with the payload bytes. Writes of a batch
go in one pipelined round trip (``XADD ... MAXLEN ~ n``). A consumer group that
vanished (Redis restarted without persistence, or the stream was deleted) is
recreated on the next read, from the stream's start, so a worker never stalls on
``NOGROUP``. Connection failures surface as ``BusUnavailableError``; every
consumer loop waits and retries, so a Redis restart pauses the pipeline rather
than ending it.

With ``cluster=True`` the client is redis-py's ``RedisCluster``: every command
here names one stream, so it goes to the stream's node, and pipelines are
non-transactional, which the cluster client splits per node. Stream names then
carry a hash tag (``names.Streams(hash_tag=True)``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar, cast

import redis
from redis.cluster import RedisCluster
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from scoreline.errors import BusUnavailableError
from scoreline.messaging.bus import Delivery, GroupInfo, StreamEntry

__all__ = ["RedisBus", "redis_client", "safe_url"]

_FIELD = b"d"
_T = TypeVar("_T")
_UNREACHABLE = (RedisConnectionError, RedisTimeoutError)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _entry(entry_id: Any, fields: Any) -> StreamEntry:
    payload = fields.get(_FIELD, b"") if isinstance(fields, dict) else b""
    return StreamEntry(_text(entry_id), payload)


def safe_url(url: str) -> str:
    """The URL without its password, for messages and logs."""
    head, _, tail = url.rpartition("@")
    scheme = url.split("://", 1)[0] if "://" in url else "redis"
    return f"{scheme}://…@{tail}" if head else url


def redis_client(
    url: str, *, cluster: bool, socket_timeout: float = 5.0
) -> redis.Redis | RedisCluster:
    """A client for ``url``: a single server, or the cluster that ``url`` is a node of."""
    options: dict[str, Any] = {
        "socket_timeout": socket_timeout,
        "socket_connect_timeout": socket_timeout,
    }
    if cluster:
        return RedisCluster.from_url(url, **options)
    return redis.Redis.from_url(url, health_check_interval=30, **options)


class RedisBus:
    """Redis Streams with consumer groups (see ``bus`` for the contract)."""

    def __init__(self, url: str, *, cluster: bool = False, socket_timeout: float = 5.0) -> None:
        self.url = url
        self.cluster = cluster
        self._client = redis_client(url, cluster=cluster, socket_timeout=socket_timeout)

    @property
    def client(self) -> redis.Redis | RedisCluster:
        """The underlying client, for callers that need a raw command (benchmarks, tests)."""
        return self._client

    def _call(self, what: str, action: Callable[[], _T]) -> _T:
        try:
            return action()
        except _UNREACHABLE as error:
            raise BusUnavailableError(
                f"Redis at {safe_url(self.url)} unavailable during {what}: {error}"
            ) from error

    def _delivery(
        self, stream: str, group: str, entry_id: Any, fields: Any, times: int
    ) -> Delivery:
        payload = fields.get(_FIELD, b"") if isinstance(fields, dict) else b""
        return Delivery(_text(entry_id), payload, times, stream, group, self)

    def publish(
        self, stream: str, payloads: Sequence[bytes], *, maxlen: int | None = None
    ) -> list[str]:
        """Append ``payloads`` in one round trip; their ids."""
        if not payloads:
            return []

        def run() -> list[str]:
            pipe = self._client.pipeline(transaction=False)
            for payload in payloads:
                pipe.xadd(stream, {_FIELD: payload}, maxlen=maxlen, approximate=True)
            return [_text(i) for i in pipe.execute()]

        return self._call("XADD", run)

    def ensure_group(self, stream: str, group: str) -> None:
        """``XGROUP CREATE stream group 0 MKSTREAM``, tolerating an existing group."""

        def run() -> None:
            try:
                self._client.xgroup_create(stream, group, id="0", mkstream=True)
            except ResponseError as error:
                if "BUSYGROUP" not in str(error):
                    raise

        self._call("XGROUP CREATE", run)

    def read(
        self, stream: str, group: str, consumer: str, *, count: int, block_ms: int
    ) -> list[Delivery]:
        """``XREADGROUP ... STREAMS stream >``; recreates a vanished group."""

        def run() -> list[Delivery]:
            try:
                reply = self._client.xreadgroup(
                    group, consumer, {stream: ">"}, count=count, block=block_ms or None
                )
            except ResponseError as error:
                if "NOGROUP" not in str(error):
                    raise
                self.ensure_group(stream, group)
                return []
            return [
                self._delivery(stream, group, entry_id, fields, 1)
                for _, entries in cast(list[Any], reply or [])
                for entry_id, fields in entries
            ]

        return self._call("XREADGROUP", run)

    def claim_stale(
        self, stream: str, group: str, consumer: str, *, min_idle_ms: int, count: int
    ) -> list[Delivery]:
        """``XAUTOCLAIM`` from the start of the pending list, with delivery counts."""

        def run() -> list[Delivery]:
            try:
                reply = self._client.xautoclaim(
                    stream, group, consumer, min_idle_time=min_idle_ms, start_id="0-0", count=count
                )
            except ResponseError as error:
                if "NOGROUP" not in str(error):
                    raise
                self.ensure_group(stream, group)
                return []
            entries = [(i, f) for i, f in reply[1] if f is not None]
            if not entries:
                return []
            details = self._client.xpending_range(
                stream,
                group,
                min=entries[0][0],
                max=entries[-1][0],
                count=len(entries) * 4,
                consumername=consumer,
            )
            counts = {
                _text(cast(bytes, d["message_id"])): int(d["times_delivered"]) for d in details
            }
            return [
                self._delivery(stream, group, i, f, counts.get(_text(i), 1)) for i, f in entries
            ]

        return self._call("XAUTOCLAIM", run)

    def ack(self, stream: str, group: str, ids: Sequence[str]) -> int:
        """``XACK``."""
        if not ids:
            return 0
        return self._call("XACK", lambda: int(self._client.xack(stream, group, *ids)))

    def group_info(self, stream: str, group: str) -> GroupInfo:
        """From ``XINFO GROUPS``: lag (Redis 7) and pending."""

        def run() -> GroupInfo:
            try:
                groups = self._client.xinfo_groups(stream)
            except ResponseError:
                return GroupInfo(lag=0, pending=0, consumers=0, exists=False)
            for info in groups:
                if _text(info["name"]) == group:
                    lag = info.get("lag")
                    return GroupInfo(
                        lag=int(lag) if lag is not None else 0,
                        pending=int(info["pending"]),
                        consumers=int(info["consumers"]),
                    )
            return GroupInfo(lag=0, pending=0, consumers=0, exists=False)

        return self._call("XINFO GROUPS", run)

    def length(self, stream: str) -> int:
        """``XLEN``."""
        return self._call("XLEN", lambda: int(self._client.xlen(stream)))

    def tail(self, stream: str, *, after: str, count: int, block_ms: int) -> list[StreamEntry]:
        """``XREAD`` after an id."""

        def run() -> list[StreamEntry]:
            reply = self._client.xread({stream: after}, count=count, block=block_ms or None)
            return [
                StreamEntry(_text(entry_id), fields.get(_FIELD, b""))
                for _, entries in cast(list[Any], reply or [])
                for entry_id, fields in entries
            ]

        return self._call("XREAD", run)

    def newest(self, stream: str, *, before: str | None, count: int) -> list[StreamEntry]:
        """``XREVRANGE stream (before - COUNT count``."""
        top = "+" if before is None else f"({before}"

        def run() -> list[StreamEntry]:
            reply = self._client.xrevrange(stream, max=top, min="-", count=count)
            return [_entry(i, f) for i, f in cast(list[Any], reply or [])]

        return self._call("XREVRANGE", run)

    def entry(self, stream: str, entry_id: str) -> StreamEntry | None:
        """``XRANGE stream id id``."""

        def run() -> StreamEntry | None:
            reply = cast(
                list[Any], self._client.xrange(stream, min=entry_id, max=entry_id, count=1)
            )
            return _entry(*reply[0]) if reply else None

        return self._call("XRANGE", run)

    def ping(self) -> bool:
        """Whether Redis answers (every node, on a cluster)."""
        try:
            return bool(self._client.ping())
        except _UNREACHABLE:
            return False

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()
