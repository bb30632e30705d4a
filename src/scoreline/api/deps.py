"""What every route needs: the gateway's context, and who is calling.

A caller is a ``Principal`` (``domain.people``): a user, with the scopes of
their role (signed in with a bearer access token, or in the dashboard with its
session cookie) or of their API key (``X-API-Key``). The rules live in
``api.authenticator``; this module only adapts them to FastAPI. Routes ask for
a scope with ``require(Scope.TRADE)``; a role or key without it gets 403.
Every owned resource is looked up *through* ``principal.user_id``, so another
user's portfolio is 404, never 403.

The dependencies are ``async``: FastAPI runs a plain function on a thread, a
hop that costs more than most cached reads. The database is read on a thread
only when this process's memory cannot decide.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Header, Request
from starlette.concurrency import run_in_threadpool

from scoreline.api.context import ApiContext
from scoreline.api.credentials import from_headers
from scoreline.domain.people import Principal, Scope
from scoreline.errors import PermissionDeniedError

__all__ = ["SAFE_METHODS", "context", "context_of", "current_principal", "require"]

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
"""Methods that change nothing: a session cookie needs no CSRF token for them."""


def context_of(request: Request) -> ApiContext:
    """The app's context."""
    found: ApiContext = request.app.state.context
    return found


async def context(request: Request) -> ApiContext:
    """The app's context, as a dependency."""
    found: ApiContext = request.app.state.context
    return found


async def current_principal(
    request: Request,
    authorization: Annotated[str | None, Header()] = None,
    x_api_key: Annotated[str | None, Header()] = None,
) -> Principal:
    """The caller, by ``api.authenticator``'s rules; 401 or 403 (a cookie write without its
    CSRF token) otherwise.

    ``authorization`` and ``x_api_key`` are declared so that the OpenAPI document (and
    the clients generated from it) name what a program sends; the one reader of every
    credential, session cookie included, is ``api.credentials``.
    """
    del authorization, x_api_key
    auth = context_of(request).auth
    presented = from_headers(request.scope["headers"])
    write = request.method not in SAFE_METHODS
    principal = auth.peek(presented, write=write)
    if principal is None:
        principal = await run_in_threadpool(auth.resolve, presented, write=write)
    return principal


def require(scope: Scope) -> Callable[..., Awaitable[Principal]]:
    """A dependency that yields the caller if they hold ``scope``, else 403."""

    async def check(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if scope not in principal.scopes:
            raise PermissionDeniedError(f"this needs the '{scope.value}' permission")
        return principal

    return check
