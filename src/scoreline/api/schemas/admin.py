"""Administration: pipeline status, refits, uploads."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from scoreline.api.schemas.models import ActiveModel

__all__ = [
    "AdminStatusRead",
    "GroupStatus",
    "IngestRead",
    "RefitRead",
    "SourceFileRead",
    "StreamStatus",
    "WorkerRead",
]


class RefitRead(BaseModel):
    """The last refit asked for in this API process."""

    state: Literal["idle", "running", "done", "failed"] = "idle"
    started_at: datetime | None = None
    finished_at: datetime | None = None
    version: str | None = None
    error: str | None = None


class GroupStatus(BaseModel):
    """A consumer group on a stream: its consumers, entries not yet acknowledged and
    entries not yet delivered (``lag``)."""

    name: str
    consumers: int
    pending: int
    lag: int
    exists: bool = Field(default=True, description="False until a consumer has created the group.")


class StreamStatus(BaseModel):
    """A stream of the pipeline and the groups reading it."""

    name: str
    length: int
    groups: list[GroupStatus]


class SourceFileRead(BaseModel):
    """A loaded season file."""

    provider: str
    path: str = Field(description="The file's path, or the name an upload was sent with.")
    loaded_at: datetime
    rows: int = Field(description="The matches loaded from it.")
    partial: bool = Field(
        default=False,
        description="Only part of it was loaded (up to a moment, or without early results).",
    )


class WorkerRead(BaseModel):
    """An ML worker heard from within the last day, from its latest heartbeat."""

    name: str = Field(description="Its consumer name in the group, unique per process.")
    host: str
    pid: int
    started_at: datetime
    last_seen_at: datetime
    seen_seconds_ago: int = Field(description="Whole seconds since its last heartbeat.")
    state: Literal["running", "stopping", "stopped", "stale"] = Field(
        description="What it last said, or stale when it has not stopped and missed three"
        " heartbeats (and at least 30 s)."
    )
    model: str = Field(description="The name of the model version it serves.")
    version: str = Field(description="The version it serves, as the registry names it.")
    model_version_id: int
    serves_active: bool = Field(
        description="Whether it serves the active version; false while it lags behind a"
        " newly activated one (or was serving an older one when it stopped)."
    )
    entries_handled: int = Field(description="Odds entries handled since it started.")
    predictions: int = Field(description="Predictions stored since it started.")
    dead_lettered: int


class AdminStatusRead(BaseModel):
    """Ingestion and worker health at a glance."""

    active_model: ActiveModel | None
    streams: list[StreamStatus]
    bus_error: str | None
    dead_letters: int
    odds_outbox: int
    last_odds_at: datetime | None
    last_prediction_at: datetime | None
    source_files: list[SourceFileRead]
    workers: list[WorkerRead] = Field(
        description="ML workers heard from within the last day, by name; stopped and stale"
        " ones included."
    )
    refit: RefitRead


class IngestRead(BaseModel):
    """What loading an uploaded football-data file did."""

    status: Literal["loaded", "unchanged", "rejected"]
    matches: int
    fixtures_inserted: int
    fixtures_updated: int
    odds_inserted: int
    odds_updated: int
    odds_deleted: int
    odds_kept: int
    problems: list[str]
    error: str | None
