"""The one credentials reader: what REST, the fast path and Socket.IO connects each see."""

from __future__ import annotations

from scoreline.api.credentials import SESSION_COOKIE, Presented, from_headers, from_socket


def test_headers_give_each_credential_and_the_csrf_token() -> None:
    presented = from_headers(
        [
            (b"authorization", b"Bearer abc.def.ghi"),
            (b"x-api-key", b"sl_aaaaaaaa_secret"),
            (b"cookie", f"theme=dark; {SESSION_COOKIE}=sls_xyz".encode()),
            (b"x-csrf-token", b"f00d"),
        ]
    )
    assert presented == Presented(
        bearer="abc.def.ghi",
        api_key="sl_aaaaaaaa_secret",
        session="sls_xyz",
        csrf="f00d",
        authorization=True,
    )


def test_an_authorization_header_that_is_not_a_bearer_token_names_no_token() -> None:
    for value in (b"Basic dXNlcjpwYXNz", b"Bearer", b"Bearer   "):
        presented = from_headers([(b"authorization", value)])
        assert presented.bearer is None
        assert presented.authorization is True


def test_no_headers_present_nothing_and_an_origin_is_noticed() -> None:
    assert from_headers([]) == Presented()
    assert from_headers([(b"origin", b"https://elsewhere.example")]).origin is True
    assert from_headers([(b"cookie", b"other=1")]).session is None


def test_a_socket_payload_wins_over_its_handshake_headers() -> None:
    environ = {
        "HTTP_AUTHORIZATION": "Bearer from-header",
        "HTTP_COOKIE": f"{SESSION_COOKIE}=sls_cookie",
    }
    assert from_socket(environ, {"token": "from-payload"}) == Presented(
        bearer="from-payload", authorization=True
    )
    assert from_socket(environ, {"api_key": "sl_key"}).api_key == "sl_key"
    assert from_socket(environ, {"token": ""}).bearer == "from-header"


def test_a_socket_without_payload_reads_headers_and_the_session_cookie() -> None:
    key = from_socket({"HTTP_X_API_KEY": "sl_key"}, None)
    assert (key.api_key, key.bearer, key.session) == ("sl_key", None, None)
    browser = from_socket({"HTTP_COOKIE": f"{SESSION_COOKIE}=sls_cookie"}, "not a dict")
    assert (browser.session, browser.authorization) == ("sls_cookie", False)
