"""Sign-in, token refresh, the first admin, users and API keys."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Request, Response
from sqlalchemy import func, select, update

from scoreline.api.api_keys import new_api_key
from scoreline.api.deps import Gateway, Principal, current_principal, require
from scoreline.api.passwords import hash_password, verify_password
from scoreline.api.routes.common import State
from scoreline.api.schemas.auth import Credentials, RefreshIn, SetupState, Tokens
from scoreline.api.schemas.common import MAX_ID, MAX_OFFSET, Page
from scoreline.api.schemas.keys import ApiKeyCreated, ApiKeyIn, ApiKeyOut
from scoreline.api.schemas.users import UserIn, UserOut
from scoreline.api.security import AuthError, Role, Scope
from scoreline.api.sessions import SESSION_COOKIE, clear_cookies, csrf_token, set_cookies
from scoreline.api.tokens import decode_refresh, issue_tokens
from scoreline.storage.tables import ApiKeyRow, RefreshTokenRow, UserRow

router = APIRouter(tags=["auth"])

_DUMMY_HASH = hash_password("not a real password, only for timing")


def _tokens(state: Gateway, user: UserRow, now: datetime) -> Tokens:
    pair = issue_tokens(str(user.id), user.role, secret=state.jwt_secret, now=now)
    with state.unit_of_work() as uow:
        uow.session.add(
            RefreshTokenRow(
                jti=pair.refresh_jti, user_id=user.id, expires_at=pair.refresh_expires_at
            )
        )
        uow.commit()
    return Tokens(
        access_token=pair.access_token,
        refresh_token=pair.refresh_token,
        expires_at=pair.access_expires_at,
    )


def _signed_in(body: Credentials, request: Request, state: State) -> UserRow:
    """The user behind an email and password, or 401; rate limited (429).

    Five failed attempts per email and address within 15 minutes lock that pair
    out for the rest of the window (429 with Retry-After).
    """
    email = body.email.strip().lower()
    key = f"{email}|{request.client.host if request.client else '-'}"
    # Every attempt counts before the password is checked, so a locked-out pair
    # cannot keep guessing; a success clears its count.
    refused = state.login_limiter.hit(key)
    if refused is not None:
        raise HTTPException(
            429,
            "too many sign-in attempts; try again later",
            headers={"Retry-After": str(refused.seconds)},
        )
    with state.unit_of_work() as uow:
        user = uow.session.scalar(select(UserRow).where(UserRow.email == email))
        good = (
            user is not None
            and user.is_active
            and verify_password(user.password_hash, body.password)
        )
        if user is None:
            # Spend the same time as a real check, so timing does not tell which emails exist.
            verify_password(_DUMMY_HASH, body.password)
        else:
            uow.session.expunge(user)
    if not good or user is None:
        raise HTTPException(401, "wrong email or password")
    state.login_limiter.reset(key)
    return user


@router.post("/auth/login", response_model=Tokens, responses={401: {}, 429: {}})
def login(body: Credentials, request: Request, state: State, response: Response) -> Tokens:
    """Email and password for an access token (15 minutes) and a refresh token (14 days),
    for programs; the dashboard signs in with ``POST /auth/session`` instead."""
    user = _signed_in(body, request, state)
    response.headers["Cache-Control"] = "no-store"
    return _tokens(state, user, datetime.now(UTC))


@router.get("/auth/setup", response_model=SetupState)
def setup(request: Request, state: State) -> SetupState:
    """Whether the first admin still has to be created, and the session's user if this
    browser is signed in: the dashboard's first call, which never answers 401."""
    cookie = request.cookies.get(SESSION_COOKIE)
    user_id = None if not cookie else state.sessions.user_of(cookie, now=datetime.now(UTC))
    with state.unit_of_work() as uow:
        needs = not uow.session.scalar(select(func.count(UserRow.id)))
        user = None if user_id is None else uow.session.get(UserRow, user_id)
        return SetupState(
            needs_bootstrap=needs, user=None if user is None else UserOut.model_validate(user)
        )


