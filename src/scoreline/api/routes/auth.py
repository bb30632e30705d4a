"""Signing in and out: token pairs for programs, a session cookie for the dashboard, the
first admin. Public routes, on purpose: a caller has no credential yet."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from scoreline.api.credentials import from_headers
from scoreline.api.routes.common import ERRORS, Caller, State, errors
from scoreline.api.schemas.auth import Credentials, SetupRead, TokenRefresh, Tokens
from scoreline.api.schemas.users import UserCreate, UserRead
from scoreline.api.sessions import clear_cookies, csrf_token, set_cookies
from scoreline.services import accounts, sign_in
from scoreline.services.tokens import TokenPair

router = APIRouter(prefix="/auth", tags=["auth"], responses=ERRORS)


def _client(request: Request) -> str:
    """The caller's address, which sign-in attempts are counted by (with the email)."""
    return request.client.host if request.client else "-"


def _tokens(pair: TokenPair) -> Tokens:
    return Tokens(
        access_token=pair.access_token,
        refresh_token=pair.refresh_token,
        expires_at=pair.access_expires_at,
    )


@router.post("/login", response_model=Tokens, responses=errors(429))
def login(body: Credentials, request: Request, state: State, response: Response) -> Tokens:
    """Email and password for an access token (15 minutes) and a refresh token (14 days),
    for programs; the dashboard signs in with ``POST /auth/session`` instead."""
    pair = sign_in.log_in(
        state.unit_of_work,
        limiter=state.login_limiter,
        email=body.email,
        password=body.password,
        client=_client(request),
        secret=state.jwt_secret,
        now=datetime.now(UTC),
        passwords=state.passwords,
    )
    response.headers["Cache-Control"] = "no-store"
    return _tokens(pair)


@router.get("/setup", response_model=SetupRead)
def setup(request: Request, state: State) -> SetupRead:
    """Whether the first admin still has to be created, and the session's user if this
    browser is signed in: the dashboard's first call, which never answers 401."""
    cookie = from_headers(request.scope["headers"]).session
    user_id = None if cookie is None else state.sessions.user_of(cookie)
    needed, user = accounts.setup_state(state.unit_of_work, user_id=user_id)
    return SetupRead(
        needs_bootstrap=needed, user=None if user is None else UserRead.model_validate(user)
    )


@router.post("/session", response_model=UserRead, responses=errors(429))
def open_session(body: Credentials, request: Request, state: State, response: Response) -> UserRead:
    """Sign the browser in: an httpOnly session cookie (12 hours) and its CSRF cookie,
    whose value every write must echo in ``X-CSRF-Token``."""
    user, token, expires = sign_in.open_session(
        state.unit_of_work,
        limiter=state.login_limiter,
        email=body.email,
        password=body.password,
        client=_client(request),
        now=datetime.now(UTC),
        passwords=state.passwords,
    )
    set_cookies(
        response,
        token=token,
        csrf=csrf_token(state.jwt_secret, token),
        expires=expires,
        secure=state.settings.cookie_secure,
    )
    return UserRead.model_validate(user)


@router.delete("/session", status_code=204)
async def close_session(request: Request, state: State, _: Caller) -> Response:
    """Sign the browser out: the session ends on the server and both cookies go."""
    cookie = from_headers(request.scope["headers"]).session
    if cookie:
        await run_in_threadpool(state.sessions.close, cookie)
    response = Response(status_code=204)
    clear_cookies(response, secure=state.settings.cookie_secure)
    return response


@router.post("/refresh", response_model=Tokens)
def refresh(body: TokenRefresh, state: State) -> Tokens:
    """Trade a refresh token for a new pair; the old refresh token is spent."""
    pair = sign_in.refresh(
        state.unit_of_work,
        refresh_token=body.refresh_token,
        secret=state.jwt_secret,
        now=datetime.now(UTC),
    )
    return _tokens(pair)


@router.post("/logout", status_code=204)
def logout(body: TokenRefresh, state: State) -> Response:
    """Revoke a refresh token (access tokens end on their own within minutes)."""
    sign_in.log_out(
        state.unit_of_work,
        refresh_token=body.refresh_token,
        secret=state.jwt_secret,
        now=datetime.now(UTC),
    )
    return Response(status_code=204)


@router.post("/bootstrap", response_model=UserRead, status_code=201, responses=errors(409))
def bootstrap(body: UserCreate, state: State) -> UserRead:
    """Create the first user, as admin; refused once any user exists."""
    user = accounts.bootstrap(state.unit_of_work, email=body.email, password=body.password)
    return UserRead.model_validate(user)
