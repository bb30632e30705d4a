"""Bodies of the admin and model endpoints (the OpenAPI document, and so the dashboard's
generated client, is built from these)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from scoreline.api.schemas import ApiKeyOut
from scoreline.api.security import Role

__all__ = [
    "ActiveModel",
    "AdminKeyOut",
    "AdminStatus",
    "GroupStatus",
    "IngestOut",
    "ModelSwitch",
    "ModelVersionOut",
    "RefitState",
    "SourceFileOut",
    "StreamStatus",
    "UserChange",
]


class ModelVersionOut(BaseModel):
    """A registered model version and its backtest figures."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    version: str
    created_at: datetime
    trained_from: date | None
    trained_to: date | None
    is_active: bool
    metrics: dict[str, Any]


class ModelSwitch(BaseModel):
    """A registered version to make the active one."""

    name: str = Field(min_length=1, max_length=60)
    version: str = Field(min_length=1, max_length=60)


class RefitState(BaseModel):
    """The last refit asked for in this API process."""

    state: Literal["idle", "running", "done", "failed"] = "idle"
    started_at: datetime | None = None
    finished_at: datetime | None = None
    version: str | None = None
    error: str | None = None


class ActiveModel(BaseModel):
    """The version every worker serves."""

    name: str
    version: str


class GroupStatus(BaseModel):
    """A consumer group on a stream: its consumers, entries not yet acknowledged and
    entries not yet delivered (``lag``)."""

    name: str
    consumers: int
    pending: int
    lag: int


class StreamStatus(BaseModel):
    """A stream of the pipeline and the groups reading it."""

    name: str
    length: int
    groups: list[GroupStatus]


class SourceFileOut(BaseModel):
    """A loaded season file."""

    provider: str
    path: str
    loaded_at: datetime
    rows: int


class AdminStatus(BaseModel):
    """Ingestion and worker health at a glance."""

    active_model: ActiveModel | None
    streams: list[StreamStatus]
    bus_error: str | None
    dead_letters: int
    odds_outbox: int
    last_odds_at: datetime | None
    last_prediction_at: datetime | None
    source_files: list[SourceFileOut]
    refit: RefitState


class IngestOut(BaseModel):
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


class AdminKeyOut(ApiKeyOut):
    """Any user's key, with its owner."""

    user_id: int
    email: str


class UserChange(BaseModel):
    """A new role, or enabling and disabling an account."""

    role: Role | None = None
    is_active: bool | None = None
