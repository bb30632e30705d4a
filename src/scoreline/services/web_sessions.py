"""The dashboard's signed-in sessions: opened at sign-in, looked up per request, closed.

The browser holds a random secret in an httpOnly cookie; the database keeps
only its SHA-256, so a leaked table opens no session, and signing out, an admin
disabling the account or the session's expiry ends it at once (unlike a bearer
token, which lives until it expires). The cookies themselves are the API's
(``api.sessions``).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from scoreline.storage.unit_of_work import UnitOfWorkFactory

__all__ = ["SESSION_HOURS", "close", "digest", "is_well_formed", "open_", "user_of"]

SESSION_HOURS = 12
_PREFIX = "sls_"
_MAX_LENGTH = 128


def digest(token: str) -> str:
    """What is stored for a session secret: its SHA-256 hex digest."""
    return hashlib.sha256(token.encode()).hexdigest()


def is_well_formed(token: str) -> bool:
    """Whether ``token`` could be a session secret at all (checked before any lookup)."""
    return token.startswith(_PREFIX) and len(token) <= _MAX_LENGTH


def open_(unit_of_work: UnitOfWorkFactory, *, user_id: int, now: datetime) -> tuple[str, datetime]:
    """A new session for ``user_id``: its secret (for the cookie) and expiry."""
    token = _PREFIX + secrets.token_urlsafe(32)
    expires = now + timedelta(hours=SESSION_HOURS)
    with unit_of_work() as uow:
        uow.web_sessions.add(
            token_hash=digest(token), user_id=user_id, created_at=now, expires_at=expires
        )
        uow.commit()
    return token, expires


def user_of(unit_of_work: UnitOfWorkFactory, token: str, *, now: datetime) -> int | None:
    """The signed-in user behind a session secret, or None (unknown, closed, expired, disabled)."""
    if not is_well_formed(token):
        return None
    with unit_of_work() as uow:
        return uow.web_sessions.user_of(digest(token), now=now)


def close(unit_of_work: UnitOfWorkFactory, token: str, *, now: datetime) -> None:
    """End a session (signing out); unknown secrets are ignored."""
    with unit_of_work() as uow:
        uow.web_sessions.revoke(digest(token), at=now)
        uow.commit()
