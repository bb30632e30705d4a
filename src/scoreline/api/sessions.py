"""Browser sessions: an httpOnly cookie for the dashboard, with CSRF protection on writes.

The dashboard never holds a token in script-readable storage. Signing in sets
two cookies on the gateway's own origin:

- ``scoreline_session``: a random secret, ``HttpOnly`` and ``SameSite=Strict``;
  the database keeps only its SHA-256 (``web_sessions``), so signing out, an
  admin disabling the account or the session's expiry ends it at once.
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
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from fastapi import Response
from sqlalchemy import select, update

from scoreline.storage.tables import UserRow, WebSessionRow
from scoreline.storage.unit_of_work import UnitOfWork

__all__ = [
    "CSRF_COOKIE",
    "CSRF_HEADER",
    "SESSION_COOKIE",
    "SESSION_HOURS",
    "SessionStore",
    "clear_cookies",
    "csrf_token",
    "set_cookies",
]

SESSION_COOKIE = "scoreline_session"
CSRF_COOKIE = "scoreline_csrf"
CSRF_HEADER = "X-CSRF-Token"
SESSION_HOURS = 12
_MEMO_SECONDS = 5.0
_PREFIX = "sls_"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_token(secret: str, session_token: str) -> str:
    """The CSRF value bound to one session (an HMAC, so it need not be stored)."""
    mac = hmac.new(secret.encode(), b"csrf|" + session_token.encode(), hashlib.sha256)
    return mac.hexdigest()


@dataclass
class SessionStore:
    """Open, look up and close sessions; lookups are memoised per process for a few
    seconds, so a signed-in page costs no database round trip on every request.

    A session closed in this process ends here at once; in another API process it
    ends within ``_MEMO_SECONDS``.
    """

    unit_of_work: Callable[[], UnitOfWork]

    def __post_init__(self) -> None:
        self._memo: dict[str, tuple[float, int | None]] = {}

    def remembered(self, token: str) -> tuple[bool, int | None]:
        """(known, user id) from this process's memo alone, never the database: known is
        False when the memo has nothing fresh for this cookie."""
        known = self._memo.get(_digest(token))
        if known is None or time.monotonic() - known[0] > _MEMO_SECONDS:
            return False, None
        return True, known[1]

    def open(self, user_id: int, *, now: datetime) -> tuple[str, datetime]:
        """A new session for ``user_id``: its secret (for the cookie) and expiry."""
        token = _PREFIX + secrets.token_urlsafe(32)
        expires = now + timedelta(hours=SESSION_HOURS)
        with self.unit_of_work() as uow:
            uow.session.add(
                WebSessionRow(
                    token_hash=_digest(token),
                    user_id=user_id,
                    created_at=now,
                    expires_at=expires,
                    revoked_at=None,
                )
            )
            uow.commit()
        return token, expires

    def user_of(self, token: str, *, now: datetime) -> int | None:
        """The signed-in user behind a cookie, or None (unknown, closed, expired, disabled)."""
        if not token.startswith(_PREFIX) or len(token) > 128:
            return None
        digest = _digest(token)
        known = self._memo.get(digest)
        if known is not None and time.monotonic() - known[0] <= _MEMO_SECONDS:
            return known[1]
        with self.unit_of_work() as uow:
            row = uow.session.execute(
                select(WebSessionRow.user_id, WebSessionRow.expires_at, WebSessionRow.revoked_at)
                .join(UserRow, UserRow.id == WebSessionRow.user_id)
                .where(WebSessionRow.token_hash == digest, UserRow.is_active.is_(True))
            ).first()
        user_id = None
        if row is not None and row.revoked_at is None and row.expires_at > now:
            user_id = int(row.user_id)
        if len(self._memo) > 10_000:  # bound a long-lived process's memory
            self._memo.clear()
        self._memo[digest] = (time.monotonic(), user_id)
        return user_id

    def close(self, token: str, *, now: datetime) -> None:
        """End a session (signing out); unknown secrets are ignored."""
        digest = _digest(token)
        self._memo.pop(digest, None)
        with self.unit_of_work() as uow:
            uow.session.execute(
                update(WebSessionRow)
                .where(WebSessionRow.token_hash == digest, WebSessionRow.revoked_at.is_(None))
                .values(revoked_at=now)
            )
            uow.commit()

    def close_all(self, user_id: int, *, now: datetime) -> int:
        """End every session of a user (disabled account, changed role); how many."""
        self._memo.clear()
        with self.unit_of_work() as uow:
            result = uow.session.execute(
                update(WebSessionRow)
                .where(WebSessionRow.user_id == user_id, WebSessionRow.revoked_at.is_(None))
                .values(revoked_at=now)
            )
            uow.commit()
        return int(getattr(result, "rowcount", 0) or 0)


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
