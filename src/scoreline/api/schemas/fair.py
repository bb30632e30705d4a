"""The fair price a page's edges are measured against (``pricing.fair``)."""

from __future__ import annotations

from pydantic import BaseModel

from scoreline.pricing.devig import DevigMethod
from scoreline.pricing.fair import FairMode, FairRule

__all__ = ["FairRead"]


class FairRead(BaseModel):
    """The fair price edges are measured against, and what the board says of it."""

    mode: FairMode
    method: DevigMethod
    blend_weight: float
    label: str

    @classmethod
    def of(cls, rule: FairRule, label: str) -> FairRead:
        return cls(mode=rule.mode, method=rule.method, blend_weight=rule.blend_weight, label=label)
