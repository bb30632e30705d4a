"""API keys: asking for one, listing them (never their secrets)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field

from scoreline.api.schemas.common import Lax, RequestBody
from scoreline.domain.people import Scope

__all__ = [
    "ApiKeyAdminRead",
    "ApiKeyCreate",
    "ApiKeyCreated",
    "ApiKeyRead",
]


class ApiKeyCreate(RequestBody):
    """A new API key's name and scopes."""

    name: str = Field(min_length=1, max_length=80)
    scopes: list[Annotated[Scope, Lax]] = Field(default_factory=lambda: [Scope.READ], min_length=1)


class ApiKeyRead(BaseModel):
    """An API key as listed: never its secret."""

    id: int
    public_id: str
    name: str
    scopes: list[str]
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


class ApiKeyCreated(ApiKeyRead):
    """A new key with its secret, shown this once."""

    secret: str


class ApiKeyAdminRead(ApiKeyRead):
    """Any user's key, with its owner."""

    user_id: int
    email: str
