"""The parameter and dependency types every route module shares, defined once.

``State`` is the gateway's state; ``Reader``, ``Trader`` and ``Admin`` are the
signed-in caller holding that permission; ``Limit``/``Offset`` page every list
alike; ``FixtureId`` is a path id within the database's integer range.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query
from fastapi import Path as PathParam

from scoreline.api.deps import Gateway, Principal, gateway, require
from scoreline.api.schemas.common import MAX_ID, MAX_OFFSET
from scoreline.api.security import Scope

__all__ = ["Admin", "FixtureId", "Limit", "Offset", "Reader", "State", "Trader"]

State = Annotated[Gateway, Depends(gateway)]
Reader = Annotated[Principal, Depends(require(Scope.READ))]
Trader = Annotated[Principal, Depends(require(Scope.TRADE))]
Admin = Annotated[Principal, Depends(require(Scope.ADMIN))]
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]
FixtureId = Annotated[int, PathParam(ge=1, le=MAX_ID)]