@router.post("/auth/session", response_model=UserOut, responses={401: {}, 429: {}})
def open_session(body: Credentials, request: Request, state: State, response: Response) -> UserOut:
    """Sign the browser in: an httpOnly session cookie (12 hours) and its CSRF cookie,
    whose value every write must echo in ``X-CSRF-Token``."""
    user = _signed_in(body, request, state)
    token, expires = state.sessions.open(user.id, now=datetime.now(UTC))
    set_cookies(
        response,
        token=token,
        csrf=csrf_token(state.jwt_secret, token),
        expires=expires,
        secure=state.settings.cookie_secure,
    )
    return UserOut.model_validate(user)


@router.delete("/auth/session", status_code=204)
def close_session(
    request: Request, state: State, _: Annotated[Principal, Depends(current_principal)]
) -> Response:
    """Sign the browser out: the session ends on the server and both cookies go."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        state.sessions.close(cookie, now=datetime.now(UTC))
    response = Response(status_code=204)
    clear_cookies(response, secure=state.settings.cookie_secure)
    return response


@router.post("/auth/refresh", response_model=Tokens, responses={401: {}})
def refresh(body: RefreshIn, state: State) -> Tokens:
    """Trade a refresh token for a new pair; the old refresh token is spent."""
    now = datetime.now(UTC)
    try:
        claims = decode_refresh(body.refresh_token, secret=state.jwt_secret, now=now)
    except AuthError as error:
        raise HTTPException(401, str(error)) from error
    with state.unit_of_work() as uow:
        spent = uow.session.execute(
            update(RefreshTokenRow)
            .where(RefreshTokenRow.jti == claims.jti, RefreshTokenRow.revoked_at.is_(None))
            .values(revoked_at=now)
        )
        user = uow.session.get(UserRow, int(claims.subject))
        if getattr(spent, "rowcount", 0) != 1 or user is None or not user.is_active:
            raise HTTPException(401, "this refresh token was already used or revoked")
        uow.session.expunge(user)
        uow.commit()
    return _tokens(state, user, now)


@router.post("/auth/logout", status_code=204)
def logout(body: RefreshIn, state: State) -> Response:
    """Revoke a refresh token (access tokens end on their own within minutes)."""
    try:
        claims = decode_refresh(body.refresh_token, secret=state.jwt_secret, now=datetime.now(UTC))
    except AuthError:
        return Response(status_code=204)
    with state.unit_of_work() as uow:
        uow.session.execute(
            update(RefreshTokenRow)
            .where(RefreshTokenRow.jti == claims.jti, RefreshTokenRow.revoked_at.is_(None))
            .values(revoked_at=datetime.now(UTC))
        )
        uow.commit()
    return Response(status_code=204)


@router.post("/auth/bootstrap", response_model=UserOut, status_code=201, responses={409: {}})
def bootstrap(body: UserIn, state: State) -> UserOut:
    """Create the first user, as admin; refused once any user exists."""
    with state.unit_of_work() as uow:
        if uow.session.scalar(select(func.count(UserRow.id))):
            raise HTTPException(409, "users exist already; an admin creates the others")
        user = _new_user(body.email, body.password, Role.ADMIN)
        uow.session.add(user)
        uow.session.flush()
        uow.commit()
        return UserOut.model_validate(user)


@router.get("/me", response_model=UserOut)
def me(principal: Annotated[Principal, Depends(current_principal)], state: State) -> UserOut:
    """The caller."""
    with state.unit_of_work() as uow:
        return UserOut.model_validate(uow.session.get(UserRow, principal.user_id))


def _new_user(email: str, password: str, role: Role) -> UserRow:
    try:
        digest = hash_password(password)
    except ValueError as error:
        raise HTTPException(422, str(error)) from error
    return UserRow(
        email=email.strip().lower(),
        password_hash=digest,
        role=role.value,
        is_active=True,
        created_at=datetime.now(UTC),
    )


@router.post("/admin/users", response_model=UserOut, status_code=201, tags=["admin"])
def create_user(
    body: UserIn, state: State, _: Annotated[Principal, Depends(require(Scope.ADMIN))]
) -> UserOut:
    """Create a user (admins only)."""
    with state.unit_of_work() as uow:
        email = body.email.strip().lower()
        if uow.session.scalar(select(UserRow.id).where(UserRow.email == email)) is not None:
            raise HTTPException(409, f"a user with email {email} exists")
        user = _new_user(email, body.password, body.role)
        uow.session.add(user)
        uow.session.flush()
        uow.commit()
        return UserOut.model_validate(user)


@router.get("/admin/users", response_model=Page[UserOut], tags=["admin"])
def list_users(
    state: State,
    _: Annotated[Principal, Depends(require(Scope.ADMIN))],
    limit: int = 50,
    offset: int = 0,
) -> Page[UserOut]:
    """Every user (admins only)."""
    limit, offset = _bounds(limit, offset)
    with state.unit_of_work() as uow:
        total = int(uow.session.scalar(select(func.count(UserRow.id))) or 0)
        rows = uow.session.scalars(select(UserRow).order_by(UserRow.id).limit(limit).offset(offset))
        return Page(
            items=[UserOut.model_validate(r) for r in rows], total=total, limit=limit, offset=offset
        )


def _key_out(row: ApiKeyRow) -> ApiKeyOut:
    return ApiKeyOut(
        id=row.id,
        public_id=row.public_id,
        name=row.name,
        scopes=[str(s) for s in row.scopes.get("scopes", [])],
        created_at=row.created_at,
        revoked_at=row.revoked_at,
        last_used_at=row.last_used_at,
    )


@router.post("/keys", response_model=ApiKeyCreated, status_code=201, tags=["keys"])
def create_key(
    body: ApiKeyIn, state: State, principal: Annotated[Principal, Depends(current_principal)]
) -> ApiKeyCreated:
    """A new API key for the caller; its secret is in this answer and nowhere else."""
    if principal.via == "key":
        raise HTTPException(403, "sign in with a password to create keys")
    beyond = [s.value for s in body.scopes if s not in principal.scopes]
    if beyond:
        raise HTTPException(403, f"your role cannot grant {beyond}")
    made = new_api_key()
    with state.unit_of_work() as uow:
        row = ApiKeyRow(
            user_id=principal.user_id,
            public_id=made.public_id,
            key_hash=made.key_hash,
            name=body.name,
            scopes={"scopes": sorted({s.value for s in body.scopes})},
            created_at=datetime.now(UTC),
        )
        uow.session.add(row)
        uow.session.flush()
        uow.commit()
        return ApiKeyCreated(**_key_out(row).model_dump(), secret=made.secret)


@router.get("/keys", response_model=Page[ApiKeyOut], tags=["keys"])
def list_keys(
    state: State,
    principal: Annotated[Principal, Depends(current_principal)],
    limit: int = 50,
    offset: int = 0,
) -> Page[ApiKeyOut]:
    """The caller's keys (never their secrets)."""
    limit, offset = _bounds(limit, offset)
    with state.unit_of_work() as uow:
        mine = select(ApiKeyRow).where(ApiKeyRow.user_id == principal.user_id)
        total = int(uow.session.scalar(select(func.count()).select_from(mine.subquery())) or 0)
        rows = uow.session.scalars(mine.order_by(ApiKeyRow.id).limit(limit).offset(offset))
        return Page(items=[_key_out(r) for r in rows], total=total, limit=limit, offset=offset)


@router.delete("/keys/{key_id}", status_code=204, tags=["keys"], responses={404: {}})
def revoke_key(
    key_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    state: State,
    principal: Annotated[Principal, Depends(current_principal)],
) -> Response:
    """Revoke one of the caller's keys; another user's key is 404."""
    with state.unit_of_work() as uow:
        row = uow.session.scalar(
            select(ApiKeyRow).where(ApiKeyRow.id == key_id, ApiKeyRow.user_id == principal.user_id)
        )
        if row is None:
            raise HTTPException(404, f"key {key_id} not found")
        if row.revoked_at is None:
            row.revoked_at = datetime.now(UTC)
        uow.commit()
    return Response(status_code=204)


def _bounds(limit: int, offset: int) -> tuple[int, int]:
    if not 1 <= limit <= 500 or not 0 <= offset <= MAX_OFFSET:
        raise HTTPException(422, f"limit must be 1..500 and offset 0..{MAX_OFFSET}")
    return limit, offset
