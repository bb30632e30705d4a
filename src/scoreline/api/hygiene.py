"""The first thing every request meets: control characters refused, bodies bounded.

A plain ASGI middleware, outermost but for security headers and metrics, so it
runs before the cached-read fast path, authentication, routing and any parsing:

- a control character (``schemas.common.control_character``) in the path, a
  query parameter (percent-decoded) or a header value is a 422 naming the part
  (``["query", "competition"]``, ``["path", "code"]``, ``["header", "cookie"]``);
  PostgreSQL refuses NUL, and nothing else of the kind belongs in an address.
  Header values may hold a tab (HTTP allows it), nothing else.
- a body longer than the route's limit is a 413: a ``Content-Length`` over it
  is refused before the app is called at all; a body without one (chunked) is
  counted as it streams and refused when it passes the limit, so no more than
  the limit is ever held. The file upload has a larger limit than every other
  route; both numbers live in ``Settings`` (``max_body_bytes``, ``max_upload_bytes``).

Both answers are the one JSON error body (``api.errors.error_body``). JSON request
bodies are checked for control characters by their schemas (``RequestBody``),
which name the field.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection, Iterable
from urllib.parse import parse_qsl

from starlette.exceptions import HTTPException
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from scoreline.api.errors import error_body
from scoreline.api.schemas.common import control_character

__all__ = ["BodyTooLargeError", "InputHygiene"]

# A raw control byte, or one percent-encoded: only then is a query decoded and searched.
_SUSPECT_QUERY = re.compile(rb"[\x00-\x1f\x7f]|%[01][0-9a-fA-F]|%7[fF]")
_SUSPECT_HEADER = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")


class BodyTooLargeError(HTTPException):
    """A streamed body passed its limit; FastAPI's handlers answer it as any 413."""

    def __init__(self, limit: int) -> None:
        # Closing the connection spares the server reading the rest of the body.
        super().__init__(413, _too_large(limit), headers={"Connection": "close"})


def _too_large(limit: int) -> str:
    return f"the body is over {limit:,} bytes, this route's limit; send less"


class InputHygiene:
    """See the module docstring.

    Parameters
    ----------
    app : ASGIApp
        What comes next.
    templates : callable returning path templates
        The app's paths (``/api/v1/fixtures/{fixture_id}``), asked for only to name a
        path parameter at fault (the OpenAPI document's keys).
    max_body_bytes : int
        The limit of every route but ``uploads``.
    max_upload_bytes : int
        The limit of the paths in ``uploads``.
    uploads : collection of str
        The paths that take files.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        templates: Callable[[], Iterable[str]],
        max_body_bytes: int,
        max_upload_bytes: int,
        uploads: Collection[str],
    ) -> None:
        self.app, self.templates = app, templates
        self.max_body_bytes, self.max_upload_bytes = max_body_bytes, max_upload_bytes
        self.uploads = frozenset(uploads)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        fault = self._control_fault(scope)
        if fault is not None:
            loc, message = fault
            await _answer(send, 422, message, loc)
            return
        limit = self.max_upload_bytes if scope["path"] in self.uploads else self.max_body_bytes
        declared, chunked = _framing(scope)
        if declared is not None and declared > limit:
            await _answer(send, 413, _too_large(limit), ["header", "content-length"])
            return
        if chunked:
            await self._counted(scope, receive, send, limit)
            return
        # The server holds a body to its declared length, and without one there is none.
        await self.app(scope, receive, send)

    async def _counted(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        """The app, with a body that is refused once it streams past ``limit`` bytes."""
        seen = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLargeError(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLargeError:
            if started:
                raise
            await _answer(send, 413, _too_large(limit), [])

    def _control_fault(self, scope: Scope) -> tuple[list[str | int], str] | None:
        """Where a control character is and what to say, or None."""
        found = control_character(scope["path"])
        if found is not None:
            name = self._path_parameter(scope)
            if name is None:
                return ["path"], _refused(found, "the path")
            return ["path", name], _refused(found, f"path parameter {name!r}")
        query: bytes = scope.get("query_string", b"")
        if _SUSPECT_QUERY.search(query):
            for name, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
                found = control_character(name) or control_character(value)
                if found is not None:
                    return ["query", name], _refused(found, f"query parameter {name!r}")
        for name, value in scope["headers"]:
            found = _header_fault(name, value)
            if found is not None:
                header = name.decode("latin-1")
                return ["header", header], _refused(found, f"header {header!r}")
        return None

    def _path_parameter(self, scope: Scope) -> str | None:
        """The name of the path parameter holding a control character, if a route has one."""
        for template in self.templates():
            match = _template_pattern(template).fullmatch(scope["path"])
            if match is not None:
                for name, value in match.groupdict().items():
                    if control_character(value):
                        return name
        return None


def _template_pattern(template: str) -> re.Pattern[str]:
    """``/fixtures/{fixture_id}`` as a pattern with a named group per parameter."""
    parts = re.split(r"\{(\w+)\}", template)  # text, name, text, name, ..., text
    return re.compile(
        "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>[^/]+)" for i, p in enumerate(parts))
    )


def _header_fault(name: bytes, value: bytes) -> str | None:
    """A control character in a header value (a tab is allowed), or in a cookie's value
    once unquoted (``"\\000"`` is a NUL there)."""
    if _SUSPECT_HEADER.search(value):
        return control_character(value.decode("latin-1").replace("\t", " "))
    if name == b"cookie" and b"\\" in value:
        for cookie in cookie_parser(value.decode("latin-1")).values():
            found = control_character(cookie)
            if found is not None:
                return found
    return None


def _refused(found: str, where: str) -> str:
    return f"{where} contains the control character {found}; remove it"


def _framing(scope: Scope) -> tuple[int | None, bool]:
    """The declared body length (None when not declared) and whether the body is chunked."""
    declared, chunked = None, False
    for name, value in scope["headers"]:
        if name == b"content-length":
            declared = int(value) if value.isdigit() else None
        elif name == b"transfer-encoding":
            chunked = True
    return declared, chunked


async def _answer(send: Send, status: int, message: str, loc: list[str | int]) -> None:
    body = json.dumps(error_body(status, message, loc)).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
