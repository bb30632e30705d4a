"""``api.hygiene``: control characters refused and bodies bounded before the app runs."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable
from typing import Any

import pytest
from starlette.types import Message, Receive, Scope, Send

from scoreline.api.hygiene import BodyTooLargeError, InputHygiene

LIMIT, UPLOAD_LIMIT = 1024, 4096


class Echo:
    """An app that reads the whole body and answers how many bytes it read."""

    def __init__(self) -> None:
        self.calls = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.calls += 1
        size, more = 0, True
        while more:
            message = await receive()
            size += len(message.get("body", b""))
            more = message.get("more_body", False)
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": str(size).encode()})


def guarded(app: Echo) -> InputHygiene:
    return InputHygiene(
        app,
        templates=lambda: ["/api/v1/fixtures/{fixture_id}", "/api/v1/teams"],
        max_body_bytes=LIMIT,
        max_upload_bytes=UPLOAD_LIMIT,
        uploads=["/upload"],
    )


def call(
    middleware: InputHygiene,
    *,
    path: str = "/api/v1/teams",
    query: bytes = b"",
    headers: list[tuple[bytes, bytes]] | None = None,
    chunks: Iterable[bytes] = (),
) -> tuple[int, Any]:
    """The status and body (parsed when it is JSON) the middleware answers."""
    scope = {
        "type": "http",
        "method": "POST",
        "path": path,
        "query_string": query,
        "headers": headers or [],
    }
    sent: list[Message] = []
    pending = list(chunks)

    async def receive() -> Message:
        body = pending.pop(0) if pending else b""
        return {"type": "http.request", "body": body, "more_body": bool(pending)}

    async def send(message: Message) -> None:
        sent.append(message)

    asyncio.run(middleware(scope, receive, send))
    status = sent[0]["status"]
    body = b"".join(m.get("body", b"") for m in sent[1:])
    try:
        return status, json.loads(body)
    except ValueError:
        return status, body.decode()


def only_error(answer: Any) -> dict[str, Any]:
    assert isinstance(answer, dict)
    (detail,) = answer["detail"]
    return dict(detail)


@pytest.mark.parametrize(
    ("query", "loc"),
    [
        (b"competition=E0%00", ["query", "competition"]),
        (b"competition=E0&x%01=1", ["query", "x\x01"]),
        (b"q=a%7Fb", ["query", "q"]),
        (b"q=a\nb", ["query", "q"]),
    ],
)
def test_a_control_character_in_a_query_is_a_422_naming_it(query: bytes, loc: list[str]) -> None:
    app = Echo()
    status, answer = call(guarded(app), query=query)
    assert status == 422
    assert only_error(answer)["loc"] == loc
    assert app.calls == 0


def test_an_ordinary_query_and_an_encoded_space_pass() -> None:
    app = Echo()
    assert call(guarded(app), query=b"competition=E0&name=a%20b+c")[0] == 200
    assert app.calls == 1


def test_a_path_parameter_is_named_and_an_unknown_path_is_the_path() -> None:
    status, answer = call(guarded(Echo()), path="/api/v1/fixtures/1\x00")
    assert (status, only_error(answer)["loc"]) == (422, ["path", "fixture_id"])
    status, answer = call(guarded(Echo()), path="/elsewhere/\x1b")
    assert (status, only_error(answer)["loc"]) == (422, ["path"])


def test_a_header_may_hold_a_tab_but_no_other_control_character() -> None:
    assert call(guarded(Echo()), headers=[(b"user-agent", b"a\tb")])[0] == 200
    status, answer = call(guarded(Echo()), headers=[(b"x-api-key", b"sl_\x00")])
    assert (status, only_error(answer)["loc"]) == (422, ["header", "x-api-key"])


def test_a_cookie_unquoted_to_a_nul_is_refused() -> None:
    status, answer = call(guarded(Echo()), headers=[(b"cookie", b'scoreline_session="\\000a"')])
    assert (status, only_error(answer)["loc"]) == (422, ["header", "cookie"])


def test_a_declared_length_over_the_limit_is_refused_before_the_app_runs() -> None:
    app = Echo()
    headers = [(b"content-length", str(LIMIT + 1).encode())]
    status, answer = call(guarded(app), headers=headers, chunks=iter([b"x" * (LIMIT + 1)]))
    assert status == 413
    assert only_error(answer)["type"] == "too_large"
    assert app.calls == 0


def test_a_chunked_body_is_counted_and_cut_at_the_limit() -> None:
    chunked = [(b"transfer-encoding", b"chunked")]
    assert call(guarded(Echo()), headers=chunked, chunks=iter([b"x" * 512] * 2)) == (200, 1024)
    status, answer = call(guarded(Echo()), headers=chunked, chunks=iter([b"x" * 512] * 3))
    assert status == 413
    assert "1,024 bytes" in only_error(answer)["msg"]


def test_the_upload_has_its_own_larger_limit() -> None:
    headers = [(b"content-length", str(UPLOAD_LIMIT).encode())]
    body = iter([b"x" * UPLOAD_LIMIT])
    assert call(guarded(Echo()), path="/upload", headers=headers, chunks=body) == (200, 4096)
    headers = [(b"content-length", str(UPLOAD_LIMIT + 1).encode())]
    assert call(guarded(Echo()), path="/upload", headers=headers)[0] == 413


def test_the_error_inside_the_app_is_an_http_413_that_closes_the_connection() -> None:
    error = BodyTooLargeError(10)
    assert (error.status_code, error.headers) == (413, {"Connection": "close"})
