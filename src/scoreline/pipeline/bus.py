"""The stream bus: append-only streams read by consumer groups, at least once.

Two implementations honour this one contract (``tests/contract``):
``RedisBus`` (Redis Streams, production) and ``MemoryBus`` (in-process, the
embedded default). The semantics are Redis's, because that is what production
runs:

- ``publish`` appends entries (capped at ``maxlen``, approximately) and returns
  their ids, which increase;
- a consumer group reads each entry once (``read``) and the entry stays
  *pending* for the consumer that read it until it is acknowledged (``ack``);
- an entry pending longer than ``min_idle_ms`` (its consumer died) is taken over
  by another consumer with ``claim_stale``, which counts the delivery;
- ``deliveries`` tells how often an entry was handed out, so a consumer can
  dead-letter a poison entry after N attempts instead of looping on it.

Payloads are opaque bytes (JSON in practice); a garbled payload is the
consumer's problem to dead-letter, never the bus's to drop.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

__all__ = [
    "Bus",
    "Delivery",
    "GroupInfo",
    "StreamEntry",
    "Streams",
]


@dataclass(frozen=True, slots=True)
class Streams:
    """The pipeline's stream names under one prefix (tests and tenants use their own)."""

    prefix: str = "scoreline"

    @property
    def odds(self) -> str:
        """Stored odds snapshots, from the ingestion engine to the workers."""
        return f"{self.prefix}:odds"

    @property
    def predictions(self) -> str:
        """Predictions, from the workers to the API and anyone tailing."""
        return f"{self.prefix}:predictions"

    @property
    def results(self) -> str:
        """Final scores stored by the ingestion engine."""
        return f"{self.prefix}:results"

    @property
    def dead_letter(self) -> str:
        """What could not be used, with the reason."""
        return f"{self.prefix}:deadletter"


@dataclass(frozen=True, slots=True)
class Delivery:
    """An entry handed to a consumer: its id, payload and how often it was handed out."""

    id: str
    payload: bytes
    deliveries: int


@dataclass(frozen=True, slots=True)
class StreamEntry:
    """An entry read outside any group (tailing a stream)."""

    id: str
    payload: bytes


@dataclass(frozen=True, slots=True)
class GroupInfo:
    """A consumer group's backlog: ``lag`` not yet delivered, ``pending`` not yet acked."""

    lag: int
    pending: int
    consumers: int


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

    def close(self) -> None:
        """Release connections."""
        ...
