"""The hottest read, answered before FastAPI: a competition's latest predictions from memory.

A dashboard or a trading program polls ``GET /api/v1/predictions?competition=E0``
again and again, and between two prediction events the answer is the same
bytes. Routing and dependency solving in FastAPI cost several times what
serving those bytes does, so this middleware answers the request itself when,
and only when, everything it needs is already in this process's memory:

- ``api.authenticator`` can name the caller from memory alone
  (``Authenticator.peek``: a bearer token whose signature was already verified,
  a session cookie this process already looked up, or an API key checked within
  the last few seconds, and an account read within the last few seconds), and
  the caller holds the ``read`` permission;
- the query is the default page (``competition`` alone, or with ``limit=100``
  and ``offset=0``);
- the near cache holds the listing (``cache.TieredPredictionCache.peek_competition``),
  which the prediction events invalidate exactly as for the route.

Anything else (a token, session or key not yet seen or due to be checked again;
a CSRF-bearing write; a bad query; a miss) goes on to the route, which applies
the same rules, loads, fills the cache and produces every error; so does a
request with an ``Origin`` header, for CORS. The answer is byte for byte the
route's, with the same headers: the security and metrics middleware wraps this
one, outside FastAPI's own stack.
"""

from __future__ import annotations

from types import SimpleNamespace
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Receive, Scope, Send

from scoreline.api.context import ApiContext
from scoreline.api.credentials import from_headers
from scoreline.domain.people import Scope as Permission
from scoreline.errors import AuthError, PermissionDeniedError

__all__ = ["PATH", "CachedPredictions"]

PATH = "/api/v1/predictions"
_ROUTE = SimpleNamespace(path=PATH)  # what the metrics middleware labels requests with
_DEFAULT_PAGE = {"limit": "100", "offset": "0"}
_QUERIES: dict[bytes, str | None] = {}
"""Query strings already parsed: pollers send the same few again and again, and parsing one
costs more than the rest of the decision."""
_QUERIES_MAX = 1024


class CachedPredictions:
    """Pure ASGI middleware; see the module docstring for when it answers."""

    def __init__(self, app: ASGIApp, *, context: ApiContext) -> None:
        self.app, self.context = app, context

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == PATH and scope["method"] == "GET":
            body = self._cached(scope)
            if body is not None:
                self.context.stats.fast_reads += 1
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
        cache = self.context.predictions_cache
        if cache is None:
            return None
        competition = _competition_of(scope.get("query_string", b""))
        if competition is None or not self._may_read(scope):
            return None
        return cache.peek_competition(competition)

    def _may_read(self, scope: Scope) -> bool:
        presented = from_headers(scope["headers"])
        if presented.origin:
            return False  # a cross-origin read: the CORS middleware answers it
        try:
            principal = self.context.auth.peek(presented)
        except (AuthError, PermissionDeniedError):
            return False  # the route answers with the error
        return principal is not None and Permission.READ in principal.scopes


def _competition_of(query: bytes) -> str | None:
    """``_competition``, remembered for the queries seen lately."""
    try:
        return _QUERIES[query]
    except KeyError:
        pass
    if len(_QUERIES) >= _QUERIES_MAX:  # a client varying its query grows nothing
        _QUERIES.clear()
    found = _QUERIES[query] = _competition(query)
    return found


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
