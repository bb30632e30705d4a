"""Users: creating them, reading them, changing their role or state."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from scoreline.api.schemas.common import EMAIL_PATTERN, Lax, RequestBody
from scoreline.domain.people import Role

__all__ = [
    "UserCreate",
    "UserRead",
    "UserUpdate",
]


class UserCreate(RequestBody):
    """A new user."""

    email: str = Field(pattern=EMAIL_PATTERN, max_length=254)
    password: str = Field(min_length=12, max_length=1024)
    role: Annotated[Role, Lax] = Role.TRADER


class UserRead(BaseModel):
    """A user, without secrets."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    role: Role
    is_active: bool
    created_at: datetime


class UserUpdate(RequestBody):
    """A new role, or enabling and disabling an account."""

    role: Annotated[Role, Lax] | None = None
    is_active: bool | None = None
