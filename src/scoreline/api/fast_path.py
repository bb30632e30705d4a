"""The hottest read, answered before FastAPI: a competition's latest predictions from memory.

A dashboard or a trading program polls ``GET /api/v1/predictions?competition=E0``
again and again, and between two prediction events the answer is the same
bytes. Routing and dependency solving in FastAPI cost several times what
serving those bytes does, so this middleware answers the request itself when,
and only when, everything it needs is already in this process's memory:

- the caller is a bearer token whose signature was already verified
  (``tokens``) or a session cookie this process already looked up
  (``sessions``), and the account's role, read within the last few seconds
  (``deps.USER_MEMO_SECONDS``), holds the ``read`` permission;
- the query is the default page (``competition`` alone, or with ``limit=100``
  and ``offset=0``);
- the near cache holds the listing (``cache.TieredPredictionCache.peek_competition``),
  which the prediction events invalidate exactly as for the route.

Anything else (an API key, whose use is recorded in the database; a token or
session not yet seen; a CSRF-bearing write; a bad query; a miss) goes on to
the route, which applies the same rules, loads, fills the cache and produces
every error; so does a request with an ``Origin`` header, for CORS. The
answer is byte for byte the route's, with the same headers: the security and
metrics middleware wraps this one, outside FastAPI's own stack.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from types import SimpleNamespace
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Receive, Scope, Send

from scoreline.api.deps import USER_MEMO_SECONDS, Gateway
from scoreline.api.security import AuthError, can
from scoreline.api.security import Scope as Permission
from scoreline.api.sessions import SESSION_COOKIE
from scoreline.api.tokens import decode_access

__all__ = ["PATH", "CachedPredictions"]

PATH = "/api/v1/predictions"
_ROUTE = SimpleNamespace(path=PATH)  # what the metrics middleware labels requests with
_DEFAULT_PAGE = {"limit": "100", "offset": "0"}


class CachedPredictions:
    """Pure ASGI middleware; see the module docstring for when it answers."""

    def __init__(self, app: ASGIApp, *, gateway: Gateway) -> None:
        self.app, self.gateway = app, gateway

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == PATH and scope["method"] == "GET":
            body = self._cached(scope)
            if body is not None:
                self.gateway.fast_reads += 1
                scope["route"] = _ROUTE
                await send(
                    {
                        "type": "http.response.start",
                        "status": 200,
                        "headers": [
                            (b"content-length", str(len(body)).encode()),
                            (b"content-type", b"application/json"),
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)

    def _cached(self, scope: Scope) -> bytes | None:
        cache = self.gateway.predictions_cache
        if cache is None:
            return None
        competition = _competition(scope.get("query_string", b""))
        if competition is None or not self._may_read(scope):
            return None
        return cache.peek_competition(competition)

    def _may_read(self, scope: Scope) -> bool:
        authorization = cookie = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                authorization = value
            elif name == b"x-api-key":
                return False  # recorded on use: the route does that
            elif name == b"origin":
                return False  # a cross-origin read: the CORS middleware answers it
            elif name == b"cookie":
                cookie = value
        state = self.gateway
        if authorization is not None:
            scheme, _, token = authorization.decode("latin-1").partition(" ")
            if scheme.lower() != "bearer" or not token:
                return False
            try:
                user_id = int(decode_access(token, secret=state.jwt_secret, now=_now()).subject)
            except (AuthError, ValueError):
                return False
        elif cookie is not None:
            session = _cookie(cookie.decode("latin-1"), SESSION_COOKIE)
            if session is None:
                return False
            known, user = state.sessions.remembered(session)
            if not known or user is None:
                return False
            user_id = user
        else:
            return False
        memo = state.users.get(user_id)
        if memo is None or time.monotonic() - memo[0] > USER_MEMO_SECONDS or memo[1] is None:
            return False
        return can(memo[1], Permission.READ)


def _now() -> datetime:
    return datetime.now(UTC)


def _competition(query: bytes) -> str | None:
    """The competition of a default-page query; None for anything else."""
    try:
        pairs = parse_qsl(query.decode("ascii"), keep_blank_values=True, strict_parsing=True)
    except (UnicodeDecodeError, ValueError):
        return None
    competition = None
    for name, value in pairs:
        if name == "competition" and competition is None:
            competition = value
        elif _DEFAULT_PAGE.get(name) != value:
            return None
    if competition is None or not 1 <= len(competition) <= 16 or not competition.isascii():
        return None
    return competition


def _cookie(header: str, name: str) -> str | None:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name and value:
            return value
    return None
