"""The in-process bus: Redis Streams semantics for one process, the embedded default.

Everything lives in memory behind one lock; blocking reads wait on a condition
variable. It exists so that a newcomer's single ``scoreline serve`` process runs
the same ingestion and worker code as production, and it passes the same
contract tests as ``RedisBus``. Entry ids are ``<milliseconds>-<sequence>``
like Redis's and compare as pairs of integers.
"""

from __future__ import annotations

import bisect
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field

from scoreline.messaging.bus import Delivery, GroupInfo, StreamEntry

__all__ = ["MemoryBus"]

_Id = tuple[int, int]


def _parse(entry_id: str) -> _Id:
    ms, _, seq = entry_id.partition("-")
    return int(ms), int(seq or 0)


def _text(entry_id: _Id) -> str:
    return f"{entry_id[0]}-{entry_id[1]}"


@dataclass
class _Pending:
    consumer: str
    delivered_at: float
    deliveries: int


@dataclass
class _Group:
    last: _Id
    pending: OrderedDict[_Id, _Pending] = field(default_factory=OrderedDict)
    consumers: set[str] = field(default_factory=set)


@dataclass
class _Stream:
    ids: list[_Id] = field(default_factory=list)  # ascending, so reads bisect
    entries: dict[_Id, bytes] = field(default_factory=dict)
    last: _Id = (0, 0)
    groups: dict[str, _Group] = field(default_factory=dict)

    def after(self, start: _Id, count: int) -> list[_Id]:
        first = bisect.bisect_right(self.ids, start)
        return self.ids[first : first + count]


class MemoryBus:
    """Streams and consumer groups in memory (see ``bus`` for the contract)."""

    def __init__(self) -> None:
        self._lock = threading.Condition()
        self._streams: dict[str, _Stream] = {}
        self._now = time.monotonic

    def _stream(self, name: str) -> _Stream:
        return self._streams.setdefault(name, _Stream())

    def _next_id(self, stream: _Stream) -> _Id:
        ms = int(time.time() * 1000)
        if ms > stream.last[0]:
            return (ms, 0)
        return (stream.last[0], stream.last[1] + 1)

    def publish(
        self, stream: str, payloads: Sequence[bytes], *, maxlen: int | None = None
    ) -> list[str]:
        """Append ``payloads``; trim the oldest beyond ``maxlen`` (pending ones included)."""
        with self._lock:
            s = self._stream(stream)
            ids = []
            for payload in payloads:
                entry_id = self._next_id(s)
                s.entries[entry_id] = bytes(payload)
                s.ids.append(entry_id)
                s.last = entry_id
                ids.append(_text(entry_id))
            if maxlen is not None:
                excess = len(s.ids) - maxlen
                if excess > 0:
                    for entry_id in s.ids[:excess]:
                        del s.entries[entry_id]
                    del s.ids[:excess]
            self._lock.notify_all()
            return ids

    def ensure_group(self, stream: str, group: str) -> None:
        """Create ``group`` from the stream's first entry if missing."""
        with self._lock:
            self._stream(stream).groups.setdefault(group, _Group(last=(0, 0)))

    def _group(self, stream: str, group: str) -> _Group:
        """The group, created from the stream's start if missing (as ``RedisBus`` recreates
        a vanished one on ``NOGROUP``)."""
        return self._stream(stream).groups.setdefault(group, _Group(last=(0, 0)))

    def read(
        self, stream: str, group: str, consumer: str, *, count: int, block_ms: int
    ) -> list[Delivery]:
        """New entries for ``group``, marked pending with ``consumer``."""
        deadline = self._now() + block_ms / 1000
        with self._lock:
            while True:
                g = self._group(stream, group)
                g.consumers.add(consumer)
                s = self._streams[stream]
                fresh = s.after(g.last, count)
                if fresh:
                    now = self._now()
                    for entry_id in fresh:
                        g.pending[entry_id] = _Pending(consumer, now, 1)
                    g.last = fresh[-1]
                    return [Delivery(_text(i), s.entries[i], 1, stream, group, self) for i in fresh]
                remaining = deadline - self._now()
                if block_ms <= 0 or remaining <= 0:
                    return []
                self._lock.wait(remaining)

    def claim_stale(
        self, stream: str, group: str, consumer: str, *, min_idle_ms: int, count: int
    ) -> list[Delivery]:
        """Entries pending over ``min_idle_ms``, now with ``consumer``; trimmed ones are dropped
        from the pending list, as XAUTOCLAIM does."""
        with self._lock:
            g = self._group(stream, group)
            g.consumers.add(consumer)
            s = self._streams[stream]
            now = self._now()
            out: list[Delivery] = []
            for entry_id, pending in list(g.pending.items()):
                if len(out) >= count:
                    break
                if (now - pending.delivered_at) * 1000 < min_idle_ms:
                    continue
                if entry_id not in s.entries:
                    del g.pending[entry_id]
                    continue
                pending.consumer, pending.delivered_at = consumer, now
                pending.deliveries += 1
                out.append(
                    Delivery(
                        _text(entry_id),
                        s.entries[entry_id],
                        pending.deliveries,
                        stream,
                        group,
                        self,
                    )
                )
            return out

    def ack(self, stream: str, group: str, ids: Sequence[str]) -> int:
        """Remove ``ids`` from the pending list; how many were there."""
        with self._lock:
            g = self._group(stream, group)
            return sum(g.pending.pop(_parse(i), None) is not None for i in ids)

    def group_info(self, stream: str, group: str) -> GroupInfo:
        """Entries after the group's last delivered one, and its pending count."""
        with self._lock:
            if group not in self._stream(stream).groups:
                return GroupInfo(lag=0, pending=0, consumers=0, exists=False)
            g = self._group(stream, group)
            s = self._streams[stream]
            lag = len(s.ids) - bisect.bisect_right(s.ids, g.last)
            return GroupInfo(lag=lag, pending=len(g.pending), consumers=len(g.consumers))

    def length(self, stream: str) -> int:
        """Entries held."""
        with self._lock:
            return len(self._streams.get(stream, _Stream()).entries)

    def tail(self, stream: str, *, after: str, count: int, block_ms: int) -> list[StreamEntry]:
        """Entries after ``after``; ``"$"`` means after the current last entry."""
        deadline = self._now() + block_ms / 1000
        with self._lock:
            s = self._stream(stream)
            start = s.last if after == "$" else _parse(after)
            while True:
                found = s.after(start, count)
                if found:
                    return [StreamEntry(_text(i), s.entries[i]) for i in found]
                remaining = deadline - self._now()
                if block_ms <= 0 or remaining <= 0:
                    return []
                self._lock.wait(remaining)

    def newest(self, stream: str, *, before: str | None, count: int) -> list[StreamEntry]:
        """Entries below ``before``, newest first."""
        with self._lock:
            s = self._streams.get(stream, _Stream())
            end = len(s.ids) if before is None else bisect.bisect_left(s.ids, _parse(before))
            found = s.ids[max(0, end - count) : end][::-1]
            return [StreamEntry(_text(i), s.entries[i]) for i in found]

    def entry(self, stream: str, entry_id: str) -> StreamEntry | None:
        """The entry with this id, if held."""
        with self._lock:
            s = self._streams.get(stream, _Stream())
            key = _parse(entry_id)
            return StreamEntry(entry_id, s.entries[key]) if key in s.entries else None

    def ping(self) -> bool:
        """Always: it lives in this process."""
        return True

    def close(self) -> None:
        """Nothing to release."""
