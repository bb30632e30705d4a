"""The one reader of what a caller presents: a bearer token, an API key, the session cookie.

REST dependencies, the fast path and Socket.IO connects all read a request
through :func:`from_headers` (raw ASGI header pairs) or :func:`from_socket`
(the handshake's environ and its ``auth`` payload), then hand the result to
``api.authenticator``. Nothing here checks a credential; it only finds it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from starlette.requests import cookie_parser

__all__ = ["CSRF_HEADER", "SESSION_COOKIE", "Presented", "from_headers", "from_socket"]

SESSION_COOKIE = "scoreline_session"
CSRF_HEADER = "X-CSRF-Token"
_CSRF = CSRF_HEADER.lower().encode()


class Presented(NamedTuple):
    """What one request presents.

    ``authorization`` says an ``Authorization`` header was sent at all (then the
    session cookie is not used, even when the header is not a bearer token);
    ``origin`` that an ``Origin`` header was sent (a cross-origin read, which the
    fast path leaves to the CORS middleware). A tuple, not a dataclass: it is made
    for every request, the cached reads included, where a microsecond shows.
    """

    bearer: str | None = None
    api_key: str | None = None
    session: str | None = None
    csrf: str | None = None
    authorization: bool = False
    origin: bool = False


def _bearer(value: str) -> str | None:
    scheme, _, token = value.partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def _session(cookie_header: str | None) -> str | None:
    if not cookie_header:
        return None
    return cookie_parser(cookie_header).get(SESSION_COOKIE) or None


def _read(
    authorization: str | None,
    api_key: str | None,
    cookie: str | None,
    csrf: str | None,
    origin: bool,
) -> Presented:
    bearer = None if authorization is None else _bearer(authorization)
    session = None if cookie is None else _session(cookie)
    return Presented(bearer, api_key or None, session, csrf, authorization is not None, origin)


def from_headers(headers: Iterable[tuple[bytes, bytes]]) -> Presented:
    """What an ASGI request's headers (``scope["headers"]``, lower-case names) present.

    One pass, decoding only the headers it keeps: the fast path runs this on every
    cached read.
    """
    authorization = api_key = cookie = csrf = None
    origin = False
    for name, value in headers:
        if name == b"authorization":
            authorization = value.decode("latin-1")
        elif name == b"x-api-key":
            api_key = value.decode("latin-1")
        elif name == b"cookie":
            cookie = value.decode("latin-1")
        elif name == _CSRF:
            csrf = value.decode("latin-1")
        elif name == b"origin":
            origin = True
    bearer = None if authorization is None else _bearer(authorization)
    session = None if cookie is None else _session(cookie)
    return Presented(bearer, api_key or None, session, csrf, authorization is not None, origin)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def from_socket(environ: Mapping[str, Any], auth: object) -> Presented:
    """What a Socket.IO handshake presents: the ``auth`` payload's ``token`` or ``api_key``
    when it names one, else the handshake request's own headers (and cookie)."""
    fields = auth if isinstance(auth, dict) else {}
    token, key = _text(fields.get("token")), _text(fields.get("api_key"))
    if token or key:
        return Presented(bearer=token, api_key=key, authorization=token is not None)
    return _read(
        _text(environ.get("HTTP_AUTHORIZATION")),
        _text(environ.get("HTTP_X_API_KEY")),
        _text(environ.get("HTTP_COOKIE")),
        None,
        "HTTP_ORIGIN" in environ,
    )
