"""The stream bus: append-only streams read by consumer groups, at least once.

Two engines honour this one contract (``tests/contract``): ``RedisBus`` (Redis
Streams, production, on one server or a cluster) and ``MemoryBus`` (in-process,
the embedded default). The semantics are Redis's, because that is what
production runs:

- ``publish`` appends entries (capped at ``maxlen``, approximately) and returns
  their ids, which increase;
- a consumer group reads each entry once (``read``) and the entry stays
  *pending* for the consumer that read it until it is acknowledged (``ack``, or
  the delivery's own ``Delivery.ack``);
- an entry pending longer than ``min_idle_ms`` (its consumer died) is taken over
  by another consumer with ``claim_stale``, which counts the delivery;
- ``Delivery.deliveries`` tells how often an entry was handed out, so a consumer
  can dead-letter a poison entry after N attempts instead of looping on it
  (``consumer.ConsumerLoop`` does).

Payloads are opaque bytes (JSON in practice); a garbled payload is the
consumer's to dead-letter, never the bus's to drop.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

__all__ = ["Bus", "Delivery", "GroupInfo", "StreamEntry"]


class _Acks(Protocol):
    def ack(self, stream: str, group: str, ids: Sequence[str]) -> int: ...


@dataclass(frozen=True, slots=True)
class Delivery:
    """An entry handed to a consumer of ``group`` on ``stream``, and how often it was.

    ``ack()`` acknowledges it on the bus that delivered it, so code that holds a
    delivery needs nothing else to finish it.
    """

    id: str
    payload: bytes
    deliveries: int
    stream: str = ""
    group: str = ""
    _bus: _Acks | None = field(default=None, repr=False, compare=False)

    def ack(self) -> bool:
        """Acknowledge this entry; whether it was still pending."""
        if self._bus is None:
            raise RuntimeError(f"delivery {self.id} was not handed out by a bus")
        return self._bus.ack(self.stream, self.group, [self.id]) == 1


@dataclass(frozen=True, slots=True)
class StreamEntry:
    """An entry read outside any group (tailing a stream)."""

    id: str
    payload: bytes


@dataclass(frozen=True, slots=True)
class GroupInfo:
    """A consumer group's backlog: ``lag`` not yet delivered, ``pending`` not yet acked;
    ``exists`` is False for a group nobody has created yet (its figures are then zeros, and
    the admin status says so rather than show an idle group that is not there)."""

    lag: int
    pending: int
    consumers: int
    exists: bool = True


class Bus(Protocol):
    """Streams with consumer groups (see the module docstring)."""

    def publish(
        self, stream: str, payloads: Sequence[bytes], *, maxlen: int | None = None
    ) -> list[str]:
        """Append ``payloads`` in order; their ids."""
        ...

    def ensure_group(self, stream: str, group: str) -> None:
        """Create ``group`` reading ``stream`` from its first entry, if it is not there."""
        ...

    def read(
        self, stream: str, group: str, consumer: str, *, count: int, block_ms: int
    ) -> list[Delivery]:
        """Up to ``count`` entries never delivered to ``group``; waits up to ``block_ms``."""
        ...

    def claim_stale(
        self, stream: str, group: str, consumer: str, *, min_idle_ms: int, count: int
    ) -> list[Delivery]:
        """Take over entries pending longer than ``min_idle_ms`` with any consumer."""
        ...

    def ack(self, stream: str, group: str, ids: Sequence[str]) -> int:
        """Acknowledge entries; how many were pending."""
        ...

    def group_info(self, stream: str, group: str) -> GroupInfo:
        """The group's lag and pending count."""
        ...

    def length(self, stream: str) -> int:
        """Entries held in ``stream``."""
        ...

    def tail(self, stream: str, *, after: str, count: int, block_ms: int) -> list[StreamEntry]:
        """Entries after id ``after`` (``"0"`` from the start, ``"$"`` only new), outside groups."""
        ...

    def newest(self, stream: str, *, before: str | None, count: int) -> list[StreamEntry]:
        """Up to ``count`` entries, newest first, with ids below ``before`` (None: from the
        newest), outside groups: paging back through a stream (the dead letters)."""
        ...

    def entry(self, stream: str, entry_id: str) -> StreamEntry | None:
        """The entry with this id, if the stream still holds it."""
        ...

    def ping(self) -> bool:
        """Whether the bus answers (readiness)."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...
