"""Every stream, consumer group and Socket.IO event of Scoreline, named once.

Streams live under one prefix (``scoreline`` unless configured), so tests and
tenants sharing a Redis never meet. On a Redis Cluster the prefix becomes a
hash tag (``{scoreline}:odds``): every stream of a deployment then lives in one
slot, on one node, so a multi-stream read or a script across them stays
possible and the dead-letter stream fails over with the streams it serves.
"""

from __future__ import annotations

import os
import secrets
import socket
from dataclasses import dataclass
from typing import Final

__all__ = [
    "ALERTS_GROUP",
    "ALERT_NEW",
    "BET_SETTLED",
    "EVENTS",
    "ODDS_UPDATE",
    "PREDICTION_UPDATE",
    "REALTIME_GROUP",
    "SETTLEMENT_GROUP",
    "SOCKETIO_CHANNEL",
    "WORKER_GROUP",
    "Streams",
    "consumer_name",
]

WORKER_GROUP: Final = "workers"
"""The ML workers on ``odds``: each tick is predicted by one worker."""
SETTLEMENT_GROUP: Final = "settlement"
"""Settlement on ``results``: each result settles its fixture's bets once."""
REALTIME_GROUP: Final = "api-bridge"
"""The API processes' bridge from ``odds``, ``predictions`` and ``settlements`` to Socket.IO."""
ALERTS_GROUP: Final = "alerts"
"""The API processes' alert relay on ``odds`` and ``predictions``: each entry raises its
alerts in one process."""

ODDS_UPDATE: Final = "odds:update"
PREDICTION_UPDATE: Final = "prediction:update"
BET_SETTLED: Final = "bet:settled"
ALERT_NEW: Final = "alert:new"
EVENTS: Final = (ODDS_UPDATE, PREDICTION_UPDATE, BET_SETTLED, ALERT_NEW)
"""The Socket.IO events the gateway pushes (their payloads: ``web/src/lib/live-events.ts``)."""

SOCKETIO_CHANNEL: Final = "socketio"
"""Suffix of the Redis pub/sub channel the API processes' Socket.IO managers share."""


@dataclass(frozen=True, slots=True)
class Streams:
    """The stream names of one deployment.

    Parameters
    ----------
    prefix : str
        What every name starts with; tests use a fresh one each.
    hash_tag : bool
        Wrap the prefix in braces (``{prefix}:odds``), for Redis Cluster.
    """

    prefix: str = "scoreline"
    hash_tag: bool = False

    def _name(self, stream: str) -> str:
        head = f"{{{self.prefix}}}" if self.hash_tag else self.prefix
        return f"{head}:{stream}"

    @property
    def odds(self) -> str:
        """Stored odds snapshots, from the ingestion engine to the workers and the API."""
        return self._name("odds")

    @property
    def predictions(self) -> str:
        """Stored predictions, from the workers to the API and anyone tailing."""
        return self._name("predictions")

    @property
    def results(self) -> str:
        """Final scores stored by the ingestion engine, for settlement and scoring."""
        return self._name("results")

    @property
    def settlements(self) -> str:
        """Bets settled, from settlement to the API (``bet:settled`` to each owner)."""
        return self._name("settlements")

    @property
    def dead_letter(self) -> str:
        """What could not be used, with the reason."""
        return self._name("deadletter")

    @property
    def dead_letter_replays(self) -> str:
        """Which dead letters were replayed, when, by whom and as which entry (append-only:
        the dead letters themselves are never changed)."""
        return self._name("deadletter-replays")

    @property
    def socketio_channel(self) -> str:
        """The pub/sub channel of the API processes' Socket.IO managers."""
        return self._name(SOCKETIO_CHANNEL)

    def readers(self) -> dict[str, tuple[str, ...]]:
        """Each stream and the consumer groups that read it (the admin status lists them)."""
        return {
            self.odds: (WORKER_GROUP, REALTIME_GROUP, ALERTS_GROUP),
            self.predictions: (REALTIME_GROUP, ALERTS_GROUP),
            self.results: (SETTLEMENT_GROUP,),
            self.settlements: (REALTIME_GROUP,),
        }


def consumer_name() -> str:
    """Host, process id and a random suffix: unique per process, even when a restarted
    container reuses a pid, because two processes under one name in a consumer group would
    share pending entries and take each other's work for their own."""
    return f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"
