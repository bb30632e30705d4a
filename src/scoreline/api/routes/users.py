"""Users: the caller (``/me``) and, for admins, every account (``/admin/users``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from scoreline.api.routes.common import ERRORS, Admin, Caller, Limit, Offset, State, errors
from scoreline.api.schemas.common import MAX_ID, Page
from scoreline.api.schemas.users import UserCreate, UserRead, UserUpdate
from scoreline.services import accounts

router = APIRouter(tags=["users"], responses=ERRORS)


@router.get("/me", response_model=UserRead)
def me(principal: Caller, state: State) -> UserRead:
    """The caller."""
    return UserRead.model_validate(accounts.get(state.unit_of_work, principal.user_id))


@router.post("/admin/users", response_model=UserRead, status_code=201, responses=errors(409))
def create_user(body: UserCreate, state: State, _: Admin) -> UserRead:
    """Create a user (admins only)."""
    user = accounts.create_user(
        state.unit_of_work, email=body.email, password=body.password, role=body.role
    )
    return UserRead.model_validate(user)


@router.get("/admin/users", response_model=Page[UserRead])
def list_users(state: State, _: Admin, limit: Limit = 50, offset: Offset = 0) -> Page[UserRead]:
    """Every user (admins only)."""
    users, total = accounts.list_(state.unit_of_work, limit=limit, offset=offset)
    return Page(
        items=[UserRead.model_validate(u) for u in users], total=total, limit=limit, offset=offset
    )


@router.patch("/admin/users/{user_id}", response_model=UserRead, responses=errors(409))
def change_user(
    user_id: Annotated[int, Path(ge=1, le=MAX_ID)], body: UserUpdate, state: State, caller: Admin
) -> UserRead:
    """Change a user's role or disable the account; a disabled user's sessions end now."""
    user = accounts.change(
        state.unit_of_work,
        caller_id=caller.user_id,
        user_id=user_id,
        role=body.role,
        is_active=body.is_active,
    )
    state.auth.forget(user_id)  # this process sees the change at once
    return UserRead.model_validate(user)
