"""ML workers as they report themselves: a heartbeat every few seconds, and when one is stale.

A worker process writes one heartbeat row (keyed by its consumer name) every
``beat_every_s`` seconds, saying which model version it serves and how much it
has done, and marks it ``stopped`` when it stops cleanly. A worker that stops
writing (killed, its host gone, its database unreachable) keeps its last state
in the row; ``state_at`` is what tells a reader it is stale rather than running.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

__all__ = [
    "STALE_AFTER_BEATS",
    "STALE_AFTER_MIN",
    "SeenState",
    "WorkerHeartbeat",
    "WorkerHeartbeatRecord",
    "WorkerState",
    "stale_after",
    "state_at",
]

WorkerState = Literal["running", "stopping", "stopped"]
"""What a worker says of itself: serving, finishing its batch after a stop, or stopped."""

SeenState = Literal["running", "stopping", "stopped", "stale"]
"""What a reader concludes: the worker's own state, or ``stale`` when it went quiet."""

STALE_AFTER_BEATS = 3
"""Heartbeats a worker may miss before it is stale."""
STALE_AFTER_MIN = timedelta(seconds=30)
"""The least silence that makes a worker stale: a model reload or a slow refresh runs
between batches, where the heartbeat runs too, and may delay a beat by several seconds."""


@dataclass(frozen=True, slots=True)
class WorkerHeartbeat:
    """What a worker reports about itself; ``consumer`` is unique per process.

    ``entries_handled`` counts odds entries handled and acknowledged (dead letters
    apart), ``predictions`` the predictions stored, all since ``started_at``;
    ``beat_every_s`` is the worker's own heartbeat interval (``stale_after``).
    """

    consumer: str
    host: str
    pid: int
    started_at: datetime
    last_seen_at: datetime
    model_version_id: int
    beat_every_s: float
    entries_handled: int
    predictions: int
    dead_lettered: int
    state: WorkerState


@dataclass(frozen=True, slots=True)
class WorkerHeartbeatRecord:
    """A stored heartbeat with the name and version of the model it reported serving."""

    beat: WorkerHeartbeat
    model: str
    version: str


def stale_after(beat: WorkerHeartbeat) -> timedelta:
    """How long this worker may stay silent before it is stale: three of its own beats,
    and never less than ``STALE_AFTER_MIN``."""
    return max(STALE_AFTER_MIN, STALE_AFTER_BEATS * timedelta(seconds=beat.beat_every_s))


def state_at(beat: WorkerHeartbeat, now: datetime) -> SeenState:
    """The worker's state as of ``now``: ``stale`` when it has not stopped and has been
    silent longer than ``stale_after``, else what it last said."""
    if beat.state != "stopped" and now - beat.last_seen_at > stale_after(beat):
        return "stale"
    return beat.state
