"""Shadow CLV of the active model (``services.shadow_clv``): is its edge real?"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

__all__ = ["ShadowClvRead", "ShadowClvRowRead"]


class ShadowClvRowRead(BaseModel):
    """Mean shadow CLV of one league, market and time-to-kick-off bucket (``all`` for every
    one), as a fraction (0.01 is 1%), with its 95% t-interval and the bets needed for an
    interval that excludes zero at an edge of this size; nulls where there are too few bets."""

    league: str
    market: str
    bucket: str
    n_bets: int
    mean: float | None
    ci95_low: float | None
    ci95_high: float | None
    bets_needed: int | None


class ShadowClvRead(BaseModel):
    """Shadow CLV over the finished matches of the window: overall, the edge-decay curve
    (every league by bucket, earliest first) and per league, market and bucket."""

    model: str | None
    version: str | None
    window_start: datetime | None
    window_end: datetime | None
    n_predictions: int
    overall: ShadowClvRowRead
    decay: list[ShadowClvRowRead]
    rows: list[ShadowClvRowRead]
    definition: str
