"""Signing in: credentials, token pairs, and what the dashboard learns on start."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from scoreline.api.schemas.common import EMAIL_PATTERN, RequestBody
from scoreline.api.schemas.users import UserRead

__all__ = [
    "Credentials",
    "SetupRead",
    "TokenRefresh",
    "Tokens",
]


class Credentials(RequestBody):
    """Email and password."""

    email: str = Field(pattern=EMAIL_PATTERN, max_length=254)
    password: str = Field(min_length=1, max_length=1024)


class Tokens(BaseModel):
    """A short-lived access token and a refresh token."""

    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_at: datetime


class TokenRefresh(RequestBody):
    """A refresh token to trade for a new pair (it is then spent)."""

    refresh_token: str = Field(min_length=1, max_length=4096)


class SetupRead(BaseModel):
    """What the dashboard needs to know on start: whether the platform still needs its first
    admin (``POST /auth/bootstrap``), and who this browser's session belongs to, if anyone."""

    needs_bootstrap: bool
    user: UserRead | None = None
