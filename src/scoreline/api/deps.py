"""What every route needs: the gateway's state, units of work, and who is calling.

A caller is a ``Principal``: a user, with the scopes of their role (signed in
with a bearer access token, or in the dashboard with its session cookie) or of
their API key (``X-API-Key``). A write made with the session cookie must carry
the session's CSRF token (``sessions``). Routes ask
for a scope with ``require(Scope.TRADE)``; a role or key without it gets 403.
Every owned resource is looked up *through* ``principal.user_id``, so
another user's portfolio is 404, never 403.
"""

from __future__ import annotations

import hmac
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from scoreline.api.api_keys import hash_api_key, parse_api_key
from scoreline.api.cache import TieredPredictionCache
from scoreline.api.rate_limit import LoginRateLimiter
from scoreline.api.refits import RefitRunner
from scoreline.api.security import AuthError, Role, Scope, allowed, can
from scoreline.api.sessions import CSRF_HEADER, SESSION_COOKIE, SessionStore, csrf_token
from scoreline.api.tokens import decode_access
from scoreline.config import Settings
from scoreline.messaging.bus import Bus
from scoreline.messaging.names import Streams
from scoreline.services.fitting import fit_dixon_coles
from scoreline.storage.tables import ApiKeyRow, UserRow
from scoreline.storage.unit_of_work import UnitOfWork

__all__ = [
    "USER_MEMO_SECONDS",
    "Gateway",
    "Principal",
    "current_principal",
    "gateway",
    "principal_from_key",
    "principal_from_session",
    "principal_from_token",
    "require",
]

USER_MEMO_SECONDS = 5.0


@dataclass
class Gateway:
    """The app's shared state."""

    settings: Settings
    unit_of_work: Callable[[], UnitOfWork]
    jwt_secret: str
    login_limiter: LoginRateLimiter
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    ready_checks: list[Callable[[], str | None]] = field(default_factory=list)
    predictions_cache: TieredPredictionCache | None = (
        None  # set by the server, with its invalidator
    )
    market_cache: TieredPredictionCache | None = None  # latest prices per fixture, likewise
    users: dict[int, tuple[float, Role | None]] = field(default_factory=dict)
    fast_reads: int = 0  # requests answered by ``fast_path`` before FastAPI
    bus: Bus | None = None  # set by the server: the admin status reads the streams
    streams: Streams | None = None
    sessions: SessionStore = field(init=False)
    refits: RefitRunner = field(init=False)

    def __post_init__(self) -> None:
        self.sessions = SessionStore(self.unit_of_work)
        artifacts = self.settings.data_dir / "models"

        def fit() -> str:
            summary = fit_dixon_coles(self.unit_of_work, artifacts_dir=artifacts)
            self.drop_cached()  # the new version is active: no cached answer is its
            return summary.version

        self.refits = RefitRunner(fit)

    def drop_cached(self) -> None:
        """Drop every cached prediction and market snapshot, in this process and in Redis.

        For changes no stream announces (another active model, a loaded file); other
        API processes see them through their invalidators' watch within seconds.
        """
        for cache in (self.predictions_cache, self.market_cache):
            if cache is not None:
                cache.invalidate_all()

    @classmethod
    def from_settings(cls, settings: Settings, unit_of_work: Callable[[], UnitOfWork]) -> Gateway:
        """State from settings; a random signing secret when none is configured."""
        secret = settings.jwt_secret
        return cls(
            settings=settings,
            unit_of_work=unit_of_work,
            jwt_secret=secret.get_secret_value() if secret else secrets.token_urlsafe(48),
            login_limiter=LoginRateLimiter(),
        )


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling and what they may do."""

    user_id: int
    role: Role
    scopes: frozenset[Scope]
    via: str  # "token", "session" or "key"


def state_of(request: Request) -> Gateway:
    """The app's state."""
    state: Gateway = request.app.state.gateway
    return state


async def gateway(request: Request) -> Gateway:
    """The app's state, as a dependency (``async``: FastAPI runs a plain function on a
    thread, a hop that cost more than most cached reads)."""
    state: Gateway = request.app.state.gateway
    return state


