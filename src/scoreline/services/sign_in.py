"""Signing in: a password for a token pair (programs) or a session (the dashboard),
refresh-token rotation, and signing out.

Every attempt counts against a login limiter before the password is checked, so
a locked-out (email, address) pair cannot keep guessing; a success clears its
count. A refresh token is spent when used (a conditional UPDATE on its ``jti``),
so a copied refresh token is worth one use between the thief and the owner.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from scoreline.domain.people import UserRecord
from scoreline.errors import AuthError, RateLimitedError
from scoreline.services import accounts, web_sessions
from scoreline.services.passwords import hash_password, needs_rehash, verify_password
from scoreline.services.tokens import TokenPair, decode_refresh, issue_tokens
from scoreline.storage.unit_of_work import UnitOfWorkFactory

__all__ = [
    "LoginLimiter",
    "RetryAfter",
    "log_in",
    "log_out",
    "open_session",
    "refresh",
]


@dataclass(frozen=True, slots=True)
class RetryAfter:
    """A refused attempt: how long until the next one is allowed."""

    delay: timedelta

    @property
    def seconds(self) -> int:
        """The delay in whole seconds, rounded up, for an HTTP ``Retry-After`` header."""
        return max(1, math.ceil(self.delay.total_seconds()))


class LoginLimiter(Protocol):
    """Counts sign-in attempts per key (in memory or on Redis: ``api.rate_limit``)."""

    def hit(self, key: str) -> RetryAfter | None:
        """Record an attempt for ``key``; ``None`` if allowed, else how long to wait."""
        ...

    def reset(self, key: str) -> None:
        """Forget the attempts for ``key``, after a successful login."""
        ...


@functools.cache
def _dummy_hash() -> str:
    """A hash to check unknown emails against, made once on first use (it costs ~0.1 s)."""
    return hash_password("not a real password, only for timing")


def _checked(
    unit_of_work: UnitOfWorkFactory,
    *,
    limiter: LoginLimiter,
    email: str,
    password: str,
    client: str,
) -> UserRecord:
    """The active user behind an email and password.

    Raises
    ------
    RateLimitedError
        After five failed attempts of this (email, client) within the limiter's window.
    AuthError
        For a wrong email or password, or a disabled account (told apart from neither).
    """
    email = accounts.normal_email(email)
    key = f"{email}|{client}"
    refused = limiter.hit(key)
    if refused is not None:
        raise RateLimitedError(
            "too many sign-in attempts; try again later", retry_after_seconds=refused.seconds
        )
    with unit_of_work() as uow:
        login = uow.users.get_login(email)
        if login is None:
            # Spend the same time as a real check, so timing does not tell which emails exist.
            verify_password(_dummy_hash(), password)
            raise AuthError("wrong email or password", reason="bad_password")
        if not (login.user.is_active and verify_password(login.password_hash, password)):
            raise AuthError("wrong email or password", reason="bad_password")
        if needs_rehash(login.password_hash):  # stronger parameters since: store them now
            uow.users.set_password(login.user.id, password_hash=hash_password(password))
            uow.commit()
    limiter.reset(key)
    return login.user


def _issue(
    unit_of_work: UnitOfWorkFactory, user: UserRecord, *, secret: str, now: datetime
) -> TokenPair:
    pair = issue_tokens(str(user.id), user.role, secret=secret, now=now)
    with unit_of_work() as uow:
        uow.refresh_tokens.add(
            jti=pair.refresh_jti, user_id=user.id, expires_at=pair.refresh_expires_at
        )
        uow.commit()
    return pair


def log_in(
    unit_of_work: UnitOfWorkFactory,
    *,
    limiter: LoginLimiter,
    email: str,
    password: str,
    client: str,
    secret: str,
    now: datetime,
) -> TokenPair:
    """Email and password for an access and a refresh token (see ``_checked`` for errors)."""
    user = _checked(unit_of_work, limiter=limiter, email=email, password=password, client=client)
    return _issue(unit_of_work, user, secret=secret, now=now)


def open_session(
    unit_of_work: UnitOfWorkFactory,
    *,
    limiter: LoginLimiter,
    email: str,
    password: str,
    client: str,
    now: datetime,
) -> tuple[UserRecord, str, datetime]:
    """Email and password for a browser session: the user, the session secret, its expiry."""
    user = _checked(unit_of_work, limiter=limiter, email=email, password=password, client=client)
    token, expires = web_sessions.open_(unit_of_work, user_id=user.id, now=now)
    return user, token, expires


def refresh(
    unit_of_work: UnitOfWorkFactory, *, refresh_token: str, secret: str, now: datetime
) -> TokenPair:
    """Trade a refresh token for a new pair; the old one is spent in the same commit.

    Raises
    ------
    AuthError
        If the token is not valid, was spent or revoked, or its account is disabled.
    """
    claims = decode_refresh(refresh_token, secret=secret, now=now)
    with unit_of_work() as uow:
        spent = uow.refresh_tokens.revoke(claims.jti, at=now)
        user = uow.users.get(int(claims.subject)) if claims.subject.isdigit() else None
        if not spent or user is None or not user.is_active:
            raise AuthError("this refresh token was already used or revoked", reason="bad_claims")
        pair = issue_tokens(str(user.id), user.role, secret=secret, now=now)
        uow.refresh_tokens.add(
            jti=pair.refresh_jti, user_id=user.id, expires_at=pair.refresh_expires_at
        )
        uow.commit()
    return pair


def log_out(
    unit_of_work: UnitOfWorkFactory, *, refresh_token: str, secret: str, now: datetime
) -> None:
    """Revoke a refresh token; one that is not valid is ignored (there is nothing to end)."""
    try:
        claims = decode_refresh(refresh_token, secret=secret, now=now)
    except AuthError:
        return
    with unit_of_work() as uow:
        uow.refresh_tokens.revoke(claims.jti, at=now)
        uow.commit()
