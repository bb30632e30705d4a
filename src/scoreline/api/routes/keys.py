"""API keys: each caller's own (``/keys``) and, for admins, everyone's (``/admin/keys``).

A key's secret is in the answer that made it and nowhere else; lists never
carry secrets.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Response

from scoreline.api.routes.common import ERRORS, Admin, Caller, Limit, Offset, State
from scoreline.api.schemas.common import MAX_ID, Page
from scoreline.api.schemas.keys import ApiKeyAdminRead, ApiKeyCreate, ApiKeyCreated, ApiKeyRead
from scoreline.domain.people import ApiKeyRecord
from scoreline.services import api_keys

router = APIRouter(tags=["keys"], responses=ERRORS)

KeyId = Annotated[int, Path(ge=1, le=MAX_ID)]


def _read(key: ApiKeyRecord) -> ApiKeyRead:
    return ApiKeyRead(
        id=key.id,
        public_id=key.public_id,
        name=key.name,
        scopes=list(key.scopes),
        created_at=key.created_at,
        revoked_at=key.revoked_at,
        last_used_at=key.last_used_at,
    )


@router.post("/keys", response_model=ApiKeyCreated, status_code=201)
def create_key(body: ApiKeyCreate, state: State, principal: Caller) -> ApiKeyCreated:
    """A new API key for the caller; its secret is in this answer and nowhere else."""
    key, secret = api_keys.create(
        state.unit_of_work,
        caller=principal,
        name=body.name,
        scopes=body.scopes,
        now=datetime.now(UTC),
    )
    return ApiKeyCreated(**_read(key).model_dump(), secret=secret)


@router.get("/keys", response_model=Page[ApiKeyRead])
def list_keys(
    state: State, principal: Caller, limit: Limit = 50, offset: Offset = 0
) -> Page[ApiKeyRead]:
    """The caller's keys (never their secrets)."""
    keys, total = api_keys.list_mine(
        state.unit_of_work, owner_id=principal.user_id, limit=limit, offset=offset
    )
    return Page(items=[_read(k) for k in keys], total=total, limit=limit, offset=offset)


@router.delete("/keys/{key_id}", status_code=204)
def revoke_key(key_id: KeyId, state: State, principal: Caller) -> Response:
    """Revoke one of the caller's keys; another user's key is 404."""
    api_keys.revoke_mine(
        state.unit_of_work, owner_id=principal.user_id, key_id=key_id, now=datetime.now(UTC)
    )
    state.auth.keys.forget()  # this process refuses it at once, the others within seconds
    return Response(status_code=204)


@router.get("/admin/keys", response_model=Page[ApiKeyAdminRead])
def every_key(
    state: State, _: Admin, limit: Limit = 100, offset: Offset = 0
) -> Page[ApiKeyAdminRead]:
    """Every user's API keys (never their secrets), newest first."""
    owned, total = api_keys.list_all(state.unit_of_work, limit=limit, offset=offset)
    items = [
        ApiKeyAdminRead(**_read(o.key).model_dump(), user_id=o.key.user_id, email=o.email)
        for o in owned
    ]
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.delete("/admin/keys/{key_id}", status_code=204)
def revoke_any_key(key_id: KeyId, state: State, _: Admin) -> Response:
    """Revoke anyone's key (a leaked key, a departed trader); revoking twice is harmless."""
    api_keys.revoke_any(state.unit_of_work, key_id=key_id, now=datetime.now(UTC))
    state.auth.keys.forget()  # this process refuses it at once, the others within seconds
    return Response(status_code=204)