async def current_principal(
    request: Request,
    authorization: Annotated[str | None, Header()] = None,
    x_api_key: Annotated[str | None, Header()] = None,
) -> Principal:
    """The caller from a bearer access token or an API key; 401 without either.

    Runs on the event loop: the token is checked in memory, and the account's
    role and state come from a per-process memo refreshed every few seconds
    (``USER_MEMO_SECONDS``), so a disabled account or a changed role takes
    effect within that time without a database round trip on every request.
    """
    state = state_of(request)
    via = "token"
    try:
        if x_api_key:
            return await run_in_threadpool(principal_from_key, state, x_api_key)
        scheme, _, token = (authorization or "").partition(" ")
        cookie = request.cookies.get(SESSION_COOKIE)
        if not authorization and cookie:
            user_id = await _session_user(request, state, cookie)
            via = "session"
        elif scheme.lower() != "bearer" or not token:
            raise HTTPException(
                401,
                "sign in: send 'Authorization: Bearer <access token>' or 'X-API-Key: <key>'",
                headers={"WWW-Authenticate": "Bearer"},
            )
        else:
            claims = decode_access(token, secret=state.jwt_secret, now=datetime.now(UTC))
            user_id = int(claims.subject)
    except AuthError as error:
        raise HTTPException(401, str(error), headers={"WWW-Authenticate": "Bearer"}) from error
    known = state.users.get(user_id)
    if known is None or time.monotonic() - known[0] > USER_MEMO_SECONDS:
        known = (time.monotonic(), await run_in_threadpool(_account, state, user_id))
        state.users[user_id] = known
    role = known[1]
    if role is None:
        raise HTTPException(401, "this account is disabled", headers={"WWW-Authenticate": "Bearer"})
    return Principal(user_id, role, frozenset(s for s in Scope if can(role, s)), via)


_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def _session_user(request: Request, state: Gateway, cookie: str) -> int:
    """The user behind the session cookie; a write must also echo the CSRF token."""
    user_id = await run_in_threadpool(state.sessions.user_of, cookie, now=datetime.now(UTC))
    if user_id is None:
        raise AuthError("your session has ended; sign in again", reason="bad_session")
    if request.method not in _SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not hmac.compare_digest(sent.encode(), csrf_token(state.jwt_secret, cookie).encode()):
            raise HTTPException(
                403,
                f"missing or wrong {CSRF_HEADER} header: a write with the session "
                "cookie must echo the scoreline_csrf cookie",
            )
    return user_id


def principal_from_session(state: Gateway, cookie: str) -> Principal:
    """The caller behind a session cookie, read fresh (Socket.IO connects)."""
    user_id = state.sessions.user_of(cookie, now=datetime.now(UTC))
    role = None if user_id is None else _account(state, user_id)
    if user_id is None or role is None:
        raise AuthError("your session has ended; sign in again", reason="bad_session")
    return Principal(user_id, role, frozenset(s for s in Scope if can(role, s)), "session")


def principal_from_token(state: Gateway, token: str) -> Principal:
    """The caller behind an access token, read fresh from the database (Socket.IO connects).

    ``AuthError`` when the token is not valid or the account is disabled.
    """
    claims = decode_access(token, secret=state.jwt_secret, now=datetime.now(UTC))
    role = _account(state, int(claims.subject))
    if role is None:
        raise AuthError("this account is disabled", reason="bad_claims")
    return Principal(
        int(claims.subject), role, frozenset(s for s in Scope if can(role, s)), "token"
    )


def _account(state: Gateway, user_id: int) -> Role | None:
    """The user's role, or None when the account is gone or disabled."""
    with state.unit_of_work() as uow:
        user = uow.session.get(UserRow, user_id)
        if user is None or not user.is_active:
            return None
        return Role(user.role)


def principal_from_key(state: Gateway, secret: str) -> Principal:
    """The caller behind an API key (REST and Socket.IO); ``AuthError`` if it is not valid."""
    public_id, _ = parse_api_key(secret)
    digest = hash_api_key(secret)
    with state.unit_of_work() as uow:
        found = uow.session.execute(
            select(ApiKeyRow, UserRow)
            .join(UserRow, UserRow.id == ApiKeyRow.user_id)
            .where(ApiKeyRow.public_id == public_id)
        ).first()
        if found is None:
            raise AuthError("unknown API key", reason="bad_key")
        key, user = found
        if not hmac.compare_digest(key.key_hash, digest):
            raise AuthError("unknown API key", reason="bad_key")
        if key.revoked_at is not None or not user.is_active:
            raise AuthError("this API key is revoked", reason="bad_key")
        role = Role(user.role)
        granted = [str(s) for s in key.scopes.get("scopes", [])]
        key.last_used_at = datetime.now(UTC)
        uow.commit()
    # A key holds what it was granted, and never more than its owner's role allows.
    scopes = frozenset(s for s in Scope if allowed(granted, s) and can(role, s))
    return Principal(user.id, role, scopes, "key")


def require(scope: Scope) -> Callable[..., Awaitable[Principal]]:
    """A dependency that yields the caller if they hold ``scope``, else 403."""

    async def check(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if scope not in principal.scopes:
            raise HTTPException(403, f"this needs the '{scope.value}' permission")
        return principal

    return check
