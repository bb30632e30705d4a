"""The worker's heartbeat: who it is, which model version it serves and what it has done.

The worker beats between batches, on its own timer, and once more as
``stopped`` when ``run`` returns; the admin status reads the rows
(``services.worker_heartbeats``). A beat that cannot be written (the database
down, busy, or refusing) is logged and dropped: the next one says it all again,
and the worker goes on serving.
"""

from __future__ import annotations

import logging
import os
import socket
from datetime import UTC, datetime

from scoreline.domain.workers import WorkerHeartbeat, WorkerState
from scoreline.errors import ConflictError, StorageError
from scoreline.services import worker_heartbeats
from scoreline.storage.unit_of_work import UnitOfWorkFactory

__all__ = ["Heartbeat"]

logger = logging.getLogger(__name__)


class Heartbeat:
    """Writes one worker process's heartbeat row (keyed by its consumer name)."""

    def __init__(
        self,
        unit_of_work: UnitOfWorkFactory,
        *,
        consumer: str,
        every_s: float,
        started_at: datetime,
    ) -> None:
        self.unit_of_work = unit_of_work
        self.consumer, self.every_s, self.started_at = consumer, every_s, started_at
        self.host, self.pid = socket.gethostname(), os.getpid()
        self.written = self.failed = 0

    def __repr__(self) -> str:
        return f"Heartbeat({self.consumer!r}, written={self.written}, failed={self.failed})"

    def beat(
        self,
        *,
        model_version_id: int,
        entries_handled: int,
        predictions: int,
        dead_lettered: int,
        state: WorkerState,
    ) -> bool:
        """Record the worker as seen now; False (and a warning) when the beat was not
        written, which never stops the worker."""
        beat = WorkerHeartbeat(
            consumer=self.consumer,
            host=self.host,
            pid=self.pid,
            started_at=self.started_at,
            last_seen_at=datetime.now(UTC),
            model_version_id=model_version_id,
            beat_every_s=self.every_s,
            entries_handled=entries_handled,
            predictions=predictions,
            dead_lettered=dead_lettered,
            state=state,
        )
        try:
            worker_heartbeats.record(self.unit_of_work, beat=beat)
        except (StorageError, ConflictError) as error:
            self.failed += 1
            logger.warning("heartbeat of %s not recorded (%s): %s", self.consumer, state, error)
            return False
        self.written += 1
        logger.debug("heartbeat of %s: %s", self.consumer, state)
        return True
