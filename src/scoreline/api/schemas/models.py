"""Model versions, the active one, and model health."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from scoreline.api.schemas.common import RequestBody

__all__ = [
    "ActiveModel",
    "ActiveModelUpdate",
    "DriftRead",
    "ModelHealthRead",
    "ModelVersionRead",
    "ReliabilityBin",
    "RollingPoint",
    "VersionRecordRead",
]


class ModelVersionRead(BaseModel):
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


class ActiveModelUpdate(RequestBody):
    """A registered version to make the active one."""

    name: str = Field(min_length=1, max_length=60)
    version: str = Field(min_length=1, max_length=60)


class ActiveModel(BaseModel):
    """The version every worker serves."""

    name: str
    version: str


class ReliabilityBin(BaseModel):
    """Forecasts of one selection in ``[bin_low, bin_high)``: mean forecast against outcome rate."""

    selection: Literal["home", "draw", "away"]
    bin_low: float
    bin_high: float
    predicted_mean: float
    observed_rate: float
    count: int


class RollingPoint(BaseModel):
    """Mean scores of the ``n`` matches up to ``at`` (lower is better).

    The market is scored on the matches of the window that had prices; null
    when none had.
    """

    at: datetime
    n: int
    rps_model: float
    rps_market: float | None
    log_loss_model: float
    log_loss_market: float | None


class DriftRead(BaseModel):
    """PSI of recent home probabilities against the model's training reference."""

    prediction_psi: float | None
    n_recent: int
    status: Literal["stable", "watch", "drift", "unknown"]


class VersionRecordRead(BaseModel):
    """The finished matches of the window one version served, and its mean scores on them
    against the market's (null where none had prices)."""

    model: str
    version: str
    n_matches: int
    rps_model: float
    rps_market: float | None
    log_loss_model: float
    log_loss_market: float | None


class ModelHealthRead(BaseModel):
    """How the predictions that served did on the latest finished matches, by version too,
    and whether the active model (``model``, ``version``) drifts. A refit adds a version
    and leaves the record of the matches already played as it was."""

    model: str | None
    version: str | None
    window_start: datetime | None
    window_end: datetime | None
    n_matches: int
    reliability: list[ReliabilityBin]
    rolling: list[RollingPoint]
    drift: DriftRead
    versions: list[VersionRecordRead]
