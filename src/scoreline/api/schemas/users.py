"""Users: creating them, reading them, changing their role or state."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from scoreline.api.schemas.common import EMAIL_PATTERN
from scoreline.api.security import Role

__all__ = [
    "UserChange",
    "UserIn",
    "UserOut",
]


class UserIn(BaseModel):
    """A new user."""

    email: str = Field(pattern=EMAIL_PATTERN, max_length=254)
    password: str = Field(min_length=12, max_length=1024)
    role: Role = Role.TRADER


class UserOut(BaseModel):
    """A user, without secrets."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    role: Role
    is_active: bool
    created_at: datetime


class UserChange(BaseModel):
    """A new role, or enabling and disabling an account."""

    role: Role | None = None
    is_active: bool | None = None
