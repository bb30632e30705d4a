"""Browser sessions on the wire: an httpOnly cookie for the dashboard, CSRF protection on
writes, and this process's memo of which cookie belongs to whom.

The dashboard never holds a token in script-readable storage. Signing in sets
two cookies on the gateway's own origin:

- ``scoreline_session``: a random secret, ``HttpOnly`` and ``SameSite=Strict``;
  the database keeps only its SHA-256 (``services.web_sessions``), so signing
  out, an admin disabling the account or the session's expiry ends it at once.
- ``scoreline_csrf``: readable by the page, an HMAC of the session secret. Every
  write made with the session cookie must echo it in ``X-CSRF-Token`` (the
  double-submit pattern): another site can make the browser send the cookie,
  but cannot read this value to send it back.

Programs keep using bearer tokens or API keys, which no browser sends on its
own, so they need no CSRF token.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from datetime import UTC, datetime

from fastapi import Response

from scoreline.api.credentials import CSRF_HEADER, SESSION_COOKIE
from scoreline.services import web_sessions
from scoreline.storage.unit_of_work import UnitOfWorkFactory

__all__ = [
    "CSRF_COOKIE",
    "CSRF_HEADER",
    "SESSION_COOKIE",
    "SessionStore",
    "clear_cookies",
    "csrf_matches",
    "csrf_token",
    "set_cookies",
]

CSRF_COOKIE = "scoreline_csrf"
_MEMO_SECONDS = 5.0
_MEMO_MAX = 10_000


def csrf_token(secret: str, session_token: str) -> str:
    """The CSRF value bound to one session (an HMAC, so it need not be stored)."""
    mac = hmac.new(secret.encode(), b"csrf|" + session_token.encode(), hashlib.sha256)
    return mac.hexdigest()


def csrf_matches(secret: str, session_token: str, sent: str | None) -> bool:
    """Whether ``sent`` is the session's CSRF value, compared in constant time."""
    expected = csrf_token(secret, session_token).encode()
    return hmac.compare_digest((sent or "").encode(), expected)


class SessionStore:
    """Which user a session cookie belongs to, memoised per process for a few seconds, so a
    signed-in page costs no database round trip on every request.

    A session closed in this process ends here at once; in another API process it
    ends within ``memo_seconds``.
    """

    def __init__(self, unit_of_work: UnitOfWorkFactory, *, memo_seconds: float = _MEMO_SECONDS):
        self.unit_of_work, self.memo_seconds = unit_of_work, memo_seconds
        self._memo: dict[str, tuple[float, int | None]] = {}

    def remembered(self, token: str) -> tuple[bool, int | None]:
        """(known, user id) from this process's memo alone, never the database: known is
        False when the memo has nothing fresh for this cookie."""
        known = self._memo.get(web_sessions.digest(token))
        if known is None or time.monotonic() - known[0] > self.memo_seconds:
            return False, None
        return True, known[1]

    def user_of(self, token: str) -> int | None:
        """The signed-in user behind a cookie, or None (unknown, closed, expired, disabled)."""
        known, user_id = self.remembered(token)
        if known:
            return user_id
        user_id = web_sessions.user_of(self.unit_of_work, token, now=datetime.now(UTC))
        if len(self._memo) > _MEMO_MAX:  # bound a long-lived process's memory
            self._memo.clear()
        self._memo[web_sessions.digest(token)] = (time.monotonic(), user_id)
        return user_id

    def close(self, token: str) -> None:
        """End a session (signing out); unknown secrets are ignored."""
        self._memo.pop(web_sessions.digest(token), None)
        web_sessions.close(self.unit_of_work, token, now=datetime.now(UTC))

    def forget_user(self, user_id: int) -> None:
        """Drop what this process remembers of a user's sessions (their account changed)."""
        for digest, (_, owner) in list(self._memo.items()):
            if owner == user_id:
                self._memo.pop(digest, None)


def set_cookies(
    response: Response, *, token: str, csrf: str, expires: datetime, secure: bool
) -> None:
    """The session cookie (httpOnly) and its CSRF companion (readable), both strict."""
    max_age = int((expires - datetime.now(UTC)).total_seconds())
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=max_age,
        path="/",
        secure=secure,
        httponly=True,
        samesite="strict",
    )
    response.set_cookie(
        CSRF_COOKIE,
        csrf,
        max_age=max_age,
        path="/",
        secure=secure,
        httponly=False,
        samesite="strict",
    )


def clear_cookies(response: Response, *, secure: bool) -> None:
    """Remove both cookies from the browser."""
    for name, httponly in ((SESSION_COOKIE, True), (CSRF_COOKIE, False)):
        response.delete_cookie(name, path="/", secure=secure, httponly=httponly, samesite="strict")
