"""Model versions and the active one's health: what anyone signed in may read about models.

Changing the active version is the administrators' (``routes.admin``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from scoreline.api.routes.common import ERRORS, Limit, Offset, Reader, State
from scoreline.api.schemas.common import Page
from scoreline.api.schemas.models import ModelHealthRead, ModelVersionRead
from scoreline.api.schemas.shadow_clv import ShadowClvRead
from scoreline.services import model_health, model_versions, shadow_clv

router = APIRouter(prefix="/models", tags=["models"], responses=ERRORS)


@router.get("", response_model=Page[ModelVersionRead])
def models(
    state: State, _: Reader, limit: Limit = 50, offset: Offset = 0
) -> Page[ModelVersionRead]:
    """Registered model versions, newest first, with their backtest metrics; one is active."""
    rows, total = model_versions.list_(state.unit_of_work, limit=limit, offset=offset)
    items = [ModelVersionRead.model_validate(row) for row in rows]
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.get("/health", response_model=ModelHealthRead)
def health(
    state: State,
    _: Reader,
    days: Annotated[int, Query(ge=1, le=3660)] = 90,
    window: Annotated[int, Query(ge=1, le=2000)] = 50,
) -> ModelHealthRead:
    """Calibration, rolling RPS and log loss against the closing market of the predictions
    that served (each match judged on the version active before its kick-off, every
    version's share listed), and prediction drift of the active model, over the ``days``
    before the latest finished match.

    The window is anchored on the data, not on today, so a database of past
    seasons still shows its last months.
    """
    report = model_health.health(
        state.unit_of_work,
        days=days,
        window=window,
        artifacts_dir=state.settings.data_dir / "models",
    )
    return ModelHealthRead.model_validate(report, from_attributes=True)


# -- shadow CLV (services.shadow_clv) --------------------------------------------------------


@router.get("/health/shadow-clv", response_model=ShadowClvRead)
def shadow_clv_report(
    state: State, _: Reader, days: Annotated[int, Query(ge=1, le=3660)] = 90
) -> ShadowClvRead:
    """Shadow CLV of the active model's stored predictions: the closing-line value its fair
    prices would have had against the de-margined close, per league, market and time to
    kick-off, over the ``days`` before the latest finished match (``definition`` says how)."""
    report = shadow_clv.shadow_clv(state.unit_of_work, days=days)
    return ShadowClvRead.model_validate(report, from_attributes=True)
