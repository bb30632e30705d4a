"""The production bus: Redis Streams through redis-py.

Each entry holds one field, ``d``, with the payload bytes. Writes of a batch
go in one pipelined round trip (``XADD ... MAXLEN ~ n``). A consumer group that
vanished (Redis restarted without persistence, or the stream was deleted) is
recreated on the next read, from the stream's start, so a worker never stalls on
``NOGROUP``. Connection failures surface as ``BusUnavailableError``; the
ingestion engine and the worker wait and retry, so a Redis restart pauses the
pipeline rather than ending it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar, cast

import redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from scoreline.errors import BusUnavailableError
from scoreline.pipeline.bus import Delivery, GroupInfo, StreamEntry

__all__ = ["RedisBus"]

_FIELD = b"d"
_T = TypeVar("_T")


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


class RedisBus:
    """Redis Streams with consumer groups (see ``bus`` for the contract)."""

    def __init__(self, url: str, *, socket_timeout: float = 5.0) -> None:
        self.url = url
        self._client = redis.Redis.from_url(
            url,
            socket_timeout=socket_timeout,
            socket_connect_timeout=socket_timeout,
            health_check_interval=30,
        )

    @property
    def client(self) -> redis.Redis:
        """The underlying client, for callers that need a raw command (benchmarks, tests)."""
        return self._client

    def _call(self, what: str, action: Callable[[], _T]) -> _T:
        try:
            return action()
        except (RedisConnectionError, RedisTimeoutError) as error:
            raise BusUnavailableError(
                f"Redis at {self._safe_url()} unavailable during {what}: {error}"
            ) from error

    def _safe_url(self) -> str:
        """The URL without a password, for messages."""
        head, _, tail = self.url.rpartition("@")
        return f"redis://…@{tail}" if head else self.url

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
                Delivery(_text(entry_id), fields.get(_FIELD, b""), 1)
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
                Delivery(_text(i), f.get(_FIELD, b""), counts.get(_text(i), 1)) for i, f in entries
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
                return GroupInfo(lag=0, pending=0, consumers=0)
            for info in groups:
                if _text(info["name"]) == group:
                    lag = info.get("lag")
                    return GroupInfo(
                        lag=int(lag) if lag is not None else 0,
                        pending=int(info["pending"]),
                        consumers=int(info["consumers"]),
                    )
            return GroupInfo(lag=0, pending=0, consumers=0)

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

    def ping(self) -> bool:
        """Whether Redis answers."""
        try:
            return bool(self._client.ping())
        except (RedisConnectionError, RedisTimeoutError):
            return False

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()
